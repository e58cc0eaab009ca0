"""Two-factor authentication: required for the secretariat and administrators, never bypassed."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners import mfa
from partners.models import RoleAssignment
from tests.factories import make_user

PASSWORD = "a long test passphrase"
Role = RoleAssignment.Role


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def secretariat_user(db):
    return make_user(Role.SECRETARIAT, username="sara", password=PASSWORD)


def sign_in(client, username: str):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_secretariat_must_enrol_before_reaching_any_page(client, secretariat_user):
    sign_in(client, "sara")
    response = client.get("/municipalities/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa-setup"))
    api = client.get("/api/municipalities/")
    assert api.status_code == 403 and "totrinsbekræftelse" in api.json()["detail"]


def test_enrolment_then_sign_in_with_code_and_no_reuse(client, secretariat_user, settings):
    # django-otp slows down guessing after each wrong code; this test checks codes, not timing.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    sign_in(client, "sara")
    page = client.get(reverse("mfa-setup"))
    assert page.status_code == 200 and "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(user=secretariat_user, confirmed=False)

    response = client.post(reverse("mfa-setup"), {"token": "000000"})
    assert response.status_code == 200 and "error-summary" in response.content.decode()

    code = current_code(device)
    response = client.post(reverse("mfa-setup"), {"token": code, "next": "/municipalities/"})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert client.get("/municipalities/").status_code == 200

    # A new sign-in asks for a code; the code just used is refused (replay).
    client.post(reverse("logout"))
    sign_in(client, "sara")
    assert client.get("/").url.startswith(reverse("mfa-verify"))
    response = client.post(reverse("mfa-verify"), {"token": code})
    assert response.status_code == 200 and "allerede brugt" in response.content.decode()
    assert client.get("/").status_code == 302

    # A recovery code works once.
    response = client.post(reverse("mfa-verify"), {"token": codes[0], "next": "/dgo/"})
    assert response.status_code == 302 and response.url == "/dgo/"
    client.post(reverse("logout"))
    sign_in(client, "sara")
    response = client.post(reverse("mfa-verify"), {"token": codes[0]})
    assert response.status_code == 200
    assert mfa.recovery_codes_left(secretariat_user) == 9


def test_password_reset_does_not_bypass_the_second_factor(client, secretariat_user):
    TOTPDevice.objects.create(user=secretariat_user, name="phone", confirmed=True)
    uid = urlsafe_base64_encode(force_bytes(secretariat_user.pk))
    token = default_token_generator.make_token(secretariat_user)
    response = client.get(reverse("password_reset_confirm", args=[uid, token]))
    new = "another long passphrase 2026"
    response = client.post(response.url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    client.post(reverse("login"), {"username": "sara", "password": new})
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("mfa-verify"))


def test_open_redirect_is_refused(client, secretariat_user):
    device = TOTPDevice.objects.create(user=secretariat_user, name="phone", confirmed=True)
    sign_in(client, "sara")
    response = client.post(
        reverse("mfa-verify"), {"token": current_code(device), "next": "https://evil.example/"}
    )
    assert response.url == reverse("dashboard")


def test_coordinators_may_but_need_not_use_it(client, db):
    make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland", username="mads", password=PASSWORD)
    sign_in(client, "mads")
    assert client.get("/municipalities/").status_code == 200
    assert client.get(reverse("mfa-setup")).status_code == 200


def test_demo_users_are_exempt_only_when_the_settings_say_so(db, settings):
    admin = make_user(Role.ADMINISTRATOR, username="admin")
    settings.MFA_EXEMPT_DEMO_USERS = False
    assert mfa.mfa_required(admin)
    settings.MFA_EXEMPT_DEMO_USERS = True
    assert not mfa.mfa_required(admin)
    assert mfa.mfa_required(make_user(Role.ADMINISTRATOR, username="not-a-demo-user"))


def test_production_settings_never_exempt_anyone():
    from tests.test_settings import GOOD_SECRET, manage

    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.MFA_EXEMPT_DEMO_USERS)",
        DJANGO_ENV="production",
        SECRET_KEY=GOOD_SECRET,
        DEBUG="true",
    )
    assert result.stdout.strip() == "False", result.stderr


def test_wrong_codes_are_throttled(client, secretariat_user):
    device = TOTPDevice.objects.create(user=secretariat_user, name="phone", confirmed=True)
    sign_in(client, "sara")
    client.post(reverse("mfa-verify"), {"token": "123456"})
    # Right after a wrong guess even the right code waits: guessing is slowed down.
    response = client.post(reverse("mfa-verify"), {"token": current_code(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1
