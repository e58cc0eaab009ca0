"""Writes to the governance app. Views, admin, API, demo and other apps call these, never the ORM.

Decisions follow §8: adopted only when every voting seat votes yes. Every write that depends on
a decision's votes (casting a vote, calling in a substitute, closing) holds the lock on the
decision row (`select_for_update`) for its whole read-check-write, so two concurrent requests
see each other's result and a closed decision never changes.

Other apps react to outcomes through `register_decision_outcome_handler`; see its docstring.
"""

import datetime
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm, remove_perm

from core.files import check_paper
from core.locking import StaleEdit, edit_version, is_stale, lock_for_edit, refuse_if_stale
from core.notifications import notify
from partners.models import DGO, Organisation, User

from . import notices
from .models import (
    CHAIR_ROLES,
    VOTING_ROLES,
    Absence,
    AgendaChange,
    AgendaItem,
    Attendance,
    Body,
    CalendarFeed,
    Decision,
    DecisionComment,
    Meeting,
    Membership,
    Paper,
    SeatRole,
    SeatRule,
    SubstituteCall,
    Vote,
)
from .permissions import (
    ABSENCE_REFUSED,
    CLOSE_REFUSED,
    COMMENT_REFUSED,
    COMPOSITION_REFUSED,
    DECISION_CLOSED,
    MANAGERS_ONLY,
    RECORD_VOTES_REFUSED,
    SEAT_RULES_REFUSED,
    SEATS_REFUSED,
    SUBSTITUTES_REFUSED,
    can_appoint,
    can_approve_minutes,
    can_comment,
    can_edit_composition,
    can_manage_body,
    can_manage_decisions,
    can_record_votes,
    can_vote,
    deadline_passed_reason,
    forget_body_access,
)
from .selectors import composition_version

logger = logging.getLogger(__name__)
Status = Decision.Status
SEAT_ENDS_BEFORE_START = gettext_lazy("A seat cannot end before it starts.")


class Conflict(Exception):
    """The request is valid but the state forbids it: a closed decision, a seat that voted."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Memberships ------------------------------------------------------------------------------


def _sync_body_permissions(person: User, body: Body) -> None:
    """Grant or remove the person's guardian permissions on the body to match current seats."""
    today = timezone.localdate()
    # Seats not ended by today (an end date is the first day without the seat).
    seats = Membership.objects.filter(person=person, body=body).exclude(ends_on__lte=today)
    if seats.exists():
        assign_perm("governance.view_body_content", person, body)
    else:
        remove_perm("governance.view_body_content", person, body)
    if seats.filter(seat_role__in=CHAIR_ROLES).exists():
        assign_perm("governance.chair_body", person, body)
    else:
        remove_perm("governance.chair_body", person, body)
    forget_body_access(person)


def _in_period(seats: models.QuerySet, starts_on: datetime.date, ends_on: datetime.date | None):
    """The seats that count on some day of [starts_on, ends_on) (ends_on None: open-ended)."""
    seats = seats.filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gt=starts_on))
    if ends_on is not None:
        seats = seats.filter(starts_on__lt=ends_on)
    return seats


def _seat_errors(membership: Membership, *, check_rules: bool) -> dict[str, str]:
    """What is wrong with a new or changed seat, by form field (None: the whole seat)."""
    from .composition import seat_refusal

    body, person = membership.body, membership.person
    errors: dict[str, str] = {}
    if membership.ends_on is not None and membership.ends_on < membership.starts_on:
        errors["ends_on"] = str(SEAT_ENDS_BEFORE_START)
        return errors
    substitute_for = membership.substitute_for
    if membership.seat_role == SeatRole.SUBSTITUTE:
        if substitute_for is None:
            errors["substitute_for"] = _("A substitute stands in for a named member.")
        elif substitute_for.body_id != body.pk or substitute_for.seat_role not in VOTING_ROLES:
            errors["substitute_for"] = _(
                "A substitute stands in for a voting member of the same body."
            )
        elif not substitute_for.is_active_on(membership.starts_on):
            errors["substitute_for"] = _("The member is not seated when the substitute starts.")
        elif substitute_for.person_id == person.pk:
            errors["substitute_for"] = _("A person cannot stand in for themselves.")
    elif substitute_for is not None:
        errors["substitute_for"] = _("Only a substitute stands in for a member.")
    geography, appointed_by = membership.geography, membership.appointed_by
    kinds = (Organisation.Kind.REGION, Organisation.Kind.KKR)
    if (
        geography is not None
        and appointed_by.kind in kinds
        and appointed_by.region_code != geography.region_code
    ):
        errors["geography"] = _("A region or KKR appoints for its own geography only.")
    others = Membership.objects.filter(body=body).exclude(pk=membership.pk)
    if _in_period(others.filter(person=person), membership.starts_on, membership.ends_on).exists():
        errors["person"] = _("%(person)s already holds a seat in %(body)s in this period.") % {
            "person": person,
            "body": body.short_name,
        }
    if membership.seat_role in CHAIR_ROLES:
        holder = (
            _in_period(
                others.filter(seat_role=membership.seat_role),
                membership.starts_on,
                membership.ends_on,
            )
            .select_related("person")
            .first()
        )
        if holder is not None:
            errors["seat_role"] = _(
                "%(body)s has one %(seat)s: %(person)s holds the seat in this period. End that "
                "seat first."
            ) % {
                "body": body.short_name,
                "seat": membership.get_seat_role_display().lower(),
                "person": holder.person,
            }
            rules = body.seat_rules.filter(seat=membership.seat_role).values_list(
                "label", flat=True
            )
            if rules:
                errors["seat_role"] += " (" + "; ".join(rules) + ")"
    if check_rules and not errors:
        refusal = seat_refusal(membership)
        if refusal:
            errors[NON_FIELD_ERRORS] = refusal
    return errors


def membership_check_add(
    *,
    body: Body,
    person: User,
    seat_role: str,
    appointed_by: Organisation,
    by: User | None,
    geography: DGO | None = None,
    substitute_for: Membership | None = None,
    capacity: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    check_rules: bool = True,
) -> Membership:
    """The seat membership_add would write, unsaved, or a ValidationError saying in words what
    is wrong (by field; the composition rules' text on the whole seat). Forms that cannot show
    a service's error after their own validation (the Django admin) call it in `clean`;
    membership_add repeats it under the body's row lock, so it is never the last word."""
    if not can_appoint(by, body):
        raise PermissionDenied(str(SEATS_REFUSED))
    membership = Membership(
        body=body,
        person=person,
        seat_role=seat_role,
        appointed_by=appointed_by,
        geography=geography,
        substitute_for=substitute_for,
        capacity=capacity,
        starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on,
        created_by=by,
    )
    membership.full_clean(validate_constraints=False)  # _seat_errors says it in words
    errors = _seat_errors(membership, check_rules=check_rules)
    if errors:
        raise ValidationError(errors)
    return membership


@transaction.atomic
def membership_add(
    *,
    body: Body,
    person: User,
    seat_role: str,
    appointed_by: Organisation,
    by: User | None,
    geography: DGO | None = None,
    substitute_for: Membership | None = None,
    capacity: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    check_rules: bool = False,
) -> Membership:
    """Give a person a seat in a body for a period; the body permissions follow the seat.

    With `check_rules` a seat that breaks the body's composition rules is refused with the
    rules' text. Every path where a person seats someone passes it: the seat form and the API
    (seat_appoint, membership_update), the invitation page, people administration and the
    people import (people.seat_grant), and the Django admin. Only the loaders of known data
    seat without it — the demo and the scale data (governance/demo.py, scale.py) — because
    they build compositions on purpose (vacancies to fill, seats to report) that the body page
    then shows as they are.
    """
    Body.objects.select_for_update().get(pk=body.pk)  # one appointment at a time per body
    membership = membership_check_add(
        body=body,
        person=person,
        seat_role=seat_role,
        appointed_by=appointed_by,
        by=by,
        geography=geography,
        substitute_for=substitute_for,
        capacity=capacity,
        starts_on=starts_on,
        ends_on=ends_on,
        check_rules=check_rules,
    )
    membership.save()
    _sync_body_permissions(person, body)
    return membership


SEAT_FIELDS = (
    "seat_role",
    "substitute_for",
    "appointed_by",
    "geography",
    "capacity",
    "starts_on",
    "ends_on",
)


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    by: User | None,
    expected_version: str | None = None,
    **changes,
) -> Membership:
    """Correct a seat's details (SEAT_FIELDS), under the same checks as a new seat, composition
    rules included. A seat that has voted keeps its role: end it and add a new seat instead.
    `expected_version`: the version the edit form was based on (core.locking)."""
    if not can_appoint(by, membership.body):
        raise PermissionDenied(str(SEATS_REFUSED))
    unknown = set(changes) - set(SEAT_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    Body.objects.select_for_update().get(pk=membership.body_id)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("body", "person", "appointed_by", "geography")
        .get(pk=membership.pk)
    )
    if is_stale(membership, expected_version):
        raise StaleEdit(edit_version(membership))
    changed = [name for name, value in changes.items() if getattr(membership, name) != value]
    if not changed:
        return membership
    if "seat_role" in changed and (membership.votes.exists() or membership.votes_cast.exists()):
        raise ValidationError(
            {
                "seat_role": _(
                    "The seat has voted, so its role stays as it was: end the seat and add a "
                    "new one for the new role."
                )
            }
        )
    if (
        "seat_role" in changed
        and changes["seat_role"] not in VOTING_ROLES
        and _in_period(membership.substitutes.all(), timezone.localdate(), None).exists()
    ):
        raise ValidationError(
            {
                "seat_role": _(
                    "A substitute stands in for this seat: end the substitute's seat first."
                )
            }
        )
    for name in changed:
        setattr(membership, name, changes[name])
    membership.full_clean(validate_constraints=False)  # _seat_errors says it in words
    errors = _seat_errors(membership, check_rules=True)
    if errors:
        raise ValidationError(errors)
    membership.save(update_fields=changed)
    _sync_body_permissions(membership.person, membership.body)
    return membership


@transaction.atomic
def membership_end(
    *, membership: Membership, by: User | None, ends_on: datetime.date | None = None
) -> Membership:
    """End a seat: from `ends_on` (today: at once) it no longer counts, so its holder stops
    voting and reading the body's papers, and so do the substitutes seated for it. History is
    kept: the seat is never deleted."""
    if not can_appoint(by, membership.body):
        raise PermissionDenied(str(SEATS_REFUSED))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    ends_on = ends_on or timezone.localdate()
    if ends_on < membership.starts_on:
        raise ValidationError({"ends_on": str(SEAT_ENDS_BEFORE_START)})
    if membership.ends_on is not None and membership.ends_on <= ends_on:
        return membership
    membership.ends_on = ends_on
    membership.save(update_fields=["ends_on"])
    _sync_body_permissions(membership.person, membership.body)
    # A substitute stands in for one member's seat (§8): with the seat gone, so is the stand-in.
    for substitute in Membership.objects.select_for_update().filter(
        models.Q(ends_on__isnull=True) | models.Q(ends_on__gt=ends_on),
        substitute_for=membership,
    ):
        substitute.ends_on = max(ends_on, substitute.starts_on)
        substitute.save(update_fields=["ends_on"])
        _sync_body_permissions(substitute.person, substitute.body)
    return membership


@transaction.atomic
def seat_end_with_reason(
    *, membership: Membership, by: User, reason: str, ends_on: datetime.date | None = None
) -> Membership:
    """End a seat from the body's people page or the API, with a reason for the audit trail:
    today or an earlier day ends it at once (never before it began), a later day from then."""
    from partners.services import audit_note

    if not can_appoint(by, membership.body):
        raise PermissionDenied(str(SEATS_REFUSED))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason; it is kept in the audit trail.")})
    today = timezone.localdate()
    if ends_on is None or ends_on <= today:
        ends_on = max(membership.starts_on, today)
    ended = membership_end(membership=membership, by=by, ends_on=ends_on)
    audit_note(ended, by=by, reason=reason)
    return ended


@dataclass
class SeatOutcome:
    membership: Membership
    person_created: bool
    invited: bool


@transaction.atomic
def seat_appoint(
    *,
    body: Body,
    by: User,
    person: User | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    reason: str = "",
    **seat,
) -> SeatOutcome:
    """Seat an existing person, or a new one invited in the same step, under the body's
    composition rules. The person gets the invitation (or, with a login already, a note about
    the seat) once the seat is recorded; a refused seat writes nothing, the new person neither."""
    from partners.services import audit_note, invitation_send, person_find_or_create

    if not can_appoint(by, body):
        raise PermissionDenied(str(SEATS_REFUSED))
    created = False
    if person is None:
        person, created = person_find_or_create(
            email=email,
            first_name=first_name,
            last_name=last_name,
            organisation=seat.get("appointed_by"),
        )
    membership = membership_add(body=body, person=person, by=by, check_rules=True, **seat)
    audit_note(membership, by=by, reason=reason)
    invited = False
    if person.email:
        description = f"{membership.get_seat_role_display()}: {body.name}"
        invitation_send(user=person, by=by, roles=description)
        invited = True
    return SeatOutcome(membership=membership, person_created=created, invited=invited)


@dataclass
class RuleChange:
    """One line of a DGO group's composition as the form gives it; `rule` None adds it."""

    label: str
    seat: str
    appointed_by_kind: str
    min_count: int
    max_count: int
    different_municipalities: bool = False
    rule: SeatRule | None = None
    delete: bool = False


@transaction.atomic
def composition_update(
    *,
    body: Body,
    by: User,
    meetings_per_year: int,
    chair_rule: str,
    rules: list[RuleChange],
    reason: str,
    expected_version: str | None = None,
) -> Body:
    """Set a DGO steering group's cadence, chairmanship and composition rules (§8.1: the KKR
    and the region decide them); the secretariat and the DGO's coordinators do it."""
    from partners.services import audit_note

    if not can_edit_composition(by, body):
        raise PermissionDenied(str(COMPOSITION_REFUSED))
    body = Body.objects.select_for_update().get(pk=body.pk)
    refuse_if_stale(composition_version(body), expected_version)  # rows locked under the body
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason; it is kept in the audit trail.")})
    body.meetings_per_year = meetings_per_year
    body.chair_rule = chair_rule
    body.full_clean()
    body.save(update_fields=["meetings_per_year", "chair_rule"])
    audit_note(body, by=by, reason=reason)
    keys = set(body.seat_rules.values_list("key", flat=True))
    position = 0
    for change in rules:
        if change.rule is not None and change.rule.body_id != body.pk:
            raise ValidationError(_("The rule belongs to another body."))
        if change.delete:
            if change.rule is not None:
                change.rule.delete()
            continue
        if not change.label.strip():
            if change.rule is None:
                continue  # the empty line for a new rule
            raise ValidationError({"label": _("Give the rule in words.")})
        position += 1
        rule = change.rule or SeatRule(body=body)
        if rule.pk is None:
            base = slugify(change.label)[:50] or "rule"
            key, number = base, 1
            while key in keys:
                number += 1
                key = f"{base}-{number}"
            keys.add(key)
            rule.key = key
        rule.position = position
        rule.label = change.label.strip()
        rule.seat = change.seat
        rule.appointed_by = None
        rule.appointed_by_kinds = [change.appointed_by_kind]
        rule.per_geography = False
        rule.min_count = change.min_count
        rule.max_count = change.max_count
        rule.different_municipalities = change.different_municipalities
        rule.full_clean()
        rule.save()
    return body


@transaction.atomic
def body_set_minutes_approval(*, body: Body, by: User, minutes_approval: str) -> Body:
    """How the body approves its minutes: at its next meeting, or by the chair on its behalf
    (the body's own rule; recorded by those who record its seats)."""
    if not can_appoint(by, body):
        raise PermissionDenied(str(SEAT_RULES_REFUSED))
    if minutes_approval not in Body.MinutesApproval.values:
        raise ValidationError({"minutes_approval": _("Choose how the minutes are approved.")})
    body = Body.objects.select_for_update().get(pk=body.pk)
    body.minutes_approval = minutes_approval
    body.save(update_fields=["minutes_approval"])
    return body


# --- Meetings, agendas and papers --------------------------------------------------------------


def _require_manager(user: User, body: Body) -> None:
    if not can_manage_body(user, body):
        raise PermissionDenied(str(MANAGERS_ONLY))


MEETING_FIELDS = ("title", "starts_at", "ends_at", "location", "video_url")


@transaction.atomic
def meeting_create(
    *,
    body: Body,
    by: User,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    location: str = "",
    video_url: str = "",
) -> Meeting:
    _require_manager(by, body)
    meeting = Meeting(
        body=body,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        video_url=video_url,
        created_by=by,
    )
    _validate_meeting(meeting)
    meeting.save()
    return meeting


def _validate_meeting(meeting: Meeting) -> None:
    """The meeting's rules, all of them said at once (the form leaves them to this)."""
    meeting.full_clean()
    errors: dict[str, str] = {}
    if meeting.ends_at is not None and meeting.ends_at <= meeting.starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    if not meeting.location and not meeting.video_url:
        errors[NON_FIELD_ERRORS] = _("Give a place or a video link (or both).")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, by: User, expected_version: str | None = None, **changes
) -> Meeting:
    """`expected_version`: the version the edit form was based on (core.locking)."""
    _require_manager(by, meeting.body)
    meeting = lock_for_edit(meeting, expected_version)
    if meeting.status == Meeting.Status.MINUTES_APPROVED:
        raise Conflict(_("The minutes are approved: the meeting can no longer be changed."))
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(meeting, name, value)
    _validate_meeting(meeting)
    meeting.save(update_fields=list(changes))
    return meeting


def _transition(meeting: Meeting, by: User, source: str, target: str, message: str) -> Meeting:
    _require_manager(by, meeting.body)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status != source:
        raise Conflict(message)
    locked.status = target
    return locked


@transaction.atomic
def meeting_publish_agenda(*, meeting: Meeting, by: User) -> Meeting:
    meeting = _transition(
        meeting,
        by,
        Meeting.Status.PLANNED,
        Meeting.Status.AGENDA_PUBLISHED,
        _("Only a planned meeting's agenda can be published."),
    )
    if not meeting.agenda_items.exists():
        raise ValidationError(_("Add at least one agenda item before publishing the agenda."))
    meeting.agenda_published_at = timezone.now()
    meeting.save(update_fields=["status", "agenda_published_at"])
    return meeting


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, by: User) -> Meeting:
    meeting = _transition(
        meeting,
        by,
        Meeting.Status.AGENDA_PUBLISHED,
        Meeting.Status.HELD,
        _("Only a meeting with a published agenda can be marked as held."),
    )
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("The meeting has not started yet."))
    meeting.save(update_fields=["status"])
    return meeting


@transaction.atomic
def meeting_minutes_save(*, meeting: Meeting, by: User, minutes: str) -> Meeting:
    _require_manager(by, meeting.body)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.HELD:
        raise Conflict(_("Minutes are written after the meeting is held, until they are approved."))
    if minutes_decision(meeting=meeting) is not None:
        raise Conflict(
            _("The minutes are put to the next meeting: they can no longer change before its vote.")
        )
    meeting.minutes = minutes
    meeting.full_clean()
    meeting.save(update_fields=["minutes"])
    return meeting


def minutes_decision(*, meeting: Meeting) -> Decision | None:
    """The open decision that puts the meeting's minutes to the next meeting, if any."""
    return (
        Decision.objects.filter(
            subject_content_type=ContentType.objects.get_for_model(Meeting),
            subject_object_id=meeting.pk,
            status=Status.OPEN,
        )
        .select_related("meeting")
        .first()
    )


def _minutes_ready(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.HELD:
        raise Conflict(_("Minutes can be approved once the meeting is held."))
    if not meeting.minutes.strip():
        raise ValidationError(_("Write the minutes before approving them."))


def _approve(meeting: Meeting) -> Meeting:
    meeting.status = Meeting.Status.MINUTES_APPROVED
    meeting.minutes_approved_at = timezone.now()
    meeting.save(update_fields=["status", "minutes_approved_at"])
    return meeting


@transaction.atomic
def meeting_approve_minutes(*, meeting: Meeting, by: User | None) -> Meeting:
    """The chair (or vice-chair) approves the minutes on the body's behalf, where the body's
    setting says so. Elsewhere the next meeting approves them: `minutes_put_to_meeting`. The
    secretariat writes the minutes but never approves them alone. `by=None` records minutes
    approved before the portal (demo and historical data), as membership_add does."""
    if by is not None and not can_approve_minutes(by, meeting):
        if meeting.body.minutes_approval == Body.MinutesApproval.CHAIR:
            raise PermissionDenied(
                _("The chair approves %(body)s's minutes on the body's behalf.")
                % {"body": meeting.body.short_name}
            )
        raise PermissionDenied(
            _("%(body)s approves its minutes as a decision of its next meeting.")
            % {"body": meeting.body.short_name}
        )
    meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
    _minutes_ready(meeting)
    return _approve(meeting)


@transaction.atomic
def minutes_put_to_meeting(*, meeting: Meeting, next_meeting: Meeting, by: User) -> Decision:
    """Put the minutes to a later meeting of the body as a decision; adopting it approves them
    (`approve_minutes_on_adoption`, registered for governance.meeting)."""
    _require_manager(by, meeting.body)
    meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
    if meeting.body.minutes_approval != Body.MinutesApproval.NEXT_MEETING:
        raise Conflict(_("The chair approves this body's minutes on its behalf."))
    _minutes_ready(meeting)
    if minutes_decision(meeting=meeting) is not None:
        raise Conflict(_("The minutes are already put to a meeting."))
    if next_meeting.body_id != meeting.body_id or next_meeting.starts_at <= meeting.starts_at:
        raise ValidationError({"next_meeting": _("Choose a later meeting of the same body.")})
    if next_meeting.status == Meeting.Status.MINUTES_APPROVED:
        raise ValidationError({"next_meeting": _("That meeting's minutes are approved already.")})
    day_end = timezone.localtime(next_meeting.ends_at or next_meeting.starts_at).replace(
        hour=23, minute=59, second=0, microsecond=0
    )
    # Put after the meeting began (it is meeting now), the members still get a day.
    day_end = max(day_end, timezone.now() + datetime.timedelta(days=1))
    return decision_open(
        body=meeting.body,
        title=_("Approval of the minutes: %(meeting)s") % {"meeting": meeting.title},
        text=meeting.minutes,
        deadline=day_end,
        by=by,
        subject=meeting,
        meeting=next_meeting,
        mode=Decision.Mode.AT_MEETING,
    )


def approve_minutes_on_adoption(*, decision: Decision, subject: Meeting) -> None:
    """Outcome handler: an adopted minutes decision approves the minutes it was about."""
    if decision.status != Status.ADOPTED:
        return
    meeting = Meeting.objects.select_for_update().get(pk=subject.pk)
    if meeting.status == Meeting.Status.HELD:
        _approve(meeting)


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, by: User, title: str, description: str = "") -> AgendaItem:
    _require_manager(by, meeting.body)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status in (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED):
        raise Conflict(_("The meeting is held: its agenda can no longer change."))
    last = meeting.agenda_items.aggregate(last=models.Max("position"))["last"] or 0
    item = AgendaItem(meeting=meeting, position=last + 1, title=title, description=description)
    item.full_clean()
    item.save()
    return item


def _agenda_editable(meeting: Meeting, note: str) -> str:
    """A planned agenda changes freely; a published one only with a note the members read."""
    if meeting.status in (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED):
        raise Conflict(_("The meeting is held: its agenda can no longer change."))
    note = (note or "").strip()
    if meeting.status == Meeting.Status.AGENDA_PUBLISHED and not note:
        raise ValidationError(
            {"note": _("The agenda is published: say what changed; the members are told.")}
        )
    return note


def _announce_agenda_change(meeting: Meeting, by: User, note: str) -> None:
    if meeting.status != Meeting.Status.AGENDA_PUBLISHED:
        return
    change = AgendaChange(meeting=meeting, note=note[:500], changed_by=by)
    change.full_clean()
    change.save()
    notify(
        kind=notices.AGENDA_CHANGED,
        users=_recipients(meeting.body, tuple(SeatRole.values)),
        subject=gettext_lazy("%(body)s: the agenda of %(meeting)s has changed"),
        subject_values={"body": meeting.body.short_name, "meeting": meeting.title},
        context={"meeting": meeting, "note": change.note},
        url=meeting.get_absolute_url(),
    )


def _renumber(meeting: Meeting, items: list[AgendaItem]) -> None:
    """Positions are unique per meeting: move them out of the way first, then number 1..n."""
    AgendaItem.objects.filter(meeting=meeting).update(position=models.F("position") + 10_000)
    for number, item in enumerate(items, start=1):
        item.position = number
    AgendaItem.objects.bulk_update(items, ["position"])


def _lock_item(item: AgendaItem) -> tuple[Meeting, AgendaItem]:
    meeting = Meeting.objects.select_for_update().select_related("body").get(pk=item.meeting_id)
    return meeting, AgendaItem.objects.get(pk=item.pk)


@transaction.atomic
def agenda_item_update(
    *,
    item: AgendaItem,
    by: User,
    title: str,
    description: str = "",
    note: str = "",
    expected_version: str | None = None,
) -> AgendaItem:
    """`expected_version`: the version the edit form was based on (core.locking)."""
    _require_manager(by, item.meeting.body)
    meeting, item = _lock_item(item)
    item = lock_for_edit(item, expected_version)
    note = _agenda_editable(meeting, note)
    item.title, item.description = title, description
    item.full_clean()
    item.save(update_fields=["title", "description"])
    _announce_agenda_change(meeting, by, note)
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, by: User, offset: int, note: str = "") -> AgendaItem:
    """Move an item `offset` places (-1 up, +1 down); the others close up."""
    _require_manager(by, item.meeting.body)
    meeting, item = _lock_item(item)
    note = _agenda_editable(meeting, note)
    items = list(meeting.agenda_items.order_by("position"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = min(max(index + offset, 0), len(items) - 1)
    if target == index:
        raise ValidationError(_("The item is already at that end of the agenda."))
    items.insert(target, items.pop(index))
    _renumber(meeting, items)
    _announce_agenda_change(meeting, by, note)
    return next(other for other in items if other.pk == item.pk)


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by: User, note: str = "") -> None:
    _require_manager(by, item.meeting.body)
    meeting, item = _lock_item(item)
    note = _agenda_editable(meeting, note)
    if item.papers.exists():
        raise Conflict(_("The item has papers: remove them first, or edit the item instead."))
    item.delete()
    _renumber(meeting, list(meeting.agenda_items.order_by("position")))
    _announce_agenda_change(meeting, by, note)


# --- Attendance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceEntry:
    membership: Membership
    status: str
    substitute: Membership | None = None


@transaction.atomic
def attendance_record(
    *, meeting: Meeting, by: User, entries: list[AttendanceEntry]
) -> list[Attendance]:
    """Record who took part. An absent or represented seat is absent for the meeting (and so
    for its decisions); a represented seat's substitute is called in on the meeting's open
    decisions the member has not voted on. Present again: the absence and the unused calls go."""
    _require_manager(by, meeting.body)
    meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
    if meeting.status == Meeting.Status.MINUTES_APPROVED:
        raise Conflict(_("The minutes are approved: the attendance can no longer change."))
    errors: list[str] = []
    for entry in entries:
        if entry.status not in Attendance.Status.values:
            errors.append(_("Choose present, absent or represented."))
        elif entry.membership.body_id != meeting.body_id:
            errors.append(_("The seat is not in this body."))
        elif entry.status == Attendance.Status.REPRESENTED and (
            entry.substitute is None
            or entry.substitute.substitute_for_id != entry.membership.pk
            or not entry.substitute.is_active_on(timezone.localdate(meeting.starts_at))
        ):
            errors.append(
                _("%(person)s is represented by one of their own substitutes, seated that day.")
                % {"person": entry.membership.person}
            )
    if errors:
        raise ValidationError(errors)
    open_decisions = list(meeting.decisions.filter(status=Status.OPEN).select_for_update())
    recorded = []
    for entry in entries:
        substitute = entry.substitute if entry.status == Attendance.Status.REPRESENTED else None
        attendance, _created = Attendance.objects.update_or_create(
            meeting=meeting,
            membership=entry.membership,
            defaults={"status": entry.status, "substitute": substitute, "recorded_by": by},
        )
        recorded.append(attendance)
        if entry.status == Attendance.Status.PRESENT:
            Absence.objects.filter(meeting=meeting, membership=entry.membership).delete()
            SubstituteCall.objects.filter(
                decision__in=open_decisions, for_member=entry.membership
            ).exclude(decision__votes__seat=entry.membership).delete()
            continue
        Absence.objects.get_or_create(
            meeting=meeting, membership=entry.membership, defaults={"recorded_by": by}
        )
        if substitute is None:
            continue
        for decision in open_decisions:
            if decision.votes.filter(seat=entry.membership).exists():
                continue
            SubstituteCall.objects.update_or_create(
                decision=decision,
                for_member=entry.membership,
                defaults={
                    "substitute": substitute,
                    "reason": SubstituteCall.Reason.ABSENT,
                    "called_by": by,
                },
            )
    return recorded


@transaction.atomic
def paper_upload(*, agenda_item: AgendaItem, by: User, upload: UploadedFile) -> Paper:
    """Attach a file to an agenda item: at most 20 MB, of an accepted type by its content."""
    meeting = agenda_item.meeting
    _require_manager(by, meeting.body)
    if meeting.status == Meeting.Status.MINUTES_APPROVED:
        raise Conflict(_("The minutes are approved: no more papers can be added."))
    checked = check_paper(upload)
    paper = Paper(
        agenda_item=agenda_item,
        original_name=checked.original_name,
        size=checked.size,
        content_type=checked.content_type,
        uploaded_by=by,
    )
    upload.seek(0)
    paper.file.save(checked.stored_name, upload, save=False)
    paper.save()
    return paper


@transaction.atomic
def paper_remove(*, paper: Paper, by: User, note: str = "") -> None:
    """Take a paper off its agenda item while the agenda can still change (a wrong file, a
    newer version). On a published agenda the members read why; once the meeting is held the
    papers are its record and stay. The file leaves the private storage after the commit, so
    a rolled-back removal keeps it."""
    _require_manager(by, paper.agenda_item.meeting.body)
    meeting, _item = _lock_item(paper.agenda_item)
    note = _agenda_editable(meeting, note)
    paper = Paper.objects.select_for_update().get(pk=paper.pk)
    storage, name = paper.file.storage, paper.file.name
    paper.delete()
    transaction.on_commit(lambda: storage.delete(name))
    _announce_agenda_change(meeting, by, note)


# --- Decisions ----------------------------------------------------------------------------------

OutcomeHandler = Callable[..., None]
_OUTCOME_HANDLERS: dict[str, list[OutcomeHandler]] = {}


def register_decision_outcome_handler(model_label: str, handler: OutcomeHandler) -> None:
    """Call `handler(decision=..., subject=...)` when a decision about a `model_label` object
    (e.g. "tracks.Track") closes: adopted, rejected or closed without outcome.

    The handler runs inside decision_close's transaction, with the decision row locked and its
    final status set; it must check `decision.status` itself (e.g. approve a track only when
    `decision.status == Decision.Status.ADOPTED`). An exception in a handler rolls the closing
    back, so the decision stays open. Register once, from the other app's AppConfig.ready().
    """
    handlers = _OUTCOME_HANDLERS.setdefault(model_label.lower(), [])
    if handler not in handlers:
        handlers.append(handler)


def unregister_decision_outcome_handler(model_label: str, handler: OutcomeHandler) -> None:
    handlers = _OUTCOME_HANDLERS.get(model_label.lower(), [])
    if handler in handlers:
        handlers.remove(handler)


@dataclass
class SeatVote:
    seat: Membership
    vote: Vote | None = None
    absent: bool = False
    substitute_call: SubstituteCall | None = None
    substitutes: list[Membership] = field(default_factory=list)


@dataclass
class Tally:
    """Where a decision stands: every voting seat, its vote, and the outcome the votes give."""

    decision: Decision
    seats: list[SeatVote]
    other_votes: list[Vote]  # cast by seats that have since ended

    def count(self, choice: str) -> int:
        return sum(1 for s in self.seats if s.vote and s.vote.choice == choice)

    @property
    def yes(self) -> int:
        return self.count(Vote.Choice.YES)

    @property
    def no(self) -> int:
        return self.count(Vote.Choice.NO) + sum(
            1 for v in self.other_votes if v.choice == Vote.Choice.NO
        )

    @property
    def abstain(self) -> int:
        return self.count(Vote.Choice.ABSTAIN)

    @property
    def voted_seat_ids(self) -> set[int]:
        return {s.seat.pk for s in self.seats if s.vote} | {v.seat_id for v in self.other_votes}

    @property
    def missing(self) -> list[SeatVote]:
        return [s for s in self.seats if s.vote is None]

    @property
    def outcome(self) -> str:
        """ADOPTED when every voting seat voted yes; REJECTED on any no, or when all have voted
        and some abstained (an abstention is not a yes); OPEN while votes are missing."""
        if self.no:
            return Status.REJECTED
        if not self.seats or self.missing:
            return Status.OPEN
        if self.yes == len(self.seats):
            return Status.ADOPTED
        return Status.REJECTED


def decision_tally(*, decision: Decision, on: datetime.date | None = None) -> Tally:
    """The voting seats active on `on` (today; for a closed decision, its closing day) and votes.

    Four queries however many seats: seats and substitutes, votes, absences, calls.
    """
    if on is None:
        on = timezone.localdate(decision.closed_at) if decision.closed_at else timezone.localdate()
    seats: list[Membership] = []
    substitutes: dict[int, list[Membership]] = {}
    for membership in (
        Membership.objects.active(on)
        .filter(body_id=decision.body_id, seat_role__in=(*VOTING_ROLES, SeatRole.SUBSTITUTE))
        .select_related("person", "appointed_by")
        .order_by("seat_role", "person__last_name", "person__first_name", "pk")
    ):
        if membership.seat_role == SeatRole.SUBSTITUTE:
            substitutes.setdefault(membership.substitute_for_id, []).append(membership)
        else:
            seats.append(membership)
    # Chair, vice-chair, then members, by name.
    order = {SeatRole.CHAIR: 0, SeatRole.VICE_CHAIR: 1, SeatRole.MEMBER: 2}
    seats.sort(key=lambda m: (order[m.seat_role], m.person.last_name, m.person.first_name, m.pk))
    votes = {
        vote.seat_id: vote
        for vote in decision.votes.select_related(
            "cast_by", "cast_through__person", "recorded_by", "meeting"
        )
    }
    absent = set(
        Absence.objects.filter(
            models.Q(decision=decision)
            | (
                models.Q(meeting_id=decision.meeting_id)
                if decision.meeting_id
                else models.Q(pk__in=[])
            )
        ).values_list("membership_id", flat=True)
    )
    calls = {
        call.for_member_id: call
        for call in decision.substitute_calls.select_related("substitute__person")
    }
    seat_votes = [
        SeatVote(
            seat=seat,
            vote=votes.pop(seat.pk, None),
            absent=seat.pk in absent,
            substitute_call=calls.get(seat.pk),
            substitutes=substitutes.get(seat.pk, []),
        )
        for seat in seats
    ]
    return Tally(decision=decision, seats=seat_votes, other_votes=list(votes.values()))


def _recipients(body: Body, roles) -> models.QuerySet[User]:
    return notices.seated(body.pk, roles)


def _mail(kind: str, decision: Decision, to: Iterable[User], subject) -> None:
    # One message per person (notify): members do not see each other's addresses.
    notify(
        kind=kind,
        users=to,
        subject=subject,
        subject_values={"body": decision.body.short_name, "title": decision.title},
        context={"decision": decision, "body": decision.body},
        url=decision.get_absolute_url(),
    )


@transaction.atomic
def decision_open(
    *,
    body: Body,
    title: str,
    text: str,
    deadline: datetime.datetime,
    by: User,
    subject: models.Model | None = None,
    meeting: Meeting | None = None,
    mode: str | None = None,
    corrects: Decision | None = None,
) -> Decision:
    """Put a decision to a body, optionally about any object (a track, an allocation, ...).

    Each voting member gets an e-mail once the transaction commits.
    """
    if not can_manage_decisions(by, body):
        raise PermissionDenied(
            _("Only the chair, the vice-chair and the secretariat put decisions to this body.")
        )
    mode = mode or (Decision.Mode.AT_MEETING if meeting else Decision.Mode.IN_WRITING)
    decision = Decision(
        body=body,
        title=title,
        text=text,
        deadline=deadline,
        meeting=meeting,
        mode=mode,
        opened_by=by,
        corrects=corrects,
    )
    if subject is not None:
        decision.subject_content_type = ContentType.objects.get_for_model(subject)
        decision.subject_object_id = subject.pk
    decision.full_clean()
    errors: dict[str, str] = {}
    if deadline <= timezone.now():
        errors["deadline"] = _("The deadline must lie in the future.")
    if meeting is not None and meeting.body_id != body.pk:
        errors["meeting"] = _("The meeting must be one of this body's meetings.")
    if mode == Decision.Mode.AT_MEETING and meeting is None:
        errors["meeting"] = _("A decision at a meeting names the meeting.")
    if corrects is not None and (corrects.body_id != body.pk or corrects.is_open):
        errors["corrects"] = _("A correction replaces a closed decision of the same body.")
    elif corrects is not None and corrects.is_corrected:
        errors["corrects"] = _("That decision is corrected already; correct the correction.")
    elif corrects is not None and corrects.corrections.filter(status=Status.OPEN).exists():
        errors["corrects"] = _("A correction of that decision is already open.")
    if errors:
        raise ValidationError(errors)
    if not Membership.objects.active().filter(body=body, seat_role__in=VOTING_ROLES).exists():
        raise ValidationError(_("The body has no voting members: nobody could vote."))
    decision.save()
    _mail(
        notices.VOTE_REQUESTED,
        decision,
        _recipients(body, VOTING_ROLES),
        gettext_lazy("%(body)s: your vote is requested – %(title)s"),
    )
    _mail(
        notices.DECISION_OPENED,
        decision,
        _recipients(body, (SeatRole.OBSERVER,)),
        gettext_lazy("%(body)s: new decision – %(title)s"),
    )
    return decision


def _lock(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().select_related("body").get(pk=decision.pk)


def _finish(decision: Decision, outcome: str, by: User) -> Decision:
    """Close a locked decision with its outcome, run outcome handlers, mail the body."""
    decision.status = outcome
    decision.closed_at = timezone.now()
    decision.closed_by = by
    decision.save(update_fields=["status", "closed_at", "closed_by"])
    if outcome == Status.ADOPTED and decision.corrects_id:
        # The earlier decision keeps its votes and outcome; it is marked, and links here.
        Decision.objects.filter(pk=decision.corrects_id, corrected_at__isnull=True).update(
            corrected_at=decision.closed_at
        )
    if decision.subject_content_type_id:
        content_type = ContentType.objects.get_for_id(decision.subject_content_type_id)
        label = f"{content_type.app_label}.{content_type.model}"
        for handler in list(_OUTCOME_HANDLERS.get(label, [])):
            handler(decision=decision, subject=decision.subject)
    _mail(
        notices.DECISION_CLOSED,
        decision,
        _recipients(decision.body, tuple(SeatRole.values)),
        gettext_lazy("%(body)s: decision closed – %(title)s"),
    )
    return decision


@transaction.atomic
def decision_close(*, decision: Decision, by: User) -> Decision:
    """Close a decision with the outcome its votes give.

    Holds the decision row lock. While votes are missing, it can only be closed after the
    deadline, and then it closes without outcome. A closed decision is final: Conflict.
    """
    if not can_manage_decisions(by, decision.body):
        raise PermissionDenied(str(CLOSE_REFUSED))
    decision = _lock(decision)
    if not decision.is_open:
        raise Conflict(_("The decision is already closed; a correction is a new decision."))
    outcome = decision_tally(decision=decision).outcome
    if outcome == Status.OPEN:
        if not decision.deadline_passed():
            raise ValidationError(
                _("Votes are missing and the deadline has not passed: the decision stays open.")
            )
        outcome = Status.LAPSED
    return _finish(decision, outcome, by)


def vote_choice_check(choice: str | None) -> None:
    """A vote is yes, no or abstain: checked before the page asks to confirm it, and again
    when it is cast or recorded."""
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": _("Vote yes, no or abstain.")})


@transaction.atomic
def vote_cast(*, decision: Decision, by: User, choice: str) -> Vote:
    """Record the user's vote for their seat; close the decision when the outcome is settled.

    Holds the decision row lock from the check to the write, so two votes on one decision are
    counted one after the other, and a vote never lands on a closed decision.
    Raises ValidationError (bad choice), PermissionDenied (not a voting seat, with the reason)
    or Conflict (closed, or the seat has voted).
    """
    vote_choice_check(choice)
    decision = _lock(decision)
    if not decision.is_open:
        raise Conflict(str(DECISION_CLOSED))
    check = can_vote(by, decision)
    if not check:
        if check.conflict:  # the seat has already voted
            raise Conflict(check.reason)
        raise PermissionDenied(check.reason)
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                decision=decision,
                seat=check.seat,
                cast_through=check.cast_through,
                cast_by=by,
                choice=choice,
            )
    except IntegrityError as exc:  # only without the lock, e.g. a raw insert elsewhere
        raise Conflict(_("Your seat has already voted on this decision.")) from exc
    outcome = decision_tally(decision=decision).outcome
    if outcome != Status.OPEN:
        _finish(decision, outcome, by)
    return vote


@dataclass(frozen=True)
class RecordedVote:
    seat: Membership  # the voting seat, or a substitute's seat standing in for its member
    choice: str


@transaction.atomic
def votes_record_at_meeting(
    *, decision: Decision, meeting: Meeting, by: User, votes: list[RecordedVote]
) -> list[Vote]:
    """Put into the portal the votes the named seats cast in the room at `meeting`. The seat
    holder is the voter (`cast_by`); `by` is kept as `recorded_by` with the meeting, and the
    audit trail has the entry. A substitute's vote counts for its member only when the member
    is recorded absent (the substitute is then called in). Holds the decision row lock; the
    same rules as a vote in the portal: no vote on a closed or past-deadline decision."""
    if not can_record_votes(by, decision.body):
        raise PermissionDenied(str(RECORD_VOTES_REFUSED))
    if not votes:
        raise ValidationError(_("Give at least one seat's vote."))
    for vote in votes:
        vote_choice_check(vote.choice)
    decision = _lock(decision)
    if not decision.is_open:
        raise Conflict(str(DECISION_CLOSED))
    if decision.deadline_passed():
        raise Conflict(deadline_passed_reason(decision))
    if meeting.body_id != decision.body_id or (
        decision.meeting_id is not None and meeting.pk != decision.meeting_id
    ):
        raise ValidationError({"meeting": _("The votes are recorded at the decision's meeting.")})
    if meeting.starts_at > timezone.now():
        raise ValidationError({"meeting": _("The meeting has not started yet.")})
    tally = decision_tally(decision=decision)
    seats = {seat_vote.seat.pk: seat_vote for seat_vote in tally.seats}
    substitutes = {
        substitute.pk: seat_vote
        for seat_vote in tally.seats
        for substitute in seat_vote.substitutes
    }
    voted = tally.voted_seat_ids
    planned: list[tuple[Membership, Membership, str]] = []  # (seat, cast through, choice)
    for vote in votes:
        if vote.seat.pk in seats:
            seat_vote, through = seats[vote.seat.pk], seats[vote.seat.pk].seat
        elif vote.seat.pk in substitutes:
            seat_vote, through = substitutes[vote.seat.pk], vote.seat
            if not seat_vote.absent:
                raise ValidationError(
                    _("%(person)s is not recorded absent: the substitute does not vote.")
                    % {"person": seat_vote.seat.person}
                )
        else:
            raise ValidationError(
                _("%(person)s holds no voting seat in %(body)s today.")
                % {"person": vote.seat.person, "body": decision.body.short_name}
            )
        if seat_vote.seat.pk in voted or any(p[0].pk == seat_vote.seat.pk for p in planned):
            raise Conflict(
                _("%(person)s's seat has already voted on this decision.")
                % {"person": seat_vote.seat.person}
            )
        planned.append((seat_vote.seat, through, vote.choice))
    recorded = []
    for seat, through, choice in planned:
        if through.pk != seat.pk:
            SubstituteCall.objects.get_or_create(
                decision=decision,
                for_member=seat,
                defaults={
                    "substitute": through,
                    "reason": SubstituteCall.Reason.ABSENT,
                    "called_by": by,
                },
            )
        recorded.append(
            Vote.objects.create(
                decision=decision,
                seat=seat,
                cast_through=through,
                cast_by=through.person,
                choice=choice,
                recorded_by=by,
                meeting=meeting,
            )
        )
    outcome = decision_tally(decision=decision).outcome
    if outcome != Status.OPEN:
        _finish(decision, outcome, by)
    return recorded


@transaction.atomic
def absence_record(
    *,
    membership: Membership,
    by: User,
    decision: Decision | None = None,
    meeting: Meeting | None = None,
) -> Absence:
    """Record a seat absent for a decision, or for a meeting (and so for its decisions)."""
    body = (decision or meeting).body
    if not can_manage_decisions(by, body):
        raise PermissionDenied(str(ABSENCE_REFUSED))
    if membership.body_id != body.pk:
        raise ValidationError(_("The seat is not in this body."))
    if decision is not None:
        decision = _lock(decision)
        if not decision.is_open:
            raise Conflict(str(DECISION_CLOSED))
    absence, _created = Absence.objects.get_or_create(
        membership=membership,
        decision=decision,
        meeting=meeting,
        defaults={"recorded_by": by},
    )
    return absence


@transaction.atomic
def substitute_call(
    *, decision: Decision, substitute: Membership, by: User, reason: str | None = None
) -> SubstituteCall:
    """Call a substitute in for its member: only when the member is recorded absent, or the
    deadline has passed without the member's vote. Holds the decision row lock."""
    if not can_manage_decisions(by, decision.body):
        raise PermissionDenied(str(SUBSTITUTES_REFUSED))
    decision = _lock(decision)
    if not decision.is_open:
        raise Conflict(str(DECISION_CLOSED))
    if substitute.seat_role != SeatRole.SUBSTITUTE or substitute.body_id != decision.body_id:
        raise ValidationError(_("Choose a substitute of this body."))
    today = timezone.localdate()
    if not substitute.is_active_on(today):
        raise ValidationError(_("The substitute's seat is not active."))
    member = substitute.substitute_for
    if decision.votes.filter(seat=member).exists():
        raise Conflict(_("The member has already voted: no substitute is needed."))
    absent = Absence.objects.filter(membership=member).filter(
        models.Q(decision=decision)
        | (models.Q(meeting_id=decision.meeting_id) if decision.meeting_id else models.Q(pk__in=[]))
    )
    if reason is None:
        reason = (
            SubstituteCall.Reason.ABSENT
            if absent.exists()
            else SubstituteCall.Reason.NO_VOTE_BY_DEADLINE
        )
    if reason == SubstituteCall.Reason.ABSENT and not absent.exists():
        raise ValidationError(_("The member is not recorded absent."))
    if reason == SubstituteCall.Reason.NO_VOTE_BY_DEADLINE and not decision.deadline_passed():
        raise ValidationError(
            _(
                "A substitute is called in when the member is recorded absent or the deadline "
                "has passed without the member's vote."
            )
        )
    existing = SubstituteCall.objects.filter(decision=decision, for_member=member).first()
    if existing is not None:
        raise Conflict(_("A substitute has already been called in for this seat."))
    call = SubstituteCall(
        decision=decision, substitute=substitute, for_member=member, reason=reason, called_by=by
    )
    call.full_clean()
    call.save()
    return call


@transaction.atomic
def decision_comment_add(*, decision: Decision, by: User, text: str) -> DecisionComment:
    if not can_comment(by, decision):
        raise PermissionDenied(str(COMMENT_REFUSED))
    comment = DecisionComment(decision=decision, author=by, text=text.strip())
    comment.full_clean()
    comment.save()
    return comment


# --- Calendar feed -----------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_regenerate(*, user: User) -> CalendarFeed:
    """Give the user a new secret calendar address; the old one stops working at once."""
    token = secrets.token_urlsafe(32)
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": token, "created_at": timezone.now()}
    )
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()
