"""Who may take which step: every transition × every role, for the predicate the pages use
and for the service that does the work (each attempt rolled back, so every role meets the
track in the same state)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tracks import permissions as perms
from tracks import services
from tracks.models import Track

from .factories import advance, allocation, draft, judge_all_met, pool

S = Track.Status
ROLES = [
    "coordinator",  # coordinator of the track's DGO (Midtjylland)
    "other_coordinator",  # coordinator of another DGO
    "secretariat",
    "aps",  # voting seat in APS
    "aps_observer",  # CONCITO's observer seat in APS
    "knowledge_partner",  # CONCITO
    "c40",
    "fake_partner",  # knowledge-partner role for an organisation that is not one
    "realdania",  # Realdania's party approver
    "regions",  # the regions' party approver
    "fu_chair",
    "fu_member",
    "observer",  # signed in, no role
]


class Rollback(Exception):
    pass


def attempt(action) -> bool:
    """Run the service and roll it back; True if allowed, False if refused for the role."""
    try:
        with transaction.atomic():
            action()
            raise Rollback
    except Rollback:
        return True
    except PermissionDenied:
        return False


def today():
    return timezone.localdate()


TRANSITIONS = {
    # name: (state the track is in, predicate, service call, roles allowed)
    "submit": (
        S.DRAFT,
        perms.can_submit,
        lambda t, u: services.track_submit(track=t, by=u),
        {"coordinator", "secretariat"},
    ),
    "edit": (
        S.DRAFT,
        perms.can_edit_track,
        lambda t, u: services.track_update(track=t, by=u, title="Ny titel"),
        {"coordinator", "secretariat"},
    ),
    "withdraw": (
        S.SUBMITTED,
        perms.can_withdraw,
        lambda t, u: services.track_withdraw(track=t, by=u, reason="Trukket."),
        {"coordinator", "secretariat"},
    ),
    "start_qualification": (
        S.SUBMITTED,
        perms.can_start_qualification,
        lambda t, u: services.track_start_qualification(track=t, by=u),
        {"secretariat"},  # it opens APS's decision: the secretariat, APS's chair/vice-chair
    ),
    "judge_principles": (
        S.IN_QUALIFICATION,
        perms.can_judge_principles,
        lambda t, u: services.principles_judge(
            track=t, by=u, judgements={"problem": (True, "Klart beskrevet.")}
        ),
        {"aps", "secretariat"},
    ),
    "assess": (
        S.IN_QUALIFICATION,
        perms.can_write_assessment,
        lambda t, u: services.assessment_publish(track=t, by=u, text="V.", conclusion="supported"),
        {"knowledge_partner", "c40"},
    ),
    "recommend": (
        S.ASSESSED,
        perms.can_recommend,
        lambda t, u: services.track_recommend(track=t, by=u),
        {"secretariat"},
    ),
    "put_to_fu": (
        S.RECOMMENDED,
        perms.can_put_to_fu,
        lambda t, u: services.track_put_to_fu(
            track=t, by=u, deadline=timezone.now() + datetime.timedelta(days=5)
        ),
        {"secretariat", "fu_chair"},
    ),
    "start": (
        S.APPROVED,
        perms.can_start,
        lambda t, u: services.track_start(track=t, by=u),
        {"coordinator", "secretariat"},
    ),
    "request_allocation": (
        S.APPROVED,
        perms.can_request_allocation,
        lambda t, u: services.allocation_request(
            track=t, pool=pool(), by=u, year=2026, amount=Decimal("1000")
        ),
        {"coordinator", "secretariat"},
    ),
    "status_update": (
        S.RUNNING,
        perms.can_add_status_update,
        lambda t, u: services.status_update_add(track=t, by=u, date=today(), progress="Fint."),
        {"coordinator", "secretariat"},
    ),
    "knowledge_product": (
        S.RUNNING,
        perms.can_add_product,
        lambda t, u: services.knowledge_product_add(
            track=t, by=u, title="Notat", url="https://example.dk"
        ),
        {"coordinator", "secretariat", "knowledge_partner", "c40"},
    ),
    "evaluate": (
        S.RUNNING,
        perms.can_evaluate,
        lambda t, u: services.track_evaluate(track=t, by=u, text="Evaluering."),
        {"secretariat", "knowledge_partner", "c40"},
    ),
    "close": (
        S.EVALUATED,
        perms.can_close,
        lambda t, u: services.track_close(track=t, by=u),
        {"secretariat"},
    ),
}


@pytest.mark.parametrize("name", TRANSITIONS)
def test_transition_matrix(name, people):
    state, predicate, service, allowed = TRANSITIONS[name]
    track = advance(draft(people.coordinator), state, people)
    if name == "recommend":
        judge_all_met(track, people)  # what a recommendation needs besides the role
    track = Track.objects.prefetch_related("dgos").get(pk=track.pk)
    wrong = []
    for role in ROLES:
        user = getattr(people, role)
        expected = role in allowed
        if predicate(user, track) != expected:
            wrong.append(f"{role}: predicate says {not expected}")
        if attempt(lambda user=user: service(track, user)) != expected:
            wrong.append(f"{role}: service {'refused' if expected else 'allowed'} it")
        track.refresh_from_db()
        assert track.status == state  # rolled back
    assert predicate(AnonymousUser(), track) is False
    assert not wrong, f"{name}: " + "; ".join(wrong)


def test_allocation_decisions_belong_to_the_pools_party(people):
    track = advance(draft(people.coordinator), S.APPROVED, people)
    requested = allocation(track, people)
    for role in ROLES:
        user = getattr(people, role)
        expected = role == "realdania"
        assert perms.can_decide_allocation(user, requested) is expected, role
        assert (
            attempt(lambda user=user: services.allocation_approve(allocation=requested, by=user))
            is expected
        ), role
        assert (
            attempt(lambda user=user: services.allocation_refuse(allocation=requested, by=user))
            is expected
        ), role
    regions = allocation(track, people, key="regioner-likvide")
    assert perms.can_decide_allocation(people.regions, regions)
    assert not perms.can_decide_allocation(people.realdania, regions)


def test_drafts_are_visible_only_to_their_proposers_and_the_secretariat(people):
    track = draft(people.coordinator)
    visible = {role for role in ROLES if Track.objects.for_user(getattr(people, role)).exists()}
    assert visible == {"coordinator", "secretariat"}
    for role in ROLES:
        assert perms.can_view_track(getattr(people, role), track) is (role in visible), role
    advance(track, S.SUBMITTED, people)
    for role in ROLES:
        assert Track.objects.for_user(getattr(people, role)).filter(pk=track.pk).exists(), role
    assert not Track.objects.for_user(AnonymousUser()).exists()


def test_a_withdrawn_draft_stays_private(people):
    track = draft(people.coordinator)
    services.track_withdraw(track=track, by=people.coordinator, reason="Droppet.")
    assert not Track.objects.for_user(people.observer).filter(pk=track.pk).exists()
    assert Track.objects.for_user(people.coordinator).filter(pk=track.pk).exists()


def test_focus_areas_and_budget_keeping(people):
    editors = {role for role in ROLES if perms.can_edit_focus_areas(getattr(people, role))}
    assert editors == {"secretariat"}
    keepers = {role for role in ROLES if perms.is_budget_keeper(getattr(people, role))}
    assert keepers == {"secretariat"}
    approvals = {role for role in ROLES if perms.can_see_approvals(getattr(people, role))}
    assert approvals == {"secretariat", "realdania", "regions"}
