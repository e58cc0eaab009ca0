"""The messages tracks sends (core.notifications) and its reminders (core.reminders)."""

import datetime
from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.notifications import Kind
from core.reminders import Reminder
from partners.models import RoleAssignment, User

from .models import Allocation, ClimateAssessment, Track

TRACK_SUBMITTED = "tracks.track_submitted"
ALLOCATION_REQUESTED = "tracks.allocation_requested"
ALLOCATION_DECIDED = "tracks.allocation_decided"
ALLOCATION_WITHDRAWN = "tracks.allocation_withdrawn"
ALLOCATION_WAITING = "tracks.allocation_waiting"
ASSESSMENT_REQUESTED = "tracks.assessment_requested"

KINDS = [
    Kind(
        TRACK_SUBMITTED, _("A development track is submitted"), "tracks/email/track_submitted.txt"
    ),
    Kind(
        ALLOCATION_REQUESTED,
        _("An allocation awaits your party's approval"),
        "tracks/email/allocation_requested.txt",
        action=True,
    ),
    Kind(
        ALLOCATION_DECIDED, _("Your allocation is decided"), "tracks/email/allocation_decided.txt"
    ),
    Kind(
        ALLOCATION_WITHDRAWN,
        _("An allocation request is withdrawn"),
        "tracks/email/allocation_withdrawn.txt",
    ),
    Kind(
        ALLOCATION_WAITING,
        _("Reminder: an allocation still awaits approval"),
        "tracks/email/allocation_waiting.txt",
        action=True,
    ),
    Kind(
        ASSESSMENT_REQUESTED,
        _("A climate assessment is requested"),
        "tracks/email/assessment_requested.txt",
        action=True,
    ),
]

ALLOCATION_WAIT = datetime.timedelta(days=7)


def _holders(role: str, **filters):
    held = RoleAssignment.objects.active().filter(role=role, **filters).values("user_id")
    return User.objects.filter(is_active=True, pk__in=held).order_by("pk")


def allocation_reminders(today: datetime.date) -> Iterator[Reminder]:
    """Allocation requests the contributing party has left waiting for more than 7 days."""
    waiting = Allocation.objects.filter(
        status=Allocation.Status.PENDING, requested_at__lt=timezone.now() - ALLOCATION_WAIT
    ).select_related("track", "pool__contribution")
    for allocation in waiting:
        yield Reminder(
            kind=ALLOCATION_WAITING,
            item=f"allocation:{allocation.pk}",
            threshold="7d",
            users=_holders(
                RoleAssignment.Role.PARTY_APPROVER,
                organisation_id=allocation.pool.contribution.contributor_id,
            ),
            subject=_("Reminder: an allocation for %(title)s awaits your approval"),
            subject_values={"title": allocation.track.title},
            context={"allocation": allocation},
            url=reverse("allocation-approvals"),
        )


def assessment_reminders(today: datetime.date) -> Iterator[Reminder]:
    """Tracks in qualification without a published climate assessment: the knowledge
    partners are asked for one."""
    published = ClimateAssessment.objects.filter(track=OuterRef("pk"), published_at__isnull=False)
    tracks = Track.objects.filter(status=Track.Status.IN_QUALIFICATION).exclude(Exists(published))
    partners = _holders(
        RoleAssignment.Role.KNOWLEDGE_PARTNER, organisation__is_knowledge_partner=True
    )
    for track in tracks:
        yield Reminder(
            kind=ASSESSMENT_REQUESTED,
            item=f"track:{track.pk}",
            threshold="requested",
            users=partners,
            subject=_("Climate assessment requested: %(title)s"),
            subject_values={"title": track.title},
            context={"track": track},
            url=track.get_absolute_url(),
        )


REMINDERS = [allocation_reminders, assessment_reminders]
