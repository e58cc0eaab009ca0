"""E-mail leaves through a Celery task, enqueued only once the transaction commits."""

from django.db import transaction


def send_mail_after_commit(
    *, subject: str, body: str, to: list[str], html_body: str | None = None
) -> None:
    from .tasks import send_email

    transaction.on_commit(
        lambda: send_email.delay(subject=subject, body=body, to=to, html_body=html_body)
    )
