"""Telling people things: the one path for every message to a person.

`notify()` writes the in-app notification and, as the person chose for that kind of message,
queues the e-mail through the outbox after commit (straight away, in a daily or weekly digest,
or not at all). No app sends mail itself (an import-linter contract forbids `core.mail`
outside core): every e-mail the portal sends is also on the person's notifications page.

The kinds are declared by the apps in `<app>/notices.py` (`KINDS`), found through
`portal_modules`, so the kernel knows no domain. Each kind renders its template in the
recipient's language; the templates use gettext, so Danish and English come from one file.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AbstractUser as User  # core knows no domain app
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .mail import send_mail_after_commit, subject_line
from .models import Delivery, Notification, NotificationPreference, NotificationSettings
from .portal_apps import portal_modules

# Kinds that ask the person to act offer no "only in the portal": they reach the inbox.
ACTION_DELIVERIES = (Delivery.IMMEDIATE, Delivery.DAILY, Delivery.WEEKLY)


@dataclass(frozen=True)
class Kind:
    """One kind of message. `template` is the e-mail body (plain text, gettext inside)."""

    key: str
    label: Promise | str
    template: str
    action: bool = False  # asks the person to act: cannot be switched off entirely
    # Account mail (invitation, password reset): its link is a secret for the inbox only, so
    # the portal keeps a note without it; always sent at once, not a preference.
    secret: bool = False
    default: str = Delivery.IMMEDIATE

    @property
    def deliveries(self) -> tuple[str, ...]:
        if self.secret:
            return (Delivery.IMMEDIATE,)
        return ACTION_DELIVERIES if self.action else tuple(Delivery.values)


@cache
def kinds() -> dict[str, Kind]:
    found: dict[str, Kind] = {}
    for _app, module in portal_modules("notices"):
        for kind in getattr(module, "KINDS", ()):
            if kind.key in found:
                raise ValueError(f"notification kind {kind.key} declared twice")
            found[kind.key] = kind
    return found


def get_kind(key: str) -> Kind:
    try:
        return kinds()[key]
    except KeyError:
        raise LookupError(f"unknown notification kind {key!r}: declare it in KINDS") from None


def absolute_url(path: str) -> str:
    """E-mails are read outside the portal: every link in them is absolute."""
    if not path or "://" in path:
        return path
    return settings.PORTAL_BASE_URL + ("" if path.startswith("/") else "/") + path


def lazy_date(day: datetime.date) -> str:
    """A date for a subject line, formatted in the recipient's language when rendered and
    written out as in the message itself ("5. september 2027")."""
    return lazy(lambda: date_format(day, "DATE_FORMAT"), str)()


# --- the person's choices ---------------------------------------------------------------


def language_of(user: User) -> str:
    chosen = (
        NotificationSettings.objects.filter(user_id=user.pk)
        .values_list("language", flat=True)
        .first()
    )
    return chosen or settings.LANGUAGE_CODE


def languages_of(user_ids: Iterable[int]) -> dict[int, str]:
    return dict(
        NotificationSettings.objects.filter(user_id__in=list(user_ids)).values_list(
            "user_id", "language"
        )
    )


def delivery_for(user: User, key: str) -> str:
    return deliveries_for([user.pk], get_kind(key))[user.pk]


def deliveries_for(user_ids: Iterable[int], message_kind: Kind) -> dict[int, str]:
    ids = list(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, kind=message_kind.key).values_list(
            "user_id", "delivery"
        )
    )
    return {
        pk: chosen[pk] if chosen.get(pk) in message_kind.deliveries else message_kind.default
        for pk in ids
    }


def preferences_of(user: User) -> list[tuple[Kind, str]]:
    """Every kind a person may choose for, with their choice (or its default)."""
    chosen = dict(
        NotificationPreference.objects.filter(user_id=user.pk).values_list("kind", "delivery")
    )
    return [
        (k, chosen[k.key] if chosen.get(k.key) in k.deliveries else k.default)
        for k in kinds().values()
        if not k.secret
    ]


@transaction.atomic
def preferences_set(
    *, user: User, choices: dict[str, str], language: str | None = None
) -> list[NotificationPreference]:
    """Save a person's choices per kind (and their language). A kind that asks for action
    cannot be switched off entirely; an unknown kind or delivery is refused."""
    errors: dict[str, str] = {}
    for key, delivery in choices.items():
        message_kind = kinds().get(key)
        if message_kind is None or message_kind.secret:
            errors[key] = _("There is no such kind of message.")
        elif delivery not in message_kind.deliveries:
            errors[key] = (
                _("You act on these messages, so they cannot be switched off entirely.")
                if delivery == Delivery.IN_APP
                else _("Choose how you want these messages.")
            )
    if language is not None and language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose Danish or English.")
    if errors:
        raise ValidationError(errors)
    saved = [
        NotificationPreference.objects.update_or_create(
            user_id=user.pk, kind=key, defaults={"delivery": delivery}
        )[0]
        for key, delivery in choices.items()
    ]
    if language is not None:
        NotificationSettings.objects.update_or_create(
            user_id=user.pk, defaults={"language": language}
        )
    return saved


# --- sending ----------------------------------------------------------------------------


def _render(
    message_kind: Kind, language: str, subject, subject_values: dict, context: dict
) -> tuple[str, str]:
    with translation.override(language):
        rendered_subject = str(subject) % subject_values if subject_values else str(subject)
        body = render_to_string(
            message_kind.template, {**context, "base_url": settings.PORTAL_BASE_URL}
        )
    return subject_line(rendered_subject), body


def notify(
    *,
    kind: str,
    users: Iterable[User],
    subject: Promise | str,
    context: dict | None = None,
    subject_values: dict | None = None,
    url: str = "",
    email: str | None = None,
) -> list[Notification]:
    """Tell each active person: a notification in the portal, and the e-mail as they chose
    for this kind (queued after commit; digests collect the rest). Subject and body are
    rendered in each person's language. `email` sends to an address other than the person's
    own (a password reset asked for by address). Returns the notifications written."""
    message_kind = get_kind(kind)
    recipients = list({user.pk: user for user in users if user.is_active}.values())
    if not recipients:
        return []
    link = absolute_url(url)
    context = {**(context or {}), "url": link}
    deliveries = deliveries_for([u.pk for u in recipients], message_kind)
    languages = languages_of(u.pk for u in recipients)
    rendered: dict[str, tuple[str, str]] = {}
    notices = []
    now = timezone.now()
    for user in recipients:
        language = languages.get(user.pk) or settings.LANGUAGE_CODE
        if language not in rendered:
            rendered[language] = _render(
                message_kind, language, subject, subject_values or {}, context
            )
        title, body = rendered[language]
        delivery = deliveries[user.pk]
        address = email or user.email
        if delivery == Delivery.IMMEDIATE and address:
            send_mail_after_commit(subject=title, body=body, to=[address])
        if message_kind.secret:
            with translation.override(language):
                body = _("We sent this message to your e-mail address: its link is only there.")
            link_shown = ""
        else:
            link_shown = link
        notices.append(
            Notification(
                user=user,
                kind=message_kind.key,
                title=title,
                body=body,
                url=link_shown,
                delivery=delivery,
                emailed_at=now if delivery == Delivery.IMMEDIATE and address else None,
            )
        )
    return Notification.objects.bulk_create(notices)


# --- digests ----------------------------------------------------------------------------

DIGEST_SUBJECTS = {
    Delivery.DAILY: gettext_lazy("Your daily summary from the Klimaalliancen portal"),
    Delivery.WEEKLY: gettext_lazy("Your weekly summary from the Klimaalliancen portal"),
}


def send_digests(*, delivery: str, now: datetime.datetime | None = None) -> int:
    """One e-mail per person grouping every message of this rhythm since the last digest, in
    their language. Idempotent: a message goes into one digest only (rows locked and marked
    in the same transaction), so a second run or a re-delivered task sends nothing."""
    if delivery not in DIGEST_SUBJECTS:
        raise ValueError(delivery)
    now = now or timezone.now()
    sent = 0
    waiting_users = (
        Notification.objects.filter(delivery=delivery, emailed_at__isnull=True)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
    for user_id in list(waiting_users):
        sent += _send_digest(user_id=user_id, delivery=delivery, now=now)
    return sent


@transaction.atomic
def _send_digest(*, user_id: int, delivery: str, now: datetime.datetime) -> int:
    items = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(user_id=user_id, delivery=delivery, emailed_at__isnull=True)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    if not items:
        return 0
    user = items[0].user
    Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
    if not (user.is_active and user.email):
        return 0
    language = language_of(user)
    with translation.override(language):
        subject = str(DIGEST_SUBJECTS[delivery])
        body = render_to_string(
            "notifications/email/digest.txt",
            {
                "user": user,
                "items": items,
                "delivery": delivery,
                "notifications_url": absolute_url(reverse("notification-list")),
                "preferences_url": absolute_url(reverse("notification-preferences")),
            },
        )
    send_mail_after_commit(subject=subject, body=body, to=[user.email])
    return 1


# --- reading ----------------------------------------------------------------------------


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
