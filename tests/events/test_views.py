"""The events pages: creating with Danish errors, registering and the waiting list in the
browser's requests, the open pages' Tilmeld button, the calendar feed and materials."""

import datetime
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.models import Event, Registration
from governance import services as governance_services
from governance.calendar import portal_host

from .factories import PDF, make_event

pytestmark = pytest.mark.django_db


def _form(**overrides) -> dict:
    starts = timezone.localtime() + datetime.timedelta(days=20)
    return {
        "title": "Workshop om lavbundsjorder",
        "kind": "workshop",
        "dgo": "",
        "description": "Erfaringer fra tre kommuner.",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "location": "Viborg",
        "online_url": "",
        "capacity": "40",
        "registration_deadline": "",
        **overrides,
    }


def test_a_coordinator_creates_and_publishes_an_event_of_their_dgo(client_for, role_users):
    from partners.models import DGO

    client = client_for("coordinator_a")
    midt = DGO.objects.get(slug="midtjylland")
    # Their form offers only their own DGO, no national choice.
    page = client.get(reverse("event-create")).content.decode()
    assert "Nationalt (hele partnerskabet)" not in page and "Hovedstaden" not in page
    response = client.post(reverse("event-create"), _form(dgo=str(midt.pk)))
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == event.get_absolute_url()
    assert event.dgo == midt and event.status == "draft" and event.created_by.username == "coord-a"
    response = client.post(reverse("event-publish", args=[event.pk]), follow=True)
    assert "Arrangementet er offentliggjort" in unescape(response.content.decode())
    event.refresh_from_db()
    assert event.status == "published"


def test_bad_input_shows_danish_messages_and_writes_nothing(client_for):
    client = client_for("secretariat")
    response = client.post(
        reverse("event-create"),
        _form(location="", ends_at=_form()["starts_at"], capacity="0"),
    )
    text = unescape(response.content.decode())
    assert response.status_code == 400
    assert "Arrangementet skal slutte, efter det er begyndt." in text
    assert "Angiv et sted eller et onlinelink (eller begge)." in text
    assert not Event.objects.exists()


def test_registering_the_waiting_list_and_moving_up(client_for, role_users):
    event = make_event(role_users["secretariat"], capacity=1)
    url = reverse("event-register", args=[event.pk])
    first = client_for("coordinator_a").post(url, follow=True)
    assert "Du er tilmeldt." in unescape(first.content.decode())
    client = client_for("coordinator_b")
    second = unescape(client.post(url, follow=True).content.decode())
    assert "du står på ventelisten" in second
    assert "Du er nummer 1 på ventelisten." in second
    client_for("coordinator_a").post(reverse("event-unregister", args=[event.pk]))
    page = unescape(client_for("coordinator_b").get(event.get_absolute_url()).content.decode())
    assert "Du er tilmeldt." in page
    assert Registration.objects.get(person=role_users["coordinator_b"]).status == "registered"
    # The arrangers see the participants; others do not.
    assert "Deltagere" in client_for("secretariat").get(event.get_absolute_url()).content.decode()
    assert "Deltagere" not in client_for("member").get(event.get_absolute_url()).content.decode()


def test_the_open_pages_list_published_events_and_tilmeld_leads_to_sign_in(client, role_users):
    event = make_event(role_users["secretariat"], title="Klimakonference 2027")
    draft = make_event(role_users["secretariat"], state="draft", title="Hemmeligt udkast")
    listing = client.get(reverse("public-event-list")).content.decode()
    assert "Klimakonference 2027" in listing and "Hemmeligt udkast" not in listing
    assert client.get(reverse("public-event-detail", args=[draft.pk])).status_code == 404
    detail = client.get(reverse("public-event-detail", args=[event.pk])).content.decode()
    target = reverse("event-detail", args=[event.pk])
    assert f'href="{target}#tilmelding"' in detail and ">Tilmeld<" in detail
    response = client.get(target)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert f"next={target}".replace("/", "%2F") in response.url or f"next={target}" in response.url


def test_registered_events_are_in_the_personal_calendar_feed(client_for, role_users, settings):
    event = make_event(
        role_users["secretariat"], capacity=1, online_url="https://meet.example.dk/x"
    )
    make_event(role_users["secretariat"], title="Ikke tilmeldt")
    client_for("member").post(reverse("event-register", args=[event.pk]))
    feed = governance_services.calendar_feed_regenerate(user=role_users["member"])
    response = Client().get(feed.get_absolute_url())
    entries = Calendar.from_ical(response.content).walk("VEVENT")
    host = portal_host(settings.PORTAL_BASE_URL)
    assert [str(e["uid"]) for e in entries] == [f"event-{event.pk}@{host}"]
    assert str(entries[0]["status"]) == "CONFIRMED"
    assert "https://meet.example.dk/x" in str(entries[0]["description"])
    # Someone on the waiting list has it as tentative.
    client_for("observer").post(reverse("event-register", args=[event.pk]))
    feed = governance_services.calendar_feed_regenerate(user=role_users["observer"])
    entries = Calendar.from_ical(Client().get(feed.get_absolute_url()).content).walk("VEVENT")
    assert [str(e["status"]) for e in entries] == ["TENTATIVE"]


def test_materials_are_uploaded_after_the_event_and_downloaded_signed_in(client_for, role_users):
    event = make_event(role_users["secretariat"], state="held", dgo_slug="midtjylland")
    client = client_for("coordinator_a")
    response = client.post(
        reverse("event-material-add", args=[event.pk]),
        {"title": "Oplæg", "file": SimpleUploadedFile("../../oplæg.pdf", PDF)},
    )
    assert response.status_code == 302
    material = event.materials.get()
    assert material.original_name == "oplæg.pdf"
    download = client_for("member").get(material.get_absolute_url())
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert Client().get(material.get_absolute_url()).status_code == 302


def test_attendance_is_recorded_on_its_page(client_for, role_users):
    from events import services

    event = make_event(role_users["secretariat"])
    came = services.registration_create(event=event, by=role_users["member"])
    services.registration_create(event=event, by=role_users["observer"])
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=5),
        ends_at=timezone.now() - datetime.timedelta(hours=2),
        registration_deadline=None,
    )
    client = client_for("secretariat")
    client.post(reverse("event-held", args=[event.pk]))
    response = client.post(reverse("event-attendance", args=[event.pk]), {"attended": [came.pk]})
    assert response.status_code == 302
    assert dict(Registration.objects.values_list("person__username", "attended")) == {
        "member": True,
        "observer": False,
    }


def test_global_search_finds_published_events_and_drafts_only_for_their_arrangers(
    client_for, role_users
):
    make_event(role_users["secretariat"], title="Biogaskonference")
    make_event(role_users["coordinator_a"], state="draft", dgo_slug="midtjylland",
               title="Biogas-udkast")  # fmt: skip

    def titles(role):
        response = client_for(role).get("/search/", {"q": "biogas"})
        return sorted(r.title for group in response.context["groups"].values() for r in group)

    assert titles("member") == ["Biogaskonference"]
    assert titles("coordinator_a") == ["Biogas-udkast", "Biogaskonference"]


def test_writes_are_in_the_audit_trail_with_who_made_them(client_for, role_users):
    from auditlog.models import LogEntry

    event = make_event(role_users["secretariat"])
    client_for("member").post(reverse("event-register", args=[event.pk]))
    registration = Registration.objects.get()
    entry = LogEntry.objects.get_for_object(registration).get()
    assert entry.actor == role_users["member"] and entry.action == LogEntry.Action.CREATE
