"""The evaluation's terms pass APS and FU by decisions; the report and its follow-up actions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import Notification
from evaluations import notices, services
from evaluations.models import Evaluation, FollowUpAction
from governance import services as governance_services
from governance.models import Decision
from partners.models import Organisation

from .factories import approve_terms, deadline, make_evaluation, report_upload, reported

pytestmark = pytest.mark.django_db
S = Evaluation.Status


def test_apss_adoption_opens_fus_decision_and_fus_adoption_approves_the_terms(people):
    evaluation = make_evaluation(people.secretariat)
    aps = services.terms_put_to_aps(
        evaluation=evaluation, by=people.secretariat, deadline=deadline()
    )
    assert aps.body.code == "aps" and aps.subject == evaluation
    evaluation.refresh_from_db()
    assert evaluation.status == S.AT_APS

    governance_services.vote_cast(decision=aps, by=people.aps, choice="yes")
    evaluation.refresh_from_db()
    assert evaluation.status == S.AT_FU
    fu = evaluation.fu_decision
    assert fu.body.code == "fu" and fu.is_open and fu.subject == evaluation
    # The APS member who closed the vote may not put decisions to FU: the secretariat did.
    assert fu.opened_by == people.secretariat

    governance_services.vote_cast(decision=fu, by=people.fu_chair, choice="yes")
    governance_services.vote_cast(decision=fu, by=people.fu_member, choice="yes")
    evaluation.refresh_from_db()
    assert evaluation.status == S.APPROVED


def test_aps_refusing_sends_the_terms_back_to_draft_and_opens_nothing_at_fu(people):
    evaluation = make_evaluation(people.secretariat)
    aps = services.terms_put_to_aps(
        evaluation=evaluation, by=people.secretariat, deadline=deadline()
    )
    governance_services.vote_cast(decision=aps, by=people.aps, choice="no")
    evaluation.refresh_from_db()
    assert evaluation.status == S.DRAFT
    assert evaluation.fu_decision is None
    assert not Decision.objects.filter(body__code="fu").exists()


def test_fu_rejecting_sends_back_to_draft(people):
    evaluation = make_evaluation(people.secretariat)
    aps = services.terms_put_to_aps(
        evaluation=evaluation, by=people.secretariat, deadline=deadline()
    )
    governance_services.vote_cast(decision=aps, by=people.aps, choice="yes")
    evaluation.refresh_from_db()
    governance_services.vote_cast(decision=evaluation.fu_decision, by=people.fu_chair, choice="no")
    evaluation.refresh_from_db()
    assert evaluation.status == S.DRAFT


def test_terms_no_longer_change_once_before_aps(people):
    evaluation = make_evaluation(people.secretariat)
    services.terms_put_to_aps(evaluation=evaluation, by=people.secretariat, deadline=deadline())
    with pytest.raises(ValidationError):
        services.evaluation_update(
            evaluation=evaluation,
            by=people.secretariat,
            kind=evaluation.kind,
            title="Ny titel",
            terms_of_reference="Andet",
            arranged_by=evaluation.arranged_by,
        )
    evaluation.refresh_from_db()
    assert evaluation.title == "Midtvejsevaluering 2025"


def test_only_the_secretariat_runs_evaluations(people):
    with pytest.raises(PermissionDenied):
        make_evaluation(people.fu_member)
    assert not Evaluation.objects.exists()


def test_blank_terms_are_refused_and_nothing_is_written(people):
    with pytest.raises(ValidationError) as error:
        services.evaluation_create(
            by=people.secretariat,
            kind=Evaluation.Kind.FINAL,
            title="Slutevaluering",
            terms_of_reference="   ",
            arranged_by=Organisation.objects.get(code="kl"),
        )
    assert "terms_of_reference" in error.value.message_dict
    assert not Evaluation.objects.exists()


def test_the_report_waits_for_approved_terms_and_is_checked_by_its_content(people):
    evaluation = make_evaluation(people.secretariat)
    with pytest.raises(ValidationError):
        services.report_attach(evaluation=evaluation, by=people.secretariat, upload=report_upload())
    approve_terms(evaluation, people)
    with pytest.raises(ValidationError) as error:
        services.report_attach(
            evaluation=evaluation,
            by=people.secretariat,
            upload=report_upload("rapport.pdf", b"MZ\x90\x00 not a pdf"),
        )
    assert "report" in error.value.message_dict
    evaluation.refresh_from_db()
    assert evaluation.status == S.APPROVED and not evaluation.report

    services.report_attach(evaluation=evaluation, by=people.secretariat, upload=report_upload())
    evaluation.refresh_from_db()
    assert evaluation.status == S.REPORTED
    assert evaluation.report_name == "rapport.pdf"
    assert evaluation.report.read() == b"%PDF-1.4\n%evaluering\n"
    # APS's and FU's seats are told.
    told = set(
        Notification.objects.filter(kind=notices.REPORT_RECEIVED).values_list("user", flat=True)
    )
    assert {people.aps.pk, people.fu_member.pk, people.fu_chair.pk} <= told


def test_recommendations_become_follow_up_actions_with_owner_due_date_and_status(people):
    evaluation = reported(people)
    action = services.action_add(
        evaluation=evaluation,
        by=people.secretariat,
        recommendation="Styrk vidensdelingen mellem DGO'erne.",
        action="Fælles netværksmøde hvert halvår.",
        owner=people.aps,
        due_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    assert action.status == FollowUpAction.Status.OPEN
    assert Notification.objects.filter(kind=notices.ACTION_ASSIGNED, user=people.aps).exists()

    services.action_set_status(
        action=action, by=people.aps, status=FollowUpAction.Status.UNDER_WAY, note="Planlagt"
    )
    action.refresh_from_db()
    assert action.status == FollowUpAction.Status.UNDER_WAY and action.note == "Planlagt"
    # Another reader who does not own it may not change it.
    with pytest.raises(PermissionDenied):
        services.action_set_status(
            action=action, by=people.fu_member, status=FollowUpAction.Status.DONE
        )
    action.refresh_from_db()
    assert action.status == FollowUpAction.Status.UNDER_WAY


def test_an_owner_outside_aps_fu_and_the_secretariat_is_refused(people):
    evaluation = reported(people)
    with pytest.raises(ValidationError) as error:
        services.action_add(
            evaluation=evaluation,
            by=people.secretariat,
            recommendation="R",
            action="A",
            owner=people.coordinator,
            due_on=timezone.localdate(),
        )
    assert "owner" in error.value.message_dict
    assert not FollowUpAction.objects.exists()


def test_without_fus_voting_seats_apss_adoption_stands_and_fu_is_put_by_hand(people):
    from governance.models import Membership

    evaluation = make_evaluation(people.secretariat)
    aps = services.terms_put_to_aps(
        evaluation=evaluation, by=people.secretariat, deadline=deadline()
    )
    # FU loses its voting seats while APS votes: FU's decision cannot be opened.
    Membership.objects.filter(body__code="fu").update(ends_on=timezone.localdate())
    governance_services.vote_cast(decision=aps, by=people.aps, choice="yes")
    aps.refresh_from_db()
    evaluation.refresh_from_db()
    assert aps.status == Decision.Status.ADOPTED
    assert evaluation.status == S.RECOMMENDED and evaluation.fu_decision is None
    with pytest.raises(ValidationError):
        services.terms_put_to_fu(evaluation=evaluation, by=people.secretariat, deadline=deadline())
    evaluation.refresh_from_db()
    assert evaluation.status == S.RECOMMENDED


def test_the_terms_passage_is_in_the_audit_trail(people):
    from auditlog.context import set_actor
    from auditlog.models import LogEntry

    with set_actor(people.secretariat):
        evaluation = make_evaluation(people.secretariat)
        services.terms_put_to_aps(evaluation=evaluation, by=people.secretariat, deadline=deadline())
    entries = LogEntry.objects.get_for_object(evaluation).order_by("timestamp")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entries.last().changes_dict["status"] == ["draft", "at_aps"]
    assert all(e.actor == people.secretariat for e in entries)
