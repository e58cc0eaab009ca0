"""The messages evaluations send (core.notifications)."""

from django.utils.translation import gettext_lazy as _

from core.notifications import Kind

REPORT_RECEIVED = "evaluations.report_received"
ACTION_ASSIGNED = "evaluations.action_assigned"

KINDS = [
    Kind(
        REPORT_RECEIVED,
        _("The partnership's evaluation report is received"),
        "evaluations/email/report_received.txt",
    ),
    Kind(
        ACTION_ASSIGNED,
        _("A follow-up action of the evaluation is yours"),
        "evaluations/email/action_assigned.txt",
        action=True,
    ),
]
