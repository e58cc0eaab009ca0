"""Totals over many municipalities say their coverage, and changes compare like with like.

The fixture, computed by hand: DGO Nordjylland's 11 municipalities (of the country's 98) all
have figures for 2018 and 2019, only four of them for 2020 (the year the round covers).

    each municipality   2018: 100 t (60 electricity + 40 road transport)   2019: 90 t
    2020: municipality 0: 70, 1: 80, 2: 90, 3: 80 t                       (the others: none)

    totals              2018: 1 100 t   2019: 990 t   2020: 320 t
    naive change 2018→2020: (320 − 1 100) / 1 100 = −70.9 %   ← the fake drop
    like with like: the 4 with both years: 400 t → 320 t = −20.0 %

A fifth municipality's 2020 draft report (not approved) must not count, and a recalculated
2018 figure of municipality 0 (a later release, same total) must not count twice.
"""

import csv
import io
from decimal import Decimal

import defusedxml.ElementTree as ET
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from monitoring.figures import analysis
from monitoring.models import EmissionFigure, Sector
from monitoring.status_report.rendering import report_context, report_html
from partners.models import Municipality

from .factories import make_report, make_round

D = Decimal


# --- the rule, by hand, without a database ------------------------------------------------


def test_coverage_counts_each_municipality_once_per_year():
    pairs = [(1, 2018), (1, 2018), (2, 2018), (3, 2018), (1, 2019)]
    coverage = analysis.coverage_by_year(pairs, municipalities=3)
    assert coverage[2018] == analysis.Coverage(2018, 3, 3) and coverage[2018].complete
    assert coverage[2019].reporting == 1 and not coverage[2019].complete
    assert coverage[2019].share.quantize(D("0.1")) == D("33.3")
    assert list(coverage) == [2018, 2019]
    assert analysis.Coverage(2020, 0, 0).share is None


def test_change_adds_up_only_the_municipalities_with_both_years():
    totals = [
        (1, 2018, D(100)),
        (2, 2018, D(200)),
        (3, 2018, D(300)),
        (1, 2020, D(60)),  # split over two sectors: added up per municipality
        (1, 2020, D(30)),
        (2, 2020, D(150)),
        (4, 2020, D(999)),  # no 2018 figure: not compared
    ]
    change = analysis.change_between(totals, from_year=2018, to_year=2020, municipalities=5)
    assert (change.from_total, change.to_total) == (D(300), D(240))
    assert change.pct == D(-20)
    assert (change.compared, change.municipalities, change.complete) == (2, 5, False)
    # The naive sum would have said (1 239 − 600) / 600 = +106.5 %.
    assert analysis.change_since_first_year(totals, municipalities=5) == change


def test_change_without_a_common_municipality_or_a_second_year_is_none():
    assert (
        analysis.change_between(
            [(1, 2018, D(1)), (2, 2020, D(1))], from_year=2018, to_year=2020, municipalities=2
        )
        is None
    )
    assert analysis.change_since_first_year([(1, 2018, D(5))], municipalities=1) is None
    zero = analysis.change_between(
        [(1, 2018, D(0)), (1, 2019, D(5))], from_year=2018, to_year=2019, municipalities=1
    )
    assert zero.pct is None and zero.complete


# --- the same rule in the pages, the open data and the report -----------------------------


@pytest.fixture
def partial_year(db):
    """See the module docstring."""
    electricity = Sector.objects.get(key="electricity")
    road = Sector.objects.get(key="road_transport")
    nordjylland = list(Municipality.objects.filter(dgo__slug="nordjylland").order_by("code"))
    assert len(nordjylland) == 11
    figures = []
    for m in nordjylland:
        for year, total in ((2018, D(100)), (2019, D(90))):
            figures += [
                EmissionFigure(
                    municipality=m,
                    year=year,
                    sector=electricity,
                    tonnes_co2e=total * D("0.6"),
                    data_release="2021-1",
                ),
                EmissionFigure(
                    municipality=m,
                    year=year,
                    sector=road,
                    tonnes_co2e=total * D("0.4"),
                    data_release="2021-1",
                ),
            ]
    for m, total in zip(nordjylland[:4], (D(70), D(80), D(90), D(80)), strict=True):
        figures += [
            EmissionFigure(
                municipality=m,
                year=2020,
                sector=electricity,
                tonnes_co2e=total - D(30),
                data_release="2022-1",
            ),
            EmissionFigure(
                municipality=m,
                year=2020,
                sector=road,
                tonnes_co2e=D(30),
                data_release="2022-1",
            ),
        ]
    # A recalculation of municipality 0's 2018 electricity: the same value in a later release.
    figures.append(
        EmissionFigure(
            municipality=nordjylland[0],
            year=2018,
            sector=electricity,
            tonnes_co2e=D(60),
            data_release="2022-1",
        )
    )
    EmissionFigure.objects.bulk_create(figures)
    round = make_round(2022, closed=False, emissions_year=2020)
    make_report(round, nordjylland[4], state="draft")  # 2020 figures, not approved: not counted
    return round


def _coverage(emissions) -> dict[int, tuple[int, int]]:
    return {y: (c.reporting, c.municipalities) for y, c in emissions.coverage.items()}


def test_the_dgo_page_says_its_coverage_and_compares_like_with_like(partial_year, client_for):
    client = client_for("observer")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/monitoring/dgo/nordjylland/?year=2022")
    emissions = response.context["figures"].emissions
    assert emissions.totals == [D(1100), D(990), D(320)]
    assert _coverage(emissions) == {2018: (11, 11), 2019: (11, 11), 2020: (4, 11)}
    change = emissions.change
    assert (change.from_year, change.to_year, change.compared, change.municipalities) == (
        2018,
        2020,
        4,
        11,
    )
    assert (change.from_total, change.to_total, change.pct) == (D(400), D(320), D(-20))
    content = response.content.decode()
    assert "-20.0 %" in content and "-70.9" not in content
    assert "the 4 of 11 municipalities with figures for both years" in content
    assert "4 of 11" in content and "11 of 11" in content  # the table's coverage row
    assert "Not every municipality has figures for 2020 (4 of 11)" in content
    assert "How we calculate this" in content and "like with like" in content
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    danish = client.get("/monitoring/dgo/nordjylland/?year=2022").content.decode()
    assert "-20,0 %" in danish and "de 4 af 11 kommuner med tal for begge år" in danish
    assert "4 af 11" in danish and "Kommuner med tal" in danish


def test_the_chart_marks_the_incomplete_year_only(partial_year, client_for):
    response = client_for("observer").get("/monitoring/dgo/nordjylland/?year=2022")
    svg = ET.fromstring(str(response.context["figures"].chart))
    ns = {"s": "http://www.w3.org/2000/svg"}
    marked = svg.findall(".//s:g[@class='incomplete']", ns)
    assert [g.get("data-year") for g in marked] == ["2020"]
    assert float(marked[0].get("opacity")) < 1
    assert len(marked[0].findall("s:g[@class='segment']", ns)) == 2  # both sectors, lighter
    assert len(svg.findall(".//s:rect[@class='incomplete-outline']", ns)) == 1
    assert [t.text for t in svg.findall(".//s:text[@class='incomplete-mark']", ns)] == ["*"]
    note = " ".join(t.text for t in svg.findall(".//s:text[@class='incomplete-note']", ns))
    assert note.startswith("* ") and "2020" in note and "2019" not in note


def test_the_national_page_counts_all_98_municipalities(partial_year, client_for):
    response = client_for("observer").get("/monitoring/national/?year=2022")
    emissions = response.context["figures"].emissions
    assert _coverage(emissions) == {2018: (11, 98), 2019: (11, 98), 2020: (4, 98)}
    assert [c.year for c in emissions.incomplete_years] == [2018, 2019, 2020]
    assert (emissions.change.compared, emissions.change.municipalities) == (4, 98)
    assert emissions.change.pct == D(-20)


def test_a_complete_comparison_says_so(partial_year, client_for):
    """Before the incomplete year is in (the 2021 round covers 2019), every municipality of the
    DGO is compared: 1 100 t → 990 t = −10.0 %."""
    make_round(2021, closed=True, emissions_year=2019)
    client = client_for("observer")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/monitoring/dgo/nordjylland/?year=2021")
    emissions = response.context["figures"].emissions
    assert emissions.change.pct == D(-10) and emissions.change.complete
    assert emissions.incomplete_years == []
    content = response.content.decode()
    assert "All 11 municipalities have figures for both years." in content
    assert 'class="incomplete"' not in content


def test_the_open_data_carries_the_coverage_of_every_year(partial_year, client):
    response = client.get(reverse("public-open-data-file", args=["emissioner", "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    coverage = {
        (r["geography_code"], int(r["year"])): (
            int(r["municipalities_with_figures"]),
            int(r["municipalities"]),
        )
        for r in rows
    }
    assert coverage == {
        ("dk", 2018): (11, 98),
        ("dk", 2019): (11, 98),
        ("dk", 2020): (4, 98),
        ("nordjylland", 2018): (11, 11),
        ("nordjylland", 2019): (11, 11),
        ("nordjylland", 2020): (4, 11),
    }
    totals = {}
    for r in rows:
        key = (r["geography_code"], int(r["year"]))
        totals[key] = totals.get(key, D(0)) + D(r["tonnes_co2e"])
    assert totals[("nordjylland", 2020)] == D(320)
    # The public key figures page shows the same coverage and change as the portal's.
    page = client.get(reverse("public-figures-dgo", args=["nordjylland"]) + "?year=2022")
    assert _coverage(page.context["figures"].emissions) == {
        y: coverage[("nordjylland", y)] for y in (2018, 2019, 2020)
    }
    assert page.context["figures"].emissions.change.pct == D(-20)


def test_the_report_summary_compares_like_with_like(partial_year):
    report = report_context(partial_year, "en")
    change = report.emissions_change
    assert (change.from_year, change.to_year, change.compared, change.municipalities) == (
        2018,
        2020,
        4,
        98,
    )
    assert change.pct == D(-20)
    assert report.total_last == D(320)
    assert (report.coverage_last.reporting, report.coverage_last.municipalities) == (4, 98)
    chapter = next(c for c in report.chapters if c.dgo.slug == "nordjylland")
    assert chapter.figures.emissions.change.pct == D(-20)
    assert chapter.figures.emissions.change.municipalities == 11
    with translation.override("en"):
        summary = render_to_string("monitoring/report/summary.html", {"report": report})
    text = " ".join(summary.split())
    assert "-20.0 %" in text and "-70.9" not in text
    expected = [
        "Change in territorial emissions 2018–2020<br>like with like: 4 of 98 municipalities",
        "Total territorial emissions 2020: 320 t CO2e (so far from 4 of 98 municipalities).",
        "Like with like, in the 4 municipalities with figures for both 2018 and 2020: -20.0 %.",
    ]
    assert [sentence for sentence in expected if sentence not in text] == []
    assert 'class="incomplete"' in summary  # the chart's bar


def test_the_report_method_chapter_and_the_pages_state_the_same_rule(partial_year, client_for):
    with translation.override("da"):
        rules = render_to_string("monitoring/includes/totals_rules.html").strip()
    assert "lige for lige" in rules
    page = client_for("observer").get("/monitoring/national/?year=2022").content.decode()
    assert rules in page
    html = report_html(report_context(partial_year, "da"))  # the HTML, not the PDF
    method = html[html.index('id="method"') :]
    assert rules in method
