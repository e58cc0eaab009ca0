"""Monitoring's background jobs: thin, idempotent, taking ids."""

import datetime

from celery import shared_task

from .models import Round
from .services import round_send_reminders


@shared_task(
    name="monitoring.tasks.send_round_reminders",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def send_round_reminders(*, round_id: int, requested_at: str) -> int:
    """E-mail the coordinators of DGOs with missing reports (see services.round_send_reminders)."""
    round = Round.objects.filter(pk=round_id).first()
    if round is None:
        return 0
    return round_send_reminders(
        round=round, requested_at=datetime.datetime.fromisoformat(requested_at)
    )


@shared_task(name="monitoring.tasks.render_status_report")
def render_status_report(document_id: int) -> None:
    """Render a requested status report PDF (see status_report.rendering.report_render_pdf)."""
    from monitoring.status_report.rendering import report_render_pdf

    report_render_pdf(document_id, parallel=True)


@shared_task(name="monitoring.tasks.render_status_report_part")
def render_status_report_part(document_id: int, key: str) -> None:
    """Render one part of a status report (see status_report.rendering.report_render_part)."""
    from monitoring.status_report.rendering import report_render_part

    report_render_part(document_id, key)


@shared_task(name="monitoring.tasks.number_status_report")
def number_status_report(document_id: int) -> None:
    """Write the page numbers into a report's contents (status_report.rendering.report_number)."""
    from monitoring.status_report.rendering import report_number

    report_number(document_id)


@shared_task(name="monitoring.tasks.finish_status_report")
def finish_status_report(document_id: int) -> None:
    """Join a status report's parts into its PDF (status_report.rendering.report_finish)."""
    from monitoring.status_report.rendering import report_finish

    report_finish(document_id)


@shared_task(name="monitoring.tasks.prune_status_report_parts")
def prune_status_report_parts() -> int:
    """Daily: the status report's rendered parts no recent document uses leave the cache."""
    from monitoring.status_report.rendering import prune_part_cache

    return prune_part_cache()


@shared_task(name="monitoring.tasks.send_due_digest")
def send_due_digest() -> int:
    """Weekly: e-mail each secretariat member and coordinator what is due (opt-out)."""
    from monitoring.insight.digest import send_digests

    return send_digests()
