"""The unanimity rule and the other governance writes, through the services."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_perms

from governance import services
from governance.models import Body, Decision, Membership, SeatRole, SubstituteCall, Vote
from governance.permissions import can_manage_decisions
from partners.models import DGO, User
from tests.factories import UserFactory

from .factories import open_decision, org, past, plan_meeting, seat, secretariat_user

Status = Decision.Status


@pytest.fixture
def fu(db):
    return Body.objects.get(code="fu")


@pytest.fixture
def board(fu):
    """Three voting seats (chair, vice-chair, member), a substitute and an observer in FU."""
    chair = seat(fu, role=SeatRole.CHAIR)
    vice = seat(fu, role=SeatRole.VICE_CHAIR, appointed_by="danske-regioner")
    member = seat(fu, appointed_by="realdania")
    substitute = seat(fu, role=SeatRole.SUBSTITUTE, substitute_for=member, appointed_by="realdania")
    observer = seat(fu, role=SeatRole.OBSERVER, appointed_by="concito")
    return {
        "chair": chair,
        "vice": vice,
        "member": member,
        "substitute": substitute,
        "observer": observer,
        "secretariat": secretariat_user(),
    }


def vote(decision, membership, choice="yes"):
    return services.vote_cast(decision=decision, by=membership.person, choice=choice)


def test_all_yes_adopts(board):
    decision = open_decision("fu", by=board["secretariat"])
    vote(decision, board["chair"])
    vote(decision, board["vice"])
    decision.refresh_from_db()
    assert decision.status == Status.OPEN  # one vote still missing
    vote(decision, board["member"])
    decision.refresh_from_db()
    assert decision.status == Status.ADOPTED
    assert decision.closed_at is not None
    assert services.decision_tally(decision=decision).yes == 3


def test_one_no_rejects_at_once(board):
    decision = open_decision("fu", by=board["secretariat"])
    vote(decision, board["chair"])
    vote(decision, board["vice"], "no")
    decision.refresh_from_db()
    assert decision.status == Status.REJECTED
    with pytest.raises(services.Conflict):
        vote(decision, board["member"])
    assert decision.votes.count() == 2


def test_one_missing_stays_open_until_the_deadline(board):
    decision = open_decision("fu", by=board["secretariat"])
    vote(decision, board["chair"])
    vote(decision, board["vice"])
    tally = services.decision_tally(decision=decision)
    assert tally.outcome == Status.OPEN
    assert [s.seat for s in tally.missing] == [board["member"]]
    with pytest.raises(ValidationError):
        services.decision_close(decision=decision, by=board["secretariat"])
    decision.refresh_from_db()
    assert decision.status == Status.OPEN
    closed = services.decision_close(decision=past(decision), by=board["secretariat"])
    assert closed.status == Status.LAPSED  # closed without outcome, never adopted


def test_abstention_is_not_yes(board):
    decision = open_decision("fu", by=board["secretariat"])
    vote(decision, board["chair"], "abstain")
    vote(decision, board["vice"])
    decision.refresh_from_db()
    assert decision.status == Status.OPEN  # a vote is still missing
    vote(decision, board["member"])
    decision.refresh_from_db()
    assert decision.status == Status.REJECTED


def test_substitute_may_not_vote_while_the_member_is_present(board):
    decision = open_decision("fu", by=board["secretariat"])
    with pytest.raises(PermissionDenied, match="suppleant"):
        vote(decision, board["substitute"])
    with pytest.raises(ValidationError):
        services.substitute_call(
            decision=decision, substitute=board["substitute"], by=board["secretariat"]
        )
    with pytest.raises(PermissionDenied):
        vote(decision, board["substitute"])
    assert not decision.votes.exists()


def test_substitute_votes_for_an_absent_member_once_called_in(board):
    decision = open_decision("fu", by=board["secretariat"])
    services.absence_record(decision=decision, membership=board["member"], by=board["secretariat"])
    call = services.substitute_call(
        decision=decision, substitute=board["substitute"], by=board["secretariat"]
    )
    assert call.reason == SubstituteCall.Reason.ABSENT
    cast = vote(decision, board["substitute"])
    assert cast.seat == board["member"] and cast.cast_through == board["substitute"]
    assert cast.by_substitute
    with pytest.raises(services.Conflict):  # the seat has voted, through its substitute
        vote(decision, board["member"])
    vote(decision, board["chair"])
    vote(decision, board["vice"])
    decision.refresh_from_db()
    assert decision.status == Status.ADOPTED


def test_substitute_called_in_after_the_deadline_without_the_members_vote(board):
    decision = open_decision("fu", by=board["secretariat"])
    vote(decision, board["chair"])
    vote(decision, board["vice"])
    with pytest.raises(ValidationError):  # before the deadline and not absent: refused
        services.substitute_call(
            decision=decision,
            substitute=board["substitute"],
            by=board["secretariat"],
            reason=SubstituteCall.Reason.NO_VOTE_BY_DEADLINE,
        )
    decision = past(decision)
    services.substitute_call(
        decision=decision, substitute=board["substitute"], by=board["secretariat"]
    )
    # No vote after the deadline, not even the called-in substitute's: refused with the reason,
    # nothing written; the decision is then closed without outcome (the closing rule).
    with pytest.raises(services.Conflict, match="Fristen udløb den"):
        vote(decision, board["substitute"])
    assert decision.votes.count() == 2
    decision = services.decision_close(decision=decision, by=board["secretariat"])
    assert decision.status == Status.LAPSED


def test_no_vote_after_the_deadline_page_and_api(board, client):
    from rest_framework.test import APIClient

    from tests.factories import sign_in

    decision = past(open_decision("fu", by=board["secretariat"]))
    member = board["member"].person
    sign_in(client, member)
    client.cookies["django_language"] = "da"
    page = client.post(reverse("decision-vote", args=[decision.pk]), {"choice": "yes"}, follow=True)
    assert "Fristen udløb den" in page.content.decode()
    api = APIClient()
    api.force_authenticate(member)
    answer = api.post(
        reverse("api-decision-vote", args=[decision.pk]),
        {"choice": "yes"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="da",
    )
    assert answer.status_code == 409
    assert "Fristen udløb den" in answer.json()["detail"]
    assert not decision.votes.exists()


def test_substitute_is_not_called_in_for_a_seat_that_voted(board):
    decision = open_decision("fu", by=board["secretariat"])
    vote(decision, board["member"])
    services.absence_record(decision=decision, membership=board["member"], by=board["secretariat"])
    with pytest.raises(services.Conflict):
        services.substitute_call(
            decision=decision, substitute=board["substitute"], by=board["secretariat"]
        )


def test_observer_cannot_vote_and_nothing_is_recorded(board):
    decision = open_decision("fu", by=board["secretariat"])
    with pytest.raises(PermissionDenied, match="Observatører"):
        vote(decision, board["observer"])
    assert not Vote.objects.exists()


def test_non_member_and_secretariat_cannot_vote(board):
    decision = open_decision("fu", by=board["secretariat"])
    for user in (UserFactory(), board["secretariat"]):
        with pytest.raises(PermissionDenied, match="Kun organets medlemmer"):
            services.vote_cast(decision=decision, by=user, choice="yes")
    assert not Vote.objects.exists()


def test_member_whose_period_ended_before_the_vote_cannot_vote(fu, board):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    former = seat(fu, appointed_by="danske-regioner", ends_on=yesterday)
    decision = open_decision("fu", by=board["secretariat"])
    with pytest.raises(PermissionDenied, match="ikke aktiv"):
        vote(decision, former)
    # The ended seat is not among the voting seats either: the others decide.
    vote(decision, board["chair"])
    vote(decision, board["vice"])
    vote(decision, board["member"])
    decision.refresh_from_db()
    assert decision.status == Status.ADOPTED


def test_seat_ended_by_the_service_loses_its_vote(board):
    decision = open_decision("fu", by=board["secretariat"])
    services.membership_end(
        membership=board["member"],
        by=board["secretariat"],
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    with pytest.raises(PermissionDenied):
        vote(decision, board["member"])


def test_two_votes_by_the_same_seat_count_once(board):
    decision = open_decision("fu", by=board["secretariat"])
    vote(decision, board["chair"])
    with pytest.raises(services.Conflict, match="allerede stemt"):
        vote(decision, board["chair"], "no")
    assert decision.votes.count() == 1
    assert decision.votes.get().choice == "yes"


def test_bad_choice_is_refused(board):
    decision = open_decision("fu", by=board["secretariat"])
    with pytest.raises(ValidationError):
        vote(decision, board["chair"], "maybe")
    assert not decision.votes.exists()


def test_closed_decision_is_immutable(board):
    decision = open_decision("fu", by=board["secretariat"])
    vote(decision, board["chair"], "no")
    decision.refresh_from_db()
    closed_at = decision.closed_at
    with pytest.raises(services.Conflict):
        vote(decision, board["vice"])
    with pytest.raises(services.Conflict):
        services.decision_close(decision=decision, by=board["secretariat"])
    with pytest.raises(services.Conflict):
        services.absence_record(
            decision=decision, membership=board["member"], by=board["secretariat"]
        )
    with pytest.raises(services.Conflict):
        services.substitute_call(
            decision=decision, substitute=board["substitute"], by=board["secretariat"]
        )
    with pytest.raises(PermissionDenied):
        services.decision_comment_add(decision=decision, by=board["vice"].person, text="For sent")
    decision.refresh_from_db()
    assert decision.status == Status.REJECTED and decision.closed_at == closed_at
    assert decision.votes.count() == 1


def test_a_correction_is_a_new_decision(board):
    first = open_decision("fu", by=board["secretariat"])
    vote(first, board["chair"], "no")
    first.refresh_from_db()
    correction = services.decision_open(
        body=first.body,
        title="Rettet forslag",
        text="Rettet.",
        deadline=timezone.now() + datetime.timedelta(days=3),
        by=board["secretariat"],
        corrects=first,
    )
    assert correction.corrects == first and correction.is_open
    with pytest.raises(ValidationError):  # only a closed decision is corrected
        services.decision_open(
            body=first.body,
            title="x",
            text="x",
            deadline=timezone.now() + datetime.timedelta(days=3),
            by=board["secretariat"],
            corrects=correction,
        )


def test_decision_open_is_for_managers_and_validated(fu, board):
    with pytest.raises(PermissionDenied):
        open_decision(fu, by=board["member"].person)
    with pytest.raises(PermissionDenied):
        open_decision(fu, by=board["observer"].person)
    # The chair may, through the guardian permission the seat carries.
    assert open_decision(fu, by=board["chair"].person).is_open
    with pytest.raises(ValidationError, match="fremtiden"):
        open_decision(fu, by=board["secretariat"], days=-1)
    aps = Body.objects.get(code="aps")
    with pytest.raises(ValidationError, match="ingen stemmeberettigede"):
        open_decision(aps, by=board["secretariat"])
    meeting = plan_meeting("pug", by=board["secretariat"])
    with pytest.raises(ValidationError):
        open_decision(fu, by=board["secretariat"], meeting=meeting)


def test_outcome_handlers_run_in_the_closing_transaction(board):
    seen = []
    subject = DGO.objects.get(slug="midtjylland")  # any model will do as a subject

    def handler(*, decision, subject):
        seen.append((decision.status, subject))

    services.register_decision_outcome_handler("partners.DGO", handler)
    try:
        decision = open_decision("fu", by=board["secretariat"], subject=subject)
        assert decision.subject == subject
        vote(decision, board["chair"])
        vote(decision, board["vice"])
        assert seen == []
        vote(decision, board["member"])
        assert seen == [(Status.ADOPTED, subject)]
    finally:
        services.unregister_decision_outcome_handler("partners.DGO", handler)


def test_a_failing_handler_keeps_the_decision_open(board):
    def handler(*, decision, subject):
        raise ValidationError("The track is not ready.")

    services.register_decision_outcome_handler("partners.dgo", handler)
    try:
        decision = open_decision(
            "fu", by=board["secretariat"], subject=DGO.objects.get(slug="midtjylland")
        )
        vote(decision, board["chair"])
        vote(decision, board["vice"])
        with pytest.raises(ValidationError):
            vote(decision, board["member"])
    finally:
        services.unregister_decision_outcome_handler("partners.dgo", handler)
    decision.refresh_from_db()
    assert decision.status == Status.OPEN
    assert decision.votes.count() == 2  # the third vote rolled back with the closing


def test_mail_to_voting_members_on_open_and_to_everyone_on_close(
    board, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = open_decision("fu", by=board["secretariat"])
    asked = sorted(m.to[0] for m in mail.outbox if "stemme udbedes" in m.subject)
    voting = sorted(board[k].person.email for k in ("chair", "vice", "member"))
    assert asked == voting
    # Observers hear of the new decision without being asked to vote.
    told = [m.to[0] for m in mail.outbox if "ny beslutning" in m.subject]
    assert told == [board["observer"].person.email]
    assert all(decision.get_absolute_url() in m.body for m in mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        vote(decision, board["chair"], "no")
    closed_to = sorted(m.to[0] for m in mail.outbox)
    everyone = sorted(
        board[k].person.email for k in ("chair", "vice", "member", "substitute", "observer")
    )
    assert closed_to == everyone


def test_no_mail_leaves_when_the_transaction_rolls_back(board, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError):
        open_decision("fu", by=board["secretariat"], days=-1)
    assert callbacks == []


# --- Memberships --------------------------------------------------------------------------------


def test_membership_grants_and_removes_body_permissions(fu):
    chair = seat(fu, role=SeatRole.CHAIR)
    assert set(get_perms(chair.person, fu)) == {"view_body_content", "chair_body"}
    assert can_manage_decisions(chair.person, fu)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    services.membership_end(membership=chair, by=None, ends_on=tomorrow)
    assert "chair_body" in get_perms(chair.person, fu)  # still seated today
    services.membership_end(membership=chair, by=None)  # ends today: at once
    chair.person.refresh_from_db()
    assert get_perms(chair.person, fu) == []
    assert not can_manage_decisions(User.objects.get(pk=chair.person.pk), fu)
    assert Membership.objects.filter(pk=chair.pk).exists()  # history is kept


def test_membership_rules(fu):
    member = seat(fu)
    with pytest.raises(ValidationError, match="allerede en plads"):
        seat(fu, person=member.person)
    with pytest.raises(ValidationError):
        seat(fu, role=SeatRole.SUBSTITUTE)  # names no member
    observer = seat(fu, role=SeatRole.OBSERVER, appointed_by="c40")
    with pytest.raises(ValidationError):
        seat(fu, role=SeatRole.SUBSTITUTE, substitute_for=observer)
    pug = Body.objects.get(code="pug")
    with pytest.raises(ValidationError, match="egen geografi"):
        seat(pug, appointed_by="kkr-midtjylland", geography="hovedstaden")
    # A later seat for the same person after the first ended is history, not an overlap.
    services.membership_end(membership=member, by=None, ends_on=datetime.date(2024, 6, 30))
    again = seat(fu, person=member.person, starts_on=datetime.date(2024, 7, 1))
    assert again.pk != member.pk


def test_only_the_secretariat_or_the_dgos_coordinator_appoints(db, client_for, role_users):
    fu = Body.objects.get(code="fu")
    midt_pol = Body.objects.get(code="dgo-midtjylland-pol")
    for role in ("member", "observer", "coordinator_a", "knowledge_partner"):
        with pytest.raises(PermissionDenied):
            services.membership_add(
                body=fu,
                person=UserFactory(),
                seat_role=SeatRole.MEMBER,
                appointed_by=org("kl"),
                by=role_users[role],
            )
    membership = services.membership_add(
        body=midt_pol,
        person=UserFactory(),
        seat_role=SeatRole.MEMBER,
        appointed_by=org("region-midtjylland"),
        by=role_users["coordinator_a"],
    )
    assert membership.body == midt_pol
    with pytest.raises(PermissionDenied):
        services.membership_end(membership=membership, by=role_users["coordinator_b"])
