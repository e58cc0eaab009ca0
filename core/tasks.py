import logging
from datetime import timedelta

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from . import uploads
from .models import OutboxEmail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


@shared_task(
    name="klimaalliancen.tasks.deliver_email",  # the name it had before the move to core
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def deliver_email(outbox_id: int) -> bool:
    """Send one outbox e-mail. Idempotent: a re-delivered task finds it sent and stops."""
    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=outbox_id, sent_at__isnull=True)
            .first()
        )
        if email is None:
            return False
        email.attempts += 1
        message = EmailMultiAlternatives(subject=email.subject, body=email.body, to=email.to)
        if email.html_body:
            message.attach_alternative(email.html_body, "text/html")
        try:
            message.send()
        except OSError as error:
            email.last_error = str(error)[:300]
            email.save(update_fields=["attempts", "last_error"])
            raise
        email.sent_at = timezone.now()
        email.save(update_fields=["attempts", "sent_at"])
    return True


@shared_task(name="klimaalliancen.tasks.deliver_pending_emails")  # name kept across the move
def deliver_pending_emails() -> int:
    """Periodic: send what waited in the outbox (e.g. while the broker was down)."""
    cutoff = timezone.now() - timedelta(minutes=1)
    pending = OutboxEmail.objects.filter(
        sent_at__isnull=True, created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS
    ).values_list("pk", flat=True)[:500]
    sent = 0
    for outbox_id in pending:
        try:
            sent += deliver_email(outbox_id)
        except OSError:
            logger.warning("e-mail %s could not be sent yet", outbox_id)
    return sent


@shared_task(name="core.tasks.delete_unconfirmed_imports")
def delete_unconfirmed_imports() -> int:
    """Periodic: import files checked but never confirmed are deleted after 24 hours.
    Idempotent (a second run, or one delivered twice, finds nothing left to delete)."""
    return uploads.delete_unconfirmed()
