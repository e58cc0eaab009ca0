"""A municipality with no approved report in the round is its own category on the national
page, the open figures page (/aaben/tal/) and the PDF, all read from selectors.aggregates:
never counted as having no plan or no 2030 target (issue 16). The open data's plan counts and the
API's per-municipality analysis agree with them (the API names the report it used by year)."""

import csv
import io
import re

from monitoring import selectors
from monitoring.figures.analysis import Status
from monitoring.models import StatusReport
from monitoring.public import NATIONAL
from monitoring.status_report import rendering as report
from partners.models import Municipality

from .factories import make_report, make_round

State = StatusReport.State


def _counts(figures) -> tuple:
    rollup = figures.on_track.rollup
    return (
        figures.municipality_count,
        figures.reported,
        figures.with_plan,
        figures.without_approved_report,
        figures.revisions_overdue,
        rollup.counts.get(Status.NO_APPROVED_REPORT, 0),
        rollup.counts.get(Status.NO_TARGET, 0),
        rollup.counts.get(Status.ON_TRACK, 0),
    )


def test_no_approved_report_is_its_own_category_everywhere(client_for, db):
    earlier = make_round(2025, closed=True)
    make_report(earlier, "751", state=State.LOCKED)
    make_report(earlier, "101", state=State.LOCKED)
    closed = make_round(2026, closed=True)
    make_report(closed, "751", state=State.LOCKED)
    make_report(closed, "101", state=State.SUBMITTED)  # not approved: not counted this round
    total = Municipality.objects.count()

    figures = selectors.aggregates(round=closed)
    assert figures.reported == 1 and figures.with_plan == 1
    assert figures.without_approved_report == total - 1
    assert figures.with_plan_share == 100  # of the approved reports, not of all municipalities
    rollup = figures.on_track.rollup
    assert rollup.counts.get(Status.NO_TARGET, 0) == 0
    assert rollup.counts[Status.NO_APPROVED_REPORT] == total - 1
    expected = _counts(figures)

    national = client_for("observer").get("/monitoring/national/?year=2026")
    assert _counts(national.context["figures"]) == expected
    public = client_for("anonymous").get("/aaben/tal/?year=2026", HTTP_ACCEPT_LANGUAGE="da")
    assert public.status_code == 200
    assert _counts(public.context["figures"]) == expected
    page = public.content.decode()
    assert re.search(
        rf">{total - 1}</p><p class=\"muted\">kommuner uden godkendt indberetning i runden endnu",
        page,
    )
    assert f"1 / {total}" not in page

    context = report.report_context(closed, "da")
    assert _counts(context.national) == expected
    html = report.report_html(context)
    row = re.search(
        r"Kommuner uden godkendt indberetning i runden endnu</th><td class=\"num\">(\d+)<", html
    )
    assert row and int(row.group(1)) == total - 1
    assert "Godkendte indberetninger med en vedtaget eller revideret klimahandlingsplan" in html

    # The open data: the national row of the round's plan counts, as served.
    served = client_for("anonymous").get("/aaben/data/planer.csv")
    assert served.status_code == 200
    national_row = next(
        row
        for row in csv.DictReader(io.StringIO(served.content.decode("utf-8-sig")))
        if row["round"] == "2026" and row["geography_code"] == NATIONAL
    )
    assert (
        int(national_row["municipalities"]),
        int(national_row["approved_reports"]),
        int(national_row["with_adopted_plan"]),
    ) == (figures.municipality_count, figures.reported, figures.with_plan)

    # The API: Aarhus (approved this round) is classified as on the pages; København (only
    # submitted this round) is "no approved report" on the pages, and the API names the
    # earlier report its analysis comes from by its year, never "no plan"/"no target" of 2026.
    by_municipality = {m.code: result.status for m, result in figures.on_track.municipalities}
    api = client_for("observer")
    aarhus = api.get("/api/analysis/municipalities/751/").json()
    assert (aarhus["status"], aarhus["report_year"]) == (by_municipality["751"], 2026)
    copenhagen = api.get("/api/analysis/municipalities/101/").json()
    assert by_municipality["101"] == Status.NO_APPROVED_REPORT
    assert copenhagen["report_year"] == 2025 and copenhagen["status"] != Status.NO_TARGET


def test_an_overdue_revision_is_counted_from_the_latest_approved_report(client_for, db):
    """A municipality approved in an earlier round only is judged by that report (named by its
    year), not left out of the round's overdue revisions; a report not approved counts nowhere."""
    import datetime

    earlier = make_round(2025, closed=True)
    closed = make_round(2026, closed=True)
    old_plan = datetime.date(2015, 1, 1)  # past its five-year revision
    make_report(closed, "751", state=State.LOCKED, plan_adopted_on=old_plan)
    make_report(earlier, "101", state=State.LOCKED, plan_adopted_on=old_plan)
    make_report(closed, "101", state=State.SUBMITTED, plan_adopted_on=old_plan)
    make_report(closed, "461", state=State.SUBMITTED, plan_adopted_on=old_plan)
    # A newer approved report with a fresh plan replaces the older one's dates.
    make_report(earlier, "851", state=State.LOCKED, plan_adopted_on=old_plan)
    make_report(closed, "851", state=State.LOCKED, plan_adopted_on=datetime.date(2025, 1, 1))

    figures = selectors.aggregates(round=closed)
    assert figures.reported == 2  # Aarhus and Aalborg approved this round
    assert figures.revisions_overdue == 2  # Aarhus (2026) and København (by its 2025 report)
    assert selectors.aggregates(round=earlier).revisions_overdue == 2  # København, Aalborg
    national = client_for("observer").get("/monitoring/national/?year=2026")
    public = client_for("anonymous").get("/aaben/tal/?year=2026")
    pdf = report.report_context(closed, "da").national
    assert {
        national.context["figures"].revisions_overdue,
        public.context["figures"].revisions_overdue,
        pdf.revisions_overdue,
    } == {2}
