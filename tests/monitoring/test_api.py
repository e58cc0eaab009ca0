import pytest

from monitoring.models import StatusReport

from .factories import make_report, make_round

State = StatusReport.State


@pytest.fixture
def reports(db):
    round = make_round()
    old = make_round(2025, closed=True)
    return {
        "draft": make_report(round, "751"),
        "approved": make_report(round, "461", state=State.APPROVED),
        "locked": make_report(old, "751", state=State.LOCKED),
        "locked_unapproved": StatusReport.objects.filter(
            pk=make_report(old, "101", state=State.LOCKED).pk
        ).update(approved_at=None),
    }


def keys(response):
    return sorted((r["year"], r["municipality_code"]) for r in response.json()["results"])


def test_non_secretariat_users_read_published_reports_only(client_for, reports):
    for role in ("observer", "coordinator_a", "knowledge_partner", "administrator"):
        response = client_for(role).get("/api/monitoring-reports/")
        assert response.status_code == 200
        assert keys(response) == [(2025, "751"), (2026, "461")], role
    everything = client_for("secretariat").get("/api/monitoring-reports/")
    assert len(everything.json()["results"]) == 4


def test_filters(client_for, reports):
    client = client_for("secretariat")
    assert keys(client.get("/api/monitoring-reports/", {"year": 2026})) == [
        (2026, "461"),
        (2026, "751"),
    ]
    assert keys(client.get("/api/monitoring-reports/", {"municipality": "751"})) == [
        (2025, "751"),
        (2026, "751"),
    ]
    assert keys(client.get("/api/monitoring-reports/", {"dgo": "syddanmark"})) == [(2026, "461")]
    assert keys(client.get("/api/monitoring-reports/", {"state": "draft"})) == [(2026, "751")]
    bad = client.get("/api/monitoring-reports/", {"state": "nonsense"})
    assert bad.status_code == 400 and "state" in bad.json()


def test_report_detail_carries_emissions_checklist_and_actions(client_for, reports):
    body = client_for("observer").get("/api/monitoring-reports/2026-461/").json()
    assert body["municipality"] == "Odense" and body["state"] == "approved"
    assert len(body["emissions"]) == 11 and body["emissions"][0]["data_release"] == "2026-1"
    assert len(body["checklist"]) == 6 and body["checklist"][0]["met"] is True
    assert len(body["actions"]) == 2
    assert body["next_revision_due"] == "2026-06-01"
    assert client_for("observer").get("/api/monitoring-reports/2026-751/").status_code == 404
    assert client_for("secretariat").get("/api/monitoring-reports/2026-751/").status_code == 200


def test_rounds(client_for, reports, client):
    body = client_for("observer").get("/api/monitoring-rounds/").json()
    assert [r["year"] for r in body["results"]] == [2026, 2025]
    assert client_for("observer").get("/api/monitoring-rounds/2025/").json()["status"] == "closed"
    client.logout()
    assert client.get("/api/monitoring-rounds/").status_code == 401
