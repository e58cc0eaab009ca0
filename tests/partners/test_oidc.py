"""Sign-in through an identity provider (OpenID Connect), against a real provider.

The provider is panva's certified `oidc-provider` (npm, tests/oidc/provider.mjs) run with Node.
The portal side is the Django test client; the person's browser at the provider is a
`requests` session, and the portal's own calls to the provider (token, userinfo, JWKS) are real
HTTP. The test-only controls of the script make the provider misbehave in one way at a time.
"""

import copy
import json
import logging
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from auditlog.models import LogEntry
from axe_playwright_python.sync_playwright import Axe
from axes.models import AccessAttempt, AccessLog
from django.core.cache import cache
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners import mfa
from partners.models import Invitation, InviteRole, RoleAssignment, User
from partners.services import person_invite
from tests.browser import use_cookies
from tests.factories import make_user
from tests.matrix import page as page_case
from tests.test_accessibility import WCAG_AA, check_layout, real_incomplete
from tests.test_accessibility import describe as describe_axe
from tests.test_html_validity import VNU_JAR, vnu_errors
from tests.test_html_validity import describe as describe_html

Role = RoleAssignment.Role
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
SECRET = "portal-client-secret-that-is-long-enough-0123456789"
PORTAL = "http://testserver"
CLIENTS = [
    {
        "client_id": "portal",
        "client_secret": SECRET,
        "redirect_uris": [f"{PORTAL}/accounts/oidc/callback/"],
        "post_logout_redirect_uris": [f"{PORTAL}/accounts/login/"],
    },
    # Another party at the same provider (the wrong audience).
    {
        "client_id": "other-client",
        "client_secret": "another-secret-that-is-long-enough-0123456789",
        "redirect_uris": ["http://127.0.0.1:1/callback"],
    },
]

pytestmark = pytest.mark.skipif(
    not shutil.which("node") or not (ROOT / "node_modules" / "oidc-provider").exists(),
    reason="needs Node and `npm ci` (the oidc-provider package)",
)


@contextmanager
def start_provider(clients: list[dict]):
    """The provider process with these clients registered; yields its issuer URL."""
    env = {**os.environ, "OIDC_PORT": "0", "OIDC_CLIENTS": json.dumps(clients)}
    process = subprocess.Popen(
        ["node", str(SCRIPT)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("listening "), line
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def idp():
    """The provider for this module's tests; its issuer URL."""
    with start_provider(CLIENTS) as issuer:
        yield issuer


def control(idp: str, name: str, **body) -> None:
    requests.post(f"{idp}/_test/{name}", json=body, timeout=5).raise_for_status()


@pytest.fixture
def provider_config(idp):
    return {
        "key": "testkommune",
        "name": "Testkommune",
        "issuer": idp,
        "client_id": "portal",
        "client_secret": SECRET,
    }


@pytest.fixture
def oidc(settings, provider_config, idp):
    """The portal with the test provider configured; the provider's clock and audience reset."""
    settings.OIDC_PROVIDERS = [provider_config]
    settings.OIDC_ALLOW_HTTP_LOOPBACK = True
    cache.delete(f"oidc-discovery:{idp}")
    yield settings
    control(idp, "clock", skew=0)
    control(idp, "audience", aud=None)


def provider_login(idp: str, *, email: str, verified: bool = True, amr=None, acr=None) -> None:
    """Who the provider signs in at the next interaction (the person at the provider's page)."""
    sub = "sub-" + email.casefold()
    claims = {"email": email, "email_verified": verified, "name": email.split("@")[0]}
    control(idp, "login", sub=sub, claims=claims, amr=amr, acr=acr)


def to_callback(client, *, provider: str = "testkommune", next_url: str | None = None) -> str:
    """Start the sign-in at the portal and go through the provider; the callback URL it gives."""
    url = reverse("oidc-sign-in", args=[provider]) + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302
    url = response["Location"]
    browser = requests.Session()
    for _ in range(10):
        if url.startswith(PORTAL):
            return url
        answer = browser.get(url, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), (answer.status_code, answer.text[:300])
        url = urljoin(url, answer.headers["Location"])
    raise AssertionError("the provider never sent the person back")


def callback(client, url: str):
    return client.get(url.removeprefix(PORTAL), follow=True)


def signed_in_user(client):
    return client.get(reverse("profile")).wsgi_request.user


def page_text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def anna(db):
    return make_user(username="anna", email="Anna.Hansen@Testkommune.dk")


def test_no_provider_configured_no_button_and_no_sign_in(client, db):
    page = client.get(reverse("login"))
    assert page.status_code == 200 and "Log ind med" not in page.content.decode()
    assert client.get(reverse("oidc-sign-in", args=["testkommune"])).status_code == 404


def test_the_sign_in_page_offers_each_configured_provider(client, oidc, provider_config):
    oidc.OIDC_PROVIDERS = [provider_config, {**provider_config, "key": "kl", "name": "KL"}]
    page = client.get(reverse("login")).content.decode()
    assert "Log ind med Testkommune" in page and "Log ind med KL" in page
    assert 'href="/accounts/oidc/kl/"' in page
    client.cookies["django_language"] = "en"
    assert "Sign in with KL" in client.get(reverse("login")).content.decode()


def test_an_unreachable_provider_is_a_message_not_an_error(client, oidc, provider_config):
    oidc.OIDC_PROVIDERS = [{**provider_config, "issuer": "http://127.0.0.1:9"}]
    response = client.get(reverse("oidc-sign-in", args=["testkommune"]), follow=True)
    assert_refused(client, response, GENERIC)


def test_a_misconfigured_provider_is_reported_and_not_offered(client, oidc, provider_config):
    from partners.oidc import configuration_problems, configuration_warnings

    assert configuration_problems() == []
    assert configuration_warnings() == [
        "OIDC_PROVIDERS[testkommune]: no email_domains, so it may sign in any address"
    ]
    oidc.OIDC_PROVIDERS = [
        {**provider_config, "issuer": "http://idp.example.dk"},
        {**provider_config, "key": "kl", "client_secret": ""},
    ]
    assert configuration_problems() == [
        "OIDC_PROVIDERS[testkommune]: http://idp.example.dk must use https",
        "OIDC_PROVIDERS[kl]: client_secret is missing",
    ]
    assert "Log ind med" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc-sign-in", args=["kl"])).status_code == 404
    # An entry that cannot be read is reported too, and the sign-in page still works.
    oidc.OIDC_PROVIDERS = [{"key": "x"}, "not an object"]
    assert configuration_problems() == [
        "OIDC_PROVIDERS: an entry lacks name, issuer, client_id",
        "OIDC_PROVIDERS must be a JSON list of objects",
    ]
    assert client.get(reverse("login")).status_code == 200
    # Plain HTTP even to this machine only where the settings allow it (never in production).
    oidc.OIDC_ALLOW_HTTP_LOOPBACK = False
    oidc.OIDC_PROVIDERS = [provider_config]
    assert configuration_problems() == [
        f"OIDC_PROVIDERS[testkommune]: {provider_config['issuer']} must use https"
    ]


def test_a_provider_error_or_cancel_is_a_message(client, oidc, db):
    assert client.get(reverse("oidc-sign-in", args=["testkommune"])).status_code == 302
    state = next(iter(client.session["oidc_states"]))
    url = f"{reverse('oidc-callback')}?error=access_denied&state={state}"
    assert_refused(client, client.get(url, follow=True), GENERIC)
    assert state not in client.session["oidc_states"]  # that state cannot be used any more


def test_an_existing_account_signs_in_by_verified_email_in_any_case(client, oidc, idp, anna):
    users, roles = User.objects.count(), RoleAssignment.objects.count()
    provider_login(idp, email="anna.hansen@TESTKOMMUNE.DK")
    response = callback(client, to_callback(client, next_url="/municipalities/"))
    assert response.redirect_chain[-1][0] == "/municipalities/"
    assert signed_in_user(client) == anna
    # Nothing made from the token; the roles are the portal's; audited like a password sign-in.
    assert (User.objects.count(), RoleAssignment.objects.count()) == (users, roles)
    assert AccessLog.objects.filter(username="anna").count() == 1


def test_an_invited_person_signs_in_and_the_invitation_is_used(client, oidc, idp, db):
    secretariat = make_user(Role.SECRETARIAT)
    from partners.models import DGO

    outcome = person_invite(
        by=secretariat,
        email="Bo@Region.dk",
        role=InviteRole.DGO_COORDINATOR,
        dgo=DGO.objects.get(slug="midtjylland"),
    )
    invited = outcome.user
    assert not invited.has_usable_password() and outcome.invitation is not None
    users = User.objects.count()
    provider_login(idp, email="bo@region.dk")
    response = callback(client, to_callback(client))
    assert response.status_code == 200 and signed_in_user(client) == invited
    assert Invitation.objects.get(pk=outcome.invitation.pk).accepted_at is not None
    assert LogEntry.objects.filter(
        object_pk=str(invited.pk), changes__icontains="Testkommune"
    ).exists()  # in the audit trail: the invitation used through the provider
    assert User.objects.count() == users
    assert list(RoleAssignment.objects.filter(user=invited).values_list("role", flat=True)) == [
        Role.DGO_COORDINATOR
    ]


@pytest.fixture(autouse=True)
def _refusals_are_logged(caplog):
    """The refusals' reasons are read from the portal's log: keep its logger at INFO whatever
    an earlier test in the process did to the root logger's level (a Celery worker sets it)."""
    caplog.set_level(logging.INFO, logger="partners.oidc")


def assert_refused(client, response, message: str, *, caplog=None, reason: str = ""):
    """Back on the sign-in page with the message, signed out; and refused for `reason` (the
    kind of failure the portal logged), not for some other fault."""
    if reason:
        logged = " ".join(record.getMessage() for record in caplog.records)
        assert reason in logged, logged
    text = page_text(response)
    assert response.redirect_chain[-1][0] == reverse("login"), response.redirect_chain
    assert message in text, text[:2000]
    assert not signed_in_user(client).is_authenticated


def test_an_unknown_email_is_refused_and_nothing_is_created(client, oidc, idp, anna):
    users = User.objects.count()
    provider_login(idp, email="stranger@testkommune.dk")
    response = callback(client, to_callback(client))
    assert_refused(
        client, response, "Ingen konto eller invitation i portalen har den e-mailadresse"
    )
    assert User.objects.count() == users


def test_an_expired_invitation_or_a_deactivated_account_is_unknown(client, oidc, idp, anna):
    from django.utils import timezone

    outcome = person_invite(
        by=make_user(Role.SECRETARIAT), email="late@region.dk", role=InviteRole.SECRETARIAT
    )
    Invitation.objects.filter(pk=outcome.invitation.pk).update(expires_at=timezone.now())
    provider_login(idp, email="late@region.dk")
    assert_refused(client, callback(client, to_callback(client)), "Ingen konto eller invitation")

    User.objects.filter(pk=anna.pk).update(is_active=False)
    provider_login(idp, email=anna.email)
    assert_refused(client, callback(client, to_callback(client)), "Ingen konto eller invitation")


def test_a_provider_signs_in_only_its_own_domains(client, oidc, idp, anna, provider_config):
    # Testkommune's provider may not speak for KL's staff, though the address exists here.
    sara = make_user(username="sara", email="sara@kl.dk")
    oidc.OIDC_PROVIDERS = [{**provider_config, "email_domains": ["testkommune.dk"]}]
    provider_login(idp, email=sara.email)
    response = callback(client, to_callback(client))
    assert_refused(client, response, "Testkommune logger ikke adresser fra det domæne ind her")
    provider_login(idp, email=anna.email)
    assert callback(client, to_callback(client)).status_code == 200
    assert signed_in_user(client) == anna


def test_an_unverified_email_is_refused(client, oidc, idp, anna):
    provider_login(idp, email=anna.email, verified=False)
    response = callback(client, to_callback(client))
    assert_refused(client, response, "Testkommune har ikke bekræftet din e-mailadresse")


GENERIC = "Log ind med Testkommune lykkedes ikke"


def test_an_id_token_for_another_audience_is_refused(client, oidc, idp, anna, caplog):
    provider_login(idp, email=anna.email)
    url = to_callback(client)
    # The provider issues (and signs, with its real key) the ID token to the other client.
    control(idp, "audience", aud="other-client")
    response = callback(client, url)
    assert_refused(client, response, GENERIC, caplog=caplog, reason="InvalidAudienceError")


def test_an_expired_id_token_is_refused(client, oidc, idp, anna, caplog):
    provider_login(idp, email=anna.email)
    url = to_callback(client)
    control(idp, "clock", skew=-3600)  # the ID token was issued an hour ago, valid 5 minutes
    response = callback(client, url)
    assert_refused(client, response, GENERIC, caplog=caplog, reason="ExpiredSignatureError")


def test_a_token_not_signed_by_the_configured_keys_is_refused(
    client, oidc, idp, anna, provider_config, caplog
):
    # The portal trusts another key set (same key id, other key): the signature does not hold.
    oidc.OIDC_PROVIDERS = [{**provider_config, "jwks_uri": f"{idp}/_test/other-jwks"}]
    provider_login(idp, email=anna.email)
    response = callback(client, to_callback(client))
    assert_refused(client, response, GENERIC, caplog=caplog, reason="InvalidSignatureError")


def test_a_replayed_callback_is_refused(client, oidc, idp, anna, caplog):
    provider_login(idp, email=anna.email)
    url = to_callback(client)
    assert signed_in_user(callback(client, url).client) == anna
    client.post(reverse("logout"))
    # The same state and code again, in the session that used them: it holds no state now.
    assert_refused(client, callback(client, url), "lykkedes ikke")
    # In another browser that is signing in itself: its state is another one.
    other = type(client)()
    assert other.get(reverse("oidc-sign-in", args=["testkommune"])).status_code == 302
    response = callback(other, url)
    assert_refused(other, response, "lykkedes ikke", caplog=caplog, reason="SuspiciousOperation")


def test_a_used_code_with_a_fresh_state_is_refused(client, oidc, idp, anna, caplog):
    provider_login(idp, email=anna.email)
    used = to_callback(client)
    assert signed_in_user(callback(client, used).client) == anna
    client.post(reverse("logout"))
    fresh = to_callback(client)
    code = parse_qs(urlparse(used).query)["code"][0]
    state = parse_qs(urlparse(fresh).query)["state"][0]
    replay = f"{PORTAL}{reverse('oidc-callback')}?code={code}&state={state}"
    response = callback(client, replay)
    assert_refused(client, response, GENERIC, caplog=caplog, reason="invalid_grant")


def test_a_code_from_another_sign_in_fails_the_nonce_check(client, oidc, idp, anna, caplog):
    # Without PKCE, the nonce alone ties the ID token to this session's sign-in.
    oidc.OIDC_USE_PKCE = False
    provider_login(idp, email=anna.email)
    first = to_callback(client)  # an attacker's code, say, not delivered
    second = to_callback(client)
    code = parse_qs(urlparse(first).query)["code"][0]
    state = parse_qs(urlparse(second).query)["state"][0]
    injected = f"{PORTAL}{reverse('oidc-callback')}?code={code}&state={state}"
    response = callback(client, injected)
    assert_refused(client, response, GENERIC, caplog=caplog, reason="Nonce verification failed")


@pytest.fixture
def sara(db):
    """The secretariat must use two factors; she has an authenticator in the portal."""
    user = make_user(Role.SECRETARIAT, username="sara", email="sara@kl.dk")
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


def test_the_provider_mfa_counts_only_where_configured(client, oidc, idp, sara, provider_config):
    # Not configured: the provider's MFA does not replace the portal's own check.
    provider_login(idp, email=sara.email, amr=["pwd", "mfa"])
    response = callback(client, to_callback(client))
    assert response.redirect_chain[-1][0].startswith(reverse("mfa-verify"))
    client.post(reverse("logout"))

    oidc.OIDC_PROVIDERS = [{**provider_config, "mfa_amr": ["mfa", "otp", "hwk"]}]
    # Configured, but this sign-in used a password only.
    provider_login(idp, email=sara.email, amr=["pwd"])
    response = callback(client, to_callback(client))
    assert response.redirect_chain[-1][0].startswith(reverse("mfa-verify"))
    client.post(reverse("logout"))

    provider_login(idp, email=sara.email, amr=["pwd", "otp"])
    response = callback(client, to_callback(client, next_url="/municipalities/"))
    assert response.redirect_chain[-1][0] == "/municipalities/"
    assert client.get("/people/").status_code == 200  # past the gate
    assert mfa.mfa_enrolled(sara)  # still her authenticator; the provider's device holds no code


def test_a_configured_acr_counts_as_the_second_factor(client, oidc, idp, sara, provider_config):
    oidc.OIDC_PROVIDERS = [{**provider_config, "mfa_acr": ["urn:test:loa:substantial"]}]
    provider_login(idp, email=sara.email, acr="urn:test:loa:low")
    response = callback(client, to_callback(client))
    assert response.redirect_chain[-1][0].startswith(reverse("mfa-verify"))
    client.post(reverse("logout"))
    provider_login(idp, email=sara.email, acr="urn:test:loa:substantial")
    callback(client, to_callback(client))
    assert client.get("/people/").status_code == 200


def test_sign_out_ends_the_session_and_the_provider_session(client, oidc, idp, anna):
    provider_login(idp, email=anna.email)
    callback(client, to_callback(client))
    response = client.post(reverse("logout"))
    assert not signed_in_user(client).is_authenticated
    end_session = response["Location"]
    assert end_session.startswith(f"{idp}/session/end?")
    query = parse_qs(urlparse(end_session).query)
    assert query["post_logout_redirect_uri"] == [f"{PORTAL}/accounts/login/"]
    # The provider accepts the hint and, confirmed, sends the person back to the portal.
    browser = requests.Session()
    form = browser.get(end_session, timeout=10)
    assert form.status_code == 200, form.text[:300]
    action = re.search(r'action="([^"]+)"', form.text).group(1)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.text))
    done = browser.post(
        urljoin(end_session, action), data={**fields, "logout": "yes"}, allow_redirects=False
    )
    assert done.headers["Location"] == f"{PORTAL}/accounts/login/"


def test_password_sign_in_and_its_lockout_still_work(client, oidc, anna):
    page = client.get(reverse("login"))
    assert "Log ind med Testkommune" in page.content.decode()
    for _ in range(5):
        client.post(reverse("login"), {"username": "anna", "password": "wrong one"})
    locked = client.post(
        reverse("login"), {"username": "anna", "password": "a long test passphrase"}
    )
    assert locked.status_code == 429
    other = make_user(username="other")
    assert (
        client.post(
            reverse("login"), {"username": other.username, "password": "a long test passphrase"}
        ).status_code
        == 302
    )


def test_failed_provider_sign_ins_are_throttled_per_address(client, oidc, idp, anna, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        provider_login(idp, email="stranger@testkommune.dk")
        callback(client, to_callback(client))
    provider_login(idp, email=anna.email)
    url = to_callback(client)
    assert client.get(url.removeprefix(PORTAL)).status_code == 429
    # The code and state of the attempts are not kept in the lockout records.
    code = parse_qs(urlparse(url).query)["code"][0]
    assert AccessAttempt.objects.exists()
    assert not any(code in attempt.get_data for attempt in AccessAttempt.objects.all())
    # Password sign-in from the same address is not locked by it.
    assert (
        client.post(
            reverse("login"), {"username": "anna", "password": "a long test passphrase"}
        ).status_code
        == 302
    )


@pytest.mark.skipif(not VNU_JAR.exists() or not shutil.which("java"), reason="needs vnu.jar, Java")
def test_the_sign_in_page_with_providers_is_valid_html(client, settings, provider_config, tmp_path):
    settings.OIDC_PROVIDERS = [provider_config, {**provider_config, "key": "kl", "name": "KL"}]
    settings.OIDC_ALLOW_HTTP_LOOPBACK = True
    for language in ("da", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get(reverse("login") + "?next=/people/").content.decode()
        assert 'href="/accounts/oidc/kl/?next=/people/"' in html
        (tmp_path / f"login-{language}.html").write_text(html)
    errors = vnu_errors(tmp_path)
    assert not errors, describe_html(errors, tmp_path)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_sign_in_through_the_provider_and_out(
    reference_data, live_server, browser_page, settings
):
    """In Chromium: axe on the sign-in page with a provider, the whole sign-in through the
    provider, and the sign-out that continues there (the CSP's form-action lets it)."""
    from klimaalliancen.settings.base import oidc_origins

    page = browser_page
    base = live_server.url
    client = {
        "client_id": "portal",
        "client_secret": SECRET,
        "redirect_uris": [f"{base}/accounts/oidc/callback/"],
        "post_logout_redirect_uris": [f"{base}/accounts/login/"],
    }
    with start_provider([client]) as issuer:
        config = {
            "key": "testkommune",
            "name": "Testkommune",
            "issuer": issuer,
            "client_id": "portal",
            "client_secret": SECRET,
        }
        settings.OIDC_PROVIDERS = [config]
        settings.OIDC_ALLOW_HTTP_LOOPBACK = True
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["form-action"] += oidc_origins([config])
        settings.CONTENT_SECURITY_POLICY = policy
        cache.delete(f"oidc-discovery:{issuer}")
        anna = make_user(username="anna", email="anna@testkommune.dk")
        provider_login(issuer, email="anna@testkommune.dk")

        failures = []
        for language in ("da", "en"):
            use_cookies(page, base, language=language)
            page.goto(f"{base}/accounts/login/")
            results = Axe().run(page, options=WCAG_AA).response
            violations = results["violations"] + real_incomplete(results["incomplete"])
            if violations:
                failures.append(f"login [{language}]:\n{describe_axe(violations)}")
            failures += check_layout(page, page_case("login"), language, f"login-oidc-{language}")
        assert not failures, "\n".join(failures)

        use_cookies(page, base, language="da")
        page.goto(f"{base}/accounts/login/")
        page.get_by_role("link", name="Log ind med Testkommune").click()
        page.wait_for_url(f"{base}/")
        assert page.locator("header a.user").inner_text() == str(anna)  # signed in as Anna
        page.get_by_role("button", name="Log ud").click()
        page.wait_for_url(f"{issuer}/session/end**")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{base}/accounts/login/")
        assert "Log ind med Testkommune" in page.content()
        page.goto(f"{base}/")
        assert page.url.startswith(f"{base}/accounts/login/")  # the portal session is over


def test_production_enables_nothing_insecure_and_checks_the_providers():
    from tests.test_settings import GOOD_SECRET, manage

    production = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": GOOD_SECRET,
        "ALLOWED_HOSTS": "portal.example.dk",
    }
    code = (
        "from django.conf import settings as s;"
        "print(s.OIDC_PROVIDERS, s.OIDC_ALLOW_HTTP_LOOPBACK, s.OIDC_CREATE_USER, s.OIDC_USE_PKCE,"
        " s.OIDC_VERIFY_SSL, s.OIDC_ALLOW_UNSECURED_JWT)"
    )
    result = manage("shell", "--no-imports", "-c", code, **production)
    assert result.stdout.split() == ["[]", "False", "False", "True", "True", "False"], result.stderr
    entra = {
        "key": "aarhus",
        "name": "Aarhus Kommune",
        "issuer": "https://login.example.com/tenant/v2.0",
        "client_id": "portal",
        "client_secret": "from-the-secret-store",
        "email_domains": ["aarhus.dk"],
    }
    good = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        OIDC_PROVIDERS=json.dumps([entra]), **production,
    )  # fmt: skip
    assert good.returncode == 0, good.stdout + good.stderr
    plain = {**entra, "issuer": "http://127.0.0.1:8080", "email_domains": []}
    bad = manage("check", OIDC_PROVIDERS=json.dumps([plain]), **production)
    assert bad.returncode != 0
    assert "http://127.0.0.1:8080 must use https" in bad.stderr + bad.stdout
