"""Who may do what with tracks and the budget: the one place these rules live.

Roles (see tests/tracks/test_permissions.py for the matrix):
- proposers: the secretariat, and DGO coordinators for tracks that involve their DGO. They
  create and edit drafts, submit, withdraw, start an approved track, write status updates.
- APS decides (governance's unanimous decisions): the secretariat and APS's chair/vice-chair
  put a submitted track to APS for its long list and qualification, and an assessed one for
  recommendation to FU; APS members and the secretariat record the principle judgements.
- knowledge partners (role KNOWLEDGE_PARTNER for CONCITO or C40) write the climate assessment;
  nobody else, the secretariat included.
- FU decides through governance: the secretariat and FU's chair/vice-chair put a recommended
  track to FU (governance's rule for opening decisions); the adopted decision approves it.
- party approvers (role PARTY_APPROVER for an organisation) approve or refuse allocations from
  their party's pool and budget changes on their party's lines.
- everyone else signed in reads: submitted tracks, knowledge products, the budget.

Role predicates (`is_*`) say whether the user holds the role for the object; `can_*` also
check the object's state, for templates and buttons. Services check both and say which failed.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext_lazy

from governance.models import Membership, SeatRole
from partners.models import Organisation, User
from partners.permissions import roles_of

from .models import (
    ASSESSABLE,
    FUNDABLE,
    STARTED_STATES,
    WITHDRAWABLE,
    Allocation,
    BudgetChange,
    Contribution,
    LiquidPool,
    Track,
)

S = Track.Status
PROPOSERS_ONLY = gettext_lazy(
    "Only the track's proposers (the coordinators of its DGOs) and the secretariat may do this."
)
EVALUATORS_ONLY = gettext_lazy(
    "The secretariat and the knowledge partners evaluate development tracks."
)
# Refusals said by a page's pre-check and by the service that checks again (one text each).
PROPOSE_REFUSED = gettext_lazy(
    "Only DGO coordinators and the secretariat propose development tracks."
)
PUT_TO_FU_REFUSED = gettext_lazy(
    "Only the secretariat and FU's chair and vice-chair put matters to FU."
)
ASSESSORS_ONLY = gettext_lazy(
    "Only the knowledge partners (CONCITO and C40) write climate assessments; "
    "nobody else can change them."
)
PRODUCT_ADDERS_ONLY = gettext_lazy(
    "Knowledge products are added by the track's proposers, the secretariat and the "
    "knowledge partners."
)
FOCUS_AREAS_REFUSED = gettext_lazy(
    "Focus areas are set by PUG: the secretariat or PUG's chair records them."
)
BOOKERS_ONLY = gettext_lazy(
    "The secretariat books spending; a DGO's coordinators book on its co-financing."
)
BUDGET_CHANGE_REFUSED = gettext_lazy("The secretariat requests budget changes.")
HOURLY_RATES_REFUSED = gettext_lazy("The secretariat sets the parties' hourly rates.")
DGO_BUDGET_KEEPERS_ONLY = gettext_lazy(
    "The secretariat and the DGO's coordinators keep its co-financing."
)
# Why a submitted track's proposal no longer changes (the edit page and services.track_update).
DRAFTS_ONLY = gettext_lazy("Only a draft can be edited; this track is submitted.")
POOL_APPROVER_ONLY = gettext_lazy(
    "Only %(party)s's designated approver approves allocations from this pool."
)
LINE_APPROVER_ONLY = gettext_lazy(
    "Only %(party)s's designated approver approves changes to its budget lines."
)
# Why can_book_on refuses a correction (the ledger's page and services.spending_reverse).
CORRECTORS_ONLY = gettext_lazy(
    "The secretariat corrects spending; a DGO's coordinators correct its co-financing."
)


@dataclass(frozen=True)
class TrackAccess:
    """The user's seats in APS, PUG and FU that matter here; one query, cached on the user."""

    aps_member: bool = False
    aps_manager: bool = False
    pug_chair: bool = False
    fu_manager: bool = False


NO_ACCESS = TrackAccess()


def track_access(user: User | AnonymousUser) -> TrackAccess:
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_track_access", None)
    if cached is not None:
        return cached
    seats = set(
        Membership.objects.active()
        .filter(person=user, body__code__in=("aps", "pug", "fu"))
        .values_list("body__code", "seat_role")
    )
    access = TrackAccess(
        aps_member=any(code == "aps" and role != SeatRole.OBSERVER for code, role in seats),
        aps_manager=any(
            code == "aps" and role in (SeatRole.CHAIR, SeatRole.VICE_CHAIR) for code, role in seats
        ),
        pug_chair=("pug", SeatRole.CHAIR) in seats,
        fu_manager=any(
            code == "fu" and role in (SeatRole.CHAIR, SeatRole.VICE_CHAIR) for code, role in seats
        ),
    )
    user._track_access = access
    return access


def knowledge_org_ids(user: User | AnonymousUser) -> frozenset[int]:
    """The knowledge partners (CONCITO, C40) the user acts for: a KNOWLEDGE_PARTNER role for an
    organisation that is one. No query without the role; one, cached, with it."""
    held = roles_of(user).knowledge_partner_org_ids
    if not held:
        return frozenset()
    cached = getattr(user, "_knowledge_org_ids", None)
    if cached is None:
        cached = frozenset(
            Organisation.objects.filter(pk__in=held, is_knowledge_partner=True).values_list(
                "pk", flat=True
            )
        )
        user._knowledge_org_ids = cached
    return cached


def forget_track_access(user: User) -> None:
    for name in ("_track_access", "_knowledge_org_ids"):
        if hasattr(user, name):
            delattr(user, name)


def _track_dgo_ids(track: Track) -> set[int]:
    # Uses the prefetched DGOs when the page loaded them.
    return {dgo.pk for dgo in track.dgos.all()}


# --- Roles ------------------------------------------------------------------------------------


def is_secretariat(user) -> bool:
    return roles_of(user).secretariat


def can_propose(user) -> bool:
    """Who may start a new proposal: the secretariat and DGO coordinators."""
    roles = roles_of(user)
    return roles.secretariat or roles.coordinator


def adds_products(user, track: Track) -> bool:
    """Who adds a track's results, whatever its state (can_add_product adds the state)."""
    return is_proposer(user, track) or is_knowledge_partner(user)


def is_proposer(user, track: Track) -> bool:
    """The secretariat, and the coordinators of a DGO the track involves."""
    roles = roles_of(user)
    if roles.secretariat:
        return True
    return bool(roles.coordinated_dgo_ids and _track_dgo_ids(track) & roles.coordinated_dgo_ids)


def proposes_for(user, dgo_ids: set[int]) -> bool:
    """A proposal's DGOs: the secretariat proposes for any; a coordinator's proposal involves
    at least one of the coordinator's own DGOs."""
    roles = roles_of(user)
    return roles.secretariat or bool(dgo_ids & roles.coordinated_dgo_ids)


def is_qualifier(user) -> bool:
    """APS members and the secretariat judge a track in qualification against the principles."""
    return roles_of(user).secretariat or track_access(user).aps_member


def can_put_to_aps_role(user) -> bool:
    """Those who may open an APS decision (governance): the secretariat, APS's chair/vice-chair.
    APS's steps with a track are its decisions, unanimous among its voting seats (§8.4)."""
    return roles_of(user).secretariat or track_access(user).aps_manager


def is_knowledge_partner(user) -> bool:
    """A user acting for CONCITO or C40. The only ones who write climate assessments."""
    return bool(knowledge_org_ids(user))


def can_put_to_fu_role(user) -> bool:
    """Those who may open an FU decision (governance): the secretariat, FU's chair/vice-chair."""
    return roles_of(user).secretariat or track_access(user).fu_manager


def can_put_to_pug_role(user) -> bool:
    """Those who may open a PUG decision (governance): the secretariat and PUG's chair."""
    return roles_of(user).secretariat or track_access(user).pug_chair


def can_edit_focus_areas(user) -> bool:
    """Focus areas are set by PUG: the secretariat records them, or PUG's chair."""
    return roles_of(user).secretariat or track_access(user).pug_chair


def is_pool_approver(user, pool: LiquidPool) -> bool:
    return pool.contribution.contributor_id in roles_of(user).approver_org_ids


def is_budget_keeper(user) -> bool:
    """The secretariat keeps the budget: budget lines, spending, change requests."""
    return roles_of(user).secretariat


def keeps_dgo_budget(user, dgo_id: int) -> bool:
    """A DGO's co-financing (§8.5) is kept by the secretariat and that DGO's coordinators."""
    roles = roles_of(user)
    return roles.secretariat or dgo_id in roles.coordinated_dgo_ids


def can_book_on(user, line) -> bool:
    """Who books spending on a budget line: the secretariat; for a DGO's co-financing, also
    that DGO's coordinators (the DGO secretariats keep their own economy, §8.5)."""
    dgo_id = line.contribution.dgo_id
    return keeps_dgo_budget(user, dgo_id) if dgo_id else is_budget_keeper(user)


def can_book_spending(user) -> bool:
    """The booking form: the secretariat, and coordinators of a DGO with co-financing."""
    roles = roles_of(user)
    if roles.secretariat:
        return True
    return bool(roles.coordinated_dgo_ids) and (
        Contribution.objects.filter(dgo__in=roles.coordinated_dgo_ids).exists()
    )


# --- Roles with the object's state, for templates and buttons ------------------------------


def can_view_track(user, track: Track) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if track.submitted_at is not None:
        return True
    return track.proposed_by_id == user.pk or is_proposer(user, track)


def can_edit_track(user, track: Track) -> bool:
    return track.status == S.DRAFT and is_proposer(user, track)


def can_submit(user, track: Track) -> bool:
    return track.status == S.DRAFT and is_proposer(user, track)


def can_withdraw(user, track: Track) -> bool:
    return track.status in WITHDRAWABLE and is_proposer(user, track)


def can_start_qualification(user, track: Track) -> bool:
    return track.status == S.SUBMITTED and can_put_to_aps_role(user)


def can_judge_principles(user, track: Track) -> bool:
    return track.status in ASSESSABLE and is_qualifier(user)


def can_write_assessment(user, track: Track) -> bool:
    return track.status in ASSESSABLE and is_knowledge_partner(user)


def can_recommend(user, track: Track) -> bool:
    return track.status == S.ASSESSED and can_put_to_aps_role(user)


def can_put_to_fu(user, track: Track) -> bool:
    return track.status == S.RECOMMENDED and can_put_to_fu_role(user)


def can_revise(user, track: Track) -> bool:
    return track.status == S.REJECTED and is_proposer(user, track)


def can_start(user, track: Track) -> bool:
    return track.status == S.APPROVED and is_proposer(user, track)


def can_update_external_funding(user, track: Track) -> bool:
    """After the draft, an application's status follows the funder's answer: the track's
    proposers and the secretariat record it (in the draft the proposal form holds it)."""
    return track.status != S.DRAFT and (is_proposer(user, track) or is_secretariat(user))


def can_add_status_update(user, track: Track) -> bool:
    return track.status == S.RUNNING and is_proposer(user, track)


def can_add_product(user, track: Track) -> bool:
    """The track's proposers and the knowledge partners (who gather knowledge from all tracks)."""
    return track.status in STARTED_STATES and adds_products(user, track)


def is_evaluator(user) -> bool:
    return is_secretariat(user) or is_knowledge_partner(user)


def can_evaluate(user, track: Track) -> bool:
    return track.status == S.RUNNING and is_evaluator(user)


def can_close(user, track: Track) -> bool:
    return track.status == S.EVALUATED and is_secretariat(user)


def can_request_allocation(user, track: Track) -> bool:
    return track.status in FUNDABLE and is_proposer(user, track)


def can_decide_allocation(user, allocation: Allocation) -> bool:
    return allocation.status == Allocation.Status.PENDING and is_pool_approver(
        user, allocation.pool
    )


def is_budget_line_approver(user, change: BudgetChange) -> bool:
    """The designated approver of the party whose budget line the change is on."""
    return change.line.contribution.contributor_id in roles_of(user).approver_org_ids


def can_decide_budget_change(user, change: BudgetChange) -> bool:
    return change.status == BudgetChange.Status.PENDING and is_budget_line_approver(user, change)


def awaits_allocation_decisions(user) -> bool:
    """A contributing party's approver: the start page lists the allocations awaiting them."""
    return roles_of(user).approver


def writes_assessments(user) -> bool:
    """The start page's "assessments to write": a knowledge partner acting for CONCITO or C40
    (the role is asked first, so nobody else's organisations are read)."""
    return roles_of(user).knowledge_partner and is_knowledge_partner(user)


def follows_qualification(user) -> bool:
    """The start page's tracks awaiting qualification: the secretariat and APS's members.
    APS members sit centrally for KL, the regions and Realdania (§8.4); DGO coordinators are
    the DGOs' staff and follow their proposals on the track list. So the APS seat is looked up
    only for people without a coordinator role, which keeps their start page within its query
    budget."""
    roles = roles_of(user)
    return roles.secretariat or (not roles.coordinator and is_qualifier(user))


def can_see_approvals(user) -> bool:
    """The approval page: party approvers act there; the secretariat follows it."""
    roles = roles_of(user)
    return roles.secretariat or roles.approver


# --- Which rows a user's lists hold (the predicates above as queryset filters) ---------------


def _parties_in_reach_q(user, party_id: str) -> Q:
    """The secretariat follows every party's approvals; a party approver acts on their own
    parties' (is_pool_approver, is_budget_line_approver); anyone else on none."""
    roles = roles_of(user)
    if roles.secretariat:
        return Q()
    return Q(**{f"{party_id}__in": roles.approver_org_ids})


def allocations_in_reach_q(user) -> Q:
    """The allocations on the user's approval page: from the pools of the parties they
    approve for (is_pool_approver), every pool's for the secretariat."""
    return _parties_in_reach_q(user, "pool__contribution__contributor_id")


def budget_changes_in_reach_q(user) -> Q:
    """The budget changes on the user's approval page: on the lines of the parties they
    approve for (is_budget_line_approver), every line's for the secretariat."""
    return _parties_in_reach_q(user, "line__contribution__contributor_id")


def lines_to_book_on_q(user) -> Q:
    """The budget lines the user books spending on (can_book_on as a filter): every line for
    the secretariat, the co-financing lines of their DGOs for a coordinator."""
    roles = roles_of(user)
    if roles.secretariat:
        return Q()
    return Q(contribution__dgo__in=roles.coordinated_dgo_ids)
