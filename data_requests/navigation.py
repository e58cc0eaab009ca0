"""The data requests' item in the main menu (portal.context_processors.app_navigation)."""

from django.utils.translation import gettext as _


def items(roles) -> list[tuple[str, str]]:
    # The secretariat records and delivers; APS members reach a request from the decision
    # they vote on (the menu knows roles, not seats, and a seat lookup would cost every page).
    if roles.secretariat:
        return [("data-request-list", _("Data requests"))]
    return []
