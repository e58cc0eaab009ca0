"""What of the governance bodies is open to everyone (public office, §8).

The bodies, their remit and cadence, and who sits in them today: name, seat, the organisation
that appointed them, the geography they represent and their capacity. Never e-mail addresses,
phone numbers or anything else about the person; never meetings, papers, votes or decisions
(those are the bodies' working material, for the signed-in pages).
"""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Body, Membership
from .selectors import SEAT_ORDER, _active_q

# A user name can be an e-mail address: it is never shown, a missing name is just missing.
UNNAMED = _("(name not given)")


@dataclass(frozen=True)
class PublicSeat:
    """Only what is public about a seat: built here, so a template cannot reach the person."""

    name: str
    seat: str
    seat_role: str
    appointed_by: str
    geography: str
    capacity: str


def public_bodies() -> QuerySet[Body]:
    return (
        Body.objects.select_related("dgo")
        .annotate(seat_count=Count("memberships", filter=_active_q("memberships__")))
        .order_by("position", "name")
    )


def public_body_get(*, code: str) -> Body:
    return Body.objects.select_related("dgo").get(code=code)


def public_seats(*, body: Body) -> list[PublicSeat]:
    """The body's current seats, chair first (one query)."""
    memberships = list(
        Membership.objects.active()
        .filter(body=body)
        .select_related("person", "appointed_by", "geography")
    )
    memberships.sort(
        key=lambda m: (SEAT_ORDER[m.seat_role], m.person.last_name, m.person.first_name)
    )
    return [
        PublicSeat(
            name=m.person.get_full_name() or UNNAMED,
            seat=m.get_seat_role_display(),
            seat_role=m.seat_role,
            appointed_by=m.appointed_by.name,
            geography=m.geography.name if m.geography_id else "",
            capacity=m.capacity,
        )
        for m in memberships
    ]
