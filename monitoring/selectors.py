"""Reads for monitoring's pages, API, dashboard and exports, each built for what shows it.

Aggregates are computed in the database; no page issues a query per row.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.formatting import tonnes
from monitoring import permissions
from monitoring.figures import analysis, charts
from partners.models import DGO, Municipality, User

from .models import (
    Action,
    ChecklistAnswer,
    ChecklistRequirement,
    DataRelease,
    EmissionFigure,
    Round,
    Sector,
    StatusReport,
    StatusReportDocument,
    add_years,
    counted_cells,
    published_q,
    revision_due_between_q,
    revision_due_by_q,
)
from .permissions import published_figures_q, visible_figures_q

State = StatusReport.State
NOT_STARTED = "not_started"
HISTORY_LIMIT = 50


# --- rounds ------------------------------------------------------------------------------


def round_list() -> QuerySet[Round]:
    return Round.objects.annotate(
        report_count=Count("reports"),
        approved_count=Count(
            "reports",
            filter=published_q("reports__"),
        ),
    ).order_by("-year")


def round_get(*, year: int) -> Round:
    return Round.objects.select_related("closed_by").get(year=year)


def latest_round() -> Round | None:
    return Round.objects.order_by("-year").first()


def open_rounds() -> QuerySet[Round]:
    return Round.objects.filter(status=Round.Status.OPEN).order_by("-year")


@dataclass
class DGOProgress:
    dgo: DGO
    total: int
    not_started: int
    draft: int
    changes_requested: int
    submitted: int
    approved: int
    locked: int

    @property
    def missing(self) -> int:
        return self.not_started + self.draft + self.changes_requested


def round_progress_by_dgo(*, round: Round) -> list[DGOProgress]:
    """Per DGO: how many of its municipalities' reports are in each state (one query). Only
    this round's reports are joined (FilteredRelation), so the cost follows one round."""
    in_round = Q(this_round__isnull=False)
    state = "this_round__state"
    approved_at = "this_round__approved_at__isnull"
    rows = (
        DGO.objects.annotate(
            this_round=FilteredRelation(
                "municipalities__status_reports",
                condition=Q(municipalities__status_reports__round=round),
            )
        )
        .annotate(
            total=Count("municipalities", distinct=True),
            reported=Count("this_round", filter=in_round),
            n_draft=Count("this_round", filter=in_round & Q(**{state: "draft"})),
            n_changes=Count("this_round", filter=in_round & Q(**{state: "changes_requested"})),
            n_submitted=Count("this_round", filter=in_round & Q(**{state: "submitted"})),
            n_approved=Count(
                "this_round",
                filter=in_round & published_q("this_round__"),
            ),
            n_locked=Count(
                "this_round",
                filter=in_round & Q(**{state: "locked", approved_at: True}),
            ),
        )
        .order_by("name")
    )
    return [
        DGOProgress(
            dgo=row,
            total=row.total,
            not_started=row.total - row.reported,
            draft=row.n_draft,
            changes_requested=row.n_changes,
            submitted=row.n_submitted,
            approved=row.n_approved,
            locked=row.n_locked,
        )
        for row in rows
    ]


def round_rows(
    *, round: Round, user: User, dgo: DGO | None = None, state: str = "", search: str = ""
) -> QuerySet[Municipality]:
    """Every municipality with its report of this round (if any) as annotations, for the
    round overview's table; `can_view` is decided from these annotations, without queries."""
    rows = (
        Municipality.objects.select_related("dgo")
        .annotate(
            this_round=FilteredRelation("status_reports", condition=Q(status_reports__round=round))
        )
        .annotate(
            report_id=F("this_round__id"),
            report_state=F("this_round__state"),
            report_approved_at=F("this_round__approved_at"),
            report_updated_at=F("this_round__updated_at"),
            report_submitted_at=F("this_round__submitted_at"),
        )
        .order_by("dgo__name", "name")
    )
    if dgo is not None:
        rows = rows.filter(dgo=dgo)
    if state == NOT_STARTED:
        rows = rows.filter(report_id__isnull=True)
    elif state:
        rows = rows.filter(report_state=state)
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(code__startswith=search))
    return rows


def annotate_visibility(rows, user: User) -> None:
    """Each row's links, by monitoring.permissions' rules."""
    for row in rows:
        row.can_view = row.report_id is not None and permissions.can_view_report_of(
            user, dgo_id=row.dgo_id, state=row.report_state, approved_at=row.report_approved_at
        )
        row.can_enter = permissions.can_enter_report_of(
            user, dgo_id=row.dgo_id, state=row.report_state
        )


# --- one report --------------------------------------------------------------------------


def report_get(*, year: int, code: str, user: User) -> StatusReport:
    """The report if the user may see it; StatusReport.DoesNotExist otherwise (a 404)."""
    return (
        permissions.visible_reports(user)
        .select_related(
            "round",
            "municipality",
            "municipality__dgo",
            "submitted_by",
            "reviewed_by",
            "updated_by",
        )
        .prefetch_related(
            Prefetch(
                "checklist_answers",
                queryset=ChecklistAnswer.objects.select_related("requirement"),
            ),
            Prefetch("actions", queryset=Action.objects.select_related("sector").order_by("pk")),
        )
        .get(round__year=year, municipality__code=code)
    )


def report_find(*, round: Round, municipality: Municipality) -> StatusReport | None:
    return (
        StatusReport.objects.select_related("round", "municipality", "updated_by")
        .filter(round=round, municipality=municipality)
        .first()
    )


def report_emissions(*, report: StatusReport) -> list[tuple[Sector, EmissionFigure | None]]:
    """This round's figures of the report's release, one row per active sector."""
    figures = {}
    if report.pk and report.data_release:
        figures = {
            f.sector_id: f
            for f in EmissionFigure.objects.filter(
                municipality_id=report.municipality_id,
                year=report.round.emissions_year,
                data_release=report.data_release,
            )
        }
    return [(sector, figures.get(sector.pk)) for sector in Sector.objects.filter(is_active=True)]


@dataclass
class HistoryEntry:
    timestamp: datetime.datetime
    actor: User | None
    action: str
    object_label: str
    changes: list[tuple[str, str, str]]  # (field, before, after), for changes only


def _shown(value: str) -> str:
    return "–" if value in ("None", "") else value


def report_history(*, report: StatusReport, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """Who changed what and when: the report and its answers, actions and figures (bounded).
    Creations and deletions are one line each; changes list each field before and after."""
    types = ContentType.objects.get_for_models(
        StatusReport, ChecklistAnswer, Action, EmissionFigure
    )
    children = [types[ChecklistAnswer].pk, types[Action].pk, types[EmissionFigure].pk]
    names = {ct.pk: model._meta.verbose_name for model, ct in types.items()}
    entries = (
        LogEntry.objects.filter(
            Q(content_type=types[StatusReport], object_id=report.pk)
            | Q(content_type_id__in=children, additional_data__report_id=report.pk)
        )
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:limit]
    )
    actions = {
        LogEntry.Action.CREATE: _("Created"),
        LogEntry.Action.UPDATE: _("Changed"),
        LogEntry.Action.DELETE: _("Deleted"),
    }
    history = []
    for entry in entries:
        is_report = entry.content_type_id == types[StatusReport].pk
        label = str(names.get(entry.content_type_id, ""))
        if not is_report:
            label += f": {entry.object_repr}"
        changes = []
        if entry.action == LogEntry.Action.UPDATE:
            changes = [
                (name, _shown(values[0]), _shown(values[1]))
                for name, values in entry.changes_display_dict.items()
            ]
        history.append(
            HistoryEntry(
                timestamp=entry.timestamp,
                actor=entry.actor,
                action=actions.get(entry.action, ""),
                object_label=label,
                changes=changes,
            )
        )
    return history


# --- emissions over the years ------------------------------------------------------------


def data_release_list() -> list[DataRelease]:
    """The imported releases of the national accounts, newest first, with their figures."""
    counts = dict(
        EmissionFigure.objects.filter(report__isnull=True)
        .values("data_release")
        .annotate(n=Count("pk"))
        .values_list("data_release", "n")
        .order_by()
    )
    releases = list(DataRelease.objects.select_related("imported_by"))
    for release in releases:
        release.figure_count = counts.get(release.name, 0)
    return releases


def sector_list() -> list[Sector]:
    return list(Sector.objects.filter(is_active=True))


@dataclass
class EmissionsTable:
    """Latest-release figures: rows are sectors, columns years; with group series for charts."""

    years: list[int]
    sectors: list[Sector]
    cells: dict[tuple[int, int], Decimal]  # (sector id, year) -> t CO2e
    releases: set[str] = field(default_factory=set)
    # Totals over many municipalities (a DGO, the country): how many have figures each year,
    # and the change since the first year, like with like (analysis.change_between). Empty
    # and None for one municipality's own table.
    coverage: dict[int, analysis.Coverage] = field(default_factory=dict)
    change: analysis.Change | None = None
    # Sums over many municipalities come from EmissionFigureQuerySet.for_totals, which already
    # left out the parts of a group with its own figure, municipality by municipality.
    aggregated: bool = False

    def counted(self) -> dict[tuple[int, int], Decimal]:
        """The cells a total adds up: a group and its parts are never both counted."""
        return self.cells if self.aggregated else counted_cells(self.cells, self.sectors)

    @property
    def coverage_row(self) -> list[analysis.Coverage | None]:
        return [self.coverage.get(y) for y in self.years]

    @property
    def year_columns(self) -> list[tuple[int, analysis.Coverage | None]]:
        return list(zip(self.years, self.coverage_row, strict=True))

    @property
    def incomplete_years(self) -> list[analysis.Coverage]:
        """The years (their coverage) for which not every municipality has figures."""
        return [c for c in self.coverage_row if c is not None and not c.complete]

    @property
    def incomplete_note(self) -> str:
        return incomplete_years_note(self.incomplete_years)

    @property
    def rows(self) -> list[tuple[Sector, list[Decimal | None]]]:
        return [(s, [self.cells.get((s.pk, y)) for y in self.years]) for s in self.sectors]

    @property
    def totals(self) -> list[Decimal]:
        counted = self.counted()
        return [
            sum((v for (_sid, y), v in counted.items() if y == year), Decimal(0))
            for year in self.years
        ]

    def group_series(self) -> list[charts.Series]:
        """One chart layer per GPC group (five layers read better than eleven)."""
        groups: dict[str, dict[int, Decimal]] = {}
        by_id = {s.pk: s for s in self.sectors}
        for (sector_id, year), value in self.counted().items():
            sector = by_id.get(sector_id)
            if sector is None:
                continue
            layer = groups.setdefault(sector.group, {})
            layer[year] = layer.get(year, Decimal(0)) + value
        # Each group keeps its pattern (its place among all groups) in every chart, also in a
        # chart that lacks some groups: the reader learns the patterns once.
        return [
            charts.Series(key=key, label=str(label), values=groups[key], pattern=position)
            for position, (key, label) in enumerate(Sector.Group.choices)
            if key in groups
        ]


def _emissions_table(rows) -> EmissionsTable:
    cells: dict[tuple[int, int], Decimal] = {}
    years, releases = set(), set()
    for sector_id, year, total, release in rows:
        cells[(sector_id, year)] = total
        years.add(year)
        if release:
            releases.add(release)
    return EmissionsTable(
        years=sorted(years), sectors=sector_list(), cells=cells, releases=releases
    )


def municipality_emissions(*, municipality: Municipality, user: User) -> EmissionsTable:
    figures = EmissionFigure.objects.latest_releases(
        visible_figures_q(user) & Q(municipality=municipality)
    ).values_list("sector_id", "year", "tonnes_co2e", "data_release")
    return _emissions_table(figures)


def aggregate_emissions(
    *,
    dgo: DGO | None = None,
    until: int | None = None,
    yearly: list | None = None,
    municipalities: int | None = None,
) -> EmissionsTable:
    """Total published emissions by sector and year (latest release of each figure), up to
    the year `until` (a round's emissions year: later years are not complete yet), with each
    year's coverage and the change since the first year, like with like.

    `yearly` (the `_yearly_totals` rows of the same scope) and `municipalities` (how many
    the geography has) are fetched when not given: 1 query, or 3."""
    condition = published_figures_q()
    if until is not None:
        condition &= Q(year__lte=until)
    if dgo is not None:
        condition &= Q(municipality__dgo=dgo)
    rows = (
        EmissionFigure.objects.for_totals(condition)
        .values("sector_id", "year")
        .annotate(total=Sum("tonnes_co2e"))
        .values_list("sector_id", "year", "total")
        .order_by()
    )
    table = _emissions_table((s, y, t, None) for s, y, t in rows)
    table.aggregated = True
    if yearly is None:
        yearly = list(_yearly_totals(_scope_until(dgo, until)))
    if municipalities is None:
        scope = Municipality.objects.all() if dgo is None else Municipality.objects.filter(dgo=dgo)
        municipalities = scope.count()
    totals = [(m, year, total) for m, year, total, _release in yearly]
    table.coverage = analysis.coverage_by_year(
        ((m, year) for m, year, _t in totals), municipalities=municipalities
    )
    table.change = analysis.change_since_first_year(totals, municipalities=municipalities)
    return table


def emissions_change_since(*, round: Round | None, from_year: int) -> analysis.Change | None:
    """National emissions from `from_year` to the round's emissions year (or the latest year),
    like with like: the same totals and rule as the report's change tile (one query)."""
    until = round.emissions_year if round else None
    totals = [(m, year, total) for m, year, total, _r in _yearly_totals(_scope_until(None, until))]
    to_year = max((year for _m, year, _t in totals), default=None)
    if to_year is None:
        return None
    return analysis.change_between(
        totals,
        from_year=from_year,
        to_year=to_year,
        municipalities=Municipality.objects.count(),
    )


def _scope_until(dgo: DGO | None, until: int | None) -> Q:
    condition = Q() if dgo is None else Q(municipality__dgo=dgo)
    if until is not None:
        condition &= Q(year__lte=until)
    return condition


@dataclass
class ReleaseChange:
    year: int
    sector: Sector
    release: str
    previous_release: str | None
    value: Decimal
    previous: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        return None if self.previous is None else self.value - self.previous


def municipality_emission_history(*, municipality: Municipality, user: User) -> list[ReleaseChange]:
    """Every release of every figure, each with what it changed against the release before."""
    figures = (
        EmissionFigure.objects.filter(visible_figures_q(user), municipality=municipality)
        .select_related("sector")
        .order_by("year", "sector__position", "data_release")
    )
    changes, last = [], {}
    for figure in figures:
        key = (figure.year, figure.sector_id)
        before = last.get(key)
        changes.append(
            ReleaseChange(
                year=figure.year,
                sector=figure.sector,
                release=figure.data_release,
                previous_release=before.data_release if before else None,
                value=figure.tonnes_co2e,
                previous=before.tonnes_co2e if before else None,
            )
        )
        last[key] = figure
    return changes


# --- the municipality page's monitoring section -------------------------------------------


@dataclass
class MunicipalityMonitoring:
    report: StatusReport | None
    round: Round | None
    emissions: EmissionsTable
    chart: str
    target_path: list
    action_counts: dict[str, int]
    checklist_met: int
    checklist_total: int
    open_round: Round | None = None
    can_enter: bool = False
    on_track: "OnTrack | None" = None

    @property
    def action_rows(self) -> list[tuple[str, str, int]]:
        return [
            (key, label, self.action_counts.get(key, 0))
            for key, label in Action.Status.choices
            if self.action_counts.get(key)
        ]


def _count_of(model, **conditions):
    """A correlated subquery counting `model` rows of the outer report."""
    rows = (
        model.objects.filter(report=OuterRef("pk"), **conditions)
        .order_by()
        .values("report")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def municipality_monitoring(*, municipality: Municipality, user: User) -> MunicipalityMonitoring:
    """The latest report the user may see with its counts, the emissions chart, and whether
    the user may fill in this year's report (4–5 queries)."""
    report = (
        permissions.visible_reports(user)
        .filter(municipality=municipality)
        .select_related("round")
        .annotate(
            checklist_met=_count_of(ChecklistAnswer, met=True),
            checklist_total=_count_of(ChecklistAnswer),
            **{f"actions_{key}": _count_of(Action, status=key) for key in Action.Status.values},
        )
        .order_by("-round__year")
        .first()
    )
    emissions = municipality_emissions(municipality=municipality, user=user)
    path = []
    action_counts: dict[str, int] = {}
    met = total = 0
    if report is not None:
        path = charts.target_path_points(
            baseline_year=report.baseline_year,
            baseline_emissions=report.baseline_emissions,
            reduction_2030_pct=report.target_2030_reduction_pct,
            net_zero_year=report.net_zero_year,
        )
        action_counts = {key: getattr(report, f"actions_{key}") for key in Action.Status.values}
        met, total = report.checklist_met, report.checklist_total
    on_track = municipality_on_track(municipality=municipality)
    chart = emissions_chart(
        chart_id=f"emissions-{municipality.code}",
        title=_chart_title(municipality.name),
        emissions=emissions,
        path=path,
        projection=on_track.projection,
    )
    open_round, can_enter = None, False
    if permissions.can_enter_for(user, municipality):
        open_round = (
            open_rounds()
            .annotate(
                this_state=Subquery(
                    StatusReport.objects.filter(
                        round=OuterRef("pk"), municipality=municipality
                    ).values("state")[:1]
                )
            )
            .first()
        )
        if open_round is not None:
            state = open_round.this_state
            can_enter = state is None or state in StatusReport.EDITABLE_STATES
    return MunicipalityMonitoring(
        open_round=open_round,
        can_enter=can_enter,
        on_track=on_track,
        report=report,
        round=report.round if report else None,
        emissions=emissions,
        chart=chart,
        target_path=path,
        action_counts=action_counts,
        checklist_met=met,
        checklist_total=total,
    )


def _chart_title(place: str) -> str:
    return _("Territorial emissions by sector group, %(place)s") % {"place": place}


def incomplete_years_note(incomplete: list[analysis.Coverage]) -> str:
    """The footnote of a chart or table whose totals include years not every municipality has
    figures for ("" when there are none)."""
    if not incomplete:
        return ""
    years = ", ".join(
        _("%(year)s (%(reporting)s of %(municipalities)s)")
        % {"year": c.year, "reporting": c.reporting, "municipalities": c.municipalities}
        for c in incomplete
    )
    return _(
        "Not every municipality has figures for %(years)s: the total is lower than the "
        "whole, not a fall in emissions."
    ) % {"years": years}


def _rounded_tonnes(value) -> str:
    """Tonnes as the tables write them (floatformat rounds half up; number_format cuts off)."""
    return tonnes(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def emissions_summary(*, emissions: EmissionsTable, path=(), projection=(), series=None) -> str:
    """What the emissions chart shows, in words, from its own data: the change from the first
    to the latest reported year, the largest sector group, the 2030 target and the projection.
    It is the chart's alternative text in the PDF (WeasyPrint takes a figure's /Alt from the
    SVG's <title>) and read out with the chart's name on the web page."""
    if not emissions.years:
        return _("No emission figures have been reported yet.")
    totals = emissions.totals
    first_year, last_year = emissions.years[0], emissions.years[-1]
    first, last = totals[0], totals[-1]
    values = {
        "first_year": first_year,
        "last_year": last_year,
        "first": _rounded_tonnes(first),
        "last": _rounded_tonnes(last),
    }
    if len(emissions.years) == 1:
        sentences = [_("%(last)s t CO2e in %(last_year)s.") % values]
    elif first and last < first:
        values["pct"] = number_format((first - last) * 100 / first, decimal_pos=1)
        sentences = [
            _(
                "Emissions fell from %(first)s t CO2e in %(first_year)s to %(last)s t CO2e in "
                "%(last_year)s (%(pct)s %% lower)."
            )
            % values
        ]
    elif first and last > first:
        values["pct"] = number_format((last - first) * 100 / first, decimal_pos=1)
        sentences = [
            _(
                "Emissions rose from %(first)s t CO2e in %(first_year)s to %(last)s t CO2e in "
                "%(last_year)s (%(pct)s %% higher)."
            )
            % values
        ]
    else:
        sentences = [
            _(
                "Emissions were %(first)s t CO2e in %(first_year)s and %(last)s t CO2e in "
                "%(last_year)s."
            )
            % values
        ]
    layers = [s for s in (series or emissions.group_series()) if s.values.get(last_year)]
    if layers:
        largest = max(layers, key=lambda s: s.values[last_year])
        sentences.append(
            _("Largest sector group in %(year)s: %(group)s, %(tonnes)s t CO2e.")
            % {
                "year": last_year,
                "group": largest.label,
                "tonnes": _rounded_tonnes(largest.values[last_year]),
            }
        )
    target = dict(path).get(analysis.TARGET_YEAR)
    if target is not None:
        sentences.append(
            _("Target for %(year)s: %(tonnes)s t CO2e.")
            % {"year": analysis.TARGET_YEAR, "tonnes": _rounded_tonnes(target)}
        )
    if projection:
        year, value = projection[-1]
        sentences.append(
            _("Projected from the reported trend: %(tonnes)s t CO2e in %(year)s.")
            % {"year": year, "tonnes": _rounded_tonnes(value)}
        )
    note = emissions.incomplete_note
    if note:
        sentences.append(note)
    return " ".join(str(sentence) for sentence in sentences)


def emissions_chart(
    *,
    chart_id: str,
    title: str,
    emissions: EmissionsTable,
    path,
    width: int = 640,
    projection=(),
    plot_height: int = 260,
) -> str:
    if emissions.years:
        description = _(
            "Stacked bars of emissions in tonnes CO2e per year from %(first)s to %(last)s, "
            "by sector group. The numbers are in the table next to the chart."
        ) % {"first": emissions.years[0], "last": emissions.years[-1]}
    else:
        description = _("No emission figures have been reported yet.")
    if path:
        description += " " + _(
            "The dashed line is the straight target path from the baseline to the 2030 "
            "target and on to net zero."
        )
    if projection:
        description += " " + _(
            "The dotted line is the projection to %(year)s: the least-squares trend of the "
            "reported totals, from approved data."
        ) % {"year": projection[-1][0]}
    incomplete = emissions.incomplete_years
    note = incomplete_years_note(incomplete)
    if note:
        description += " " + note
    series = emissions.group_series()
    return charts.stacked_bar_chart(
        chart_id=chart_id,
        title=title,
        summary=emissions_summary(
            emissions=emissions, path=path, projection=projection, series=series
        ),
        description=description,
        series=series,
        incomplete_years=[c.year for c in incomplete],
        incomplete_note=note,
        target_path=path,
        target_label=_("Target path: baseline → 2030 target → net zero"),
        unit=_("t CO2e"),
        width=width,
        plot_height=plot_height,
        projection=projection,
        projection_label=_("Projection from the reported trend"),
    )


# --- DGO and national aggregates ---------------------------------------------------------


@dataclass
class Aggregates:
    round: Round | None
    municipality_count: int
    reported: int
    with_plan: int
    revisions_overdue: int
    revisions_due: list[StatusReport]
    revisions_due_count: int
    action_counts: list[tuple[str, str, int]]
    emissions: EmissionsTable
    chart: str
    on_track: "OnTrackOverview | None" = None

    @property
    def without_approved_report(self) -> int:
        """Municipalities with no approved report in the round yet: their own category, never
        counted as having no plan or no target (issue 16)."""
        return self.municipality_count - self.reported

    @property
    def with_plan_share(self) -> Decimal | None:
        """The share of the approved reports that have a plan (not of all municipalities: one
        without an approved report is not known to have none)."""
        if not self.reported:
            return None
        return Decimal(self.with_plan * 100) / self.reported


REVISIONS_LISTED = 25


def plan_revision_reports(
    *, municipalities: QuerySet[Municipality], up_to_year: int | None = None
) -> QuerySet[StatusReport]:
    """What is due for revision is read from one place: each municipality's newest approved
    report (in rounds up to `up_to_year`; None: any), when it records a plan. A municipality
    without an approved report in a round is judged by its latest approved one, named by its
    year — never counted as having no plan. The DGO and national pages, the open figures and
    the PDF count from it (issue 16). The "what is due" page (insight/due.py) also reads the
    reports still being written, since it is the coordinators' to-do list."""
    approved = StatusReport.objects.published()
    if up_to_year is not None:
        approved = approved.filter(round__year__lte=up_to_year)
    newer = approved.filter(
        municipality=OuterRef("municipality"), round__year__gt=OuterRef("round__year")
    )
    return (
        approved.filter(municipality__in=municipalities.values("pk"))
        .filter(~Exists(newer))
        .filter(plan_status__in=StatusReport.PLAN_EXISTS_STATES)
    )


def aggregates(*, round: Round | None, dgo: DGO | None = None, today=None) -> Aggregates:
    """Figures for the DGO and national pages, from published reports only (≈7 queries)."""
    today = today or timezone.localdate()
    municipalities = Municipality.objects.all()
    if dgo is not None:
        municipalities = municipalities.filter(dgo=dgo)
    reports = StatusReport.objects.published().filter(round=round)
    if dgo is not None:
        reports = reports.filter(municipality__dgo=dgo)
    within_year = add_years(today, 1)
    yesterday = today - datetime.timedelta(1)
    # One query: every municipality in scope, joined to its published report of the round.
    in_round = Q(status_reports__round=round) & published_q("status_reports__")
    plan = Q(status_reports__plan_status__in=StatusReport.PLAN_EXISTS_STATES)
    counts = municipalities.aggregate(
        municipalities=Count("pk", distinct=True),
        reported=Count("status_reports", filter=in_round),
        with_plan=Count("status_reports", filter=in_round & plan),
    )
    revision_reports = plan_revision_reports(
        municipalities=municipalities, up_to_year=round.year if round else None
    )
    counts |= revision_reports.aggregate(
        overdue=Count("pk", filter=revision_due_by_q(yesterday)),
        due=Count("pk", filter=revision_due_between_q(yesterday, within_year)),
    )
    due = list(
        revision_reports.filter(revision_due_between_q(yesterday, within_year))
        .select_related("municipality", "round")
        .order_by(Coalesce("plan_revised_on", "plan_adopted_on"), "municipality__name")[
            :REVISIONS_LISTED
        ]
    )
    action_rows = dict(
        Action.objects.filter(report__in=reports)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # One query for every municipality's yearly totals, shared by the coverage, the change
    # since the first year and the on-track roll-up.
    until = round.emissions_year if round else None
    yearly = list(_yearly_totals(_scope_until(dgo, until)))
    emissions = aggregate_emissions(
        dgo=dgo, until=until, yearly=yearly, municipalities=counts["municipalities"]
    )
    place = dgo.name if dgo else _("all municipalities")
    return Aggregates(
        round=round,
        municipality_count=counts["municipalities"],
        reported=counts["reported"],
        with_plan=counts["with_plan"],
        revisions_overdue=counts["overdue"],
        revisions_due=due,
        revisions_due_count=counts["due"],
        action_counts=[
            (key, label, action_rows.get(key, 0)) for key, label in Action.Status.choices
        ],
        emissions=emissions,
        chart=emissions_chart(
            chart_id=f"emissions-{dgo.slug if dgo else 'national'}",
            title=_chart_title(place),
            emissions=emissions,
            path=[],
            width=900,
        ),
        on_track=on_track_overview(round=round, dgo=dgo, yearly=yearly),
    )


# --- dashboard ---------------------------------------------------------------------------


def dashboard_counts(*, user: User) -> dict:
    """Reports to fill in (a coordinator's own DGOs) and to review (the secretariat)."""
    result = {"to_fill": None, "to_review": None, "round": None}
    current = open_rounds().first()
    if current is None:
        return result
    result["round"] = current
    if fill_dgo_ids := permissions.reports_to_fill_dgo_ids(user):
        own = Municipality.objects.filter(dgo_id__in=fill_dgo_ids)
        counts = own.aggregate(
            total=Count("pk", distinct=True),
            started=Count("status_reports", filter=Q(status_reports__round=current)),
            open=Count(
                "status_reports",
                filter=Q(
                    status_reports__round=current,
                    status_reports__state__in=StatusReport.EDITABLE_STATES,
                ),
            ),
            changes=Count(
                "status_reports",
                filter=Q(
                    status_reports__round=current,
                    status_reports__state=State.CHANGES_REQUESTED,
                ),
            ),
        )
        result["to_fill"] = {
            "count": counts["total"] - counts["started"] + counts["open"],
            "changes_requested": counts["changes"],
        }
    if permissions.can_review(user):
        result["to_review"] = {
            "count": StatusReport.objects.filter(round=current, state=State.SUBMITTED).count()
        }
    return result


def requirement_list() -> list[ChecklistRequirement]:
    return list(ChecklistRequirement.objects.filter(is_active=True))


# --- on-track analysis -------------------------------------------------------------------


@dataclass
class OnTrack:
    """One municipality's on-track analysis with the inputs it was computed from."""

    analysis: analysis.Analysis
    report_year: int | None  # the round of the approved status report the targets come from
    points: list[tuple[int, Decimal]]  # reported total emissions per year
    releases: list[str]  # the data releases the totals come from
    thresholds = analysis.THRESHOLDS

    @property
    def projection(self) -> list[tuple[int, Decimal]]:
        """The projection line drawn in the emissions chart (analysis.projection_line)."""
        return analysis.projection_line(self.points)

    @property
    def chart_rows(self) -> list[tuple[int, Decimal | None, Decimal | None, Decimal | None]]:
        """The chart's lines as a table: (year, reported total, target path, projection)."""
        reported, path = dict(self.points), dict(self.analysis.path)
        projection = dict(self.projection)
        years = sorted(set(reported) | set(path) | set(projection))
        return [(y, reported.get(y), path.get(y), projection.get(y)) for y in years]

    @property
    def fitted_points(self) -> list[tuple[int, Decimal]]:
        fitted = set(self.analysis.fitted_years)
        return [(year, value) for year, value in self.points if year in fitted]


TARGET_FIELDS = (
    "baseline_year",
    "baseline_emissions",
    "target_2030_reduction_pct",
    "net_zero_year",
)


def _targets(row) -> analysis.Targets:
    baseline_year, baseline_emissions, pct, net_zero_year = row
    return analysis.Targets(baseline_year, baseline_emissions, pct, net_zero_year)


def _yearly_totals(condition: Q):
    """(municipality id, year, total t CO2e, newest release) from the latest release of each
    published figure (one query)."""
    return (
        EmissionFigure.objects.for_totals(published_figures_q() & condition)
        .values("municipality_id", "year")
        .annotate(total=Sum("tonnes_co2e"), release=Max("data_release"))
        .values_list("municipality_id", "year", "total", "release")
        .order_by("municipality_id", "year")
    )


def municipality_on_track(*, municipality: Municipality) -> OnTrack:
    """From approved data only: the targets of the latest approved status report and the
    published emission totals (2 queries)."""
    row = (
        StatusReport.objects.published()
        .filter(municipality=municipality)
        .order_by("-round__year")
        .values_list("round__year", *TARGET_FIELDS)
        .first()
    )
    totals = list(_yearly_totals(Q(municipality=municipality)))
    points = [(year, total) for _m, year, total, _r in totals]
    return OnTrack(
        analysis=analysis.analyse(
            targets=_targets(row[1:]) if row else None,
            points=points,
            population=municipality.population,
        ),
        report_year=row[0] if row else None,
        points=points,
        releases=sorted({release for *_x, release in totals if release}),
    )


@dataclass
class OnTrackOverview:
    """The roll-up for a DGO or the whole partnership, per DGO and per municipality."""

    round: Round
    rollup: analysis.Rollup
    dgo_rollups: list[tuple[DGO, analysis.Rollup]]
    municipalities: list[tuple[Municipality, analysis.Analysis]]
    releases: list[str]
    thresholds = analysis.THRESHOLDS


def on_track_overview(
    *, round: Round | None, dgo: DGO | None = None, yearly: list | None = None
) -> OnTrackOverview | None:
    """Targets from the round's approved reports, emission totals up to the round's emissions
    year (2 queries, however many municipalities and years; 1 when the caller has the
    `_yearly_totals` rows of the same scope as `yearly`)."""
    if round is None:
        return None
    scope = Q() if dgo is None else Q(municipality__dgo=dgo)
    approved = Q(status_reports__round=round) & published_q("status_reports__")
    # One query: every municipality in scope with the targets of its approved report, if any.
    municipalities = (
        Municipality.objects.select_related("dgo")
        .annotate(
            approved=FilteredRelation("status_reports", condition=approved),
            approved_id=F("approved__pk"),
            **{f"target_{name}": F(f"approved__{name}") for name in TARGET_FIELDS},
        )
        .order_by("name")
    )
    if dgo is not None:
        municipalities = municipalities.filter(dgo=dgo)
    municipalities = list(municipalities)
    targets = {
        m.pk: _targets([getattr(m, f"target_{name}") for name in TARGET_FIELDS])
        for m in municipalities
        if m.approved_id is not None
    }
    points: dict[int, list[tuple[int, Decimal]]] = {}
    releases = set()
    if yearly is None:
        yearly = _yearly_totals(scope & Q(year__lte=round.emissions_year))
    for municipality_id, year, total, release in yearly:
        points.setdefault(municipality_id, []).append((year, total))
        if release:
            releases.add(release)
    rows = [
        (
            m,
            analysis.analyse(
                targets=targets.get(m.pk), points=points.get(m.pk, []), population=m.population
            ),
        )
        for m in municipalities
    ]
    by_dgo: dict[int, tuple[DGO, list]] = {}
    for m, result in rows:
        by_dgo.setdefault(m.dgo_id, (m.dgo, []))[1].append(result)
    return OnTrackOverview(
        round=round,
        rollup=analysis.rollup(result for _m, result in rows),
        dgo_rollups=sorted(
            ((d, analysis.rollup(results)) for d, results in by_dgo.values()),
            key=lambda item: item[0].name,
        ),
        municipalities=rows,
        releases=sorted(releases),
    )


# --- open data per municipality ----------------------------------------------------------


def open_municipal_emissions(
    *, year: int | None = None, municipality_code: str | None = None, sector: str | None = None
) -> QuerySet:
    """The open data per municipality: one row per municipality, year and sector, as dicts.

    What is published is what the pages add up (`EmissionFigure.objects.for_totals` over
    `published_figures_q`): figures of the national accounts' data releases (official, tied to
    no report) and of published reports (`published_q`, approved or locked after approval);
    of each (municipality, year, sector) only the latest release; a finer sector's figure is
    left out where its group has a figure of its own for that municipality and year. So the
    rows of one year add up to the national page's total for that year, and
    (municipality, year, sector) is a key.

    The filters narrow the result after that choice (a filter inside `for_totals` would change
    which group figures it sees). One query; iterate it with `.iterator()` to stream."""
    rows = EmissionFigure.objects.for_totals(published_figures_q())
    if year is not None:
        rows = rows.filter(year=year)
    if municipality_code:
        rows = rows.filter(municipality__code=municipality_code.lstrip("0") or "0")
    if sector:
        rows = rows.filter(sector__key=sector)
    return rows.values(
        "year",
        "tonnes_co2e",
        "data_release",
        "data_source",
        "report_id",
        code=F("municipality__code"),
        municipality_name=F("municipality__name"),
        sector_key=F("sector__key"),
        sector_name=F("sector__name_da"),
        group_key=Coalesce(F("sector__parent__key"), F("sector__key")),
        report_source=F("report__data_source"),
        report_year=F("report__round__year"),
    ).order_by("municipality__code", "year", "sector__position", "sector__key")


# --- closing a round -----------------------------------------------------------------------


@dataclass
class ClosePreview:
    """What closing a round will lock: per state, how many reports (three queries)."""

    round: Round
    by_state: list[tuple[str, str, int]]  # (state, label, reports) of those locked unapproved
    approved: int  # locked as approved (they stay published)
    not_started: int  # municipalities without a report: nothing to lock, none will come

    @property
    def unapproved(self) -> int:
        return sum(n for _state, _label, n in self.by_state)


def round_close_preview(*, round: Round) -> ClosePreview:
    counts = dict(
        StatusReport.objects.filter(round=round)
        .exclude(state=State.LOCKED)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    reported = StatusReport.objects.filter(round=round).count()
    unapproved = (State.DRAFT, State.CHANGES_REQUESTED, State.SUBMITTED)
    return ClosePreview(
        round=round,
        by_state=[(state.value, state.label, counts.get(state.value, 0)) for state in unapproved],
        approved=counts.get(State.APPROVED.value, 0),
        not_started=Municipality.objects.count() - reported,
    )


# --- the knowledge partners' text of the status report ------------------------------------


def edition_find(*, round: Round):
    """The round's edition text (ReportEdition) or None (one query)."""
    from .models import ReportEdition

    return (
        ReportEdition.objects.filter(round=round)
        .select_related("round", "organisation", "updated_by", "published_by")
        .first()
    )


def edition_history(*, edition, limit: int = HISTORY_LIMIT) -> list[LogEntry]:
    """Every save and the publication of an edition's text, newest first (the audit trail)."""
    if edition is None:
        return []
    return list(
        LogEntry.objects.get_for_object(edition)
        .select_related("actor")
        .order_by("-timestamp")[:limit]
    )


def edition_previews(*, round: Round) -> list[StatusReportDocument]:
    """The previews with the draft text, newest first."""
    return list(
        StatusReportDocument.objects.filter(round=round, is_preview=True).select_related(
            "round", "requested_by"
        )[:10]
    )
