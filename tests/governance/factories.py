"""Helpers that build governance data through the services, as production does."""

import datetime

from django.utils import timezone

from governance import services
from governance.models import Body, Decision, Meeting, Membership, SeatRole
from partners.models import DGO, Organisation, RoleAssignment, User
from tests.factories import UserFactory, make_user


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def seat(
    body: Body | str,
    *,
    role: str = SeatRole.MEMBER,
    appointed_by: str = "kl",
    person: User | None = None,
    geography: str | None = None,
    substitute_for: Membership | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> Membership:
    body = Body.objects.get(code=body) if isinstance(body, str) else body
    return services.membership_add(
        body=body,
        person=person or UserFactory(),
        seat_role=role,
        appointed_by=org(appointed_by),
        geography=DGO.objects.get(slug=geography) if geography else None,
        substitute_for=substitute_for,
        starts_on=starts_on or datetime.date(2024, 1, 1),
        ends_on=ends_on,
        by=None,
    )


def secretariat_user(**fields) -> User:
    return make_user(RoleAssignment.Role.SECRETARIAT, **fields)


def open_decision(
    body: Body | str,
    *,
    by: User | None = None,
    days: int = 14,
    meeting: Meeting | None = None,
    subject=None,
    title: str = "Godkendelse af projektplan",
) -> Decision:
    body = Body.objects.get(code=body) if isinstance(body, str) else body
    return services.decision_open(
        body=body,
        title=title,
        text="Forslag til beslutning.",
        deadline=timezone.now() + datetime.timedelta(days=days),
        meeting=meeting,
        subject=subject,
        by=by or secretariat_user(),
    )


def plan_meeting(
    body: Body | str,
    *,
    by: User | None = None,
    days: int = 10,
    items: int = 2,
    publish: bool = False,
) -> Meeting:
    body = Body.objects.get(code=body) if isinstance(body, str) else body
    by = by or secretariat_user()
    starts = timezone.now() + datetime.timedelta(days=days)
    meeting = services.meeting_create(
        body=body,
        by=by,
        title=f"{body.short_name}-møde",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        location="KL-huset",
    )
    for number in range(items):
        services.agenda_item_add(meeting=meeting, by=by, title=f"Punkt {number + 1}")
    if publish:
        meeting = services.meeting_publish_agenda(meeting=meeting, by=by)
    return meeting


def past(decision: Decision) -> Decision:
    """Move a decision's deadline into the past (as if time had passed)."""
    Decision.objects.filter(pk=decision.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    decision.refresh_from_db()
    return decision
