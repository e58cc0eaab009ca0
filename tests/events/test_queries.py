"""The events pages cost the same number of queries with ten times the events, registrations
and materials (and never more than the portal's MAX_QUERIES)."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event
from tests.factories import make_user
from tests.test_query_scaling import MAX_QUERIES

from .factories import add_material, make_event

pytestmark = pytest.mark.django_db


def _data(users, scale: int) -> dict:
    """`scale` x: events (national and Midtjylland's), people registered and waiting for one
    event, and a held event with attendance and materials."""
    secretariat = users["secretariat"]
    for n in range(3 * scale):
        make_event(secretariat, dgo_slug="midtjylland" if n % 2 else None, title=f"Møde {n}")
    full = make_event(secretariat, capacity=2 * scale, dgo_slug="midtjylland", title="Fuldt")
    held = make_event(secretariat, capacity=None, dgo_slug="midtjylland", title="Afholdt")
    for i in range(5 * scale):
        person = make_user(username=f"deltager-{scale}-{i}")
        services.registration_create(event=full, by=person)
        services.registration_create(event=held, by=person)
    services.registration_create(event=full, by=users["coordinator_a"])  # waiting
    past = timezone.now() - datetime.timedelta(days=1)
    Event.objects.filter(pk=held.pk).update(
        starts_at=past, ends_at=past + datetime.timedelta(hours=2)
    )
    held.refresh_from_db()
    services.event_mark_held(event=held, by=secretariat)
    for _ in range(scale):
        add_material(held, secretariat)
    return {"full": full.pk, "held": held.pk}


def _pages(ids: dict) -> list[tuple[str, str]]:
    return [
        ("secretariat", reverse("event-list")),
        ("coordinator_a", reverse("event-list")),
        ("member", reverse("event-list") + "?when=past"),
        ("secretariat", reverse("event-detail", args=[ids["full"]])),
        ("coordinator_a", reverse("event-detail", args=[ids["full"]])),
        ("member", reverse("event-detail", args=[ids["held"]])),
        ("secretariat", reverse("event-detail", args=[ids["held"]])),
        ("secretariat", reverse("event-attendance", args=[ids["held"]])),
        ("anonymous", reverse("public-event-list")),
        ("anonymous", reverse("public-event-list") + "?when=past"),
        ("anonymous", reverse("public-event-detail", args=[ids["full"]])),
    ]


def _measure(client_for, users, scale: int) -> dict[str, int]:
    ids = _data(users, scale)
    counts = {}
    for index, (role, url) in enumerate(_pages(ids)):
        client = client_for(role)
        client.get(url)  # warm the per-process caches (content types, session)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        counts[f"{index}: {role} {url}".split("/arrangementer/")[0]] = len(queries)
    return counts


def test_events_pages_do_not_grow_with_the_data(client_for, role_users):
    with transaction.atomic():
        small = _measure(client_for, role_users, 1)
        transaction.set_rollback(True)
    large = _measure(client_for, role_users, 10)
    assert large == small, (small, large)
    assert max(large.values()) <= MAX_QUERIES, large
