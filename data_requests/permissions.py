"""Who may do what with external data requests: the one place these rules live.

The secretariat records requests, puts them to APS and delivers what APS approved; APS's seats
(observers included) read them, since APS decides (§8.7). Nobody else sees them.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_noop

from governance.models import Body
from governance.permissions import body_access
from partners.models import User
from partners.permissions import roles_of

SECRETARIAT_ONLY = gettext_noop(
    "Only the secretariat records, puts to APS and delivers external data requests."
)
READERS_ONLY = gettext_noop("External data requests are for APS and the secretariat.")


def sits_in_aps(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_data_request_reader", None)
    if cached is None:
        seats = body_access(user).seat_body_ids
        cached = bool(seats) and Body.objects.filter(pk__in=seats, code="aps").exists()
        user._data_request_reader = cached
    return cached


def can_view_requests(user: User | AnonymousUser) -> bool:
    return roles_of(user).secretariat or sits_in_aps(user)


def can_manage_requests(user: User | AnonymousUser) -> bool:
    return roles_of(user).secretariat
