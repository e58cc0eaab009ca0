"""Writes for events: every change goes through these functions (views, admin, demo, tests).

Seats are counted with the event's row locked (`_lock`), so two people registering for the
last seat at the same time get one seat and one place on the waiting list, and a cancellation
moves exactly one waiting person up.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.files import check_paper
from core.locking import lock_for_edit
from core.notifications import notify
from partners.models import DGO, RoleAssignment, User

from . import notices
from . import permissions as perms
from .models import EDITABLE_STATES, Event, Material, Registration

S = Event.Status
R = Registration.Status
Role = RoleAssignment.Role

EVENT_FIELDS = (
    "title",
    "description",
    "kind",
    "dgo",
    "starts_at",
    "ends_at",
    "location",
    "online_url",
    "capacity",
    "registration_deadline",
)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _lock(event: Event) -> Event:
    """The event's row, locked until the transaction ends: the seats are counted under it."""
    return Event.objects.select_for_update().get(pk=event.pk)


def _require_state(event: Event, states: tuple[str, ...], message: str) -> None:
    if event.status not in states:
        raise ValidationError(message, code="state")


def event_check_editable(*, event: Event) -> None:
    """A held or cancelled event is a record: its details are not changed (the edit page asks
    this before showing the form; event_update asks it again under the row lock)."""
    _require_state(event, EDITABLE_STATES, _("A cancelled or held event is not changed."))


def attendance_check_open(*, event: Event) -> None:
    """Attendance is recorded for a held event (the page asks first, attendance_record again
    under the row lock)."""
    _require_state(event, (Event.Status.HELD,), _("Attendance is recorded once the event is held."))


def _check_fields(event: Event) -> None:
    """The rules of an event's fields, as Danish messages on the fields they concern."""
    errors: dict[str, str] = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = _("The event must end after it starts.")
    if not event.location.strip() and not event.online_url:
        errors["location"] = _("Give a place or an online link (or both).")
    if (
        event.registration_deadline
        and event.starts_at
        and event.registration_deadline > event.starts_at
    ):
        errors["registration_deadline"] = _("Registration must close before the event starts.")
    if errors:
        raise ValidationError(errors)
    event.full_clean()


def _require_may_arrange(by: User, dgo: DGO | None) -> None:
    if dgo is None:
        _require(
            perms.can_create_national_event(by), _("The secretariat arranges national events.")
        )
    else:
        _require(
            perms.can_create_event(by, dgo),
            _("A DGO's events are arranged by its coordinators and the secretariat."),
        )


@transaction.atomic
def event_create(*, by: User, **fields) -> Event:
    """A draft event. Nobody is told until it is published."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    _require_may_arrange(by, fields.get("dgo"))
    event = Event(created_by=by, **fields)
    event.title = event.title.strip()
    _check_fields(event)
    event.save()
    return event


@transaction.atomic
def event_update(*, event: Event, by: User, expected_version: str | None = None, **fields) -> Event:
    """Change a draft or published event. More seats move waiting people up.
    `expected_version`: the version the edit form was based on (core.locking)."""
    event = lock_for_edit(event, expected_version)
    _require(perms.can_manage_event(by, event), _(perms.MANAGERS_ONLY))
    event_check_editable(event=event)
    if "dgo" in fields and fields["dgo"] != event.dgo:
        _require_may_arrange(by, fields["dgo"])
    for name, value in fields.items():
        if name not in EVENT_FIELDS:
            raise TypeError(f"unknown event field: {name}")
        setattr(event, name, value)
    _check_fields(event)
    event.save()
    if event.status == S.PUBLISHED:
        _fill_seats(event)
    return event


def invitees(event: Event) -> QuerySet[User]:
    """Who is invited when an event is published.

    A national event: every DGO coordinator and every municipal contact person (they pass it
    on in their municipality). A DGO's event: that DGO's coordinators and the contact persons
    of its municipalities. Only people with an active role; the one who publishes is left out.
    """
    active = RoleAssignment.objects.active()
    if event.dgo_id is None:
        roles = active.filter(role__in=(Role.DGO_COORDINATOR, Role.MUNICIPAL_CONTACT))
    else:
        roles = active.filter(
            Q(role=Role.DGO_COORDINATOR, dgo_id=event.dgo_id)
            | Q(role=Role.MUNICIPAL_CONTACT, municipality__dgo_id=event.dgo_id)
        )
    return User.objects.filter(is_active=True, pk__in=roles.values("user_id")).order_by("pk")


@transaction.atomic
def event_publish(*, event: Event, by: User) -> Event:
    """Publish a draft: it shows to every signed-in person and on the open pages, and its
    target group (`invitees`) is invited."""
    event = _lock(event)
    _require(perms.can_manage_event(by, event), _(perms.MANAGERS_ONLY))
    _require_state(event, (S.DRAFT,), _("Only a draft is published."))
    if event.registration_closes_at() <= timezone.now():
        raise ValidationError(
            _("The event's registration has closed: move the dates before publishing."),
            code="past",
        )
    event.status = S.PUBLISHED
    event.published_at = timezone.now()
    event.save(update_fields=["status", "published_at"])
    notify(
        kind=notices.INVITATION,
        users=invitees(event).exclude(pk=by.pk),
        subject=gettext_lazy("Invitation: %(title)s"),
        subject_values={"title": event.title},
        context={"event": event},
        url=event.get_absolute_url(),
    )
    return event


@transaction.atomic
def event_cancel(*, event: Event, by: User, reason: str = "") -> Event:
    """Cancel a published (or draft) event; everyone registered or waiting is told."""
    event = _lock(event)
    _require(perms.can_manage_event(by, event), _(perms.MANAGERS_ONLY))
    _require_state(
        event, (S.DRAFT, S.PUBLISHED), _("Only a draft or published event is cancelled.")
    )
    was_published = event.status == S.PUBLISHED
    event.status = S.CANCELLED
    event.cancel_reason = reason.strip()
    event.save(update_fields=["status", "cancel_reason"])
    if was_published:
        people = User.objects.filter(
            event_registrations__event=event,
            event_registrations__status__in=(R.REGISTERED, R.WAITING),
        )
        notify(
            kind=notices.CANCELLED,
            users=people,
            subject=gettext_lazy("Cancelled: %(title)s"),
            subject_values={"title": event.title},
            context={"event": event},
            url=event.get_absolute_url(),
        )
    return event


@transaction.atomic
def event_mark_held(*, event: Event, by: User) -> Event:
    """The event took place: attendance and materials may now be recorded."""
    event = _lock(event)
    _require(perms.can_manage_event(by, event), _(perms.MANAGERS_ONLY))
    _require_state(event, (S.PUBLISHED,), _("Only a published event is marked as held."))
    if event.starts_at > timezone.now():
        raise ValidationError(_("An event is marked as held once it has started."), code="early")
    event.status = S.HELD
    event.save(update_fields=["status"])
    return event


# --- registration ------------------------------------------------------------------------


def _seats_taken(event: Event) -> int:
    return Registration.objects.filter(event=event, status=R.REGISTERED).count()


def _has_seat(event: Event) -> bool:
    """Call with the event locked."""
    return event.capacity is None or _seats_taken(event) < event.capacity


@transaction.atomic
def registration_create(*, event: Event, by: User) -> Registration:
    """Register `by` for a published event before its registration closes: a seat while there
    are any, else the end of the waiting list. Counted under the event's lock."""
    event = _lock(event)
    _require(by.is_authenticated and by.is_active, _("Sign in to register."))
    _require_state(event, (S.PUBLISHED,), _("Registration is open only for published events."))
    if event.registration_closes_at() <= timezone.now():
        raise ValidationError(_("Registration for this event has closed."), code="closed")
    registration = Registration.objects.filter(event=event, person=by).first()
    if registration is not None and registration.status != R.CANCELLED:
        raise ValidationError(
            _("You are already registered for this event.")
            if registration.status == R.REGISTERED
            else _("You are already on the waiting list."),
            code="twice",
        )
    status = R.REGISTERED if _has_seat(event) else R.WAITING
    if registration is None:
        registration = Registration(event=event, person=by, status=status)
    else:
        registration.status = status
        registration.registered_at = timezone.now()
        registration.cancelled_at = None
    registration.save()
    return registration


@transaction.atomic
def registration_cancel(*, event: Event, by: User, person: User | None = None) -> Registration:
    """Cancel `person`'s registration (the person themselves, or the event's managers for
    them). A freed seat goes to the first on the waiting list, who is told."""
    person = person or by
    event = _lock(event)
    if person.pk != by.pk:
        _require(perms.can_manage_event(by, event), _(perms.MANAGERS_ONLY))
    _require_state(
        event, (S.PUBLISHED,), _("Registrations are cancelled only for published events.")
    )
    registration = (
        Registration.objects.filter(event=event, person=person).exclude(status=R.CANCELLED).first()
    )
    if registration is None:
        raise ValidationError(_("There is no registration to cancel."), code="none")
    registration.status = R.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    _fill_seats(event)
    return registration


def _fill_seats(event: Event) -> list[Registration]:
    """Move waiting people up into free seats, first come first served, and tell them.
    Call with the event locked."""
    moved = []
    while event.capacity is None or _seats_taken(event) < event.capacity:
        first = (
            Registration.objects.filter(event=event, status=R.WAITING)
            .select_related("person")
            .order_by("registered_at", "pk")
            .first()
        )
        if first is None:
            break
        first.status = R.REGISTERED
        first.save(update_fields=["status"])
        moved.append(first)
        notify(
            kind=notices.MOVED_UP,
            users=[first.person],
            subject=gettext_lazy("You have a seat: %(title)s"),
            subject_values={"title": event.title},
            context={"event": event},
            url=event.get_absolute_url(),
        )
    return moved


# --- after the event ---------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, event: Event, by: User, attended: set[int]) -> int:
    """Record who came (`attended`: registration ids); every other registered person is
    recorded as absent. Returns how many came."""
    event = _lock(event)
    _require(perms.can_manage_event(by, event), _(perms.MANAGERS_ONLY))
    attendance_check_open(event=event)
    registered = Registration.objects.filter(event=event, status=R.REGISTERED)
    unknown = set(attended) - set(registered.values_list("pk", flat=True))
    if unknown:
        raise ValidationError(_("Choose among the registered participants."), code="unknown")
    came = 0
    for registration in registered:
        value = registration.pk in attended
        came += value
        if registration.attended is not value:
            registration.attended = value
            registration.save(update_fields=["attended"])
    return came


@transaction.atomic
def material_add(*, event: Event, by: User, title: str, upload: UploadedFile) -> Material:
    """Add a file from a held event, checked like meeting papers (size, type by content)."""
    event = _lock(event)
    _require(perms.can_manage_event(by, event), _(perms.MANAGERS_ONLY))
    _require_state(event, (S.HELD,), _("Materials are added once the event is held."))
    checked = check_paper(upload)
    material = Material(
        event=event,
        title=title.strip() or checked.original_name,
        original_name=checked.original_name,
        size=checked.size,
        content_type=checked.content_type,
        added_by=by,
    )
    upload.seek(0)
    material.file.save(checked.stored_name, upload, save=False)
    material.full_clean()
    material.save()
    return material
