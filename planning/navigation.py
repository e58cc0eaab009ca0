"""The plans' and risk register's items in the main menu (portal.context_processors)."""

from django.utils.translation import gettext as _


def items(roles) -> list[tuple[str, str]]:
    # `roles` is partners' Roles; seats in a body are not in it, so members of the bodies
    # find the pages from APS's and FU's agendas and decisions (the pages admit them).
    if not (roles.secretariat or roles.knowledge_partner or roles.coordinator):
        return []
    return [("plan-list", _("Plans")), ("risk-list", _("Risks"))]
