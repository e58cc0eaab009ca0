import pytest

from monitoring import permissions
from monitoring.models import StatusReport
from partners.models import Municipality

from .factories import make_report, make_round

State = StatusReport.State


@pytest.fixture
def reports(db):
    round = make_round()
    return {
        "aarhus_draft": make_report(round, "751"),
        "copenhagen_draft": make_report(round, "101"),
        "odense_approved": make_report(round, "461", state=State.APPROVED),
    }


def visible(user, reports):
    return {
        name
        for name, report in reports.items()
        if permissions.visible_reports(user).filter(pk=report.pk).exists()
    }


def test_visibility_per_role(role_users, reports):
    assert visible(role_users["secretariat"], reports) == set(reports)
    assert visible(role_users["coordinator_a"], reports) == {"aarhus_draft", "odense_approved"}
    assert visible(role_users["coordinator_b"], reports) == {"copenhagen_draft", "odense_approved"}
    for role in ("observer", "member", "knowledge_partner", "administrator"):
        assert visible(role_users[role], reports) == {"odense_approved"}, role
    for name, report in reports.items():
        for role, user in role_users.items():
            if user is None:
                continue
            expected = name in visible(user, reports)
            assert permissions.can_view_report(user, report) == expected, (role, name)


def test_entry_only_in_own_dgo_open_round_and_editable_state(role_users, reports):
    aarhus = reports["aarhus_draft"]
    coordinator_a, coordinator_b = role_users["coordinator_a"], role_users["coordinator_b"]
    assert permissions.can_submit_report(coordinator_a, aarhus)
    assert not permissions.can_submit_report(coordinator_b, aarhus)
    assert not permissions.can_submit_report(role_users["observer"], aarhus)
    assert not permissions.can_submit_report(role_users["administrator"], aarhus)
    aarhus.state = State.SUBMITTED
    assert not permissions.can_submit_report(coordinator_a, aarhus)
    aarhus.state = State.CHANGES_REQUESTED
    assert permissions.can_submit_report(coordinator_a, aarhus)
    aarhus.round.status = aarhus.round.Status.CLOSED
    assert not permissions.can_submit_report(coordinator_a, aarhus)


def test_not_started_report_is_editable_by_its_coordinators(role_users, db):
    round = make_round()
    aarhus = Municipality.objects.get(code="751")
    assert permissions.can_edit_report(
        role_users["coordinator_a"], round=round, municipality=aarhus, report=None
    )
    assert not permissions.can_edit_report(
        role_users["coordinator_b"], round=round, municipality=aarhus, report=None
    )


def test_review_import_and_round_management(role_users, reports):
    submitted = reports["aarhus_draft"]
    submitted.state = State.SUBMITTED
    for role, user in role_users.items():
        if user is None:
            continue
        assert permissions.can_review_report(user, submitted) == (role == "secretariat"), role
        assert permissions.can_manage_rounds(user) == (role == "secretariat"), role
        assert permissions.can_import(user) == (role in ("secretariat", "administrator")), role
