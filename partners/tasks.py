from celery import shared_task

from . import services


@shared_task
def anonymise_expired_accounts() -> int:
    """Daily: anonymise people deactivated longer ago than PERSONAL_DATA_RETENTION_DAYS."""
    return services.users_anonymise_expired()
