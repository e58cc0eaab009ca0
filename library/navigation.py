"""The library's item in the main menu (portal.context_processors.app_navigation)."""

from collections.abc import Set as AbstractSet

from django.utils.translation import gettext as _

from partners.permissions import Roles


def items(roles: Roles, body_codes: AbstractSet[str]) -> list[tuple[str, str]]:
    # Every signed-in person reads the library (the openness principle).
    return [("library-list", _("Library"))]
