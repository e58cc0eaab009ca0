"""Events (arrangementer): workshops, conferences and network meetings the secretariat arranges
for all participating municipalities and regions (§8.6), or a DGO for its own (§8.5).

An event is a draft until published; publishing invites its target group. Signed-in people
register; once the seats are taken they join the waiting list, and the first waiting moves up
when someone cancels (services.registration_cancel). After the event its managers record who
came and add the materials.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.models import DGO

User = settings.AUTH_USER_MODEL


def material_storage():
    """Event materials are served by a view that checks sign-in, never from MEDIA_URL."""
    return storages["private"]


class EventQuerySet(models.QuerySet):
    def visible(self) -> "EventQuerySet":
        """Events every signed-in user sees: everything but drafts."""
        return self.exclude(status=Event.Status.DRAFT)

    def public(self) -> "EventQuerySet":
        """Events on the open pages: published or held (not drafts, not cancelled)."""
        return self.filter(status__in=(Event.Status.PUBLISHED, Event.Status.HELD))


class Event(models.Model):
    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        CONFERENCE = "conference", _("Conference")
        NETWORK_MEETING = "network_meeting", _("Network meeting")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")
        HELD = "held", _("Held")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    dgo = models.ForeignKey(
        DGO,
        verbose_name=_("DGO"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("Empty for a national event of the whole partnership."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Empty for no limit.")
    )
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(location="") | ~models.Q(online_url=""),
                name="event_place_or_link",
            ),
            models.CheckConstraint(
                condition=models.Q(registration_deadline__isnull=True)
                | models.Q(registration_deadline__lte=models.F("starts_at")),
                name="event_deadline_before_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1),
                name="event_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("event-detail", kwargs={"pk": self.pk})

    @property
    def is_national(self) -> bool:
        return self.dgo_id is None

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    @property
    def is_editable(self) -> bool:
        """Its details may still change: a held or cancelled event is a record."""
        return self.status in EDITABLE_STATES

    def registration_closes_at(self):
        """Registration closes at the deadline, or when the event starts."""
        return self.registration_deadline or self.starts_at


# An event may be edited (and cancelled) until it is held or cancelled.
EDITABLE_STATES = (Event.Status.DRAFT, Event.Status.PUBLISHED)


class Registration(models.Model):
    """One person's place at an event: registered, on the waiting list, or cancelled. One row
    per person and event; registering again after cancelling reuses it (joining the end of the
    waiting list if the seats are taken)."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    person = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    # The waiting list's order: when the person (last) joined.
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="registration_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.event}"

    @property
    def is_registered(self) -> bool:
        return self.status == self.Status.REGISTERED

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.WAITING

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Material(models.Model):
    """A file from the event (slides, notes, photos), added afterwards by its managers."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"), storage=material_storage, upload_to="events/", max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("type"), max_length=120)
    added_by = models.ForeignKey(
        User, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("event-material-download", kwargs={"pk": self.pk})
