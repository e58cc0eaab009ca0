"""The evaluations' item in the main menu (portal.context_processors.app_navigation)."""

from collections.abc import Set as AbstractSet

from django.utils.translation import gettext as _

from partners.permissions import Roles

from .permissions import reads_evaluations


def items(roles: Roles, body_codes: AbstractSet[str]) -> list[tuple[str, str]]:
    # The secretariat runs the evaluations; APS's and FU's seats (observers too) read them.
    if reads_evaluations(roles, body_codes):
        return [("evaluation-list", _("Evaluations"))]
    return []
