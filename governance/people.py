"""Governance's part of people administration (called through core.portal_apps)."""

from django.utils import timezone

from partners.models import User

from .models import Membership
from .services import membership_end


def seat_end_now(*, membership: Membership, by: User | None) -> Membership:
    """End a seat so that it no longer counts from today (the end date is the first day
    without the seat; a seat not yet begun never counts). The body permissions follow at once."""
    ends_on = max(membership.starts_on, timezone.localdate())
    return membership_end(membership=membership, by=by, ends_on=ends_on)


def person_deactivated(*, user: User, by: User | None, reason: str) -> None:
    """A person leaves: their seats end (with an end date; votes and decisions stay)."""
    from partners.services import audit_note

    for membership in Membership.objects.active().filter(person=user).select_related("body"):
        # by=None: the people service has already checked who may deactivate.
        ended = seat_end_now(membership=membership, by=None)
        audit_note(ended, by=by, reason=reason)


# --- the seats that people administration (partners) asks for through this hook -------------


def bodies():
    """The bodies a person can be seated in, for the people pages, forms and imports."""
    from .models import Body

    return Body.objects.all()


def bodies_appointable_by(*, user: User):
    """The bodies this user may seat people in (governance.permissions.can_appoint)."""
    from .models import Body
    from .permissions import appointable_bodies_q

    return Body.objects.filter(appointable_bodies_q(user))


def seats_of(*, person: User):
    """A person's seats, current and past, for the person page."""
    return (
        Membership.objects.filter(person=person)
        .select_related("body", "appointed_by")
        .order_by("ends_on", "-starts_on")
    )


def seats_now(*, person: User):
    """The person's seats today, as roles on their profile ("Medlem, Forretningsudvalget")."""
    return (
        Membership.objects.active()
        .filter(person=person)
        .select_related("body", "appointed_by", "geography", "substitute_for__person")
        .order_by("body__position", "body__name")
    )


def seats_held(*, people) -> set[tuple[int, int]]:
    """(person id, body id) of today's seats of these people (one query)."""
    return set(
        Membership.objects.active().filter(person__in=people).values_list("person_id", "body_id")
    )


def seat_grant(*, user: User, body, member: bool, appointed_by, by: User | None, reason: str):
    """Seat a person in a body as member (or observer) unless seated there today; True when a
    seat was added. The people service has already checked who may do it; the body's
    composition rules are checked here as on the seat form (a seat that fits no rule is a
    ValidationError with the rule's text, and nothing is written). The invitation page, people
    administration and the people import all seat through this."""
    from partners.services import audit_note

    from .models import SeatRole
    from .services import membership_add

    if Membership.objects.active().filter(person=user, body=body).exists():
        return False
    membership = membership_add(
        body=body,
        person=user,
        seat_role=SeatRole.MEMBER if member else SeatRole.OBSERVER,
        appointed_by=appointed_by,
        by=by,
        check_rules=True,
    )
    audit_note(membership, by=by, reason=reason)
    return True
