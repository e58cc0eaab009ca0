"""The status report's data in a bounded number of queries, its page, and the fact sheet."""

import datetime
import io
import re
from decimal import Decimal

import defusedxml.ElementTree as ET
import pytest
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from monitoring.models import EmissionFigure, Round, StatusReport, StatusReportDocument
from monitoring.selectors import municipality_on_track
from monitoring.status_report.rendering import (
    factsheet_context,
    factsheet_pdf,
    report_context,
    report_html,
)
from partners.models import Municipality, RoleAssignment
from tests.factories import make_user
from tracks.models import (
    Allocation,
    BudgetLine,
    LiquidPool,
    Spending,
    StatusUpdate,
    Track,
    TrackParticipant,
)

from .factories import make_report, make_round
from .test_queries import grow

pytestmark = pytest.mark.django_db


def add_tracks(count: int, offset: int = 0) -> None:
    """`count` running tracks, each with participants, an update, an allocation and spending."""
    user = make_user(RoleAssignment.Role.SECRETARIAT, username=f"sekr-{offset}")
    pool = LiquidPool.objects.first()
    line = BudgetLine.objects.first()
    municipalities = list(Municipality.objects.order_by("pk")[:4])
    now = timezone.now()
    for n in range(offset, offset + count):
        track = Track.objects.create(
            title=f"Spor {n}",
            status=Track.Status.RUNNING if n % 2 else Track.Status.EVALUATED,
            proposed_by=user,
            submitted_at=now,
        )
        TrackParticipant.objects.bulk_create(
            TrackParticipant(track=track, municipality=m, is_lead=i == 0)
            for i, m in enumerate(municipalities)
        )
        StatusUpdate.objects.create(track=track, progress=f"Fremdrift {n}", author=user)
        Allocation.objects.create(
            pool=pool,
            track=track,
            year=2026,
            amount=Decimal(1000),
            status=Allocation.Status.APPROVED,
            requested_by=user,
            decided_by=user,
            decided_at=now,
        )
        Spending.objects.create(
            budget_line=line,
            date=datetime.date(2026, 3, 1),
            amount=Decimal(500),
            description="Udgift",
            track=track,
            document_reference=f"B-{n}",
            entered_by=user,
        )


def context_queries(round: Round) -> int:
    with CaptureQueriesContext(connection) as queries:
        report_context(round, "da")
    return len(queries)


def test_report_context_takes_the_same_queries_however_much_data():
    grow(rounds=1, municipalities=98)
    add_tracks(2)
    round = Round.objects.get(year=2025)
    small = context_queries(round)
    grow(rounds=1, municipalities=300)  # three times the municipalities
    add_tracks(20, offset=2)  # ten times the tracks
    context = report_context(round, "da")
    assert len(context.tracks) == 22 and context.page_count_municipalities == 300
    assert all(page.on_track is not None for c in context.chapters for page in c.municipalities)
    assert context_queries(round) == small
    assert small <= 90, small


def test_report_context_counts_tracks_budget_and_on_track():
    round = make_round(year=2025)
    make_report(round, "751", state="approved")
    add_tracks(3)
    context = report_context(round, "en")
    assert [t.title for t in context.tracks] == ["Spor 1", "Spor 0", "Spor 2"]  # running first
    assert all(t.allocated == 1000 and t.spent == 500 for t in context.tracks)
    counts = {key: n for key, _label, n in context.track_counts}
    assert counts["running"] == 1 and counts["evaluated"] == 2 and "draft" not in counts
    budget = context.budget
    assert budget.agreed == Decimal("82100000.00") == budget.overview.contributed
    assert budget.overview.total.spent == 1500 and budget.committed >= 1500
    assert budget.bar["spent"] + budget.bar["bound"] + budget.bar["free"] == pytest.approx(100)
    pages = [page for chapter in context.chapters for page in chapter.municipalities]
    aarhus = next(page for page in pages if page.municipality.code == "751")
    assert aarhus.on_track is not None and aarhus.report is not None
    assert context.on_track.rollup.municipality_count == 98


def test_the_report_page_takes_the_same_queries_with_ten_times_the_documents(
    client_for, django_assert_max_num_queries
):
    round = make_round()
    client = client_for("secretariat")

    def add(n):
        for i in range(n):
            StatusReportDocument.objects.create(
                round=round,
                language="da" if i % 2 else "en",
                data_snapshot_at=round.created_at + datetime.timedelta(seconds=len(added) + i),
                status=StatusReportDocument.Status.DONE,
                page_count=110,
                requested_by=make_user(
                    RoleAssignment.Role.SECRETARIAT, username=f"s{len(added) + i}"
                ),
            )
        added.extend(range(n))

    added: list[int] = []
    add(2)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/monitoring/2026/report/").status_code == 200
    small = len(queries)
    add(20)
    with django_assert_max_num_queries(small):
        response = client.get("/monitoring/2026/report/")
    assert response.content.decode().count("/download/") == 22


def test_the_fact_sheet_is_one_page_with_the_municipalitys_figures(client_for):
    round = make_round(year=2025)
    report = make_report(round, "751", state="approved", actions=3)
    for year, tonnes in ((2019, 2000), (2020, 1900), (2021, 1800), (2022, 1700)):
        EmissionFigure.objects.create(
            municipality=report.municipality,
            year=year,
            sector=EmissionFigure.objects.first().sector,
            tonnes_co2e=Decimal(tonnes),
            data_release="2024-1",
            report=report,
        )
    make_report(round, "101", state="approved")  # another municipality's figures stay out
    response = client_for("observer").get("/monitoring/municipalities/751/factsheet/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="faktaark-751.pdf"' in response["Content-Disposition"]
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    aarhus = Municipality.objects.get(code="751")
    assert "Aarhus (751)" in text and "København" not in text
    total = sum(
        EmissionFigure.objects.filter(municipality=aarhus, year=round.emissions_year).values_list(
            "tonnes_co2e", flat=True
        )
    )
    analysis = municipality_on_track(municipality=aarhus).analysis
    with translation.override("da"):
        assert floatformat(total, "0g") in text
        assert floatformat(report.baseline_emissions, "0g") in text
        assert floatformat(aarhus.population, "0g") in text
        assert str(analysis.status.label) in text
        if analysis.target is not None:
            assert floatformat(analysis.target, "0g") in text
    assert "Side 1 af 1" in text
    assert "Handling 0" in text  # the actions


def test_the_fact_sheet_of_an_unknown_municipality_is_404(client_for):
    response = client_for("observer").get("/monitoring/municipalities/999/factsheet/")
    assert response.status_code == 404


def test_the_fact_sheet_without_a_report_still_renders_one_page(client_for):
    response = client_for("member").get("/monitoring/municipalities/101/factsheet/")
    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 1 and "København (101)" in pages[0].extract_text()


def test_the_municipality_page_links_to_its_fact_sheet(client_for):
    response = client_for("observer").get("/municipalities/751/")
    assert 'href="/monitoring/municipalities/751/factsheet/"' in response.content.decode()


def test_snapshot_moves_with_the_tracks_and_budget():
    from monitoring.status_report.rendering import data_snapshot_at

    round = make_round()
    before = data_snapshot_at(round)
    add_tracks(1)
    assert data_snapshot_at(round) > before
    assert StatusReport.objects.count() == 0


SVG = "{http://www.w3.org/2000/svg}"


def aarhus_with_a_later_release() -> tuple[Round, Municipality]:
    """Aarhus's approved 2025 report (emissions up to 2023) with figures back to 2019, and a
    published 2024 figure from a later data release that no report of the round covers."""
    round = make_round(year=2025, closed=True)
    report = make_report(round, "751", state="approved")
    aarhus = report.municipality
    sector = EmissionFigure.objects.filter(report=report).first().sector
    for year, tonnes in ((2019, 9000), (2020, 8000), (2021, 7000), (2022, 6000), (2024, 4000)):
        EmissionFigure.objects.create(
            municipality=aarhus,
            year=year,
            sector=sector,
            tonnes_co2e=Decimal(tonnes),
            data_release="2025-1",
            report=report if year < 2024 else None,
        )
    return round, aarhus


def chart_lines(chart: str) -> tuple[set[int], dict[str, list[tuple[float, float]]], list[str]]:
    """The years with bars, the lines by stroke pattern (dashed: target path, dotted:
    projection) and the texts of an emissions chart."""
    root = ET.fromstring(str(chart))
    years = {
        int(re.search(r" (\d{4}): ", g.find(f"{SVG}title").text).group(1))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "segment"
    }
    lines = {
        line.get("stroke-dasharray"): [
            tuple(map(float, point.split(","))) for point in line.get("points").split()
        ]
        for line in root.iter(f"{SVG}polyline")
    }
    return years, lines, [t.text or "" for t in root.iter(f"{SVG}text")]


def test_the_fact_sheet_chart_shows_every_reported_year_the_target_path_and_the_projection():
    """Like the municipality's web page: all published years (also those after the round's
    emissions year), the target path through 2030 and the projection to 2030."""
    round, aarhus = aarhus_with_a_later_release()
    on_track = municipality_on_track(municipality=aarhus)
    assert on_track.projection and on_track.projection[-1][0] == 2030
    sheet = factsheet_context(aarhus, "en")
    assert sheet.round == round
    years, lines, texts = chart_lines(sheet.page.chart)
    assert years == {2019, 2020, 2021, 2022, 2023, 2024}
    assert set(lines) == {"7 4", "2 4"}  # the dashed target path and the dotted projection
    assert len(lines["2 4"]) == len(on_track.projection)
    with translation.override("en"):
        projected = formats.number_format(
            round_half_up(on_track.projection[-1][1]), decimal_pos=0, force_grouping=True
        )
        target = formats.number_format(
            round_half_up(on_track.analysis.target), decimal_pos=0, force_grouping=True
        )
    assert f"2030: {projected}" in texts and f"2030: {target}" in texts
    assert "Projection from the reported trend" in texts
    # the PDF says the same, on one page
    pdf, pages = factsheet_pdf(aarhus, "en")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert pages == 1 and f"2030: {projected}" in text and "2024" in text


def test_the_reports_municipality_page_stops_at_the_rounds_year_with_its_projection():
    round, aarhus = aarhus_with_a_later_release()
    context = report_context(round, "en")
    page = next(p for c in context.chapters for p in c.municipalities if p.municipality == aarhus)
    years, lines, _texts = chart_lines(page.chart)
    assert years == {2019, 2020, 2021, 2022, 2023}  # 2024 is not the round's yet
    assert set(lines) == {"7 4", "2 4"}
    assert page.on_track is not None and page.on_track.projected is not None
    assert lines["2 4"][-1] != lines["2 4"][0]


def test_every_chart_of_the_report_draws_each_sector_group_with_one_pattern():
    """In the DGO chapters, the summary and the municipality pages alike: a group's bars and
    its legend key share one look, and the group keeps it from chart to chart."""
    round = make_round(year=2025, closed=True)
    for code in ("751", "101", "461"):
        make_report(round, code, state="approved")
    html = report_html(report_context(round, "da"))
    charts_seen, looks = 0, {}
    for svg in re.findall(r"<svg[^>]*class=\"chart\".*?</svg>", html, re.S):
        root = ET.fromstring(svg)
        groups = [g for g in root.iter(f"{SVG}g") if g.get("data-series")]
        if not groups:
            continue
        charts_seen += 1
        for group in groups:
            rects = group.findall(f"{SVG}rect")
            look = (rects[0].get("fill"), len(rects), group.get("data-pattern"))
            assert looks.setdefault(group.get("data-series"), look) == look, group.attrib
    assert charts_seen == 1 + 3 + 3  # the summary, the three DGOs with data, the three
    assert len(set(looks.values())) == len(looks) == 5  # five groups, five looks
    # where there is nothing to draw, the page says so instead of leaving out the section
    assert html.count("Endnu ingen udledningstal.") == 2 + 95  # two DGOs, 95 municipalities


def round_half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding="ROUND_HALF_UP")


def test_each_edition_has_its_own_language_in_the_running_header():
    round = make_round(year=2025, closed=True)
    make_report(round, "751", state="approved")
    english = report_html(report_context(round, "en"))
    danish = report_html(report_context(round, "da"))
    assert "<title>Klimaalliancen – Status report 2025</title>" in english
    assert "Statusrapport" not in english
    assert "<title>Klimaalliancen – Statusrapport 2025</title>" in danish
    assert "Status report" not in danish


def test_the_fact_sheet_and_status_report_are_named_in_their_own_language(client_for):
    from monitoring.status_report.rendering import STATUS_REPORT_NAMES, pdf_name

    make_report(make_round(year=2025), "751", state="approved")
    client = client_for("observer")
    client.cookies["django_language"] = "en"
    response = client.get("/monitoring/municipalities/751/factsheet/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="fact-sheet-751.pdf"'
    # a stored report is named by the language it is written in, not the page's
    assert pdf_name(STATUS_REPORT_NAMES, "en", 2025) == "status-report-2025-en.pdf"
    assert pdf_name(STATUS_REPORT_NAMES, "da", 2025) == "statusrapport-2025-da.pdf"


def test_the_english_edition_writes_amounts_in_dkk():
    """The budget chapter and the summary's budget tile: "DKK 82,100,000" in English,
    "82.100.000 kr." in Danish, through the one `dkk` filter."""
    round = make_round(year=2025, closed=True)
    make_report(round, "751", state="approved")
    english = " ".join(report_html(report_context(round, "en")).split())
    danish = " ".join(report_html(report_context(round, "da")).split())
    assert "of the budget of DKK 82,100,000 spent or bound" in english
    assert "The partnership's budget of DKK 82,100,000 over five years" in english
    assert not re.search(r"\d kr\.", english)
    assert "af budgettet på 82.100.000 kr. er forbrugt eller bundet" in danish
    assert "DKK" not in danish
