"""Telling people things: an in-app notification and the same message by e-mail."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser as User  # core knows no domain app
from django.db.models import QuerySet
from django.utils import timezone

from .mail import send_mail_after_commit, subject_line
from .models import Notification


def notify(*, users: Iterable[User], subject: str, body: str, url: str = "") -> int:
    """Notify each active user in the portal and by e-mail (sent after commit)."""
    recipients = [user for user in users if user.is_active]
    Notification.objects.bulk_create(
        Notification(user=user, title=subject_line(subject), body=body, url=url)
        for user in recipients
    )
    for user in recipients:
        if user.email:
            send_mail_after_commit(subject=subject, body=body, to=[user.email])
    return len(recipients)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def notifications_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, all) of the user's notifications as read."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
