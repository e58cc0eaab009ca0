"""Decision support in a real browser: the emissions chart with target path and projection,
the peer comparison, the indicator catalogue and what is due (screenshots in test-artifacts)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from monitoring import demo as monitoring_demo
from partners import demo as partners_demo
from tests.browser import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


# The page's cumulative layout shift so far (shifts right after input do not count).
LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 300);
})"""


def assert_accessible(page) -> None:
    violations = Axe().run(page, options=WCAG_AA).response["violations"]
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def test_decision_support_pages(reference_data, live_server, browser_page):
    partners_demo.seed()
    monitoring_demo.seed()
    page = browser_page
    base = live_server.url

    sign_in(page, base, "koordinator-midt")
    assert page.locator("#due-panel").is_visible()
    page.locator("#due-revisions-panel").wait_for()  # the lists arrive by htmx
    # ... without moving what is already on the screen (Lighthouse's CLS was 0.46; "good" < 0.1).
    assert page.evaluate(LAYOUT_SHIFT) < 0.01
    page.screenshot(path=ARTIFACTS / "decision-dashboard-koordinator.png", full_page=True)
    assert_accessible(page)

    page.goto(f"{base}/municipalities/751/")
    chart = page.locator("svg.chart").first
    assert chart.locator("polyline[stroke-dasharray='2 4']").count() == 1  # the projection
    assert page.get_by_role("table", name="Indberettede totaler, målsti og fremskrivning").count()
    page.screenshot(path=ARTIFACTS / "decision-municipality-chart.png", full_page=True)

    page.get_by_role("link", name="Sammenlign med lignende kommuner").click()
    page.wait_for_url(f"{base}/monitoring/municipalities/751/peers/")
    assert page.get_by_role("heading", name="Sammenlignelige kommuner: Aarhus").is_visible()
    assert page.locator("svg.chart").count() >= 2
    page.screenshot(path=ARTIFACTS / "decision-peers-profile.png", full_page=True)
    assert_accessible(page)
    page.get_by_label("Sammenlign med").select_option("dgo")
    page.get_by_role("button", name="Sammenlign", exact=True).click()
    page.wait_for_url("**kind=dgo**")
    page.screenshot(path=ARTIFACTS / "decision-peers-dgo.png", full_page=True)

    page.goto(f"{base}/monitoring/indicators/electric_car_share/")
    assert "Demo-værdier, ikke rigtige tal" in page.content()
    page.screenshot(path=ARTIFACTS / "decision-indicator.png", full_page=True)
    assert_accessible(page)
    page.goto(f"{base}/monitoring/indicators/")
    assert_accessible(page)

    page.goto(f"{base}/monitoring/due/")
    assert page.get_by_role("heading", name="Det, der forfalder", exact=True).is_visible()
    page.screenshot(path=ARTIFACTS / "decision-due.png", full_page=True)
    assert_accessible(page)
    page.goto(f"{base}/monitoring/digest/")
    assert_accessible(page)
