"""Events for tests, made through the services as in production."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from events import services
from events.models import Event
from partners.models import DGO

PDF = b"%PDF-1.4\n%demo\n"


def make_event(
    by,
    *,
    state: str = "published",
    dgo_slug: str | None = None,
    capacity: int | None = 30,
    days: int = 14,
    title: str = "Netværksmøde om varmeplaner",
    **fields,
) -> Event:
    """An event in `state` (draft, published, held, cancelled), `days` from now (a held
    event is moved into the past after publishing)."""
    starts = timezone.now() + datetime.timedelta(days=days)
    values = {
        "title": title,
        "kind": Event.Kind.NETWORK_MEETING,
        "dgo": DGO.objects.get(slug=dgo_slug) if dgo_slug else None,
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=3),
        "location": "Aarhus Rådhus",
        "capacity": capacity,
        **fields,
    }
    event = services.event_create(by=by, **values)
    if state == "draft":
        return event
    services.event_publish(event=event, by=by)
    if state == "cancelled":
        return services.event_cancel(event=event, by=by, reason="For få tilmeldte")
    if state == "held":
        past = timezone.now() - datetime.timedelta(days=2)
        Event.objects.filter(pk=event.pk).update(
            starts_at=past, ends_at=past + datetime.timedelta(hours=3)
        )
        event.refresh_from_db()
        return services.event_mark_held(event=event, by=by)
    return event


def add_material(event: Event, by) -> object:
    upload = SimpleUploadedFile("slides.pdf", PDF, content_type="application/pdf")
    return services.material_add(event=event, by=by, title="Slides", upload=upload)
