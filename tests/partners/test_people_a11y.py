"""axe-core (WCAG 2.1 A and AA) on the people and access pages, in Danish and English, and
their titles are unique (as tests/test_accessibility.py does for the foundation's pages)."""

import pytest
from django.conf import settings as django_settings

from partners import services
from partners.models import InviteRole, Municipality
from tests.test_accessibility import WCAG_AA, describe, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pages(role_users) -> list[tuple[str, str]]:
    """(role, path) pairs; the person page and the invitation link need data first."""
    outcome = services.person_invite(
        by=role_users["secretariat"],
        email="mette@aarhus.dk",
        first_name="Mette",
        last_name="Klimasen",
        role=InviteRole.MUNICIPAL_CONTACT,
        municipality=Municipality.objects.get(code="751"),
        reason="New contact person",
    )
    from core.models import OutboxEmail

    body = OutboxEmail.objects.get(to=["mette@aarhus.dk"]).body
    link = body[body.index("/invitations/") :].split()[0]
    return [
        ("anonymous", link),
        ("anonymous", "/invitations/not-a-token/"),
        ("secretariat", "/people/"),
        ("secretariat", f"/people/{outcome.user.pk}/"),
        ("secretariat", "/people/invite/"),
        ("secretariat", "/people/import/"),
        ("secretariat", "/bodies/fu/people/"),
        ("coordinator_a", "/municipalities/751/people/"),
        ("coordinator_a", "/dgo/midtjylland/people/"),
        ("coordinator_a", "/people/invite/?role=municipal_contact&municipality=751"),
        ("observer", "/directory/"),
        ("observer", "/directory/?dgo=midtjylland"),
    ]


@pytest.mark.parametrize("language", ["da", "en"])
def test_axe_finds_no_violations_on_the_people_pages(
    reference_data, live_server, browser_page, role_users, language
):
    from axe_playwright_python.sync_playwright import Axe

    page = browser_page
    axe = Axe()
    failures = []
    titles: dict[str, list[str]] = {}
    cookies = {role: session_cookie(user) for role, user in role_users.items() if user}
    for role, path in pages(role_users):
        page.context.clear_cookies()
        jar = [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language,
                "url": live_server.url}]  # fmt: skip
        if role != "anonymous":
            jar.append({"name": django_settings.SESSION_COOKIE_NAME, "value": cookies[role],
                        "url": live_server.url})  # fmt: skip
        page.context.add_cookies(jar)
        response = page.goto(live_server.url + path)
        assert response.status < 400 or path.endswith("not-a-token/"), (role, path)
        assert page.locator("html").get_attribute("lang") == language
        violations = axe.run(page, options=WCAG_AA).response["violations"]
        if violations:
            failures.append(f"{role} {path} [{language}]:\n{describe(violations)}")
        if "?" not in path and role != "anonymous":
            titles.setdefault(page.title(), []).append(path)
    assert not failures, "\n\n".join(failures)
    assert not {title: paths for title, paths in titles.items() if len(paths) > 1}
