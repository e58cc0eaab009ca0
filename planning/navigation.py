"""The plans' and risk register's items in the main menu (portal.context_processors)."""

from collections.abc import Set as AbstractSet

from django.utils.translation import gettext as _

from partners.permissions import Roles

from .permissions import reads_planning


def items(roles: Roles, body_codes: AbstractSet[str]) -> list[tuple[str, str]]:
    # The same rule as the pages (members of every body read the plans); `body_codes` is read
    # only if the roles do not decide.
    if not reads_planning(roles, body_codes):
        return []
    return [("plan-list", _("Plans")), ("risk-list", _("Risks"))]
