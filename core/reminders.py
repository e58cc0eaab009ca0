"""Reminders: what is due, found by each app, sent once per item and threshold.

Each app lists its reminder finders in `<app>/notices.py` (`REMINDERS`: functions taking
`today` and yielding `Reminder`s for everything currently due). The beat task
`core.tasks.send_reminders` runs them all; a `SentReminder` row per (kind, item, threshold)
with a unique constraint makes a second run, or a task delivered twice, send nothing.
"""

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractUser as User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise

from .models import SentReminder
from .notifications import notify
from .portal_apps import portal_modules

logger = logging.getLogger(__name__)


@dataclass
class Reminder:
    kind: str
    item: str  # what it is about, e.g. "decision:12"
    threshold: str  # which step, e.g. "3d", "1d", "overdue"
    users: Iterable[User]
    subject: Promise | str
    subject_values: dict = field(default_factory=dict)
    context: dict = field(default_factory=dict)
    url: str = ""


Finder = Callable[[datetime.date], Iterable[Reminder]]


def finders() -> Iterator[Finder]:
    for _app, module in portal_modules("notices"):
        yield from getattr(module, "REMINDERS", ())


def send_reminder(reminder: Reminder) -> bool:
    """Send one reminder unless it went out before. True when sent now."""
    try:
        with transaction.atomic():
            record = SentReminder.objects.create(
                kind=reminder.kind, item=reminder.item, threshold=reminder.threshold
            )
            sent = notify(
                kind=reminder.kind,
                users=reminder.users,
                subject=reminder.subject,
                subject_values=reminder.subject_values,
                context=reminder.context,
                url=reminder.url,
            )
            record.recipients = len(sent)
            record.save(update_fields=["recipients"])
    except IntegrityError:
        # Sent already (or by a run racing this one): the unique constraint said so.
        return False
    return True


def send_due_reminders(*, today: datetime.date | None = None) -> int:
    """Run every app's finders; returns how many reminders went out now."""
    today = today or timezone.localdate()
    sent = 0
    for finder in finders():
        for reminder in finder(today):
            if SentReminder.objects.filter(
                kind=reminder.kind, item=reminder.item, threshold=reminder.threshold
            ).exists():
                continue
            sent += send_reminder(reminder)
    return sent
