"""The beat jobs of the one message path: reminders and digests (settings CELERY_BEAT_SCHEDULE).

Not in core/tasks.py: sending mail imports that module, and these import the sending. The
core app's ready() imports this module so the worker knows the tasks.
"""

from celery import shared_task

from .notifications import send_digests as send_digests_of
from .reminders import send_due_reminders


@shared_task(name="core.tasks.send_reminders")
def send_reminders() -> int:
    """Every reminder that fell due, once per item and threshold."""
    return send_due_reminders()


@shared_task(name="core.tasks.send_digests")
def send_digests(delivery: str) -> int:
    """The daily or weekly digest of the messages people chose to collect."""
    return send_digests_of(delivery=delivery)
