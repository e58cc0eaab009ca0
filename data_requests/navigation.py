"""The data requests' item in the main menu (portal.context_processors.app_navigation)."""

from collections.abc import Set as AbstractSet

from django.utils.translation import gettext as _

from partners.permissions import Roles

from .permissions import reads_requests


def items(roles: Roles, body_codes: AbstractSet[str]) -> list[tuple[str, str]]:
    # The secretariat records and delivers; APS's seats (observers too) read the requests.
    if reads_requests(roles, body_codes):
        return [("data-request-list", _("Data requests"))]
    return []
