"""Reads for the governance pages and API, each built for the page that shows it.

`meetings_for(user)` and `decisions_for(user)` are the one visibility rule per model: every list,
detail, API and feed reads through them, so what a user may not see is a 404 like a missing row.
"""

import datetime

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from core.locking import combined_version
from partners.models import DGO, Organisation, User

from .models import (
    VOTING_ROLES,
    AgendaChange,
    AgendaItem,
    Attendance,
    Body,
    Decision,
    DecisionComment,
    Meeting,
    Membership,
    Paper,
    SeatRole,
    SeatRule,
    SubstituteCall,
    Vote,
)
from .permissions import content_body_filter


def _active_q(prefix: str = "", on: datetime.date | None = None) -> Q:
    day = on or timezone.localdate()
    return Q(**{f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gt": day})
    )


def body_list() -> QuerySet[Body]:
    today = timezone.localdate()
    year = today.year
    return Body.objects.select_related("dgo").annotate(
        seat_count=Count("memberships", filter=_active_q("memberships__"), distinct=True),
        meetings_this_year=Count(
            "meetings",
            filter=Q(meetings__starts_at__year=year),
            distinct=True,
        ),
    )


def body_get(*, code: str) -> Body:
    return Body.objects.select_related("dgo", "dgo__region").get(code=code)


SEAT_ORDER = {
    SeatRole.CHAIR: 0,
    SeatRole.VICE_CHAIR: 1,
    SeatRole.MEMBER: 2,
    SeatRole.SUBSTITUTE: 3,
    SeatRole.OBSERVER: 4,
}


def body_members(*, body: Body, on: datetime.date | None = None) -> list[Membership]:
    members = list(
        Membership.objects.active(on)
        .filter(body=body)
        .select_related("person", "appointed_by", "geography", "substitute_for__person")
    )
    members.sort(key=lambda m: (SEAT_ORDER[m.seat_role], m.person.last_name, m.person.first_name))
    return members


def body_former_members(*, body: Body) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(body=body, ends_on__lte=timezone.localdate())
        .select_related("person", "appointed_by", "geography")
        .order_by("-ends_on", "person__last_name")
    )


def meetings_for(user: User) -> QuerySet[Meeting]:
    """Published meetings for every signed-in user; planned ones for the body's seats."""
    readable = content_body_filter(user)
    meetings = Meeting.objects.all()
    if readable is not None:
        meetings = meetings.filter(~Q(status=Meeting.Status.PLANNED) | readable)
    return meetings


def decisions_for(user: User) -> QuerySet[Decision]:
    readable = content_body_filter(user)
    decisions = Decision.objects.all()
    if readable is not None:
        decisions = decisions.filter(readable)
    return decisions


def body_meetings_in_year(*, body: Body, user: User, year: int) -> QuerySet[Meeting]:
    return (
        meetings_for(user)
        .filter(body=body, starts_at__year=year)
        .annotate(item_count=Count("agenda_items"))
        .order_by("starts_at")
    )


def decision_list(
    *,
    user: User,
    status: str = "",
    body: Body | None = None,
    body_code: str = "",
    search: str = "",
    sort: str = "-opened",
) -> QuerySet[Decision]:
    """The decisions the user may read, filtered; one query for any page of them."""
    from .filters import DECISION_SORTS

    decisions = decisions_for(user).select_related("body", "meeting", "subject_content_type")
    if status:
        decisions = decisions.filter(status=status)
    if body is not None:
        decisions = decisions.filter(body=body)
    if body_code:
        decisions = decisions.filter(body__code=body_code)
    if search:
        decisions = decisions.filter(Q(title__icontains=search) | Q(text__icontains=search))
    return decisions.annotate(vote_count=Count("votes")).order_by(
        *DECISION_SORTS.get(sort, DECISION_SORTS["-opened"])
    )


def meeting_list(
    *,
    user: User,
    search: str = "",
    status: str = "",
    body_code: str = "",
    year: int | None = None,
    sort: str = "-starts",
) -> QuerySet[Meeting]:
    """The meetings the user may see (`meetings_for`), filtered; one query for any page."""
    from .filters import MEETING_SORTS

    meetings = meetings_for(user).select_related("body", "body__dgo")
    if search:
        meetings = meetings.filter(Q(title__icontains=search) | Q(location__icontains=search))
    if status:
        meetings = meetings.filter(status=status)
    if body_code:
        meetings = meetings.filter(body__code=body_code)
    if year:
        meetings = meetings.filter(starts_at__year=year)
    return meetings.annotate(item_count=Count("agenda_items")).order_by(
        *MEETING_SORTS.get(sort, MEETING_SORTS["-starts"])
    )


def meeting_get(*, user: User, pk: int) -> Meeting:
    return meetings_for(user).select_related("body", "body__dgo", "created_by").get(pk=pk)


def meeting_agenda(*, meeting: Meeting) -> QuerySet[AgendaItem]:
    return meeting.agenda_items.prefetch_related(
        Prefetch("papers", queryset=Paper.objects.order_by("uploaded_at"))
    )


def meeting_agenda_changes(*, meeting: Meeting) -> QuerySet[AgendaChange]:
    return meeting.agenda_changes.select_related("changed_by").order_by("changed_at")


def meeting_attendance(*, meeting: Meeting) -> QuerySet[Attendance]:
    return meeting.attendance.select_related("membership__person", "substitute__person").order_by(
        "membership__person__last_name", "membership__person__first_name", "pk"
    )


def meeting_seats(*, meeting: Meeting) -> list[Membership]:
    """The seats held on the meeting's day, chair first; each voting seat carries its active
    substitutes (`active_substitutes`). Two queries however many seats."""
    day = timezone.localdate(meeting.starts_at)
    seats = [
        seat
        for seat in body_members(body=meeting.body, on=day)
        if seat.seat_role != SeatRole.SUBSTITUTE
    ]
    substitutes: dict[int, list[Membership]] = {}
    for substitute in (
        Membership.objects.active(day)
        .filter(body_id=meeting.body_id, seat_role=SeatRole.SUBSTITUTE)
        .select_related("person")
    ):
        substitutes.setdefault(substitute.substitute_for_id, []).append(substitute)
    for seat in seats:
        seat.active_substitutes = substitutes.get(seat.pk, [])
    return seats


def later_meetings(*, meeting: Meeting) -> QuerySet[Meeting]:
    """Where the minutes can be put: the body's later meetings whose minutes are open."""
    return (
        Meeting.objects.filter(body_id=meeting.body_id, starts_at__gt=meeting.starts_at)
        .exclude(status=Meeting.Status.MINUTES_APPROVED)
        .order_by("starts_at")
    )


def meetings_for_recording(*, decision: Decision) -> QuerySet[Meeting]:
    """The meeting(s) whose votes can be recorded for the decision: its own meeting, or for
    a decision in writing the body's meetings that have started and are not closed."""
    if decision.meeting_id is not None:
        return Meeting.objects.filter(pk=decision.meeting_id)
    now = timezone.now()
    return (
        Meeting.objects.filter(
            body_id=decision.body_id,
            starts_at__lte=now,
            starts_at__gte=min(decision.opened_at, now) - datetime.timedelta(days=90),
        )
        .exclude(status=Meeting.Status.MINUTES_APPROVED)
        .order_by("-starts_at")
    )


def correctable_decisions(*, body: Body) -> QuerySet[Decision]:
    """Closed decisions of the body not yet corrected, newest first."""
    return (
        Decision.objects.filter(body=body, corrected_at__isnull=True)
        .exclude(status=Decision.Status.OPEN)
        .order_by("-closed_at")
    )


def decision_get(*, user: User, pk: int) -> Decision:
    return (
        decisions_for(user)
        .select_related("body", "meeting", "opened_by", "closed_by", "corrects")
        .get(pk=pk)
    )


def decision_comments(*, decision: Decision) -> QuerySet[DecisionComment]:
    return decision.comments.select_related("author").order_by("created_at")


def paper_get(*, user: User, pk: int) -> Paper:
    """Papers only for the body's seats and managers: a 404 for everyone else."""
    readable = content_body_filter(user, body="agenda_item__meeting__body")
    papers = Paper.objects.select_related("agenda_item__meeting__body")
    if readable is not None:
        papers = papers.filter(readable)
    return papers.get(pk=pk)


def decisions_awaiting_vote(*, user: User) -> QuerySet[Decision]:
    """Open decisions where the user's voting seat (or a seat they were called in for) has not
    voted yet. One query."""
    today = timezone.localdate()
    seats = Membership.objects.active(today).filter(person=user)
    own_seat = seats.filter(seat_role__in=VOTING_ROLES, body_id=OuterRef("body_id"))
    own_voted = Vote.objects.filter(
        decision=OuterRef("pk"),
        seat__person=user,
        seat__seat_role__in=VOTING_ROLES,
    )
    seat_voted = Vote.objects.filter(decision=OuterRef("decision"), seat=OuterRef("for_member"))
    called_in = SubstituteCall.objects.filter(
        decision=OuterRef("pk"), substitute__in=seats.filter(seat_role=SeatRole.SUBSTITUTE)
    ).filter(~Exists(seat_voted))
    return (
        Decision.objects.filter(status=Decision.Status.OPEN)
        .annotate(
            has_seat=Exists(own_seat), has_voted=Exists(own_voted), is_called=Exists(called_in)
        )
        .filter((Q(has_seat=True) & Q(has_voted=False)) | Q(is_called=True))
        .select_related("body")
        .order_by("deadline")
    )


def meetings_of_my_bodies(
    *, user: User, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[Meeting]:
    bodies = Membership.objects.active().filter(person=user).values("body_id")
    return (
        meetings_for(user)
        .filter(body_id__in=bodies, starts_at__gte=start, starts_at__lt=end)
        .select_related("body")
        .order_by("starts_at")
    )


def calendar_meetings(*, user: User) -> QuerySet[Meeting]:
    """The meetings of the user's bodies, from a year back, for the iCalendar feed."""
    since = timezone.now() - datetime.timedelta(days=365)
    bodies = Membership.objects.active().filter(person=user).values("body_id")
    return with_changes(
        meetings_for(user)
        .filter(body_id__in=bodies, starts_at__gte=since)
        .select_related("body")
        .order_by("starts_at")
    )


RULE_SEAT_ROLES = {
    SeatRule.Seat.VOTING: SeatRole.MEMBER,
    SeatRule.Seat.CHAIR: SeatRole.CHAIR,
    SeatRule.Seat.VICE_CHAIR: SeatRole.VICE_CHAIR,
    SeatRule.Seat.SUBSTITUTE: SeatRole.SUBSTITUTE,
    SeatRule.Seat.OBSERVER: SeatRole.OBSERVER,
}


def seat_prefill(*, body: Body, rule: SeatRule, geography: DGO | None) -> dict:
    """The seat form's first values for filling a vacancy of `rule` (in `geography`): its
    seat, the party that appoints it and the geography it represents."""
    initial: dict = {"seat_role": RULE_SEAT_ROLES[rule.seat], "geography": geography}
    if rule.appointed_by_id is not None:
        initial["appointed_by"] = rule.appointed_by
        return initial
    local = geography or body.dgo
    for kind in rule.appointed_by_kinds:
        if local is not None and kind == Organisation.Kind.KKR:
            initial["appointed_by"] = local.kkr
        elif local is not None and kind == Organisation.Kind.REGION:
            initial["appointed_by"] = local.region
        else:
            initial["appointed_by"] = Organisation.objects.filter(kind=kind).first()
        if initial["appointed_by"] is not None:
            break
    return initial


def seat_candidates() -> QuerySet[User]:
    """The people a seat can be given to: everyone who can sign in, by name."""
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")


SEAT_SEARCH_LIMIT = 20
SEAT_SEARCH_MIN_LENGTH = 2


def seat_candidates_matching(*, query: str, limit: int = SEAT_SEARCH_LIMIT) -> list[User]:
    """The people a seat can be given to whose name, e-mail or organisation (or municipality)
    holds every word of `query`, by name, at most `limit` (the seat form's person search over
    all municipalities' people). Too short a query finds nobody rather than everybody."""
    words = query.split()
    if len(query.strip()) < SEAT_SEARCH_MIN_LENGTH:
        return []
    people = seat_candidates()
    for word in words:
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(organisation__name__icontains=word)
            | Q(organisation__code__iexact=word)
            | Q(municipality__name__icontains=word)
        )
    return list(people.select_related("organisation", "municipality")[:limit])


def body_voting_seats(*, body: Body) -> QuerySet[Membership]:
    """Today's voting seats, for naming the member a substitute stands in for."""
    return (
        Membership.objects.active()
        .filter(body=body, seat_role__in=VOTING_ROLES)
        .select_related("person")
        .order_by("person__last_name", "person__first_name")
    )


def with_changes(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Each meeting with `changes` (how often it was changed after it was created) and
    `last_changed` (when, or None), from the audit trail: a calendar program updates an event
    it already has when the feed's SEQUENCE grows (RFC 5545, 3.8.7.4)."""
    entries = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Meeting),
            object_pk=Cast(OuterRef("pk"), output_field=models.CharField()),
        )
        .order_by()
        .values("object_pk")
    )
    updates = entries.filter(action=LogEntry.Action.UPDATE)
    return meetings.annotate(
        changes=Subquery(updates.annotate(n=Count("pk")).values("n")[:1]),
        last_changed=Subquery(entries.annotate(at=Max("timestamp")).values("at")[:1]),
    )


def composition_version(body: Body) -> str:
    """The version of a DGO steering group's composition page: the body's cadence and
    chairmanship with every composition rule (core.locking)."""
    return combined_version(body, *body.seat_rules.order_by("pk"))
