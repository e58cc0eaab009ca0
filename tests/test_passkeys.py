"""Passkeys (WebAuthn) as a second factor beside TOTP: the gate counts them, the verify page
offers them (and asks a passkey-only user for no code), adding one needs the current factor
like replacing the app, removing one is audited and never leaves a required role without a
factor. The ceremonies themselves run in a real browser with Chromium's virtual
authenticator: tests/test_passkeys_browser.py."""

import os
import time

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from partners import mfa
from partners.models import RoleAssignment
from tests.factories import make_user

PASSWORD = "a long test passphrase"
Role = RoleAssignment.Role


def make_passkey(user, name="Arbejdscomputer") -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(
        user=user,
        name=name,
        confirmed=True,
        credential_id=os.urandom(32),
        public_key=os.urandom(77),
        sign_count=0,
    )


@pytest.fixture
def sara(db):
    return make_user(Role.SECRETARIAT, username="sara", password=PASSWORD)


def password_only(client, username="sara"):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def verified_with(client, device):
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session[mfa.VERIFIED_AT_SESSION_KEY] = int(time.time())
    session.save()
    return client


def test_the_gate_counts_a_passkey_like_an_authenticator(client, sara):
    assert not mfa.mfa_enrolled(sara)
    make_passkey(sara)
    assert mfa.mfa_enrolled(sara) and not mfa.has_totp(sara)
    password_only(client)
    response = client.get("/municipalities/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa-verify"))  # not sent to set up an app
    assert client.get("/api/municipalities/").status_code == 403


def test_a_user_with_only_a_passkey_is_not_asked_for_a_code(client, sara):
    make_passkey(sara)
    password_only(client)
    page = client.get(reverse("mfa-verify"), {"next": "/"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-passkey="authenticate"' in html and "js/passkeys.js" in html
    assert 'name="token"' not in html  # no code field


def test_a_user_with_both_chooses_passkey_or_code(client, sara):
    make_passkey(sara)
    TOTPDevice.objects.create(user=sara, name="app", confirmed=True)
    password_only(client)
    html = client.get(reverse("mfa-verify")).content.decode()
    assert 'data-passkey="authenticate"' in html and 'name="token"' in html


def test_the_passkey_script_is_served_under_the_csp_nonce(client, sara):
    make_passkey(sara)
    password_only(client)
    response = client.get(reverse("mfa-verify"))
    csp = response["Content-Security-Policy"]
    nonce = response.wsgi_request.csp_nonce
    assert f"'nonce-{nonce}'" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_adding_a_passkey_needs_the_current_factor_as_replacing_the_app_does(client, sara):
    app = TOTPDevice.objects.create(user=sara, name="app", confirmed=True)
    password_only(client)
    begin = reverse("mfa-passkey-register-begin")
    # Signed in with the password only: the gate lets the ceremony's URL through, the rule
    # refuses it (the same rule as the app's setup page).
    refused = client.post(begin, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "user_not_verified"
    assert "andet trin igen" in refused.json()["detail"]
    assert client.get(reverse("mfa-setup")).status_code == 302
    page = client.get(reverse("mfa-passkeys"))
    assert page.status_code == 200 and 'data-passkey="register"' not in page.content.decode()

    verified_with(client, app)
    allowed = client.post(begin, content_type="application/json")
    assert allowed.status_code == 200 and allowed.json()["challenge"]
    assert allowed.json()["rp"]["id"] == "testserver"
    # Verified, but long ago: the factor is asked for again.
    session = client.session
    session[mfa.VERIFIED_AT_SESSION_KEY] = int(time.time()) - 3600
    session.save()
    assert client.post(begin, content_type="application/json").status_code == 403
    assert not WebAuthnCredential.objects.exists()


def test_a_first_passkey_may_be_enrolled_with_no_factor_yet(client, sara):
    password_only(client)
    assert client.get(reverse("mfa-passkeys")).status_code == 200  # reachable before the factor
    begin = client.post(reverse("mfa-passkey-register-begin"), content_type="application/json")
    assert begin.status_code == 200


def test_removing_a_passkey(client, sara):
    app = TOTPDevice.objects.create(user=sara, name="app", confirmed=True)
    laptop, phone = make_passkey(sara, "Laptop"), make_passkey(sara, "Telefon")
    other = make_passkey(make_user(username="other"), "Andens")
    password_only(client)
    remove = reverse("mfa-passkey-remove", args=[laptop.pk])
    response = client.post(remove)  # password only: confirm again first
    assert response.status_code == 302 and response.url.startswith(reverse("mfa-verify"))
    assert WebAuthnCredential.objects.filter(pk=laptop.pk).exists()

    verified_with(client, app)
    page = client.get(reverse("mfa-passkeys")).content.decode()
    assert "Laptop" in page and "Telefon" in page and "Andens" not in page
    assert client.post(remove).status_code == 302
    assert not WebAuthnCredential.objects.filter(pk=laptop.pk).exists()
    entry = LogEntry.objects.get_for_object(sara).latest("timestamp")
    assert entry.changes_dict["two-factor"] == ["passkey: Laptop", "removed"]
    # Someone else's passkey is not found, and stays.
    client.post(reverse("mfa-passkey-remove", args=[other.pk]))
    assert WebAuthnCredential.objects.filter(pk=other.pk).exists()
    assert list(mfa.passkeys_of(sara)) == [phone]


def test_the_only_factor_of_a_required_role_stays(sara):
    only = make_passkey(sara)
    with pytest.raises(ValidationError, match="kræver"):
        mfa.passkey_remove(user=sara, passkey_id=only.pk, current_factor_checked=True)
    with pytest.raises(ValidationError):
        mfa.passkey_remove(user=sara, passkey_id=only.pk, current_factor_checked=False)
    assert WebAuthnCredential.objects.filter(pk=only.pk).exists()
    # A member (no factor required) may remove their only passkey.
    member = make_user(username="mette")
    theirs = make_passkey(member)
    assert mfa.passkey_remove(user=member, passkey_id=theirs.pk, current_factor_checked=True)
    assert not mfa.has_passkey(member)


def test_an_administrator_reset_removes_passkeys_too(sara):
    admin = make_user(Role.ADMINISTRATOR, username="ada")
    make_passkey(sara)
    assert mfa.mfa_reset(user=sara, by=admin, reason="Mistet telefon") == 1
    assert not mfa.mfa_enrolled(sara)


def test_the_profile_links_the_passkeys(client, sara):
    app = TOTPDevice.objects.create(user=sara, name="app", confirmed=True)
    make_passkey(sara)
    password_only(client)
    verified_with(client, app)
    html = client.get(reverse("profile")).content.decode()
    assert reverse("mfa-passkeys") in html


def test_the_passkey_pages_in_each_state_are_valid_html(client, sara, tmp_path):
    """The matrix walks the passkeys page as its users see it (no passkey yet); the states
    it does not reach — a list of passkeys, the verify page with a passkey, with both, the
    page asking to confirm again — are checked here with the same Nu checker."""
    from tests.test_html_validity import VNU_JAR, describe, vnu_errors

    if not VNU_JAR.exists():
        pytest.skip("vnu.jar (npm ci) is missing")
    password_only(client)
    make_passkey(sara, "Laptop")
    pages = {"verify-passkey-only": client.get(reverse("mfa-verify"), {"next": "/"})}
    app = TOTPDevice.objects.create(user=sara, name="app", confirmed=True)
    pages["verify-both"] = client.get(reverse("mfa-verify"))
    pages["passkeys-confirm-again"] = client.get(reverse("mfa-passkeys"))
    verified_with(client, app)
    make_passkey(sara, "Telefon")
    pages["passkeys-list"] = client.get(reverse("mfa-passkeys"))
    pages["profile"] = client.get(reverse("profile"))
    pages["setup"] = client.get(reverse("mfa-setup"))
    for name, response in pages.items():
        assert response.status_code == 200, name
        (tmp_path / f"{name}.html").write_bytes(response.content)
    errors = vnu_errors(tmp_path)
    assert not errors, describe(errors, tmp_path)
