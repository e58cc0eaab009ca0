"""The open pages in a browser, as an anonymous visitor: axe-core (WCAG 2.0/2.1 A and AA) finds
nothing in Danish and English, and each page is photographed at 1280 and 360 px wide
(test-artifacts/open-*.png). The a11y walk in test_accessibility.py covers the signed-in pages;
this file covers the open ones with the same rules."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client

from tests.browser import ARTIFACTS
from tests.factories import verify_mfa
from tests.monitoring.factories import make_report, make_round
from tests.public_data import public_track, published_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def open_pages(track_pk: int) -> list[tuple[str, str]]:
    """(name for the screenshot, path) of every open page."""
    return [
        ("home", "/aaben/"),
        ("bodies", "/aaben/organer/"),
        ("body-fu", "/aaben/organer/fu/"),
        ("tracks", "/aaben/spor/"),
        ("track", f"/aaben/spor/{track_pk}/"),
        ("reports", "/aaben/rapporter/"),
        ("figures", "/aaben/tal/?year=2025"),
        ("figures-dgo", "/aaben/tal/midtjylland/?year=2025"),
        ("open-data", "/aaben/data/"),
    ]


def build_data(users: dict) -> int:
    track = public_track(users, with_file=True)
    published_document(users)  # round 2026
    round = make_round(2025, closed=True)
    for code in ("751", "740", "101", "461"):
        make_report(round, code, state="locked")
    return track.pk


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )


def test_open_pages_pass_axe_and_are_photographed(
    reference_data, live_server, browser_page, role_users
):
    page = browser_page
    pages = open_pages(build_data(role_users))
    axe = Axe()
    failures = []
    for language in ("da", "en"):
        page.context.clear_cookies()
        page.context.add_cookies(
            [
                {
                    "name": django_settings.LANGUAGE_COOKIE_NAME,
                    "value": language,
                    "url": live_server.url,
                }
            ]
        )
        for name, path in pages:
            response = page.goto(live_server.url + path)
            assert response.status == 200, (path, response.status)
            assert page.locator("html").get_attribute("lang") == language
            violations = axe.run(page, options=WCAG_AA).response["violations"]
            if violations:
                failures.append(f"{path} [{language}]:\n{describe(violations)}")
            if language == "da":
                for width in (1280, 360):
                    page.set_viewport_size({"width": width, "height": 900})
                    page.screenshot(path=ARTIFACTS / f"open-{name}-{width}.png", full_page=True)
                page.set_viewport_size({"width": 1280, "height": 900})
    assert not failures, "\n\n".join(failures)


def test_the_secretariat_publishes_a_report_in_the_browser(
    reference_data, live_server, browser_page, role_users
):
    from django.core.files.base import ContentFile

    from monitoring.models import StatusReportDocument

    round = make_round(2025, closed=True)
    document = StatusReportDocument.objects.create(
        round=round,
        language="da",
        data_snapshot_at=round.created_at,
        status=StatusReportDocument.Status.DONE,
        progress=100,
        page_count=12,
    )
    document.file.save(document.file_name, ContentFile(b"%PDF-1.7"), save=True)
    client = Client()
    client.force_login(role_users["secretariat"])
    verify_mfa(client, role_users["secretariat"])
    page = browser_page
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(live_server.url + "/aaben/rapporter/")
    page.get_by_role("link", name="Offentliggør statusrapporter").click()
    # axe reads the document; it must be the publishing page, not the one being left.
    page.get_by_role("heading", name="Offentliggør statusrapporter").wait_for()
    violations = Axe().run(page, options=WCAG_AA).response["violations"]
    assert not violations, describe(violations)
    page.get_by_role("button", name="Offentliggør").click()
    page.screenshot(path=ARTIFACTS / "open-report-publishing-1280.png", full_page=True)
    assert page.get_by_text("er offentliggjort").is_visible()
    page.context.clear_cookies()
    page.goto(live_server.url + "/aaben/rapporter/")
    assert page.get_by_role("link", name="Statusrapport 2025").is_visible()


def test_list_pages_with_export_links_pass_axe(
    reference_data, live_server, browser_page, role_users
):
    """The list pages that gained filters, pages and export links (the signed-in walk in
    test_accessibility.py lists the pages; these are checked here too while it grows)."""
    from tests.governance.factories import open_decision, plan_meeting

    plan_meeting("fu", publish=True)
    open_decision("fu", title="Årsplan 2026")
    client = Client()
    client.force_login(role_users["secretariat"])
    verify_mfa(client, role_users["secretariat"])
    page = browser_page
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    failures = []
    for name, path in [
        ("meetings", "/meetings/"),
        ("decisions", "/decisions/?status=open"),
        ("municipalities", "/municipalities/?dgo=midtjylland"),
        ("tracks-list", "/tracks/"),
        ("bodies-list", "/bodies/"),
    ]:
        assert page.goto(live_server.url + path).status == 200, path
        violations = Axe().run(page, options=WCAG_AA).response["violations"]
        if violations:
            failures.append(f"{path}:\n{describe(violations)}")
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=ARTIFACTS / f"list-{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
    assert not failures, "\n\n".join(failures)
    # The export link downloads the filtered list.
    page.goto(live_server.url + "/municipalities/?dgo=midtjylland")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.startswith("klimaalliancen-kommuner-")
