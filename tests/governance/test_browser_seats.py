"""Done when (issue 17): the secretariat fills PUG's vacant KKR Sjælland seat and seats an APS
substitute entirely in the browser, and the composition check goes green."""

import pytest

from governance import demo
from governance.composition import check_composition
from governance.models import Body, Membership, SeatRole
from governance.people import seat_end_now
from partners import demo as partners_demo
from partners.models import User
from tests.browser import ARTIFACTS, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GREEN = "Alle pladser er besat, som aftalen foreskriver"


def choose_person(page, search: str, person: User) -> None:
    """Type in the person search; the type-ahead (htmx) fills the person list, then choose."""
    assert page.locator("#id_person option[value]:not([value=''])").count() == 0
    page.locator("#person-search").fill(search)
    option = page.locator(f'#id_person option[value="{person.pk}"]')
    option.wait_for(state="attached")
    assert option.inner_text().startswith(str(person))
    page.locator("#id_person").select_option(value=str(person.pk))


def test_secretariat_fills_pugs_vacancy_and_seats_an_aps_substitute(
    reference_data, eager_celery, live_server, browser_page
):
    partners_demo.seed()
    demo.seed()
    # APS's regional substitute has left: the seat is vacant before the secretariat starts.
    leaving = Membership.objects.get(body__code="aps", person__username="demo-rune")
    seat_end_now(membership=leaving, by=None)
    kkr_sjaelland = UserFactory(first_name="Søren", last_name="Sjællænder", username="soeren")
    new_substitute = UserFactory(first_name="Ulla", last_name="Udskifter", username="ulla")
    pug, aps = Body.objects.get(code="pug"), Body.objects.get(code="aps")
    assert not check_composition(body=pug).is_complete
    assert not check_composition(body=aps).is_complete
    page = browser_page
    sign_in(page, live_server.url, "sekretariat")

    # PUG: the composition table's link for the vacant KKR Sjælland seat.
    page.goto(f"{live_server.url}{pug.get_absolute_url()}")
    assert "1 plads ledig" in page.locator("#main").inner_text()
    page.locator('a.fill-vacancy[href*="geography=sjaelland"]').click()
    page.wait_for_url("**/bodies/pug/seats/new/**")
    # The form arrives with the rule's seat, party and geography.
    assert page.locator("#id_seat_role").input_value() == SeatRole.MEMBER
    assert page.locator("#id_appointed_by option:checked").inner_text().startswith("KKR Sj")
    assert page.locator("#id_geography option:checked").inner_text() == "Sjælland"
    page.screenshot(path=ARTIFACTS / "governance-seat-fill-vacancy.png", full_page=True)
    choose_person(page, "Sjællænder", kkr_sjaelland)
    page.locator("#id_capacity").fill("Kommunal repræsentant, KKR Sjælland")
    page.get_by_role("button", name="Gem pladsen").click()
    page.wait_for_url(f"{live_server.url}{pug.get_absolute_url()}")
    assert GREEN in page.locator("#composition").locator("..").inner_text()
    assert "Søren Sjællænder" in page.locator("#main").inner_text()
    page.screenshot(path=ARTIFACTS / "governance-body-pug-complete.png", full_page=True)

    # APS: the vacant substitute seat, for Danske Regioner's member.
    page.goto(f"{live_server.url}{aps.get_absolute_url()}")
    page.locator("a.fill-vacancy").click()
    page.wait_for_url("**/bodies/aps/seats/new/**")
    assert page.locator("#id_seat_role").input_value() == SeatRole.SUBSTITUTE
    choose_person(page, "udskif", new_substitute)
    page.locator("#id_substitute_for").select_option(
        label=str(User.objects.get(username="demo-randi")) + " (Medlem)"
    )
    page.get_by_role("button", name="Gem pladsen").click()
    page.wait_for_url(f"{live_server.url}{aps.get_absolute_url()}")
    assert GREEN in page.locator("#composition").locator("..").inner_text()
    page.screenshot(path=ARTIFACTS / "governance-body-aps-complete.png", full_page=True)

    assert check_composition(body=pug).is_complete
    assert check_composition(body=aps).is_complete
    substitute = Membership.objects.active().get(body=aps, person=new_substitute)
    assert substitute.substitute_for.person.username == "demo-randi"
