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
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm, remove_perm

from core.files import check_paper
from core.notifications import notify
from partners.models import DGO, Organisation, User
from partners.permissions import roles_of

from . import notices
from .models import (
    CHAIR_ROLES,
    VOTING_ROLES,
    Absence,
    AgendaItem,
    Body,
    CalendarFeed,
    Decision,
    DecisionComment,
    Meeting,
    Membership,
    Paper,
    SeatRole,
    SubstituteCall,
    Vote,
)
from .permissions import (
    MANAGERS_ONLY,
    can_comment,
    can_manage_body,
    can_manage_decisions,
    can_vote,
    forget_body_access,
)

logger = logging.getLogger(__name__)
Status = Decision.Status


class Conflict(Exception):
    """The request is valid but the state forbids it: a closed decision, a seat that voted."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Memberships ------------------------------------------------------------------------------


def can_appoint(user: User | None, body: Body) -> bool:
    """Seats are recorded by the secretariat, and for a DGO's groups by its coordinators."""
    if user is None:  # reference data, demo data and management commands
        return True
    roles = roles_of(user)
    return roles.secretariat or (
        body.dgo_id is not None and body.dgo_id in roles.coordinated_dgo_ids
    )


def _sync_body_permissions(person: User, body: Body) -> None:
    """Grant or remove the person's guardian permissions on the body to match current seats."""
    today = timezone.localdate()
    seats = Membership.objects.filter(person=person, body=body).exclude(ends_on__lt=today)
    if seats.exists():
        assign_perm("governance.view_body_content", person, body)
    else:
        remove_perm("governance.view_body_content", person, body)
    if seats.filter(seat_role__in=CHAIR_ROLES).exists():
        assign_perm("governance.chair_body", person, body)
    else:
        remove_perm("governance.chair_body", person, body)
    forget_body_access(person)


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
) -> Membership:
    """Give a person a seat in a body for a period; the body permissions follow the seat."""
    if not can_appoint(by, body):
        raise PermissionDenied(_("Only the secretariat records who sits in this body."))
    Body.objects.select_for_update().get(pk=body.pk)  # one appointment at a time per body
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
    membership.full_clean()
    errors: dict[str, str] = {}
    if seat_role == SeatRole.SUBSTITUTE:
        if substitute_for is None:
            errors["substitute_for"] = _("A substitute stands in for a named member.")
        elif substitute_for.body_id != body.pk or substitute_for.seat_role not in VOTING_ROLES:
            errors["substitute_for"] = _(
                "A substitute stands in for a voting member of the same body."
            )
        elif not substitute_for.is_active_on(membership.starts_on):
            errors["substitute_for"] = _("The member is not seated when the substitute starts.")
    elif substitute_for is not None:
        errors["substitute_for"] = _("Only a substitute stands in for a member.")
    kinds = (Organisation.Kind.REGION, Organisation.Kind.KKR)
    if (
        geography is not None
        and appointed_by.kind in kinds
        and appointed_by.region_code != geography.region_code
    ):
        errors["geography"] = _("A region or KKR appoints for its own geography only.")
    overlapping = Membership.objects.filter(person=person, body=body).filter(
        models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=membership.starts_on)
    )
    if membership.ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=membership.ends_on)
    if overlapping.exists():
        errors["person"] = _("%(person)s already holds a seat in %(body)s in this period.") % {
            "person": person,
            "body": body.short_name,
        }
    if errors:
        raise ValidationError(errors)
    membership.save()
    _sync_body_permissions(person, body)
    return membership


@transaction.atomic
def membership_end(
    *, membership: Membership, by: User | None, ends_on: datetime.date | None = None
) -> Membership:
    """End a seat. History is kept: the membership gets an end date and is never deleted."""
    if not can_appoint(by, membership.body):
        raise PermissionDenied(_("Only the secretariat records who sits in this body."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    ends_on = ends_on or timezone.localdate()
    if ends_on < membership.starts_on:
        raise ValidationError({"ends_on": _("A seat cannot end before it starts.")})
    if membership.ends_on is not None and membership.ends_on <= ends_on:
        return membership
    membership.ends_on = ends_on
    membership.save(update_fields=["ends_on"])
    _sync_body_permissions(membership.person, membership.body)
    return membership


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
    meeting.full_clean()
    if meeting.ends_at is not None and meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    if not meeting.location and not meeting.video_url:
        raise ValidationError(_("Give a place or a video link (or both)."))


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: User, **changes) -> Meeting:
    _require_manager(by, meeting.body)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
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
    meeting.minutes = minutes
    meeting.full_clean()
    meeting.save(update_fields=["minutes"])
    return meeting


@transaction.atomic
def meeting_approve_minutes(*, meeting: Meeting, by: User) -> Meeting:
    meeting = _transition(
        meeting,
        by,
        Meeting.Status.HELD,
        Meeting.Status.MINUTES_APPROVED,
        _("Minutes can be approved once the meeting is held."),
    )
    if not meeting.minutes.strip():
        raise ValidationError(_("Write the minutes before approving them."))
    meeting.minutes_approved_at = timezone.now()
    meeting.save(update_fields=["status", "minutes_approved_at"])
    return meeting


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
        for vote in decision.votes.select_related("cast_by", "cast_through__person")
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
        raise PermissionDenied(
            _("Only the chair, the vice-chair and the secretariat close decisions.")
        )
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


@transaction.atomic
def vote_cast(*, decision: Decision, by: User, choice: str) -> Vote:
    """Record the user's vote for their seat; close the decision when the outcome is settled.

    Holds the decision row lock from the check to the write, so two votes on one decision are
    counted one after the other, and a vote never lands on a closed decision.
    Raises ValidationError (bad choice), PermissionDenied (not a voting seat, with the reason)
    or Conflict (closed, or the seat has voted).
    """
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": _("Vote yes, no or abstain.")})
    decision = _lock(decision)
    if not decision.is_open:
        raise Conflict(_("The decision is closed; its outcome can no longer change."))
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
        raise PermissionDenied(
            _("Only the chair, the vice-chair and the secretariat record absence.")
        )
    if membership.body_id != body.pk:
        raise ValidationError(_("The seat is not in this body."))
    if decision is not None:
        decision = _lock(decision)
        if not decision.is_open:
            raise Conflict(_("The decision is closed; its outcome can no longer change."))
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
        raise PermissionDenied(
            _("Only the chair, the vice-chair and the secretariat call in substitutes.")
        )
    decision = _lock(decision)
    if not decision.is_open:
        raise Conflict(_("The decision is closed; its outcome can no longer change."))
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
        raise PermissionDenied(_("Members and observers of the body comment on open decisions."))
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
