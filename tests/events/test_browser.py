"""A coordinator registers for a full workshop from the open pages and joins the waiting list;
when a registered person cancels, the first waiting moves up and is told, and the coordinator
moves to the front of the list."""

import pytest

from core.models import Notification
from events import demo, notices
from events.models import Event, Registration
from partners import demo as partners_demo
from tests.browser import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_registers_from_the_open_pages_and_waits_for_a_seat(
    reference_data, eager_celery, live_server, browser_page
):
    partners_demo.seed()
    demo.seed()
    workshop = Event.objects.get(dgo__slug="midtjylland", status="published")
    page, base = browser_page, live_server.url

    # Anonymous on the open pages: the workshop is listed; Tilmeld leads to sign in first.
    page.goto(f"{base}/aaben/arrangementer/")
    page.get_by_role("link", name=workshop.title).click()
    page.screenshot(path=ARTIFACTS / "events-public-detail.png", full_page=True)
    page.get_by_role("link", name="Tilmeld").click()
    page.wait_for_url(f"{base}/accounts/login/**")
    page.get_by_label("Brugernavn").fill("koordinator-midt")
    page.get_by_label("Adgangskode").fill("klima2030")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{base}{workshop.get_absolute_url()}")
    assert "3 af 3 taget" in page.locator("#main").inner_text()

    page.get_by_role("button", name="Tilmeld").click()
    page.wait_for_url(f"{base}{workshop.get_absolute_url()}")
    main = page.locator("#main").inner_text()
    assert "du står på ventelisten" in main
    assert "Du er nummer 2 på ventelisten." in main
    page.screenshot(path=ARTIFACTS / "events-waiting-list.png", full_page=True)
    mine = Registration.objects.get(event=workshop, person__username="koordinator-midt")
    assert mine.status == Registration.Status.WAITING

    # A registered person cancels: the first waiting (realdania) gets the seat and is told.
    page.get_by_role("button", name="Log ud").click()
    sign_in(page, base, "fu-medlem")
    page.goto(f"{base}{workshop.get_absolute_url()}")
    page.get_by_role("button", name="Afmeld mig").click()
    page.wait_for_url(f"{base}{workshop.get_absolute_url()}")
    assert "Din tilmelding er afmeldt." in page.locator("#main").inner_text()
    moved = Notification.objects.get(kind=notices.MOVED_UP)
    assert moved.user.username == "realdania" and workshop.title in moved.title

    page.get_by_role("button", name="Log ud").click()
    sign_in(page, base, "koordinator-midt")
    page.goto(f"{base}{workshop.get_absolute_url()}")
    assert "Du er nummer 1 på ventelisten." in page.locator("#main").inner_text()
    # The coordinator arranges their DGO's event: the participants are listed for them.
    assert page.get_by_role("table", name="Deltagere").is_visible()
    page.screenshot(path=ARTIFACTS / "events-coordinator-detail.png", full_page=True)
