"""The evaluations' item in the main menu (portal.context_processors.app_navigation)."""

from django.utils.translation import gettext as _


def items(roles) -> list[tuple[str, str]]:
    # The menu knows roles, not seats: asking for APS and FU seats on every page would cost
    # every page a query. The secretariat runs the evaluations from the menu; APS and FU
    # members reach them from the decisions they vote on (the decision names its subject).
    if roles.secretariat:
        return [("evaluation-list", _("Evaluations"))]
    return []
