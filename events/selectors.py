"""Reads for the events pages: one visibility rule (`events_for`) used by every list, detail,
search, calendar feed and download."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from partners.models import User

from .models import Event, Material, Registration
from .permissions import visible_events_q

PAST = "past"
UPCOMING = "upcoming"


def events_for(user: User | AnonymousUser) -> QuerySet[Event]:
    """Every event but drafts; drafts too for those who may arrange them."""
    if not user.is_authenticated:
        return Event.objects.none()
    return Event.objects.filter(visible_events_q(user))


def with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    R = Registration.Status
    return events.annotate(
        registered_count=Count("registrations", filter=Q(registrations__status=R.REGISTERED)),
        waiting_count=Count("registrations", filter=Q(registrations__status=R.WAITING)),
    )


def event_list(
    *, user: User | AnonymousUser, when: str = UPCOMING, kind: str = "", dgo_slug: str = ""
) -> QuerySet[Event]:
    now = timezone.now()
    events = events_for(user).select_related("dgo")
    if kind:
        events = events.filter(kind=kind)
    if dgo_slug == "national":
        events = events.filter(dgo__isnull=True)
    elif dgo_slug:
        events = events.filter(dgo__slug=dgo_slug)
    if when == PAST:
        events = events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    else:
        events = events.filter(ends_at__gte=now).order_by("starts_at", "pk")
    return with_counts(events)


def event_get(*, user: User | AnonymousUser, pk: int) -> Event:
    """Raises Event.DoesNotExist for a missing event and for one the user may not see alike."""
    return with_counts(
        events_for(user)
        .select_related("dgo", "created_by")
        .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("added_at")))
    ).get(pk=pk)


def registration_of(*, event: Event, user: User | AnonymousUser) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(event=event, person=user).first()


def waiting_position(*, registration: Registration) -> int:
    """1 for the first on the waiting list."""
    return (
        Registration.objects.filter(
            event_id=registration.event_id,
            status=Registration.Status.WAITING,
        )
        .filter(
            Q(registered_at__lt=registration.registered_at)
            | Q(registered_at=registration.registered_at, pk__lt=registration.pk)
        )
        .count()
        + 1
    )


def participants(*, event: Event) -> QuerySet[Registration]:
    """Registered and waiting people, in order (for the event's managers)."""
    return (
        Registration.objects.filter(event=event)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("person__organisation", "person__municipality")
        .order_by("status", "registered_at", "pk")
    )


def material_get(*, user: User | AnonymousUser, pk: int) -> Material:
    return Material.objects.select_related("event").get(pk=pk, event__in=events_for(user))


def calendar_events(*, user: User) -> QuerySet[Event]:
    """The events the person is registered for or waits for, from a year back (for the
    personal calendar feed)."""
    since = timezone.now() - datetime.timedelta(days=365)
    return (
        Event.objects.visible()
        .filter(
            registrations__person=user,
            registrations__status__in=(
                Registration.Status.REGISTERED,
                Registration.Status.WAITING,
            ),
            starts_at__gte=since,
        )
        .select_related("dgo")
        .order_by("starts_at")
    )


def public_events(*, when: str = UPCOMING) -> QuerySet[Event]:
    """Published and held events for the open pages."""
    now = timezone.now()
    events = Event.objects.public().select_related("dgo")
    if when == PAST:
        return events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    return events.filter(ends_at__gte=now).order_by("starts_at", "pk")


def public_event_get(*, pk: int) -> Event:
    return Event.objects.public().select_related("dgo").get(pk=pk)
