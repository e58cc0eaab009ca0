"""Who may do what in the governance bodies: the one place these rules live.

A seat's reach is a django-guardian object permission on the body, granted and removed together
with the membership by governance.services (`governance.view_body_content` for every seat,
`governance.chair_body` for the chair and vice-chair). The membership's dates bound it: a
permission whose seat has ended (or not yet begun) grants nothing, as for DGO coordinators in
partners.permissions.

- Every signed-in user sees the bodies, who sits in them, and their published meetings.
- Members and observers (and the secretariat) read the body's planned meetings, papers and
  decisions. Nobody else sees them.
- The chair and vice-chair, the secretariat, and for a DGO's own steering groups the DGO's
  coordinators (its secretariat, §8.5) open and close decisions, publish agendas and minutes.
- Only voting seats vote; observers never do; a substitute only when called in for its member.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import User
from partners.permissions import roles_of

from .models import (
    VOTING_ROLES,
    Body,
    BodyGroupObjectPermission,
    BodyUserObjectPermission,
    Decision,
    Meeting,
    Membership,
    SeatRole,
)

MANAGERS_ONLY = gettext_lazy(
    "Only the chair, the vice-chair and the secretariat manage this body's meetings and decisions."
)
# Refusals said by a page's pre-check and by the service that checks again (one text each).
SEAT_RULES_REFUSED = gettext_lazy("Only the secretariat records how this body works.")
SEATS_REFUSED = gettext_lazy("Only the secretariat records who sits in this body.")
COMPOSITION_REFUSED = gettext_lazy(
    "The secretariat and the DGO's coordinators keep a steering group's composition."
)
RECORD_VOTES_REFUSED = gettext_lazy(
    "Only the chair, the vice-chair and the secretariat record votes cast at a meeting."
)
CLOSE_REFUSED = gettext_lazy("Only the chair, the vice-chair and the secretariat close decisions.")
ABSENCE_REFUSED = gettext_lazy("Only the chair, the vice-chair and the secretariat record absence.")
SUBSTITUTES_REFUSED = gettext_lazy(
    "Only the chair, the vice-chair and the secretariat call in substitutes."
)
COMMENT_REFUSED = gettext_lazy("Members and observers of the body comment on open decisions.")
# Why a closed decision refuses a vote, a recorded vote, an absence or a substitute (the
# decision's page says it too before offering the form).
DECISION_CLOSED = gettext_lazy("The decision is closed; its outcome can no longer change.")
VIEW_CONTENT = "view_body_content"
CHAIR = "chair_body"


@dataclass(frozen=True)
class BodyAccess:
    """A user's seats and body permissions today, computed once per user object (request)."""

    content_body_ids: frozenset[int] = field(default_factory=frozenset)
    chair_body_ids: frozenset[int] = field(default_factory=frozenset)
    seat_body_ids: frozenset[int] = field(default_factory=frozenset)


NO_ACCESS = BodyAccess()


def body_access(user: User | AnonymousUser) -> BodyAccess:
    """Two queries per request: the user's active seats (shared with seat_body_codes) and their
    guardian body permissions."""
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_body_access", None)
    if cached is not None:
        return cached
    seats = _active_seats(user)
    seat_bodies = {body for body, _role, _code in seats}
    chair_seats = {
        body for body, role, _code in seats if role in (SeatRole.CHAIR, SeatRole.VICE_CHAIR)
    }
    # Direct and group grants in one query.
    granted: set[tuple[int, str]] = set(
        BodyUserObjectPermission.objects.filter(
            user=user, permission__codename__in=(VIEW_CONTENT, CHAIR)
        )
        .values_list("content_object_id", "permission__codename")
        .union(
            BodyGroupObjectPermission.objects.filter(
                group__user=user, permission__codename__in=(VIEW_CONTENT, CHAIR)
            ).values_list("content_object_id", "permission__codename")
        )
    )
    access = BodyAccess(
        content_body_ids=frozenset(b for b, perm in granted if perm == VIEW_CONTENT) & seat_bodies,
        chair_body_ids=frozenset(b for b, perm in granted if perm == CHAIR) & chair_seats,
        seat_body_ids=frozenset(seat_bodies),
    )
    user._body_access = access
    return access


def seat_body_codes(user: User | AnonymousUser) -> frozenset[str]:
    """The codes of the bodies the user has a seat in today (observers' seats included): one
    query per request, none if body_access has already read the seats."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(code for _body, _role, code in _active_seats(user))


def voting_seat_body_codes(user: User | AnonymousUser) -> frozenset[str]:
    """The codes of the bodies the user holds a voting seat in today (member, chair or
    vice-chair): the bodies whose members they are, as against observers and substitutes."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(code for _body, role, code in _active_seats(user) if role in VOTING_ROLES)


def _active_seats(user: User) -> list[tuple[int, str, str]]:
    """(body id, seat role, body code) of the user's seats today, read once per user object:
    body_access, seat_body_codes and the main menu share the one query."""
    cached = getattr(user, "_active_seats", None)
    if cached is None:
        cached = list(
            Membership.objects.active()
            .filter(person=user)
            .values_list("body_id", "seat_role", "body__code")
        )
        user._active_seats = cached
    return cached


def forget_body_access(user: User) -> None:
    for cached in ("_body_access", "_active_seats"):
        if hasattr(user, cached):
            delattr(user, cached)


def can_appoint(user: User | None, body: Body) -> bool:
    """Seats are recorded by the secretariat, and for a DGO's groups by its coordinators."""
    if user is None:  # reference data, demo data and management commands
        return True
    roles = roles_of(user)
    return roles.secretariat or (
        body.dgo_id is not None and body.dgo_id in roles.coordinated_dgo_ids
    )


def appointable_bodies_q(user: User) -> Q:
    """can_appoint as a query on bodies: the ones the user records seats in."""
    roles = roles_of(user)
    if roles.secretariat:
        return Q()
    return Q(dgo_id__in=roles.coordinated_dgo_ids)


def can_view_body(user: User | AnonymousUser, body: Body) -> bool:
    return user.is_authenticated and user.is_active


def can_manage_body(user: User | AnonymousUser, body: Body) -> bool:
    """Open and close decisions, plan meetings, publish agendas and minutes, upload papers."""
    roles = roles_of(user)
    if roles.secretariat:
        return True
    if body.dgo_id is not None and body.dgo_id in roles.coordinated_dgo_ids:
        return True
    return body.pk in body_access(user).chair_body_ids


can_manage_decisions = can_manage_body
can_publish_agenda = can_manage_body
can_publish_minutes = can_manage_body


def can_edit_composition(user: User | AnonymousUser, body: Body) -> bool:
    """A DGO steering group's composition rules and cadence are set by its KKR and region
    (§8.1): the secretariat and that DGO's coordinators keep them. The national bodies' rules
    are the agreement's own (§8.2–8.4) and change only with it."""
    if body.dgo_id is None or not user.is_authenticated or not user.is_active:
        return False
    roles = roles_of(user)
    return roles.secretariat or body.dgo_id in roles.coordinated_dgo_ids


def can_view_body_content(user: User | AnonymousUser, body: Body) -> bool:
    """Planned meetings, papers and decisions: the body's seats, its managers and nobody else."""
    return body.pk in body_access(user).content_body_ids or can_manage_body(user, body)


def content_body_filter(user: User | AnonymousUser, body: str = "body") -> Q | None:
    """A filter on `body` (a path to a Body) for the bodies whose content the user may read;
    None means all of them (secretariat). The DGO coordinators' steering groups are reached
    through the body's DGO, in the same query, not looked up first."""
    roles = roles_of(user)
    if roles.secretariat:
        return None
    access = body_access(user)
    readable = Q(**{f"{body}_id__in": access.content_body_ids | access.chair_body_ids})
    if roles.coordinated_dgo_ids:
        readable |= Q(**{f"{body}__dgo_id__in": roles.coordinated_dgo_ids})
    return readable


def can_view_meeting(user: User | AnonymousUser, meeting: Meeting) -> bool:
    if meeting.is_published:
        return user.is_authenticated and user.is_active
    return can_view_body_content(user, meeting.body)


def can_view_decision(user: User | AnonymousUser, decision: Decision) -> bool:
    return can_view_body_content(user, decision.body)


def can_see_votes(user: User | AnonymousUser, body: Body | int) -> bool:
    """Who voted what (and who closed a decision by the last vote): the body's members and
    observers and the secretariat only. Everyone else, a body's managers from outside it
    included, sees the outcome ("Afvist af FU den 2. december 2026"). Every surface that names
    a voter (pages, track timelines, search, exports, API, e-mails, PDFs) asks this."""
    if not user.is_authenticated or not user.is_active:
        return False
    if roles_of(user).secretariat:
        return True
    body_id = body if isinstance(body, int) else body.pk
    return body_id in body_access(user).content_body_ids


def can_record_votes(user: User | AnonymousUser, body: Body) -> bool:
    """Votes cast in the room are put into the portal by the secretariat or the body's chair
    (and vice-chair): both may read who voted what, which the recording shows."""
    if not user.is_authenticated or not user.is_active:
        return False
    return roles_of(user).secretariat or body.pk in body_access(user).chair_body_ids


def can_approve_minutes(user: User | AnonymousUser, meeting: Meeting) -> bool:
    """Minutes are the body's: with the chair setting, the chair or vice-chair approves them on
    the body's behalf; otherwise the next meeting decides (a decision, not a person)."""
    if meeting.body.minutes_approval != Body.MinutesApproval.CHAIR:
        return False
    return user.is_authenticated and meeting.body_id in body_access(user).chair_body_ids


def can_download_pack(user: User | AnonymousUser, meeting: Meeting) -> bool:
    """The meeting pack holds the papers: the body's seats and managers only."""
    return can_view_body_content(user, meeting.body)


def can_comment(user: User | AnonymousUser, decision: Decision) -> bool:
    """Members and observers (every seat) comment on an open decision."""
    return decision.is_open and decision.body_id in body_access(user).content_body_ids


def deadline_passed_reason(decision: Decision) -> str:
    return _(
        "The deadline passed on %(date)s: no more votes are counted. The chair or the "
        "secretariat closes the decision."
    ) % {"date": date_format(timezone.localtime(decision.deadline), "DATE_FORMAT")}


@dataclass(frozen=True)
class VoteCheck:
    """Whether a user may vote now, why not, and for which seat through which seat."""

    allowed: bool
    reason: str = ""
    seat: Membership | None = None
    cast_through: Membership | None = None
    conflict: bool = False  # refused by the decision's state (closed, seat voted), not the user

    def __bool__(self) -> bool:
        return self.allowed


def can_vote(
    user: User | AnonymousUser,
    decision: Decision,
    on: datetime.date | None = None,
    *,
    voted_seat_ids: set[int] | None = None,
) -> VoteCheck:
    """May the user vote on the decision today, and for which seat?

    Reads without locking; governance.services.vote_cast calls it again while it holds the lock
    on the decision row, so the answer it acts on cannot change underneath it. A page that has
    already read the votes passes `voted_seat_ids` to save the query.
    """

    def voted(seat: Membership) -> bool:
        if voted_seat_ids is not None:
            return seat.pk in voted_seat_ids
        return decision.votes.filter(seat=seat).exists()

    if not user.is_authenticated or not user.is_active:
        return VoteCheck(False, _("Sign in to vote."))
    if not decision.is_open:
        return VoteCheck(False, str(DECISION_CLOSED), conflict=True)
    if decision.deadline_passed():
        return VoteCheck(False, deadline_passed_reason(decision), conflict=True)
    day = on or timezone.localdate()
    seats = list(
        Membership.objects.filter(person=user, body_id=decision.body_id).select_related(
            "substitute_for"
        )
    )
    active = [seat for seat in seats if seat.is_active_on(day)]
    if not active:
        if seats:
            return VoteCheck(
                False, _("Your seat in this body was not active on the day of the vote.")
            )
        return VoteCheck(False, _("Only members of the body vote on its decisions."))
    voting = next((seat for seat in active if seat.seat_role in VOTING_ROLES), None)
    if voting is not None:
        if voted(voting):
            return VoteCheck(
                False, _("Your seat has already voted on this decision."), voting, conflict=True
            )
        return VoteCheck(True, seat=voting, cast_through=voting)
    substitute = next((seat for seat in active if seat.seat_role == SeatRole.SUBSTITUTE), None)
    if substitute is not None:
        called = decision.substitute_calls.filter(substitute=substitute).first()
        if called is None:
            return VoteCheck(
                False,
                _(
                    "A substitute votes only when the member is recorded absent or has not "
                    "voted by the deadline, and the substitute has been called in."
                ),
            )
        member_seat = called.for_member
        if voted(member_seat):
            return VoteCheck(
                False,
                _("The seat you stand in for has already voted on this decision."),
                member_seat,
                conflict=True,
            )
        return VoteCheck(True, seat=member_seat, cast_through=substitute)
    return VoteCheck(False, _("Observers follow the body's work but do not vote."))
