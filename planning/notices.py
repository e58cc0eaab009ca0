"""The messages plans and risks send (core.notifications)."""

from django.utils.translation import gettext_lazy as _

from core.notifications import Kind

COMMENTED = "planning.commented"
DECIDED = "planning.decided"
RISK_OWNED = "planning.risk_owned"

KINDS = [
    Kind(COMMENTED, _("A knowledge partner commented on a plan"), "planning/email/commented.txt"),
    Kind(DECIDED, _("FU decided on a plan"), "planning/email/decided.txt"),
    Kind(
        RISK_OWNED,
        _("You own a risk in the risk register"),
        "planning/email/risk_owned.txt",
        action=True,
    ),
]
