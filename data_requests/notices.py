"""The messages data requests send (core.notifications)."""

from django.utils.translation import gettext_lazy as _

from core.notifications import Kind

DECIDED = "data_requests.decided"
DELIVERED = "data_requests.delivered"

KINDS = [
    Kind(
        DECIDED, _("APS has decided on an external data request"), "data_requests/email/decided.txt"
    ),
    Kind(
        DELIVERED, _("Data are delivered to an external party"), "data_requests/email/delivered.txt"
    ),
]
