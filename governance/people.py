"""Governance's part of people administration (called through klimaalliancen.portal_apps)."""

import datetime

from django.utils import timezone

from partners.models import User

from .models import Membership
from .services import membership_end


def seat_end_now(*, membership: Membership, by: User | None) -> Membership:
    """End a seat so that it no longer counts from today: its last day is yesterday (or its
    first day, for a seat that began today). The body permissions follow at once."""
    ends_on = max(membership.starts_on, timezone.localdate() - datetime.timedelta(days=1))
    return membership_end(membership=membership, by=by, ends_on=ends_on)


def person_deactivated(*, user: User, by: User | None, reason: str) -> None:
    """A person leaves: their seats end (with an end date; votes and decisions stay)."""
    from partners.services import audit_note

    for membership in Membership.objects.active().filter(person=user).select_related("body"):
        # by=None: the people service has already checked who may deactivate.
        ended = seat_end_now(membership=membership, by=None)
        audit_note(ended, by=by, reason=reason)
