"""The events' item in the main menu (portal.context_processors.app_navigation)."""

from collections.abc import Set as AbstractSet

from django.utils.translation import gettext as _

from partners.permissions import Roles


def items(roles: Roles, body_codes: AbstractSet[str]) -> list[tuple[str, str]]:
    # Every signed-in person may register for the published events.
    return [("event-list", _("Events"))]
