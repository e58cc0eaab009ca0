"""No passwords, one-time codes, reset tokens or session ids in logs or URLs (issue 7).

A whole sign-in life runs with every logger at DEBUG: a failed and a good sign-in, two-factor
enrolment and verification with a wrong and a right code, a password reset, refused requests.
No secret may appear in any log record, nor in any URL the portal redirects to or links to.
"""

import logging
import re
from contextlib import ExitStack

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import RoleAssignment
from tests.factories import make_user

from .test_mfa import current_code

PASSWORD = "en meget hemmelig adgangsfrase 42"
WRONG = "et forkert kodeord 1234"


def test_no_secret_reaches_a_log_or_a_url(client, db, settings, caplog):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = make_user(RoleAssignment.Role.SECRETARIAT, username="sara", password=PASSWORD)
    secrets, urls = {PASSWORD, WRONG}, []

    def visit(method, url, data=None):
        response = getattr(client, method)(url, data or {})
        if response.status_code in (301, 302):
            urls.append(response["Location"])
        if response.get("Content-Type", "").startswith("text/html"):
            urls.extend(re.findall(r'(?:href|action)="([^"]*)"', response.content.decode()))
        return response

    with ExitStack() as stack:
        for name in (None, "django", "django.request", "django.security", "axes",
                     "klimaalliancen", "partners", "django_otp"):  # fmt: skip
            stack.enter_context(caplog.at_level(logging.DEBUG, logger=name))
        visit("post", reverse("login"), {"username": "sara", "password": WRONG})
        visit("post", reverse("login"), {"username": "sara", "password": PASSWORD})
        secrets.add(client.session.session_key)
        visit("get", reverse("mfa-setup"))
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        secrets.add(device.key)
        visit("post", reverse("mfa-setup"), {"token": "000000"})
        code = current_code(device)
        secrets.add(code)
        response = visit("post", reverse("mfa-setup"), {"token": code})
        secrets.update(response.context["codes"])  # the recovery codes
        visit("get", "/audit/")
        visit("get", "/api/municipalities/")
        visit("post", reverse("logout"))
        visit("get", "/api/municipalities/")  # refused: a log line
        visit("post", reverse("login"), {"username": "sara", "password": WRONG})
        visit("post", reverse("password_reset"), {"email": user.email})
        token = default_token_generator.make_token(user)
        secrets.add(token)
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        visit("get", reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
        secrets.add(client.session.session_key)

    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {getattr(record, 'request', '')!r}"
        for record in caplog.records
    )
    assert caplog.records, "the life above logged nothing: the test would prove nothing"
    leaked = [secret for secret in secrets if secret and secret in logged]
    assert not leaked, leaked
    # URLs: the reset link is mailed (Django's own one-time design), never put in a page or log;
    # the portal's redirects and links carry no secret.
    in_urls = [url for url in urls for secret in secrets if secret and secret in url]
    assert not in_urls, in_urls


def test_the_login_page_says_when_demo_users_skip_two_factor(client, db, settings):
    """make run's demo (DEBUG on) exempts its demo users from two-factor authentication and says
    so on the login page; without DEBUG neither the exemption nor the notice is there."""
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("da"):
        notice = gettext(
            "Demo users are exempt from two-factor authentication; a production installation "
            "never exempts anyone."
        )
    settings.DEBUG, settings.MFA_EXEMPT_DEMO_USERS = True, True
    assert notice in client.get(reverse("login")).content.decode()
    settings.DEBUG, settings.MFA_EXEMPT_DEMO_USERS = False, False
    assert notice not in client.get(reverse("login")).content.decode()
