"""The round's life cycle: a coordinator withdraws a submitted report before review; the
secretariat closes a round after seeing what will be locked unapproved, reopens it for a
correction with a reason, and closes it again. Each step audited; refusals say why."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import Notification, OutboxEmail
from monitoring import notices, selectors, services
from monitoring.models import Round, StatusReport
from partners.models import Municipality, RoleAssignment
from tests.factories import make_user

from .factories import make_report, make_round

State = StatusReport.State
Role = RoleAssignment.Role


@pytest.fixture
def round(db):
    return make_round()


@pytest.fixture
def coordinator(db):
    return make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland", username="mads")


@pytest.fixture
def other_coordinator(db):
    return make_user(Role.DGO_COORDINATOR, dgo_slug="hovedstaden", username="hanne")


@pytest.fixture
def secretariat(db):
    return make_user(Role.SECRETARIAT, username="sara", email="sara@example.dk")


def updates(obj) -> list[LogEntry]:
    entries = LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.UPDATE)
    return list(entries.order_by("timestamp", "pk"))


# --- withdrawing ------------------------------------------------------------------------


def test_a_coordinator_withdraws_a_submitted_report_and_the_reviewers_are_told(
    round, coordinator, secretariat, django_capture_on_commit_callbacks
):
    report = make_report(round, "751", state=State.SUBMITTED)
    version = report.version
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_withdraw(report=report, by=coordinator)
    report.refresh_from_db()
    assert report.state == State.DRAFT and report.submitted_at is None
    assert report.version == version + 1 and report.updated_by == coordinator
    # Audited: the change of state is in the report's trail, by the coordinator's request.
    [change] = [e for e in updates(report) if "state" in (e.changes_dict or {})]
    assert change.changes_dict["state"] == ["submitted", "draft"]
    # The reviewers (the secretariat) are told, in the portal and by e-mail, with a full link.
    notice = Notification.objects.get(user=secretariat, kind=notices.REPORT_WITHDRAWN)
    assert notice.url.endswith(report.get_absolute_url()) and notice.url.startswith("http")
    [mail] = OutboxEmail.objects.filter(to=["sara@example.dk"])
    assert "Aarhus" in mail.body and "http" in mail.body
    # A draft again: the coordinator can edit and submit anew.
    assert report.state in StatusReport.EDITABLE_STATES


@pytest.mark.parametrize("state", [State.APPROVED, State.CHANGES_REQUESTED, State.DRAFT])
def test_a_reviewed_or_unsubmitted_report_cannot_be_withdrawn(round, coordinator, state):
    report = make_report(round, "751", state=state)
    with pytest.raises(ValidationError) as error:
        services.report_withdraw(report=report, by=coordinator)
    assert "Only a submitted report that has not been reviewed" in " ".join(error.value.messages)
    report.refresh_from_db()
    assert report.state == state


def test_withdrawing_is_for_the_reports_own_coordinators_and_an_open_round(
    round, coordinator, other_coordinator
):
    report = make_report(round, "751", state=State.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.report_withdraw(report=report, by=other_coordinator)
    closed = make_round(2025, closed=True)
    locked = make_report(closed, "751", state=State.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.report_withdraw(report=locked, by=coordinator)
    assert StatusReport.objects.get(pk=report.pk).state == State.SUBMITTED


def test_the_withdraw_button_and_post(client_for, role_users, db):
    round = make_round()
    report = make_report(round, "751", state=State.SUBMITTED)
    coordinator = client_for("coordinator_a")
    page = coordinator.get(report.get_absolute_url()).content.decode()
    url = reverse("monitoring-report-withdraw", args=[2026, "751"])
    assert f'action="{url}"' in page
    assert client_for("coordinator_b").post(url).status_code == 403
    assert StatusReport.objects.get(pk=report.pk).state == State.SUBMITTED
    response = client_for("coordinator_a").post(url, follow=True)
    assert StatusReport.objects.get(pk=report.pk).state == State.DRAFT
    assert "udkast igen" in response.content.decode()  # the success message, in Danish
    again = client_for("coordinator_a").post(url, follow=True)  # a draft: refused with a reason
    assert "Kun en indsendt statusrapport" in again.content.decode()
    assert f'action="{url}"' not in again.content.decode()


# --- closing, reopening, closing again --------------------------------------------------


def test_the_close_preview_counts_what_will_be_locked_unapproved(round):
    make_report(round, "751", state=State.APPROVED)
    make_report(round, "101", state=State.DRAFT)
    make_report(round, "147", state=State.DRAFT)
    make_report(round, "740", state=State.SUBMITTED)
    make_report(round, "730", state=State.CHANGES_REQUESTED)
    preview = selectors.round_close_preview(round=round)
    counts = {state: n for state, _label, n in preview.by_state}
    assert counts == {"draft": 2, "changes_requested": 1, "submitted": 1}
    assert preview.unapproved == 4 and preview.approved == 1
    assert preview.not_started == Municipality.objects.count() - 5


def test_the_close_page_shows_the_counts_and_asks_to_confirm(client_for, role_users, db):
    round = make_round()
    make_report(round, "751", state=State.APPROVED)
    make_report(round, "101", state=State.DRAFT)
    make_report(round, "740", state=State.SUBMITTED)
    client = client_for("secretariat")
    url = reverse("monitoring-round-close", args=[2026])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["preview"].unapproved == 2
    text = page.content.decode()
    assert "låses uden godkendelse" in text
    refused = client.post(url)  # not ticked: the page again with the reason, nothing locked
    assert refused.status_code == 200 and refused.context["form"].errors
    assert Round.objects.get(pk=round.pk).is_open
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert not Round.objects.get(pk=round.pk).is_open
    assert client.get(url).status_code == 302  # already closed: back to the round
    assert client_for("coordinator_a").get(url).status_code == 403


def test_reopen_for_a_correction_and_close_again(round, secretariat, coordinator):
    approved = make_report(round, "751", state=State.APPROVED)
    draft = make_report(round, "101", state=State.DRAFT)
    submitted = make_report(round, "740", state=State.SUBMITTED)
    services.round_close(round=round, by=secretariat, confirmed=True)
    for report in (approved, draft, submitted):
        report.refresh_from_db()
        assert report.state == State.LOCKED
    with pytest.raises(ValidationError) as error:
        services.round_reopen(round=round, by=secretariat, reason="   ")
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.round_reopen(round=round, by=coordinator, reason="Rettelse")
    assert not Round.objects.get(pk=round.pk).is_open

    round = services.round_reopen(round=round, by=secretariat, reason="Aarhus' transport rettes")
    round.refresh_from_db()
    assert round.is_open and round.closed_at is None
    assert round.reopened_by == secretariat and round.reopen_reason == "Aarhus' transport rettes"
    # Audited: the reopening and its reason are in the round's trail.
    [change] = [e for e in updates(round) if "reopen_reason" in (e.changes_dict or {})]
    assert change.changes_dict["reopen_reason"][1] == "Aarhus' transport rettes"
    assert change.changes_dict["status"] == ["closed", "open"]
    # Every report has its state back: the approved one can be sent back for the correction.
    states = {r.municipality.code: r.state for r in StatusReport.objects.filter(round=round)}
    assert states == {"751": State.APPROVED, "101": State.DRAFT, "740": State.SUBMITTED}
    approved.refresh_from_db()
    assert approved.is_published
    services.report_request_changes(report=approved, by=secretariat, comment="Ret transport")
    with pytest.raises(ValidationError):  # an open round is not reopened
        services.round_reopen(round=round, by=secretariat, reason="igen")

    services.round_close(round=round, by=secretariat, confirmed=True)
    round.refresh_from_db()
    assert not round.is_open and round.closed_by == secretariat
    assert set(StatusReport.objects.filter(round=round).values_list("state", flat=True)) == {
        State.LOCKED
    }


def test_a_report_locked_before_its_state_was_kept_comes_back_by_its_approval(round, secretariat):
    approved = make_report(round, "751", state=State.LOCKED)
    never = make_report(round, "101", state=State.LOCKED)
    StatusReport.objects.filter(pk=never.pk).update(approved_at=None)
    Round.objects.filter(pk=round.pk).update(status="closed", closed_at=round.created_at)
    services.round_reopen(round=round, by=secretariat, reason="Rettelse")
    approved.refresh_from_db()
    never.refresh_from_db()
    assert approved.state == State.APPROVED and never.state == State.DRAFT


def test_the_reopen_page_needs_a_reason_and_the_secretariat(client_for, role_users, db):
    round = make_round(2025, closed=True)
    url = reverse("monitoring-round-reopen", args=[2025])
    assert client_for("coordinator_a").get(url).status_code == 403
    assert client_for("coordinator_a").post(url, {"reason": "x"}).status_code == 403
    client = client_for("secretariat")
    detail = client.get(round.get_absolute_url()).content.decode()
    assert f'href="{url}"' in detail
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert not Round.objects.get(pk=round.pk).is_open
    assert client.post(url, {"reason": "Silkeborgs tal rettes"}).status_code == 302
    round.refresh_from_db()
    assert round.is_open and round.reopen_reason == "Silkeborgs tal rettes"
    detail = client.get(round.get_absolute_url()).content.decode()
    assert "Silkeborgs tal rettes" in detail
    assert client.get(url).status_code == 302  # open: nothing to reopen
