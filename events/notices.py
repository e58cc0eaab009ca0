"""The messages events send (core.notifications)."""

from django.utils.translation import gettext_lazy as _

from core.notifications import Kind

INVITATION = "events.invitation"
MOVED_UP = "events.moved_up"
CANCELLED = "events.cancelled"

KINDS = [
    Kind(INVITATION, _("An invitation to an event"), "events/email/invitation.txt"),
    Kind(
        MOVED_UP,
        _("You have a seat at an event (from the waiting list)"),
        "events/email/moved_up.txt",
        action=True,
    ),
    Kind(CANCELLED, _("An event you registered for is cancelled"), "events/email/cancelled.txt"),
]
