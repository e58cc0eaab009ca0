"""Events' rules: who arranges, publishing invites the target group, seats and the waiting
list, cancellation moves the next up and tells them, the deadline, attendance, materials."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import Notification, OutboxEmail
from events import notices, services
from events.models import Event, Registration
from partners.models import DGO, Municipality
from tests.factories import Role, make_user, role_grant

from .factories import PDF, add_material, make_event

pytestmark = pytest.mark.django_db
R = Registration.Status


@pytest.fixture
def people(role_users):
    return role_users


def _contact(code: str, username: str):
    user = make_user(username=username)
    role_grant(
        user=user,
        role=Role.MUNICIPAL_CONTACT,
        by=None,
        municipality=Municipality.objects.get(code=code),
    )
    return user


def test_who_arranges_which_event(people):
    coordinator = people["coordinator_a"]
    event = make_event(coordinator, state="draft", dgo_slug="midtjylland")
    assert event.status == Event.Status.DRAFT and event.created_by == coordinator
    with pytest.raises(PermissionDenied):  # not their DGO
        make_event(coordinator, state="draft", dgo_slug="hovedstaden")
    with pytest.raises(PermissionDenied):  # national events are the secretariat's
        make_event(coordinator, state="draft")
    with pytest.raises(PermissionDenied):
        make_event(people["knowledge_partner"], state="draft", dgo_slug="midtjylland")
    with pytest.raises(PermissionDenied):
        services.event_publish(event=event, by=people["coordinator_b"])
    assert Event.objects.count() == 1


def test_bad_dates_and_no_place_are_refused_in_danish_and_nothing_is_written(people):
    starts = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as caught:
        services.event_create(
            by=people["secretariat"],
            title="Workshop",
            kind="workshop",
            starts_at=starts,
            ends_at=starts - datetime.timedelta(hours=1),
            location="",
            online_url="",
            registration_deadline=starts + datetime.timedelta(days=1),
        )
    errors = caught.value.message_dict
    assert errors["ends_at"] == ["Arrangementet skal slutte, efter det er begyndt."]
    assert errors["location"] == ["Angiv et sted eller et onlinelink (eller begge)."]
    assert errors["registration_deadline"] == [
        "Tilmeldingen skal lukke, før arrangementet begynder."
    ]
    assert not Event.objects.exists()


def test_publishing_a_national_event_invites_coordinators_and_municipal_contacts(people):
    aarhus = _contact("751", "kontakt-aarhus")
    copenhagen = _contact("101", "kontakt-kbh")
    event = make_event(people["secretariat"], state="draft")
    services.event_publish(event=event, by=people["secretariat"])
    invited = set(
        Notification.objects.filter(kind=notices.INVITATION).values_list(
            "user__username", flat=True
        )
    )
    assert invited == {"coord-a", "coord-b", aarhus.username, copenhagen.username}
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED and event.published_at is not None
    mail = OutboxEmail.objects.filter(to__contains=[aarhus.email]).get()
    assert event.title in mail.subject and f"/arrangementer/{event.pk}/" in mail.body


def test_publishing_a_dgo_event_invites_only_that_dgo(people):
    aarhus = _contact("751", "kontakt-aarhus")
    _contact("101", "kontakt-kbh")
    event = make_event(people["coordinator_a"], state="published", dgo_slug="midtjylland")
    invited = set(
        Notification.objects.filter(kind=notices.INVITATION).values_list(
            "user__username", flat=True
        )
    )
    # The coordinator who published is not told of their own event.
    assert invited == {aarhus.username}
    with pytest.raises(ValidationError, match="udkast"):
        services.event_publish(event=event, by=people["secretariat"])


def test_seats_then_the_waiting_list_and_the_next_moves_up_when_one_cancels(people):
    event = make_event(people["secretariat"], capacity=2)
    first = services.registration_create(event=event, by=people["observer"])
    second = services.registration_create(event=event, by=people["member"])
    third = services.registration_create(event=event, by=people["coordinator_a"])
    fourth = services.registration_create(event=event, by=people["coordinator_b"])
    assert [r.status for r in (first, second, third, fourth)] == [R.REGISTERED, R.REGISTERED,
                                                                 R.WAITING, R.WAITING]  # fmt: skip
    with pytest.raises(ValidationError, match="venteliste"):
        services.registration_create(event=event, by=people["coordinator_a"])

    services.registration_cancel(event=event, by=people["member"])
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert third.status == R.REGISTERED and fourth.status == R.WAITING
    told = Notification.objects.filter(kind=notices.MOVED_UP)
    assert list(told.values_list("user__username", flat=True)) == ["coord-a"]
    assert Registration.objects.filter(event=event, status=R.REGISTERED).count() == 2

    # Leaving the waiting list frees no seat: nobody moves up.
    services.registration_cancel(event=event, by=people["coordinator_b"])
    assert told.count() == 1
    # Registering again after cancelling joins the end of the queue.
    again = services.registration_create(event=event, by=people["member"])
    assert again.pk == second.pk and again.status == R.WAITING


def test_more_seats_move_the_waiting_up(people):
    event = make_event(people["secretariat"], capacity=1)
    services.registration_create(event=event, by=people["observer"])
    waiting = services.registration_create(event=event, by=people["member"])
    services.event_update(event=event, by=people["secretariat"], capacity=2)
    waiting.refresh_from_db()
    assert waiting.status == R.REGISTERED
    assert Notification.objects.filter(kind=notices.MOVED_UP, user=people["member"]).exists()


def test_registration_closes_at_the_deadline_and_only_for_published_events(people):
    event = make_event(people["secretariat"], state="draft")
    with pytest.raises(ValidationError, match="offentliggjorte"):
        services.registration_create(event=event, by=people["observer"])
    event = make_event(people["secretariat"])
    Event.objects.filter(pk=event.pk).update(
        registration_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="lukket"):
        services.registration_create(event=event, by=people["observer"])
    assert not Registration.objects.exists()


def test_cancelling_the_event_tells_those_registered_and_waiting(people):
    event = make_event(people["secretariat"], capacity=1)
    services.registration_create(event=event, by=people["observer"])
    services.registration_create(event=event, by=people["member"])
    services.event_cancel(event=event, by=people["secretariat"], reason="Sygdom")
    told = set(
        Notification.objects.filter(kind=notices.CANCELLED).values_list("user__username", flat=True)
    )
    assert told == {"observer", "member"}
    with pytest.raises(ValidationError):
        services.registration_create(event=event, by=people["coordinator_a"])


def test_attendance_and_materials_after_the_event(people):
    event = make_event(people["secretariat"], dgo_slug="midtjylland")
    with pytest.raises(ValidationError, match="begyndt"):
        services.event_mark_held(event=event, by=people["secretariat"])
    came = services.registration_create(event=event, by=people["observer"])
    absent = services.registration_create(event=event, by=people["member"])
    with pytest.raises(ValidationError, match="afholdt"):
        add_material(event, people["secretariat"])
    held = make_event(people["secretariat"], state="held", dgo_slug="midtjylland")
    Registration.objects.filter(pk__in=[came.pk, absent.pk]).update(event=held)
    with pytest.raises(PermissionDenied):
        services.attendance_record(event=held, by=people["coordinator_b"], attended={came.pk})
    assert (
        services.attendance_record(event=held, by=people["coordinator_a"], attended={came.pk}) == 1
    )
    came.refresh_from_db()
    absent.refresh_from_db()
    assert came.attended is True and absent.attended is False
    with pytest.raises(ValidationError):
        services.attendance_record(event=held, by=people["secretariat"], attended={999_999})
    material = add_material(held, people["coordinator_a"])
    assert material.original_name == "slides.pdf" and material.file.name.startswith("events/")
    with pytest.raises(ValidationError):
        services.material_add(
            event=held,
            by=people["secretariat"],
            title="Falsk",
            upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00" + PDF),
        )
    assert held.materials.count() == 1


def test_a_coordinator_cannot_move_an_event_to_another_dgo(people):
    event = make_event(people["coordinator_a"], state="draft", dgo_slug="midtjylland")
    with pytest.raises(PermissionDenied):
        services.event_update(
            event=event, by=people["coordinator_a"], dgo=DGO.objects.get(slug="hovedstaden")
        )
