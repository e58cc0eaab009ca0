"""What is due: plan revisions, reports missing or not yet approved, indicator values missing.

For the secretariat (everything) and DGO coordinators (their DGOs' municipalities): on the
dashboard, on the "what is due" page, in the API and in the weekly e-mail digest.

- Plan revisions, from the five-year rule (models.next_revision_due) applied to each
  municipality's newest status report with a plan: overdue, due within 12 months, due within
  12–24 months.
- Open rounds: municipalities without a report, and reports not yet approved (draft, changes
  requested, submitted).
- Indicators: for the newest round's emissions year (the year a round collects), how many
  municipalities in scope have no value of each indicator in use.
"""

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.models import (
    Indicator,
    IndicatorValue,
    Round,
    StatusReport,
    add_years,
    next_revision_due,
)
from monitoring.permissions import can_see_due, due_dgo_ids
from partners.models import Municipality

State = StatusReport.State
UNAPPROVED = (State.DRAFT, State.CHANGES_REQUESTED, State.SUBMITTED)


@dataclass
class DueRevision:
    municipality: Municipality
    due_on: datetime.date
    report_year: int


@dataclass
class DueRound:
    round: Round
    not_started: list[Municipality]
    unapproved: list[tuple[Municipality, str]]  # (municipality, state label)

    @property
    def count(self) -> int:
        return len(self.not_started) + len(self.unapproved)


@dataclass
class DueIndicator:
    indicator: Indicator
    missing: int
    municipalities: int


@dataclass
class DueList:
    today: datetime.date
    scope: str  # "all" or the DGO names
    overdue: list[DueRevision] = field(default_factory=list)
    within_12: list[DueRevision] = field(default_factory=list)
    within_24: list[DueRevision] = field(default_factory=list)
    rounds: list[DueRound] = field(default_factory=list)
    indicator_year: int | None = None
    indicators: list[DueIndicator] = field(default_factory=list)

    @property
    def revision_groups(self) -> list[tuple[str, list[DueRevision]]]:
        return [
            (_("Overdue"), self.overdue),
            (_("Within 12 months"), self.within_12),
            (_("Within 12–24 months"), self.within_24),
        ]

    @property
    def indicators_missing(self) -> list[DueIndicator]:
        return [row for row in self.indicators if row.missing]

    @property
    def is_empty(self) -> bool:
        return not (
            self.overdue
            or self.within_12
            or self.within_24
            or any(r.count for r in self.rounds)
            or self.indicators_missing
        )


def due_for(user, *, today: datetime.date | None = None) -> DueList | None:
    """The user's list: everything for the secretariat, their DGOs for a coordinator, None
    for everyone else."""
    if not can_see_due(user):
        return None
    return due_list(dgo_ids=due_dgo_ids(user), today=today)


def due_list(*, dgo_ids: Collection[int] | None, today: datetime.date | None = None) -> DueList:
    """Everything due in scope (None: all DGOs), in 5 queries plus one per open round."""
    today = today or timezone.localdate()
    municipalities = Municipality.objects.select_related("dgo").order_by("name")
    if dgo_ids is not None:
        municipalities = municipalities.filter(dgo_id__in=dgo_ids)
    in_scope = list(municipalities)
    scope = "all" if dgo_ids is None else ", ".join(sorted({m.dgo.name for m in in_scope}))
    result = DueList(today=today, scope=scope)
    _revisions(result, municipalities, today)
    rounds = list(Round.objects.order_by("-year"))
    for round in rounds:
        if round.is_open:
            result.rounds.append(_round(round, municipalities))
    if rounds:
        _indicators(result, municipalities, len(in_scope), rounds[0].emissions_year)
    return result


def _revisions(result: DueList, municipalities, today: datetime.date) -> None:
    newer = StatusReport.objects.filter(
        municipality=OuterRef("municipality"), round__year__gt=OuterRef("round__year")
    )
    reports = (
        StatusReport.objects.filter(municipality__in=municipalities.values("pk"))
        .filter(~Exists(newer))
        .filter(plan_status__in=StatusReport.PLAN_EXISTS_STATES)
        .select_related("municipality", "municipality__dgo", "round")
    )
    in_12, in_24 = add_years(today, 1), add_years(today, 2)
    for report in reports:
        due = next_revision_due(report.plan_adopted_on, report.plan_revised_on)
        if due is None:
            continue
        item = DueRevision(report.municipality, due, report.round.year)
        if due < today:
            result.overdue.append(item)
        elif due <= in_12:
            result.within_12.append(item)
        elif due <= in_24:
            result.within_24.append(item)
    for items in (result.overdue, result.within_12, result.within_24):
        items.sort(key=lambda item: (item.due_on, item.municipality.name))


def _round(round: Round, municipalities) -> DueRound:
    rows = municipalities.annotate(
        this_round=FilteredRelation("status_reports", condition=Q(status_reports__round=round))
    ).annotate(report_id=F("this_round__id"), report_state=F("this_round__state"))
    labels = dict(State.choices)
    not_started, unapproved = [], []
    for row in rows:
        if row.report_id is None:
            not_started.append(row)
        elif row.report_state in UNAPPROVED:
            unapproved.append((row, str(labels[row.report_state])))
    return DueRound(round=round, not_started=not_started, unapproved=unapproved)


def _indicators(result: DueList, municipalities, total: int, year: int) -> None:
    result.indicator_year = year
    present = dict(
        IndicatorValue.objects.filter(year=year, municipality__in=municipalities.values("pk"))
        .values("indicator_id")
        .annotate(n=Count("municipality", distinct=True))
        .values_list("indicator_id", "n")
        .order_by()
    )
    result.indicators = [
        DueIndicator(indicator, total - present.get(indicator.pk, 0), total)
        for indicator in Indicator.objects.filter(is_active=True)
    ]
