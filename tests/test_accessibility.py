"""axe-core (WCAG 2.0 and 2.1, A and AA) on every page, for each role, in Danish and English.

A new page is covered by adding it to PAGES.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import verify_mfa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

# (path, roles that open it). "signed_in" is every signed-in role below.
SIGNED_IN_ROLES = ["coordinator_a", "secretariat", "observer", "knowledge_partner"]
PAGES = [
    ("/accounts/login/", ["anonymous"]),
    ("/accounts/password_reset/", ["anonymous"]),
    ("/accessibility/", ["anonymous", "coordinator_a"]),
    ("/", SIGNED_IN_ROLES),
    ("/municipalities/", SIGNED_IN_ROLES),
    ("/municipalities/?dgo=midtjylland&sort=-population", ["coordinator_a"]),
    ("/municipalities/751/", SIGNED_IN_ROLES),
    ("/municipalities/751/edit/", ["coordinator_a", "secretariat"]),
    ("/dgo/", SIGNED_IN_ROLES),
    ("/dgo/midtjylland/", SIGNED_IN_ROLES),
    ("/organisations/", ["observer"]),
    ("/accounts/profile/", SIGNED_IN_ROLES),
    ("/accounts/password_change/", ["coordinator_a"]),
    ("/accounts/mfa/setup/", ["coordinator_a"]),
    ("/audit/", ["secretariat"]),
    ("/notifications/", SIGNED_IN_ROLES),
    ("/search/?q=aarhus", SIGNED_IN_ROLES),
]


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    verify_mfa(client, user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )


@pytest.mark.parametrize("language", ["da", "en"])
def test_axe_finds_no_violations(reference_data, live_server, browser_page, role_users, language):
    page = browser_page
    axe = Axe()
    failures = []
    cookies = {role: session_cookie(user) for role, user in role_users.items() if user}
    for role in ["anonymous", *SIGNED_IN_ROLES]:
        page.context.clear_cookies()
        jar = [
            {
                "name": django_settings.LANGUAGE_COOKIE_NAME,
                "value": language,
                "url": live_server.url,
            }
        ]
        if role != "anonymous":
            jar.append(
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": cookies[role],
                    "url": live_server.url,
                }
            )
        page.context.add_cookies(jar)
        for path, roles in PAGES:
            if role not in roles:
                continue
            response = page.goto(live_server.url + path)
            assert response.status < 400, (role, path, response.status)
            assert page.locator("html").get_attribute("lang") == language
            violations = axe.run(page, options=WCAG_AA).response["violations"]
            if violations:
                failures.append(f"{role} {path} [{language}]:\n{describe(violations)}")
    assert not failures, "\n\n".join(failures)


def test_page_titles_are_unique(reference_data, live_server, browser_page, role_users):
    page = browser_page
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": session_cookie(role_users["secretariat"]),
                "url": live_server.url,
            }
        ]
    )
    titles = {}
    for path, roles in PAGES:
        if "secretariat" in roles and "?" not in path:
            page.goto(live_server.url + path)
            titles.setdefault(page.title(), []).append(path)
    duplicates = {title: paths for title, paths in titles.items() if len(paths) > 1}
    assert not duplicates
