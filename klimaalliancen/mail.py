"""Outgoing e-mail: stored in the outbox with the change, sent by a Celery task after commit.

If the broker is unreachable the request still succeeds: the row waits in the outbox and the
periodic `deliver_pending_emails` task sends it once the broker is back.
"""

import logging

from django.db import transaction

from .models import OutboxEmail

logger = logging.getLogger(__name__)


def send_mail_after_commit(
    *, subject: str, body: str, to: list[str], html_body: str | None = None
) -> OutboxEmail:
    email = OutboxEmail.objects.create(
        subject=subject, body=body, to=list(to), html_body=html_body or ""
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


def is_broker_error(error: Exception) -> bool:
    from kombu.exceptions import OperationalError

    return isinstance(error, OperationalError | ConnectionError | TimeoutError | OSError)
