"""Every list exports as csv and xlsx through one mechanism (core.exports.export_list):
the file holds exactly the rows the page shows the same user under the same filter, on all
pages together, with formula-like cells neutralised."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.governance.factories import open_decision, plan_meeting, seat
from tests.matrix.tracks import _track
from tests.monitoring.factories import make_report, make_round
from tracks.models import Track


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_municipality_export_follows_the_filter_and_ignores_pagination(client_for):
    client = client_for("observer")
    rows = csv_rows(client.get("/municipalities/", {"dgo": "midtjylland", "export": "csv"}))
    assert len(rows) == 19
    assert {row["DGO"] for row in rows} == {"DGO Midtjylland"}
    everything = csv_rows(client.get("/municipalities/", {"export": "csv", "page": 2}))
    assert len(everything) == 98  # all pages, not page 2
    sheet = xlsx_rows(client.get("/municipalities/", {"q": "aarhus", "export": "xlsx"}))
    assert sheet[0][:2] == ["Kommunekode", "Kommune"]  # Danish first
    assert [row[1] for row in sheet[1:]] == ["Aarhus"]
    assert isinstance(sheet[1][3], int)  # population stays a number


@pytest.mark.parametrize(
    "url",
    [
        "/dgo/",
        "/organisations/",
        "/bodies/",
        "/decisions/",
        "/meetings/",
        "/tracks/",
        "/tracks/focus-areas/",
        "/budget/pools/realdania-likvide/",
        "/monitoring/",
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_list_exports(url, fmt, client_for):
    response = client_for("secretariat").get(url, {"export": fmt})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert f".{fmt}" in response["Content-Disposition"]


def test_an_unknown_export_format_just_shows_the_page(client_for):
    response = client_for("observer").get("/municipalities/", {"export": "exe"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_track_export_honours_visibility_filter_and_neutralises(client_for, role_users):
    draft = _track(role_users, "draft")
    Track.objects.filter(pk=draft.pk).update(title='=HYPERLINK("x")')
    submitted = _track(role_users, "submitted")
    Track.objects.filter(pk=submitted.pk).update(title="Biogas på langlisten")

    def titles(role, **params):
        rows = csv_rows(client_for(role).get("/tracks/", {"export": "csv", **params}))
        return [row[next(iter(row))] for row in rows]

    assert titles("coordinator_b") == ["Biogas på langlisten"]
    assert set(titles("coordinator_a")) == {'\'=HYPERLINK("x")', "Biogas på langlisten"}
    assert titles("coordinator_a", status="draft") == ['\'=HYPERLINK("x")']
    sheet = xlsx_rows(client_for("secretariat").get("/tracks/", {"export": "xlsx"}))
    assert '\'=HYPERLINK("x")' in [row[0] for row in sheet]


def test_decision_export_holds_only_the_bodies_the_user_sits_in(client_for, role_users):
    open_decision("fu", title="Årsplan 2026")
    seat("aps", appointed_by="kl")
    open_decision("aps", title="APS-budget")

    def titles(role, **params):
        rows = csv_rows(client_for(role).get("/decisions/", {"export": "csv", **params}))
        return sorted(row[next(iter(row))] for row in rows)

    assert titles("member") == ["Årsplan 2026"]
    assert titles("coordinator_b") == []
    assert titles("secretariat") == ["APS-budget", "Årsplan 2026"]
    assert titles("secretariat", body="aps") == ["APS-budget"]
    assert titles("secretariat", q="årsplan") == ["Årsplan 2026"]


def test_meeting_export_leaves_out_planned_meetings_of_other_bodies(client_for, role_users):
    plan_meeting("aps")  # planned: the body's seats and the secretariat only
    plan_meeting("pug", publish=True)

    def bodies(role, **params):
        rows = csv_rows(client_for(role).get("/meetings/", {"export": "csv", **params}))
        return sorted(row[list(row)[1]] for row in rows)

    assert bodies("coordinator_b") == ["PUG"]
    assert bodies("secretariat") == ["APS", "PUG"]
    assert bodies("secretariat", status="planned") == ["APS"]


def test_round_export_lacks_another_dgos_unpublished_report_data(client_for, role_users):
    round = make_round(2026)
    make_report(round, "751", state="draft", target_2030_reduction_pct=77)  # Aarhus, Midtjylland
    make_report(round, "101", state="approved", target_2030_reduction_pct=66)  # København

    def row_of(role, code):
        rows = csv_rows(client_for(role).get("/monitoring/2026/", {"export": "csv"}))
        assert len(rows) == 98
        return next(row for row in rows if row[next(iter(row))] == code)

    target = "2030 reduction target (%)"
    own = row_of("coordinator_a", "751")
    other = row_of("coordinator_b", "751")
    key = target if target in own else list(own)[10]
    assert own[key] == "77.00"
    assert other[key] == ""  # coordinator_b cannot read Midtjylland's draft
    assert all(value == "" for value in list(other.values())[5:])
    assert row_of("coordinator_b", "101")[key] == "66.00"  # approved: published
    # The filter holds in the export too.
    rows = csv_rows(
        client_for("coordinator_b").get(
            "/monitoring/2026/", {"export": "csv", "dgo": "midtjylland"}
        )
    )
    assert len(rows) == 19
