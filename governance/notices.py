"""The messages governance sends (core.notifications) and its reminders (core.reminders).

Meeting news (agenda published, papers added, minutes for approval) is found by the hourly
reminder run from the meetings' own dates, so the meeting services stay as they are.
"""

import datetime
from collections.abc import Iterator

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.notifications import Kind
from core.reminders import Reminder
from partners.models import User

from .models import VOTING_ROLES, Absence, Decision, Meeting, Membership, Paper, Vote

VOTE_REQUESTED = "governance.vote_requested"
DECISION_OPENED = "governance.decision_opened"  # to observers: no vote of theirs is asked
DECISION_CLOSED = "governance.decision_closed"
VOTE_REMINDER = "governance.vote_reminder"
AGENDA_PUBLISHED = "governance.agenda_published"
PAPER_ADDED = "governance.paper_added"
MINUTES_FOR_APPROVAL = "governance.minutes_for_approval"
AGENDA_CHANGED = "governance.agenda_changed"

KINDS = [
    Kind(
        VOTE_REQUESTED,
        _("Your vote is requested"),
        "governance/email/decision_opened.txt",
        action=True,
    ),
    Kind(
        DECISION_OPENED,
        _("A new decision in a body you observe"),
        "governance/email/decision_opened_observer.txt",
    ),
    Kind(DECISION_CLOSED, _("A decision is closed"), "governance/email/decision_closed.txt"),
    Kind(
        VOTE_REMINDER,
        _("Reminder: your vote is missing"),
        "governance/email/vote_reminder.txt",
        action=True,
    ),
    Kind(AGENDA_PUBLISHED, _("A meeting's agenda is published"), "governance/email/agenda.txt"),
    Kind(PAPER_ADDED, _("A paper is added to a meeting"), "governance/email/paper_added.txt"),
    Kind(
        AGENDA_CHANGED,
        _("A published agenda has changed"),
        "governance/email/agenda_changed.txt",
    ),
    Kind(
        MINUTES_FOR_APPROVAL,
        _("Minutes ready for approval"),
        "governance/email/minutes_for_approval.txt",
    ),
]

# Before a vote's deadline: (threshold, how long before).
VOTE_THRESHOLDS = (("3d", datetime.timedelta(days=3)), ("1d", datetime.timedelta(days=1)))


def seated(body_id: int, roles=None) -> QuerySet[User]:
    seats = Membership.objects.active().filter(body_id=body_id)
    if roles is not None:
        seats = seats.filter(seat_role__in=roles)
    return User.objects.filter(is_active=True, pk__in=seats.values("person_id")).order_by("pk")


def voters_missing(decision: Decision) -> QuerySet[User]:
    """Holders of the body's voting seats whose seat has not voted and is not absent."""
    seats = (
        Membership.objects.active()
        .filter(body_id=decision.body_id, seat_role__in=VOTING_ROLES)
        .exclude(Exists(Vote.objects.filter(decision=decision, seat=OuterRef("pk"))))
        .exclude(
            Exists(
                Absence.objects.filter(membership=OuterRef("pk")).filter(
                    Q(decision=decision)
                    | (Q(meeting_id=decision.meeting_id) if decision.meeting_id else Q(pk__in=[]))
                )
            )
        )
    )
    return User.objects.filter(is_active=True, pk__in=seats.values("person_id")).order_by("pk")


def vote_reminders(today: datetime.date) -> Iterator[Reminder]:
    """3 days and 1 day before an open decision's deadline, to the seats that have not voted;
    a threshold is skipped when the decision opened after it (the request was just sent)."""
    now = timezone.now()
    longest = max(before for _threshold, before in VOTE_THRESHOLDS)
    decisions = Decision.objects.filter(
        status=Decision.Status.OPEN, deadline__gt=now, deadline__lte=now + longest
    ).select_related("body")
    for decision in decisions:
        due = [
            threshold
            for threshold, before in VOTE_THRESHOLDS
            if decision.deadline - before <= now and decision.opened_at < decision.deadline - before
        ]
        if not due:
            continue
        # Only the nearest threshold: a decision found late gets one reminder, not two.
        threshold = due[-1]
        yield Reminder(
            kind=VOTE_REMINDER,
            item=f"decision:{decision.pk}",
            threshold=threshold,
            users=voters_missing(decision),
            subject=_("%(body)s: reminder, your vote is missing – %(title)s"),
            subject_values={"body": decision.body.short_name, "title": decision.title},
            context={"decision": decision, "body": decision.body},
            url=decision.get_absolute_url(),
        )


def meeting_reminders(today: datetime.date) -> Iterator[Reminder]:
    """Agendas published and papers added for meetings still to come; minutes to approve."""
    now = timezone.now()
    upcoming = Meeting.objects.filter(
        starts_at__gte=now, agenda_published_at__isnull=False
    ).select_related("body")
    for meeting in upcoming:
        yield Reminder(
            kind=AGENDA_PUBLISHED,
            item=f"meeting:{meeting.pk}",
            threshold="agenda",
            users=seated(meeting.body_id),
            subject=_("%(body)s: agenda published – %(title)s"),
            subject_values={"body": meeting.body.short_name, "title": meeting.title},
            context={"meeting": meeting, "body": meeting.body},
            url=meeting.get_absolute_url(),
        )
    papers = Paper.objects.filter(
        agenda_item__meeting__starts_at__gte=now,
        agenda_item__meeting__agenda_published_at__isnull=False,
        uploaded_at__gt=F("agenda_item__meeting__agenda_published_at"),
    ).select_related("agenda_item__meeting__body")
    for paper in papers:
        meeting = paper.agenda_item.meeting
        yield Reminder(
            kind=PAPER_ADDED,
            item=f"paper:{paper.pk}",
            threshold="added",
            users=seated(meeting.body_id),
            subject=_("%(body)s: new paper for %(title)s"),
            subject_values={"body": meeting.body.short_name, "title": meeting.title},
            context={"meeting": meeting, "body": meeting.body, "paper": paper},
            url=meeting.get_absolute_url(),
        )
    for meeting in (
        Meeting.objects.filter(status=Meeting.Status.HELD)
        .exclude(minutes="")
        .select_related("body")
    ):
        yield Reminder(
            kind=MINUTES_FOR_APPROVAL,
            item=f"meeting:{meeting.pk}",
            threshold="minutes",
            users=seated(meeting.body_id),
            subject=_("%(body)s: minutes for approval – %(title)s"),
            subject_values={"body": meeting.body.short_name, "title": meeting.title},
            context={"meeting": meeting, "body": meeting.body},
            url=meeting.get_absolute_url(),
        )


REMINDERS = [vote_reminders, meeting_reminders]
