"""The monitoring journey in a real browser: a coordinator fills in and submits Aarhus's report,
the secretariat approves it, and the chart shows the new year."""

import re

import pytest

from monitoring import demo as monitoring_demo
from monitoring.models import StatusReport
from partners import demo as partners_demo
from tests.browser import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTOR_VALUES = {
    "El": "61000",
    "Fjernvarme": "85000",
    "Individuel opvarmning": "19500",
    "Procesenergi": "63000",
    "Vejtransport": "371000",
    "Anden transport (bane, sø, luft, ikke-vej)": "74000",
    "Landbrug: husdyr og gødning": "8600",
    "Landbrug: jorder og handelsgødning": "6900",
    "Arealanvendelse (LULUCF)": "14500",
    "Affald og spildevand": "41800",
    "Industrielle processer og F-gasser": "36000",
}


def test_coordinator_fills_in_and_submits_secretariat_approves(
    reference_data, live_server, browser_page
):
    partners_demo.seed()
    monitoring_demo.seed()
    page = browser_page
    base = live_server.url

    sign_in(page, base, "koordinator-midt")
    panel = page.locator("#monitoring-panel")
    assert panel.is_visible()
    assert page.get_by_role("heading", name="Statusrapporter, der skal udfyldes").is_visible()
    page.screenshot(path=ARTIFACTS / "monitoring-dashboard-koordinator.png", full_page=True)

    page.goto(f"{base}/municipalities/751/")
    page.get_by_role("link", name="Udfyld statusrapporten for 2026").click()
    page.wait_for_url(f"{base}/monitoring/2026/751/edit/")
    # The form starts from last year's report: the plan is already there.
    assert page.get_by_label("Planen vedtaget").input_value() != ""
    page.get_by_label("Dataudgivelse").fill("2026-1")
    page.get_by_label("Datakilde").fill("Energistyrelsen, Energi- og CO2-regnskabet")
    for sector, value in SECTOR_VALUES.items():
        page.get_by_label(sector, exact=True).fill(value)
    page.get_by_label("Handling 5", exact=True).fill("Cykelsuperstier")
    page.get_by_label("Status for handling 5").select_option("started")
    page.screenshot(path=ARTIFACTS / "monitoring-report-form.png", full_page=True)
    page.get_by_role("button", name="Gem og indsend").click()

    page.wait_for_url(f"{base}/monitoring/2026/751/")
    assert "Statusrapporten er indsendt til sekretariatet." in page.content()
    assert page.locator(".lede .badge").first.inner_text() == "Indsendt"
    page.screenshot(path=ARTIFACTS / "monitoring-report-submitted.png", full_page=True)

    page.get_by_role("button", name="Log ud").click()
    sign_in(page, base, "sekretariat")
    review = page.get_by_role("link", name=re.compile("Statusrapporter, der skal behandles"))
    review.click()
    page.get_by_role("link", name="Aarhus", exact=True).click()
    page.wait_for_url(f"{base}/monitoring/2026/751/")
    page.get_by_label("Kommentar til koordinatorerne").fill("Fint – tak.")
    page.get_by_role("button", name="Godkend").click()
    page.wait_for_url(f"{base}/monitoring/2026/751/")
    assert "Statusrapporten er godkendt." in page.content()
    assert page.locator(".lede .badge").first.inner_text() == "Godkendt"
    history = page.locator("#history + .table-wrap").inner_text()
    assert "Sara Sekretær (demo)" in history and "Mads Midtgaard (demo)" in history
    page.screenshot(path=ARTIFACTS / "monitoring-report-approved.png", full_page=True)

    report = StatusReport.objects.get(round__year=2026, municipality__code="751")
    assert report.state == "approved"
    assert report.emission_figures.count() == 11
    assert report.actions.filter(name="Cykelsuperstier", status="started").exists()

    # The municipality page's chart now reaches 2024, next to its data table.
    page.goto(f"{base}/municipalities/751/")
    chart = page.locator("svg[role=img]")
    assert chart.get_attribute("aria-labelledby") == "emissions-751-title emissions-751-desc"
    assert "2024" in page.locator("table", has_text="I alt").first.inner_text()
    chart.screenshot(path=ARTIFACTS / "monitoring-chart-aarhus.png")
    page.screenshot(path=ARTIFACTS / "monitoring-municipality-aarhus.png", full_page=True)

    page.goto(f"{base}/monitoring/2026/")
    page.screenshot(path=ARTIFACTS / "monitoring-round-overview.png", full_page=True)
    page.goto(f"{base}/monitoring/national/")
    page.screenshot(path=ARTIFACTS / "monitoring-national.png", full_page=True)
