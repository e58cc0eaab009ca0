"""Who may do what with external data requests: the one place these rules live.

The secretariat records requests, puts them to APS and delivers what APS approved; APS's seats
(observers included) read them, since APS decides (§8.7). Nobody else sees them.
"""

from collections.abc import Set as AbstractSet

from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_noop

from governance.permissions import seat_body_codes
from partners.models import User
from partners.permissions import Roles, roles_of

SECRETARIAT_ONLY = gettext_noop(
    "Only the secretariat records, puts to APS and delivers external data requests."
)
READERS_ONLY = gettext_noop("External data requests are for APS and the secretariat.")


READING_BODY = "aps"


def can_view_requests(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return reads_requests(roles_of(user), SimpleLazyObject(lambda: seat_body_codes(user)))


def reads_requests(roles: Roles, body_codes: AbstractSet[str]) -> bool:
    """The rule on roles and the codes of the bodies someone sits in today (the main menu
    passes them lazily: the seats are read only when the roles do not decide)."""
    return roles.secretariat or READING_BODY in body_codes


def can_manage_requests(user: User | AnonymousUser) -> bool:
    return roles_of(user).secretariat
