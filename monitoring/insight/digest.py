"""The weekly "what is due" e-mail to the secretariat and the DGO coordinators (opt-out).

Sent by the Celery beat job `monitoring.tasks.send_due_digest` (settings CELERY_BEAT_SCHEDULE)
through the one message path (core.notifications.notify). Everyone who can see a due list gets
it unless they turned it off on the digest page (DigestPreference); an empty list sends nothing.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.notifications import notify
from monitoring import notices
from monitoring.insight.due import due_for
from monitoring.models import DigestPreference
from partners.models import RoleAssignment, User

Role = RoleAssignment.Role


def wants_digest(user: User) -> bool:
    preference = DigestPreference.objects.filter(user=user).first()
    return preference is None or preference.weekly_digest


@transaction.atomic
def set_digest_preference(*, user: User, weekly_digest: bool) -> DigestPreference:
    preference, _created = DigestPreference.objects.update_or_create(
        user=user, defaults={"weekly_digest": weekly_digest, "updated_at": timezone.now()}
    )
    return preference


def recipients() -> list[User]:
    """Active people with an e-mail address who hold the secretariat or a coordinator role
    today (or are superusers), without those who opted out."""
    role_holders = RoleAssignment.objects.active().filter(
        role__in=[Role.SECRETARIAT, Role.DGO_COORDINATOR]
    )
    opted_out = DigestPreference.objects.filter(weekly_digest=False).values("user_id")
    return list(
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(pk__in=role_holders.values("user_id"))
        .exclude(pk__in=opted_out)
        .order_by("pk")
    )


def send_digests(*, today: datetime.date | None = None) -> int:
    """Queue one digest per recipient with something due; returns how many were queued."""
    today = today or timezone.localdate()
    sent = 0
    for user in recipients():
        due = due_for(user, today=today)
        if due is None or due.is_empty:
            continue
        with transaction.atomic():
            notify(
                kind=notices.DUE_DIGEST,
                users=[user],
                subject=gettext_lazy("What is due in the Climate Alliance, week %(week)s"),
                subject_values={"week": today.isocalendar().week},
                context={
                    "user": user,
                    "due": due,
                    "due_url": settings.PORTAL_BASE_URL + reverse("monitoring-due"),
                    "opt_out_url": settings.PORTAL_BASE_URL + reverse("monitoring-digest"),
                },
                url=reverse("monitoring-due"),
            )
        sent += 1
    return sent
