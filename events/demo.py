"""Demo content for `make run`: a national conference with seats to spare, a full workshop of
DGO Midtjylland with a waiting list (`koordinator-midt` meets it), a network meeting held
last month with attendance and slides, a draft of DGO Hovedstaden and a cancelled webinar.

Runs after partners' demo (the logins exist). Everything goes through the services, as in
production, except moving the held meeting into the past (a service never back-dates).
Idempotent: once any event exists, nothing is added.
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from partners.models import DGO, User

from . import services
from .models import Event

K = Event.Kind
SLIDES = b"%PDF-1.4\n%Klimaalliancen demo\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _event(by: User, *, days: int, hours: int = 3, **fields) -> Event:
    starts = _at(days, 10)
    return services.event_create(
        by=by, starts_at=starts, ends_at=starts + datetime.timedelta(hours=hours), **fields
    )


def seed() -> list[str]:
    people = {u.username: u for u in User.objects.filter(username__in=(
        "sekretariat", "koordinator-midt", "koordinator-hovedstaden", "fu-medlem", "observator",
        "videnspartner", "realdania",
    ))}  # fmt: skip
    if "sekretariat" not in people or Event.objects.exists():
        return []
    secretariat = people["sekretariat"]
    midt, hovedstaden = DGO.objects.get(slug="midtjylland"), DGO.objects.get(slug="hovedstaden")
    created = []

    conference = _event(
        secretariat,
        days=45,
        hours=6,
        title="Klimaalliancens årskonference",
        kind=K.CONFERENCE,
        description="Status på partnerskabet, resultater fra udviklingssporene og "
        "workshops om de næste skridt. (Demo-arrangement.)",
        location="Musikhuset Aarhus",
        online_url="https://example.dk/livestream",
        capacity=200,
        registration_deadline=_at(30, 12),
    )
    services.event_publish(event=conference, by=secretariat)
    for username in ("fu-medlem", "observator", "videnspartner"):
        services.registration_create(event=conference, by=people[username])
    created.append(f"event:{conference.pk}")

    workshop = _event(
        people["koordinator-midt"],
        days=12,
        title="Workshop: lavbundsjorder i Midtjylland",
        kind=K.WORKSHOP,
        dgo=midt,
        description="Erfaringer med udtagning af lavbundsjorder fra tre kommuner.",
        location="Viborg Rådhus, mødelokale 2",
        capacity=3,
    )
    services.event_publish(event=workshop, by=people["koordinator-midt"])
    for username in ("videnspartner", "fu-medlem", "observator", "realdania"):
        services.registration_create(event=workshop, by=people[username])  # the last waits
    created.append(f"event:{workshop.pk}")

    network = _event(
        secretariat,
        days=10,
        hours=2,
        title="Netværksmøde for klimakoordinatorer",
        kind=K.NETWORK_MEETING,
        description="Fælles udfordringer i monitoreringsrunden og erfaringer med "
        "klimahandlingsplanerne.",
        location="KL-huset, København",
        capacity=30,
    )
    services.event_publish(event=network, by=secretariat)
    registrations = [
        services.registration_create(event=network, by=people[username])
        for username in ("koordinator-midt", "koordinator-hovedstaden", "videnspartner")
    ]
    # The meeting was held last month: moved back once everyone had registered.
    past = _at(-30, 13)
    Event.objects.filter(pk=network.pk).update(
        starts_at=past, ends_at=past + datetime.timedelta(hours=2)
    )
    network.refresh_from_db()
    services.event_mark_held(event=network, by=secretariat)
    services.attendance_record(
        event=network, by=secretariat, attended={r.pk for r in registrations[:2]}
    )
    services.material_add(
        event=network,
        by=secretariat,
        title="Oplæg: monitoreringsrunden 2026",
        upload=ContentFile(SLIDES, name="oplaeg-monitorering.pdf"),
    )
    created.append(f"event:{network.pk}")

    draft = _event(
        people["koordinator-hovedstaden"],
        days=60,
        title="Konference om skybrudssikring i hovedstadsområdet",
        kind=K.CONFERENCE,
        dgo=hovedstaden,
        location="Københavns Rådhus",
        capacity=80,
    )
    created.append(f"event:{draft.pk}")

    webinar = _event(
        secretariat,
        days=20,
        hours=1,
        title="Webinar: forbrugsbaserede udledninger",
        kind=K.WORKSHOP,
        online_url="https://example.dk/webinar",
        capacity=None,
    )
    services.event_publish(event=webinar, by=secretariat)
    services.registration_create(event=webinar, by=people["koordinator-midt"])
    services.event_cancel(
        event=webinar, by=secretariat, reason="Flyttes til årskonferencen. (Demo.)"
    )
    created.append(f"event:{webinar.pk}")
    return created
