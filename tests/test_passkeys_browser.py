"""Passkeys in a real browser: Chromium's virtual authenticator (WebAuthn over CDP) is a real
software authenticator, so the registration and sign-in ceremonies run end to end — the
portal's JavaScript, django-otp-webauthn's checks of the attestation and the signature."""

import pytest

from partners import mfa
from partners.models import RoleAssignment
from tests.factories import make_user

from .browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long test passphrase"


def virtual_authenticator(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def password_sign_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Brugernavn").fill("sara")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()


def test_register_a_passkey_sign_out_and_verify_with_it(reference_data, live_server, browser_page):
    user = make_user(RoleAssignment.Role.SECRETARIAT, username="sara", password=PASSWORD)
    page, base = browser_page, live_server.url
    virtual_authenticator(page)

    # A secretariat member with no second factor is sent to set one up: a passkey.
    password_sign_in(page, base)
    page.wait_for_url(f"{base}/accounts/mfa/setup/**")
    page.get_by_role("link", name="Brug en adgangsnøgle i stedet for en app").click()
    page.wait_for_url(f"{base}/accounts/mfa/passkeys/")
    page.get_by_label("Adgangsnøglens navn").fill("Arbejdscomputer")
    page.get_by_role("button", name="Tilføj en adgangsnøgle").click()
    try:
        page.locator("ul.passkeys li").first.wait_for()
    finally:
        page.screenshot(path=ARTIFACTS / "mfa-passkeys.png", full_page=True)
    assert "Arbejdscomputer" in page.locator("ul.passkeys").inner_text()
    assert [p.name for p in mfa.passkeys_of(user)] == ["Arbejdscomputer"]
    assert not mfa.has_totp(user)

    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(f"{base}/accounts/login/**")

    # Password first, then the passkey: no code is asked for.
    password_sign_in(page, base)
    page.wait_for_url(f"{base}/accounts/mfa/verify/**")
    assert page.get_by_label("Kode").count() == 0
    page.get_by_role("button", name="Brug din adgangsnøgle").click()
    try:
        page.wait_for_url(f"{base}/")
    finally:
        page.screenshot(path=ARTIFACTS / "mfa-verify-passkey.png", full_page=True)
    assert page.locator("h1").inner_text().startswith("Velkommen")
    assert mfa.passkeys_of(user).get().last_used_at is not None
