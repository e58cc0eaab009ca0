"""The library's item in the main menu (portal.context_processors.app_navigation)."""

from django.utils.translation import gettext as _


def items(roles) -> list[tuple[str, str]]:
    # Every signed-in person reads the library (the openness principle).
    return [("library-list", _("Library"))]
