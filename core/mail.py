"""Outgoing e-mail: stored in the outbox with the change, sent by a Celery task after commit.

If the broker is unreachable the request still succeeds: the row waits in the outbox and the
periodic `deliver_pending_emails` task sends it once the broker is back.
"""

import logging

from django.db import transaction

from .broker import is_broker_error
from .models import OutboxEmail

logger = logging.getLogger(__name__)


SUBJECT_MAX = OutboxEmail._meta.get_field("subject").max_length


def subject_line(subject: str, limit: int = SUBJECT_MAX) -> str:
    """One line (a newline in a subject is a header injection, and Django refuses to send it)
    that fits the outbox: user-typed titles go into subjects."""
    line = " ".join(str(subject).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def send_mail_after_commit(
    *, subject: str, body: str, to: list[str], html_body: str | None = None
) -> OutboxEmail:
    email = OutboxEmail.objects.create(
        subject=subject_line(subject), body=body, to=list(to), html_body=html_body or ""
    )
    transaction.on_commit(lambda: enqueue_delivery(email.pk))
    return email


def enqueue_delivery(outbox_id: int) -> None:
    from .tasks import deliver_email

    try:
        deliver_email.delay(outbox_id)
    except Exception as error:  # the broker's errors vary by transport
        if not is_broker_error(error):
            raise
        logger.warning("broker unavailable; e-mail %s waits in the outbox", outbox_id)
