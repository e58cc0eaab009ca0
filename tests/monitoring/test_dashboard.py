from monitoring.models import StatusReport

from .factories import make_report, make_round

State = StatusReport.State


def test_dashboard_panels_count_reports_to_fill_in_and_to_review(client_for, db):
    round = make_round()
    make_report(round, "751", state=State.SUBMITTED)
    make_report(round, "730", state=State.CHANGES_REQUESTED)  # Randers, Midtjylland
    make_report(round, "101", state=State.DRAFT)
    panel = monitoring_panel(client_for("coordinator_a"))
    assert panel["to_fill"] == {"count": 18, "changes_requested": 1}
    assert panel["to_review"] is None
    assert monitoring_panel(client_for("secretariat"))["to_review"] == {"count": 1}
    assert monitoring_panel(client_for("observer")) is None


def monitoring_panel(client) -> dict | None:
    panels = client.get("/").context["panels"]
    return next((p for p in panels if p["template"] == "monitoring/dashboard_panel.html"), None)
