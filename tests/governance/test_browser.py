"""The voting journey in a real browser: fu-medlem votes yes; observator sees no vote button."""

import pytest

from governance import demo
from governance.models import Decision, Vote
from partners import demo as partners_demo
from tests.browser import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_votes_yes_and_observer_has_no_vote_button(
    reference_data, eager_celery, live_server, browser_page
):
    partners_demo.seed()
    demo.seed()
    decision = Decision.objects.get(body__code="fu", status="open")
    page = browser_page

    sign_in(page, live_server.url, "fu-medlem")
    panel = page.get_by_role("region", name="Beslutninger, der venter på min stemme")
    assert panel.locator(".badge").inner_text() == "1"
    page.screenshot(path=ARTIFACTS / "governance-dashboard-fu-medlem.png", full_page=True)
    panel.get_by_role("link", name=f"FU: {decision.title}").click()
    page.wait_for_url(f"{live_server.url}{decision.get_absolute_url()}")
    assert "enstemmighed" in page.locator("#main").inner_text()
    page.screenshot(path=ARTIFACTS / "governance-decision-before-vote.png", full_page=True)
    page.get_by_role("button", name="Stem ja").click()
    # The confirmation step names the choice and says it cannot be changed; nothing yet counted.
    assert "Du stemmer Ja" in page.locator("#vote-confirm-text").inner_text()
    assert "kan ikke ændres" in page.locator("#vote-confirm-text").inner_text()
    assert not Vote.objects.filter(decision=decision, cast_by__username="fu-medlem").exists()
    page.screenshot(path=ARTIFACTS / "governance-decision-confirm-vote.png", full_page=True)
    page.get_by_role("button", name="Afgiv min stemme: Ja").click()
    page.wait_for_url(f"{live_server.url}{decision.get_absolute_url()}")
    assert page.get_by_role("status").inner_text().strip() == "Din stemme er talt med."
    assert page.get_by_role("button", name="Stem ja").count() == 0
    page.screenshot(path=ARTIFACTS / "governance-decision-after-vote.png", full_page=True)
    assert Vote.objects.filter(
        decision=decision, cast_by__username="fu-medlem", choice="yes"
    ).exists()

    page.get_by_role("button", name="Log ud").click()
    sign_in(page, live_server.url, "observator")
    page.goto(f"{live_server.url}{decision.get_absolute_url()}")
    assert page.get_by_role("button", name="Stem ja").count() == 0
    assert page.get_by_role("button", name="Stem nej").count() == 0
    assert "Observatører følger organets arbejde" in page.locator("#vote-reason").inner_text()
    assert page.get_by_role("button", name="Tilføj kommentar").is_visible()
    page.screenshot(path=ARTIFACTS / "governance-decision-observator.png", full_page=True)

    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Organer").click()
    page.get_by_role("link", name="Politisk udviklingsgruppe (PUG)").click()
    assert "1 plads ledig" in page.locator("#main").inner_text()
    page.screenshot(path=ARTIFACTS / "governance-body-pug.png", full_page=True)
    page.goto(f"{live_server.url}/bodies/fu/")
    page.screenshot(path=ARTIFACTS / "governance-body-fu.png", full_page=True)


def test_secretariat_sees_the_tools_to_manage_meetings_and_decisions(
    reference_data, eager_celery, live_server, browser_page
):
    partners_demo.seed()
    demo.seed()
    decision = Decision.objects.get(body__code="fu", status="open")
    page = browser_page
    sign_in(page, live_server.url, "sekretariat")
    page.goto(f"{live_server.url}{decision.get_absolute_url()}")
    assert page.get_by_role("button", name="Luk beslutningen").is_visible()
    assert page.get_by_role("button", name="Stem ja").count() == 0  # not a seat
    page.screenshot(path=ARTIFACTS / "governance-decision-sekretariat.png", full_page=True)
    page.get_by_role("button", name="Luk beslutningen").click()
    assert "fristen" in page.get_by_role("status").inner_text()  # votes missing: refused
    page.goto(f"{live_server.url}/bodies/aps/")
    page.get_by_role("link", name="APS-møde 6/", exact=False).first.click()
    page.screenshot(path=ARTIFACTS / "governance-meeting-aps.png", full_page=True)
    page.goto(f"{live_server.url}/bodies/fu/meetings/new/")
    page.get_by_role("button", name="Gem").click()
    assert page.locator(".error-summary").is_visible()
    page.screenshot(path=ARTIFACTS / "governance-meeting-form-errors.png", full_page=True)
