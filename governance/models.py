"""The partnership's bodies (§8), who sits in them, their meetings and their unanimous decisions.

Writes go through governance.services; reads through governance.selectors; who may do what is
decided in governance.permissions.
"""

import datetime

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from partners.models import DGO, Organisation, User


def paper_storage():
    """Papers live in the private storage: never under MEDIA_URL, only via the download view."""
    return storages["private"]


class Body(models.Model):
    """A governance body: FU, PUG, APS, or a DGO's political or administrative steering group."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("National body")
        DGO_POLITICAL = "dgo_political", _("DGO political steering group")
        DGO_ADMINISTRATIVE = "dgo_administrative", _("DGO administrative steering group")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    short_name = models.CharField(_("short name"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    dgo = models.ForeignKey(
        DGO,
        verbose_name=_("DGO"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bodies",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    meetings_per_year = models.PositiveSmallIntegerField(
        _("meetings per year"),
        help_text=_("The cadence the agreement sets; extra meetings may be held."),
    )
    chair_rule = models.CharField(_("chairmanship"), max_length=300, blank=True)
    remit = models.TextField(_("remit"), blank=True)
    agreement_reference = models.CharField(
        _("reference in the agreement"), max_length=40, blank=True
    )

    class MinutesApproval(models.TextChoices):
        NEXT_MEETING = "next_meeting", _("As a decision of the next meeting")
        CHAIR = "chair", _("By the chair on the body's behalf")

    minutes_approval = models.CharField(
        _("minutes approved"),
        max_length=16,
        choices=MinutesApproval.choices,
        default=MinutesApproval.NEXT_MEETING,
        help_text=_("The body approves its minutes; the secretariat never does so alone."),
    )

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["position", "name"]
        permissions = [
            ("view_body_content", _("Can read the body's meetings, papers and decisions")),
            ("chair_body", _("Can open and close decisions and publish agendas and minutes")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="national", dgo__isnull=True)
                | (~models.Q(kind="national") & models.Q(dgo__isnull=False)),
                name="body_dgo_only_for_dgo_groups",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("body-detail", kwargs={"code": self.code})


class BodyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Body, on_delete=models.CASCADE)


class BodyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Body, on_delete=models.CASCADE)


class SeatRole(models.TextChoices):
    MEMBER = "member", _("Member")
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    SUBSTITUTE = "substitute", _("Substitute")
    OBSERVER = "observer", _("Observer")


# Seats whose holders vote; a substitute votes only for its member, when called in.
VOTING_ROLES = (SeatRole.MEMBER, SeatRole.CHAIR, SeatRole.VICE_CHAIR)
CHAIR_ROLES = (SeatRole.CHAIR, SeatRole.VICE_CHAIR)


class SeatRule(models.Model):
    """One line of a body's composition in the agreement, e.g. '2 political reps from KL'."""

    class Seat(models.TextChoices):
        VOTING = "voting", _("Voting seat (member, chair or vice-chair)")
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        SUBSTITUTE = "substitute", _("Substitute")
        OBSERVER = "observer", _("Observer")

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.CASCADE, related_name="seat_rules"
    )
    key = models.SlugField(_("key"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("rule"), max_length=300)
    seat = models.CharField(_("seat"), max_length=16, choices=Seat.choices)
    appointed_by = models.ForeignKey(
        Organisation,
        verbose_name=_("appointed by (organisation)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    appointed_by_kinds = models.JSONField(
        _("appointed by (kinds of organisation)"),
        default=list,
        blank=True,
        help_text=_("Used when no single organisation is named, e.g. ['region']."),
    )
    per_geography = models.BooleanField(
        _("one set per geography"),
        default=False,
        help_text=_("The counts apply to each of the five geographies separately."),
    )
    must_sit_in = models.ForeignKey(
        Body,
        verbose_name=_("holder must also hold a voting seat in"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    different_municipalities = models.BooleanField(
        _("from different municipalities"),
        default=False,
        help_text=_(
            "Each holder comes from another municipality (the person's municipality), e.g. "
            "'five representatives from five different municipalities'."
        ),
    )
    min_count = models.PositiveSmallIntegerField(_("at least"))
    max_count = models.PositiveSmallIntegerField(_("at most"))

    class Meta:
        verbose_name = _("seat rule")
        verbose_name_plural = _("seat rules")
        ordering = ["body", "position"]
        constraints = [
            models.UniqueConstraint(fields=["body", "key"], name="seat_rule_key_unique"),
            models.CheckConstraint(
                condition=models.Q(max_count__gte=models.F("min_count")),
                name="seat_rule_max_not_below_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body.short_name}: {self.label}"

    def seat_roles(self) -> tuple[str, ...]:
        return {
            self.Seat.VOTING: VOTING_ROLES,
            self.Seat.CHAIR: (SeatRole.CHAIR,),
            self.Seat.VICE_CHAIR: (SeatRole.VICE_CHAIR,),
            self.Seat.SUBSTITUTE: (SeatRole.SUBSTITUTE,),
            self.Seat.OBSERVER: (SeatRole.OBSERVER,),
        }[self.seat]

    def appoints(self, organisation: Organisation) -> bool:
        if self.appointed_by_id is not None:
            return organisation.pk == self.appointed_by_id
        return organisation.kind in self.appointed_by_kinds


class MembershipQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> "MembershipQuerySet":
        """Seats that count on `on` (today). `ends_on` is the first day without the seat, as
        for role assignments: a seat ended today no longer counts today."""
        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day).filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gt=day)
        )

    def voting(self) -> "MembershipQuerySet":
        return self.filter(seat_role__in=VOTING_ROLES)


class Membership(models.Model):
    """A person's seat in a body for a period. Ended by an end date, never deleted."""

    person = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships"
    )
    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="memberships"
    )
    seat_role = models.CharField(_("seat"), max_length=16, choices=SeatRole.choices)
    substitute_for = models.ForeignKey(
        "self",
        verbose_name=_("substitute for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitutes",
    )
    appointed_by = models.ForeignKey(
        Organisation,
        verbose_name=_("appointed by"),
        on_delete=models.PROTECT,
        related_name="appointed_memberships",
    )
    geography = models.ForeignKey(
        DGO,
        verbose_name=_("geography represented"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    capacity = models.CharField(
        _("capacity"),
        max_length=200,
        blank=True,
        help_text=_("E.g. 'political representative' or 'CEO of CONCITO'."),
    )
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(
        _("ends"),
        null=True,
        blank=True,
        help_text=_(
            "The seat no longer counts from this day: ending it today takes effect at once. "
            "Empty: until further notice."
        ),
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("appointed in the portal by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["body", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(seat_role="substitute", substitute_for__isnull=False)
                | (~models.Q(seat_role="substitute") & models.Q(substitute_for__isnull=True)),
                name="membership_substitute_names_member",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "body"]),
            models.Index(fields=["body", "ends_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_seat_role_display()}, {self.body.short_name}"

    @property
    def is_voting(self) -> bool:
        """A member, chair or vice-chair (not `votes`: that is the reverse relation of Vote)."""
        return self.seat_role in VOTING_ROLES

    def is_active_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on > day)


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        AGENDA_PUBLISHED = "agenda_published", _("Agenda published")
        HELD = "held", _("Held")
        MINUTES_APPROVED = "minutes_approved", _("Minutes approved")

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    agenda_published_at = models.DateTimeField(_("agenda published"), null=True, blank=True)
    minutes_approved_at = models.DateTimeField(_("minutes approved"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["body", "starts_at"]),
            # The meeting list (API) and the upcoming meetings across bodies order by time.
            models.Index(fields=["starts_at", "id"], name="meeting_starts_at"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meeting-detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status != self.Status.PLANNED

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def is_agenda_published(self) -> bool:
        return self.status == self.Status.AGENDA_PUBLISHED

    @property
    def is_held(self) -> bool:
        """Held, with its minutes not yet approved."""
        return self.status == self.Status.HELD

    @property
    def has_minutes_approved(self) -> bool:
        return self.status == self.Status.MINUTES_APPROVED

    @property
    def has_been_held(self) -> bool:
        """Held, whether or not its minutes are approved yet: minutes may be shown."""
        return self.status in (self.Status.HELD, self.Status.MINUTES_APPROVED)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("item number"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_item_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Paper(models.Model):
    """A file on an agenda item (bilag). Stored privately; served by a permission-checked view."""

    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="papers"
    )
    file = models.FileField(_("file"), storage=paper_storage, upload_to="papers/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("type"), max_length=120)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        ordering = ["agenda_item", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("paper-download", kwargs={"pk": self.pk})


class Decision(models.Model):
    """A matter put to one body; adopted only when every voting seat votes yes (§8)."""

    class Mode(models.TextChoices):
        AT_MEETING = "at_meeting", _("At a meeting")
        IN_WRITING = "in_writing", _("In writing")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")
        LAPSED = "lapsed", _("Closed without outcome")

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="decisions"
    )
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("proposal"))
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    mode = models.CharField(_("procedure"), max_length=16, choices=Mode.choices)
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    subject_content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("subject type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject_object_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("subject_content_type", "subject_object_id")
    opened_by = models.ForeignKey(
        User, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_by = models.ForeignKey(
        User,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text=_("A closed decision is never changed: a correction is a new decision."),
    )
    # Set when a correction of this decision is adopted; the correction is `corrections`.
    corrected_at = models.DateTimeField(_("corrected"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | (~models.Q(status="open") & models.Q(closed_at__isnull=False)),
                name="decision_closed_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    subject_content_type__isnull=True, subject_object_id__isnull=True
                )
                | models.Q(subject_content_type__isnull=False, subject_object_id__isnull=False),
                name="decision_subject_complete",
            ),
            models.CheckConstraint(
                condition=~models.Q(mode="at_meeting") | models.Q(meeting__isnull=False),
                name="decision_at_meeting_has_meeting",
            ),
        ]
        indexes = [
            # The decision lists (page and API) order by the newest first.
            models.Index(fields=["-opened_at", "-id"], name="decision_recent"),
            models.Index(fields=["body", "status"]),
            models.Index(fields=["subject_content_type", "subject_object_id"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("decision-detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_adopted(self) -> bool:
        return self.status == self.Status.ADOPTED

    @property
    def is_rejected(self) -> bool:
        return self.status == self.Status.REJECTED

    @property
    def is_corrected(self) -> bool:
        return self.corrected_at is not None

    def deadline_passed(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) > self.deadline

    @property
    def outcome_summary(self) -> str:
        """The outcome without any voter, in the active language: "Afvist af FU den 2. december
        2026" (what those who may not see the votes read; governance.permissions.can_see_votes)."""
        if self.is_open or self.closed_at is None:
            return _("%(status)s in %(body)s") % {
                "status": self.get_status_display(),
                "body": self.body.short_name,
            }
        sentence = {
            self.Status.ADOPTED: _("Adopted by %(body)s on %(date)s"),
            self.Status.REJECTED: _("Rejected by %(body)s on %(date)s"),
        }.get(self.status, _("Closed without outcome in %(body)s on %(date)s"))
        return sentence % {
            "body": self.body.short_name,
            "date": date_format(timezone.localtime(self.closed_at), "DATE_FORMAT"),
        }


class Vote(models.Model):
    """One voting seat's vote. `seat` is the member's seat; `cast_through` the seat used to
    cast it: the same seat, or a substitute's seat when the substitute was called in."""

    class Choice(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        ABSTAIN = "abstain", _("Abstain")

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="votes"
    )
    seat = models.ForeignKey(
        Membership, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="votes"
    )
    cast_through = models.ForeignKey(
        Membership,
        verbose_name=_("cast through the seat of"),
        on_delete=models.PROTECT,
        related_name="votes_cast",
    )
    cast_by = models.ForeignKey(
        User, verbose_name=_("cast by"), on_delete=models.PROTECT, related_name="+"
    )
    choice = models.CharField(_("vote"), max_length=8, choices=Choice.choices)
    cast_at = models.DateTimeField(_("cast"), default=timezone.now)
    # A vote cast in the room is put into the portal by the secretariat or the chair: the
    # seat holder is `cast_by`, the one who typed it in `recorded_by`, at `meeting`.
    recorded_by = models.ForeignKey(
        User,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    meeting = models.ForeignKey(
        "Meeting",
        verbose_name=_("cast at the meeting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="votes_recorded",
    )

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["cast_at"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "seat"], name="vote_one_per_seat"),
            models.CheckConstraint(
                condition=models.Q(recorded_by__isnull=True, meeting__isnull=True)
                | models.Q(recorded_by__isnull=False, meeting__isnull=False),
                name="vote_recorded_at_a_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision}: {self.get_choice_display()} ({self.cast_by})"

    @property
    def by_substitute(self) -> bool:
        return self.cast_through_id != self.seat_id


class Absence(models.Model):
    """A seat recorded absent, for one decision or for a whole meeting (and its decisions)."""

    membership = models.ForeignKey(
        Membership, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="absences"
    )
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="absences",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="absences",
    )
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__isnull=False, meeting__isnull=True)
                | models.Q(decision__isnull=True, meeting__isnull=False),
                name="absence_decision_or_meeting",
            ),
            models.UniqueConstraint(
                fields=["membership", "decision"], name="absence_once_per_decision"
            ),
            models.UniqueConstraint(
                fields=["membership", "meeting"], name="absence_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership.person}: {self.decision or self.meeting}"


class SubstituteCall(models.Model):
    """The chair (or secretariat) calls a substitute in to vote for its member on a decision."""

    class Reason(models.TextChoices):
        ABSENT = "absent", _("The member is recorded absent")
        NO_VOTE_BY_DEADLINE = "no_vote_by_deadline", _("The member had not voted by the deadline")

    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        on_delete=models.PROTECT,
        related_name="substitute_calls",
    )
    substitute = models.ForeignKey(
        Membership, verbose_name=_("substitute"), on_delete=models.PROTECT, related_name="+"
    )
    for_member = models.ForeignKey(
        Membership, verbose_name=_("for the member"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices)
    called_by = models.ForeignKey(
        User, verbose_name=_("called in by"), on_delete=models.PROTECT, related_name="+"
    )
    called_at = models.DateTimeField(_("called in"), default=timezone.now)

    class Meta:
        verbose_name = _("substitute call")
        verbose_name_plural = _("substitute calls")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "for_member"], name="substitute_call_once_per_seat"
            )
        ]

    def __str__(self) -> str:
        return f"{self.substitute.person} → {self.for_member.person}: {self.decision}"


class AgendaChange(models.Model):
    """A note to the members when a published agenda changes (an item edited, moved, removed)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_changes"
    )
    note = models.CharField(_("change note"), max_length=500)
    changed_by = models.ForeignKey(
        User, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("agenda change")
        verbose_name_plural = _("agenda changes")
        ordering = ["meeting", "changed_at"]

    def __str__(self) -> str:
        return self.note


class Attendance(models.Model):
    """Who took part in a meeting. Absent and represented seats are absent for the meeting's
    decisions (an Absence for the meeting), so their substitutes can be called in."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        REPRESENTED = "represented", _("Represented by a substitute")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="attendance"
    )
    membership = models.ForeignKey(
        Membership, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(_("attendance"), max_length=16, choices=Status.choices)
    substitute = models.ForeignKey(
        Membership,
        verbose_name=_("substitute"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "membership"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "membership"], name="attendance_once_per_meeting"
            ),
            models.CheckConstraint(
                condition=models.Q(status="represented", substitute__isnull=False)
                | (~models.Q(status="represented") & models.Q(substitute__isnull=True)),
                name="attendance_represented_names_substitute",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership.person}: {self.get_status_display()}"


class DecisionComment(models.Model):
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="comments"
    )
    author = models.ForeignKey(
        User, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


class CalendarFeed(models.Model):
    """A person's secret calendar address. Regenerating replaces the token; revoking deletes it."""

    user = models.OneToOneField(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("secret"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)

    def get_absolute_url(self) -> str:
        return reverse("calendar-feed", kwargs={"token": self.token})
