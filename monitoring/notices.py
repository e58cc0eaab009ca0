"""The messages monitoring sends (core.notifications) and its reminders (core.reminders)."""

import datetime
from collections.abc import Iterator

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.notifications import Kind, lazy_date
from core.reminders import Reminder
from partners.models import Municipality, RoleAssignment, User

from .models import Round, StatusReport, add_years, next_revision_due

Role = RoleAssignment.Role
State = StatusReport.State

CHANGES_REQUESTED = "monitoring.changes_requested"
ROUND_REMINDER = "monitoring.round_reminder"
REPORT_DUE = "monitoring.report_due"
PLAN_REVISION = "monitoring.plan_revision"
DUE_DIGEST = "monitoring.due_digest"
REPORT_WITHDRAWN = "monitoring.report_withdrawn"

KINDS = [
    Kind(
        CHANGES_REQUESTED,
        _("A status report is sent back for changes"),
        "notifications/email/text.txt",
        action=True,
    ),
    Kind(
        ROUND_REMINDER,
        _("The secretariat's reminder of missing status reports"),
        "notifications/email/text.txt",
        action=True,
    ),
    Kind(
        REPORT_DUE,
        _("Reminder: a status report's deadline is near"),
        "monitoring/email/report_due.txt",
        action=True,
    ),
    Kind(
        PLAN_REVISION,
        _("Reminder: a climate plan's revision falls due"),
        "monitoring/email/plan_revision.txt",
    ),
    Kind(DUE_DIGEST, _("What is due, every week"), "monitoring/email/due_digest.txt"),
    Kind(
        REPORT_WITHDRAWN,
        _("A submitted status report is withdrawn before review"),
        "notifications/email/text.txt",
    ),
]

REPORT_THRESHOLDS = (("14d", 14), ("3d", 3))  # days before the round's deadline
SIX_MONTHS = datetime.timedelta(days=183)
NOT_SENT_IN = (State.SUBMITTED, State.APPROVED, State.LOCKED)


def coordinators(dgo_ids) -> dict[int, list[User]]:
    """Each DGO's active coordinators, by DGO id."""
    rows = (
        RoleAssignment.objects.active()
        .filter(role=Role.DGO_COORDINATOR, dgo_id__in=list(dgo_ids), user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    people: dict[int, dict[int, User]] = {}
    for row in rows:
        people.setdefault(row.dgo_id, {})[row.user_id] = row.user
    return {dgo_id: list(users.values()) for dgo_id, users in people.items()}


def reviewers() -> list[User]:
    """Who reviews status reports: the active secretariat (permissions.can_review)."""
    rows = (
        RoleAssignment.objects.active()
        .filter(role=Role.SECRETARIAT, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    return list({row.user_id: row.user for row in rows}.values())


def contacts(municipality_ids) -> dict[int, list[User]]:
    """Each municipality's active contact persons, by municipality id."""
    rows = (
        RoleAssignment.objects.active()
        .filter(
            role=Role.MUNICIPAL_CONTACT,
            municipality_id__in=list(municipality_ids),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id")
    )
    people: dict[int, dict[int, User]] = {}
    for row in rows:
        people.setdefault(row.municipality_id, {})[row.user_id] = row.user
    return {key: list(users.values()) for key, users in people.items()}


def _people_for(municipalities: list[Municipality]) -> dict[int, list[User]]:
    by_dgo = coordinators({m.dgo_id for m in municipalities})
    by_municipality = contacts(m.pk for m in municipalities)
    return {m.pk: by_municipality.get(m.pk, []) + by_dgo.get(m.dgo_id, []) for m in municipalities}


def report_reminders(today: datetime.date) -> Iterator[Reminder]:
    """14 and 3 days before an open round's deadline: each municipality whose report is not
    yet with the secretariat, to its contacts and its DGO's coordinators. A threshold that
    had passed when the round opened is skipped."""
    for round in Round.objects.filter(status=Round.Status.OPEN, deadline__gte=today):
        days_left = (round.deadline - today).days
        due = [
            threshold
            for threshold, days in REPORT_THRESHOLDS
            if days_left <= days and (round.deadline - round.opens_on).days > days
        ]
        if not due:
            continue
        threshold = due[-1]
        sent = StatusReport.objects.filter(round=round, state__in=NOT_SENT_IN).values(
            "municipality_id"
        )
        missing = list(Municipality.objects.exclude(pk__in=sent).order_by("name"))
        people = _people_for(missing)
        deadline = lazy_date(round.deadline)
        for municipality in missing:
            yield Reminder(
                kind=REPORT_DUE,
                item=f"report:{round.year}:{municipality.pk}",
                threshold=threshold,
                users=people[municipality.pk],
                subject=_("Reminder: the status report of %(municipality)s is due %(deadline)s"),
                subject_values={
                    "municipality": municipality.name,
                    "deadline": deadline,
                },
                context={"round": round, "municipality": municipality, "days": days_left},
                url=round.get_absolute_url(),
            )


def plan_revision_reminders(today: datetime.date) -> Iterator[Reminder]:
    """Climate plans due for revision in 12 and in 6 months, and overdue, from each
    municipality's latest published report: to its contacts and its DGO's coordinators."""
    latest: dict[int, StatusReport] = {}
    reports = (
        StatusReport.objects.published()
        .filter(plan_status__in=StatusReport.PLAN_EXISTS_STATES)
        .filter(Q(plan_adopted_on__isnull=False) | Q(plan_revised_on__isnull=False))
        .select_related("municipality", "round")
        .order_by("municipality_id", "-round__year")
    )
    for report in reports:
        latest.setdefault(report.municipality_id, report)
    found = []
    for report in latest.values():
        due_on = next_revision_due(report.plan_adopted_on, report.plan_revised_on)
        if due_on is None:
            continue
        if due_on < today:
            threshold = "overdue"
        elif due_on <= today + SIX_MONTHS:
            threshold = "6m"
        elif due_on <= add_years(today, 1):
            threshold = "12m"
        else:
            continue
        found.append((report, due_on, threshold))
    people = _people_for([report.municipality for report, _due, _t in found])
    for report, due_on, threshold in found:
        municipality = report.municipality
        yield Reminder(
            kind=PLAN_REVISION,
            item=f"plan:{municipality.pk}:{due_on.isoformat()}",
            threshold=threshold,
            users=people[municipality.pk],
            subject=(
                _("The climate plan of %(municipality)s is overdue for revision")
                if threshold == "overdue"
                else _("The climate plan of %(municipality)s is due for revision on %(due)s")
            ),
            subject_values={"municipality": municipality.name, "due": lazy_date(due_on)},
            context={
                "municipality": municipality,
                "due_on": due_on,
                "overdue": threshold == "overdue",
                "report": report,
            },
            url=report.get_absolute_url(),
        )


REMINDERS = [report_reminders, plan_revision_reminders]
