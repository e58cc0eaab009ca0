"""The events' item in the main menu (portal.context_processors.app_navigation)."""

from django.utils.translation import gettext as _


def items(roles) -> list[tuple[str, str]]:
    # Every signed-in person may register for the published events.
    return [("event-list", _("Events"))]
