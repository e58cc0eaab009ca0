"""The data request journey in a real browser: the secretariat records a university's request
(bad input first, in Danish), puts it to APS with the data source left out, APS approves (its
votes through the service), and the secretariat delivers the approved data as CSV with its
terms; the downloaded file holds exactly the approved columns."""

import datetime
import re

import pytest
from django.utils import timezone

from data_requests.models import DataDelivery, DataRequest
from governance import demo as governance_demo
from governance import services as governance_services
from governance.models import Membership
from partners import demo as partners_demo
from tests.browser import ARTIFACTS, sign_in

from .factories import official

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_data_request_is_decided_by_aps_and_delivered(
    reference_data, eager_celery, live_server, browser_page
):
    partners_demo.seed()
    governance_demo.seed()
    official("751", 2023, "energy", "1111.25")
    official("101", 2023, "energy", "4444")  # København: not in the scope asked for
    page, base = browser_page, live_server.url

    sign_in(page, base, "sekretariat")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Dataanmodninger"
    ).click()
    page.get_by_role("link", name="Registrér en dataanmodning").click()
    page.get_by_label("Organisation", exact=True).fill("Aarhus Universitet")
    page.get_by_label("Kontaktperson").fill("Lektor Holm")
    page.get_by_label("Kontaktens e-mail").fill("holm@example.dk")
    page.get_by_label("Formål").fill("Forskning i transportens udledninger.")
    page.get_by_label("Datasæt").select_option("municipal_emissions")
    for name in ("Kommunekode", "År", "t CO2e", "Datakilde"):
        page.get_by_role("checkbox", name=name, exact=True).check()
    page.get_by_role("textbox", name="År", exact=True).fill("2023, tyve")
    page.get_by_role("checkbox", name=re.compile("Midtjylland")).check()
    page.get_by_role("button", name="Gem").click()
    assert "Angiv årstallene med fire cifre" in page.locator("#main").inner_text()
    assert not DataRequest.objects.exists()
    page.get_by_role("textbox", name="År", exact=True).fill("2023")
    page.get_by_role("button", name="Gem").click()
    request = DataRequest.objects.get()
    page.wait_for_url(f"{base}{request.get_absolute_url()}")
    assert request.requested_fields == ["municipality_code", "year", "tonnes_co2e", "data_source"]

    # APS is asked to approve fewer fields than asked for: not the data source.
    page.get_by_role("checkbox", name="Datakilde", exact=True).uncheck()
    page.get_by_label("Frist for afstemningen").fill(
        (timezone.localtime() + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Forelæg anmodningen for APS").click()
    page.wait_for_url(f"{base}{request.get_absolute_url()}")
    assert page.locator("#request-status").inner_text() == "Til behandling i APS"
    request.refresh_from_db()
    for seat in Membership.objects.active().voting().filter(body__code="aps"):
        request.decision.refresh_from_db()
        if request.decision.is_open:
            governance_services.vote_cast(decision=request.decision, by=seat.person, choice="yes")
    page.reload()
    assert page.locator("#request-status").inner_text() == "Godkendt af APS"
    assert "Datakilde" not in page.locator("#approved-fields").inner_text()

    # The delivery with its terms; a deletion date in the past is refused first.
    page.get_by_label("Format").select_option("csv")
    page.get_by_label("Licens").fill("Dataaftale 2026-7")
    page.get_by_label("Tilladt anvendelse").fill("Kun forskningsprojektet.")
    page.get_by_label("Slettes senest").fill("2020-01-01")
    page.get_by_role("button", name="Registrér leveringen").click()
    assert "Sletningsdatoen skal ligge i fremtiden." in page.locator("#main").inner_text()
    assert not DataDelivery.objects.exists()
    page.get_by_label("Slettes senest").fill(
        (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
    )
    page.get_by_role("button", name="Registrér leveringen").click()
    page.wait_for_url(f"{base}{request.get_absolute_url()}")
    assert page.locator("#request-status").inner_text() == "Leveret"
    page.screenshot(path=ARTIFACTS / "data-request-delivered.png", full_page=True)
    delivery = DataDelivery.objects.get()
    with page.expect_download() as info:
        page.get_by_role("link", name=delivery.file_name).click()
    content = info.value.path().read_bytes().decode("utf-8-sig")
    lines = content.splitlines()
    assert lines[0] == "municipality_code;year;tonnes_co2e"
    assert lines[1:] == ["751;2023;1111.25"]
    assert "Energistyrelsen" not in content and "4444" not in content
