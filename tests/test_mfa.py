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


# --- replacing an authenticator needs the current factor (issue 22) -------------------------


def _enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _password_only_session_tries_to_enrol(client, username: str) -> None:
    sign_in(client, username)
    response = client.get(reverse("mfa-setup"))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa-verify"))
    # Not even an unconfirmed device is started, and a posted code changes nothing.
    response = client.post(reverse("mfa-setup"), {"token": "123456"})
    assert response.status_code == 302 and response.url.startswith(reverse("mfa-verify"))
    assert client.get("/municipalities/").url.startswith(reverse("mfa-verify"))


def test_password_only_session_cannot_replace_the_authenticator(client, secretariat_user):
    device = _enrolled(secretariat_user)
    _password_only_session_tries_to_enrol(client, "sara")
    assert TOTPDevice.objects.get(user=secretariat_user, confirmed=True).pk == device.pk
    assert not TOTPDevice.objects.filter(user=secretariat_user, confirmed=False).exists()


def test_the_bypass_is_closed_with_production_settings(client, db, settings):
    from tests.test_settings import GOOD_SECRET, manage

    # The values production forces (checked in a real production-settings process) ...
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.MFA_EXEMPT_DEMO_USERS,"
        " 'partners.mfa.MFARequiredMiddleware' in s.MIDDLEWARE, s.MFA_REAUTH_SECONDS)",
        DJANGO_ENV="production",
        SECRET_KEY=GOOD_SECRET,
    )
    debug, exempt, gate, reauth = result.stdout.split()
    assert (debug, exempt, gate) == ("False", "False", "True"), result.stderr
    # ... applied here, for a demo user's name too: no exemption, no bypass.
    settings.DEBUG = False
    settings.MFA_EXEMPT_DEMO_USERS = False
    settings.MFA_REAUTH_SECONDS = int(reauth)
    user = make_user(Role.SECRETARIAT, username="realdania", password=PASSWORD)
    device = _enrolled(user)
    _password_only_session_tries_to_enrol(client, "realdania")
    assert list(TOTPDevice.objects.filter(user=user)) == [device]


def test_the_service_refuses_replacement_without_the_current_factor(secretariat_user):
    from django.core.exceptions import ValidationError

    old = _enrolled(secretariat_user)
    pending = mfa.totp_device_start(user=secretariat_user)
    with pytest.raises(ValidationError):
        mfa.totp_device_confirm(
            user=secretariat_user, token=current_code(pending), current_factor_checked=False
        )
    assert TOTPDevice.objects.get(user=secretariat_user, confirmed=True).pk == old.pk


@pytest.mark.parametrize("factor", ["authenticator", "recovery code"])
def test_replacing_after_the_current_factor(client, secretariat_user, settings, factor):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    old = _enrolled(secretariat_user)
    codes = mfa.recovery_codes_regenerate(user=secretariat_user)
    sign_in(client, "sara")
    token = current_code(old) if factor == "authenticator" else codes[0]
    response = client.post(reverse("mfa-verify"), {"token": token, "next": reverse("mfa-setup")})
    assert response.status_code == 302 and response.url == reverse("mfa-setup")
    assert client.get(reverse("mfa-setup")).status_code == 200
    new = TOTPDevice.objects.get(user=secretariat_user, confirmed=False)
    response = client.post(reverse("mfa-setup"), {"token": current_code(new)})
    assert response.status_code == 200 and len(response.context["codes"]) == 10
    assert list(TOTPDevice.objects.filter(user=secretariat_user)) == [new]
    new.refresh_from_db()
    assert new.confirmed


def _age_verification(client, seconds: int) -> None:
    session = client.session
    session[mfa.VERIFIED_AT_SESSION_KEY] -= seconds
    session.save()


def test_changing_mfa_needs_a_recent_check(client, secretariat_user, settings):
    from tests.factories import sign_in as sign_in_verified

    sign_in_verified(client, secretariat_user)
    assert client.get(reverse("mfa-setup")).status_code == 200
    _age_verification(client, settings.MFA_REAUTH_SECONDS + 1)
    response = client.get(reverse("mfa-setup"))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa-verify"))
    response = client.post(reverse("mfa-recovery-codes"))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa-verify"))
    # The rest of the portal stays open: only the sensitive actions ask again.
    assert client.get("/municipalities/").status_code == 200


def test_granting_roles_needs_a_recent_check(client, secretariat_user, settings):
    from tests.factories import sign_in as sign_in_verified

    sign_in_verified(client, secretariat_user)
    assert client.get(reverse("person-invite")).status_code == 200
    _age_verification(client, settings.MFA_REAUTH_SECONDS + 1)
    response = client.post(reverse("person-invite"), {"email": "new@example.dk"})
    assert response.status_code == 302 and response.url.startswith(reverse("mfa-verify"))
    from partners.models import User

    assert not User.objects.filter(email="new@example.dk").exists()
    response = client.post(reverse("people-import-confirm"))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa-verify"))


def test_an_administrator_resets_a_lost_authenticator_audited(client, secretariat_user):
    from auditlog.models import LogEntry

    from tests.factories import sign_in as sign_in_verified

    _enrolled(secretariat_user)
    mfa.recovery_codes_regenerate(user=secretariat_user)
    person_client = client.__class__()
    sign_in(person_client, "sara")  # a session of the person that must end
    admin = make_user(Role.ADMINISTRATOR, username="ada", password=PASSWORD)
    sign_in_verified(client, admin)
    url = reverse("person-mfa-reset", args=[secretariat_user.pk])

    client.post(url, {"reason": ""})
    assert mfa.mfa_enrolled(secretariat_user)

    response = client.post(url, {"reason": "Lost phone, called the helpdesk"})
    assert response.status_code == 302
    assert not mfa.mfa_enrolled(secretariat_user) and mfa.recovery_codes_left(secretariat_user) == 0
    entry = LogEntry.objects.filter(object_pk=str(secretariat_user.pk), actor=admin).latest("pk")
    assert entry.changes_dict["reason"][1] == "Lost phone, called the helpdesk"
    assert "two-factor" in entry.changes_dict
    response = person_client.get("/municipalities/")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_only_an_administrator_resets_an_authenticator(client, secretariat_user):
    from django.core.exceptions import PermissionDenied

    from tests.factories import sign_in as sign_in_verified

    _enrolled(secretariat_user)
    other = make_user(Role.SECRETARIAT, username="sofie", password=PASSWORD)
    sign_in_verified(client, other)
    client.post(reverse("person-mfa-reset", args=[secretariat_user.pk]), {"reason": "why not"})
    assert mfa.mfa_enrolled(secretariat_user)
    with pytest.raises(PermissionDenied):
        mfa.mfa_reset(user=secretariat_user, by=other, reason="why not")
