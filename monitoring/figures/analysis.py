"""On-track analysis: is a municipality (a DGO, the partnership) on course for its 2030 target?

Pure functions over plain values, so every figure can be computed by hand and tested without a
database; monitoring/selectors.py fetches the inputs in a bounded number of queries.

How it is computed (the pages' "how we calculate this" panel repeats this):

- Target path: straight segments from the baseline (year, emissions) to the 2030 target
  (baseline × (100 − reduction %) / 100) and on to zero in the net-zero year.
- Projection: an ordinary least-squares line through the total emissions of the last
  ``PROJECTION_WINDOW`` reported years (latest data release of each figure), extended to 2030.
  At least ``MIN_POINTS`` years are needed; with fewer there is "not enough data". A projection
  below zero is shown as zero (emissions cannot be negative; the line only describes the trend).
  When 2030 itself has been reported, the reported figure is used instead of a projection.
- Classification: on track when the projection is at or below the 2030 target; at risk when it
  is above the target by at most ``AT_RISK_MARGIN_PCT`` % of the baseline emissions; off track
  when it is above by more.
- Gap: projection − target in t CO2e (positive: the reductions still missing; negative: ahead of
  the target), and the same per inhabitant (none when the population is zero).

Totals over many municipalities (a DGO, the whole country) are only as complete as the
reporting: a year for which 22 of 98 municipalities have figures adds up to a fraction of the
country. So every yearly total carries its coverage (`coverage_by_year`: how many of the
geography's municipalities have figures for the year), and every comparison of two years goes
through `change_between`, the one rule: **like with like** – only the municipalities with
figures for both years are added up, and how many they are is stated with the result.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

TARGET_YEAR = 2030
PROJECTION_WINDOW = 5  # the last reported years the trend line is fitted through
MIN_POINTS = 3  # fewer reported years than this: not enough data for a trend
AT_RISK_MARGIN_PCT = Decimal(10)  # "at risk" up to this share of the baseline above the target

Point = tuple[int, Decimal]

# What the pages show in their "how we calculate this" panel.
THRESHOLDS = {"window": PROJECTION_WINDOW, "minimum": MIN_POINTS, "margin": AT_RISK_MARGIN_PCT}


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NOT_ENOUGH_DATA = "not_enough_data", _("Not enough data")
    NO_TARGET = "no_target", _("No 2030 target")
    # Not "no plan" nor "no target": the municipality has no approved report to read them from.
    NO_APPROVED_REPORT = "no_approved_report", _("No approved report yet")


CLASSIFIED = (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)

# How each status is marked on the pages (a badge modifier; the unclassified ones are neutral).
BADGE_CLASSES = {Status.ON_TRACK: "", Status.AT_RISK: "badge-own", Status.OFF_TRACK: "badge-alert"}


def badge_class(status: str | None) -> str:
    return BADGE_CLASSES.get(status, "badge-neutral")


def target_path(
    baseline_year: int | None,
    baseline_emissions: Decimal | None,
    target_2030_pct: Decimal | None,
    net_zero_year: int | None,
) -> list[Point]:
    """The straight path from the baseline to the 2030 target and on to net zero.

    Empty when there is no baseline or nothing after it to draw to. A baseline in or after 2030
    has no 2030 point (that target year has passed)."""
    if baseline_year is None or baseline_emissions is None:
        return []
    points: list[Point] = [(baseline_year, baseline_emissions)]
    if target_2030_pct is not None and baseline_year < TARGET_YEAR:
        points.append((TARGET_YEAR, target_2030(baseline_emissions, target_2030_pct)))
    if net_zero_year is not None and net_zero_year > points[-1][0]:
        points.append((net_zero_year, Decimal(0)))
    return points if len(points) > 1 else []


def target_2030(baseline_emissions: Decimal, target_2030_pct: Decimal) -> Decimal:
    return baseline_emissions * (100 - target_2030_pct) / 100


@dataclass(frozen=True)
class Projection:
    value: Decimal  # projected emissions in the target year, t CO2e (never below zero)
    slope: Decimal  # t CO2e per year (negative: falling)
    years: tuple[int, ...]  # the reported years the line was fitted through


def projection_2030(points: Iterable[Point], *, year: int = TARGET_YEAR) -> Projection | None:
    """Least-squares line through the last PROJECTION_WINDOW points, evaluated at `year`.

    None when fewer than MIN_POINTS points are given ("not enough data"). Exact decimal
    arithmetic; the projection is clamped at zero."""
    recent = sorted(dict(points).items())[-PROJECTION_WINDOW:]
    if len(recent) < MIN_POINTS:
        return None
    n = len(recent)
    mean_x = Decimal(sum(x for x, _y in recent)) / n
    mean_y = sum((Decimal(y) for _x, y in recent), Decimal(0)) / n
    sxx = sum(((x - mean_x) ** 2 for x, _y in recent), Decimal(0))
    sxy = sum(((x - mean_x) * (Decimal(y) - mean_y) for x, y in recent), Decimal(0))
    slope = sxy / sxx  # sxx > 0: the years are distinct
    value = mean_y + slope * (year - mean_x)
    return Projection(value=max(value, Decimal(0)), slope=slope, years=tuple(x for x, _y in recent))


def classify(
    projected_2030: Decimal,
    target: Decimal,
    *,
    baseline_emissions: Decimal,
    at_risk_margin_pct: Decimal = AT_RISK_MARGIN_PCT,
) -> Status:
    """On track at or below the target; at risk up to the margin (a share of the baseline)
    above it; off track beyond."""
    if projected_2030 <= target:
        return Status.ON_TRACK
    if projected_2030 <= target + baseline_emissions * at_risk_margin_pct / 100:
        return Status.AT_RISK
    return Status.OFF_TRACK


@dataclass(frozen=True)
class Targets:
    """A municipality's targets as reported in its status report."""

    baseline_year: int | None
    baseline_emissions: Decimal | None
    target_2030_pct: Decimal | None
    net_zero_year: int | None


@dataclass
class Analysis:
    status: Status
    reason: str = ""  # why there is no classification
    population: int = 0
    path: list[Point] = field(default_factory=list)
    target: Decimal | None = None  # 2030 target, t CO2e
    projected: Decimal | None = None  # 2030 projection (or reported 2030 figure), t CO2e
    slope: Decimal | None = None
    fitted_years: tuple[int, ...] = ()
    reported_2030: bool = False
    baseline_emissions: Decimal | None = None

    @property
    def classified(self) -> bool:
        return self.status in CLASSIFIED

    @property
    def gap(self) -> Decimal | None:
        """Projection − target, t CO2e (positive: reductions still missing)."""
        if self.projected is None or self.target is None:
            return None
        return self.projected - self.target

    @property
    def gap_per_inhabitant(self) -> Decimal | None:
        if self.gap is None or not self.population:
            return None
        return self.gap / self.population

    @property
    def at_risk_limit(self) -> Decimal | None:
        if self.target is None or self.baseline_emissions is None:
            return None
        return self.target + self.baseline_emissions * AT_RISK_MARGIN_PCT / 100


def analyse(*, targets: Targets | None, points: Sequence[Point], population: int) -> Analysis:
    """Classify one municipality from its targets and reported yearly totals."""
    if targets is None:
        return Analysis(Status.NO_APPROVED_REPORT, _("No approved status report."), population)
    path = target_path(
        targets.baseline_year,
        targets.baseline_emissions,
        targets.target_2030_pct,
        targets.net_zero_year,
    )
    if targets.baseline_emissions is None or targets.baseline_year is None:
        return Analysis(Status.NO_TARGET, _("No baseline reported."), population, path)
    if targets.target_2030_pct is None:
        return Analysis(Status.NO_TARGET, _("No 2030 reduction target reported."), population, path)
    if targets.baseline_year >= TARGET_YEAR:
        return Analysis(
            Status.NO_TARGET,
            _("The baseline year is not before 2030, so there is no 2030 target to measure."),
            population,
            path,
        )
    target = target_2030(targets.baseline_emissions, targets.target_2030_pct)
    result = Analysis(
        Status.NOT_ENOUGH_DATA,
        population=population,
        path=path,
        target=target,
        baseline_emissions=targets.baseline_emissions,
    )
    reported = dict(points)
    projection = projection_2030(points)
    if TARGET_YEAR in reported:  # the target year has passed and been reported
        result.projected = reported[TARGET_YEAR]
        result.reported_2030 = True
    elif projection is not None:
        result.projected = projection.value
    else:
        result.reason = _("Fewer than %(n)d reported years.") % {"n": MIN_POINTS}
        return result
    if projection is not None:
        result.slope, result.fitted_years = projection.slope, projection.years
    result.status = classify(
        result.projected, target, baseline_emissions=targets.baseline_emissions
    )
    return result


@dataclass
class Rollup:
    """Counts and population-weighted shares per status, and combined 2030 figures."""

    counts: dict[str, int]
    population: dict[str, int]
    municipality_count: int
    total_population: int
    combined_target: Decimal  # over the classified municipalities only
    combined_projection: Decimal

    @property
    def rows(self) -> list[tuple[str, str, int, Decimal | None]]:
        """(status, label, municipalities, % of the population) for every status."""
        return [
            (key, label, self.counts.get(key, 0), self.population_share(key))
            for key, label in Status.choices
        ]

    def population_share(self, status: str) -> Decimal | None:
        if not self.total_population:
            return None
        return Decimal(self.population.get(status, 0) * 100) / self.total_population

    @property
    def classified_count(self) -> int:
        return sum(self.counts.get(s, 0) for s in CLASSIFIED)

    @property
    def combined_gap(self) -> Decimal:
        return self.combined_projection - self.combined_target

    @property
    def combined_status(self) -> Status | None:
        """The classified municipalities taken together, against their combined baseline."""
        return self._combined_status

    _combined_status: Status | None = None


def rollup(analyses: Iterable[Analysis]) -> Rollup:
    counts: dict[str, int] = {}
    population: dict[str, int] = {}
    target = projection = baseline = Decimal(0)
    n = total_population = 0
    for item in analyses:
        n += 1
        total_population += item.population
        counts[item.status] = counts.get(item.status, 0) + 1
        population[item.status] = population.get(item.status, 0) + item.population
        if item.classified:
            target += item.target
            projection += item.projected
            baseline += item.baseline_emissions
    result = Rollup(
        counts=counts,
        population=population,
        municipality_count=n,
        total_population=total_population,
        combined_target=target,
        combined_projection=projection,
    )
    if any(counts.get(s) for s in CLASSIFIED):
        result._combined_status = classify(projection, target, baseline_emissions=baseline)
    return result


def projection_line(points: Iterable[Point], *, year: int = TARGET_YEAR) -> list[Point]:
    """The projection as a line to draw: from the first fitted year to `year`, stopping at
    zero where the trend reaches it first (then flat at zero). Empty when there is not
    enough data or `year` itself has been reported."""
    points = list(points)
    if year in dict(points):
        return []
    projection = projection_2030(points, year=year)
    if projection is None:
        return []
    first = projection.years[0]
    start = projection_2030(points, year=first)
    line: list[Point] = [(first, start.value)]
    if projection.slope < 0 and start.value > 0:
        crossing = first + start.value / -projection.slope  # where the line reaches zero
        if crossing < year:
            whole = int(crossing)
            if whole > first:
                line.append((whole, projection_2030(points, year=whole).value))
            if whole + 1 < year:
                line.append((whole + 1, Decimal(0)))
    line.append((year, projection.value))
    return line


# --- totals over many municipalities: coverage and like-for-like change ---------------------


@dataclass(frozen=True)
class Coverage:
    """How many of a geography's municipalities have figures for a year."""

    year: int
    reporting: int  # municipalities with at least one figure for the year
    municipalities: int  # municipalities in the geography

    @property
    def complete(self) -> bool:
        return self.reporting >= self.municipalities

    @property
    def share(self) -> Decimal | None:
        """Per cent of the geography's municipalities with figures."""
        if not self.municipalities:
            return None
        return Decimal(self.reporting * 100) / self.municipalities


def coverage_by_year(
    reported: Iterable[tuple[int, int]], *, municipalities: int
) -> dict[int, Coverage]:
    """{year: Coverage} from (municipality id, year) pairs – one pair per figure or per
    municipality and year, duplicates are counted once – for a geography of `municipalities`."""
    ids: dict[int, set[int]] = {}
    for municipality_id, year in reported:
        ids.setdefault(year, set()).add(municipality_id)
    return {year: Coverage(year, len(ids[year]), municipalities) for year in sorted(ids)}


@dataclass(frozen=True)
class Change:
    """The change in total emissions from one year to another, like with like."""

    from_year: int
    to_year: int
    from_total: Decimal  # t CO2e of the compared municipalities in from_year
    to_total: Decimal
    compared: int  # municipalities with figures for both years: the ones added up
    municipalities: int  # municipalities in the geography

    @property
    def pct(self) -> Decimal | None:
        if not self.from_total:
            return None
        return (self.to_total - self.from_total) * 100 / self.from_total

    @property
    def complete(self) -> bool:
        """Every municipality of the geography is in the comparison."""
        return self.compared >= self.municipalities


def change_between(
    totals: Iterable[tuple[int, int, Decimal]],
    *,
    from_year: int,
    to_year: int,
    municipalities: int,
) -> Change | None:
    """THE rule for comparing two years' totals: add up only the municipalities with figures
    for both years (from (municipality id, year, t CO2e) rows), so that a municipality that
    has not reported yet does not count as a fall to zero. None when no municipality has
    figures for both years."""
    by_year: dict[int, dict[int, Decimal]] = {from_year: {}, to_year: {}}
    for municipality_id, year, total in totals:
        if year in by_year:
            cells = by_year[year]
            cells[municipality_id] = cells.get(municipality_id, Decimal(0)) + total
    both = by_year[from_year].keys() & by_year[to_year].keys()
    if from_year == to_year or not both:
        return None
    return Change(
        from_year=from_year,
        to_year=to_year,
        from_total=sum((by_year[from_year][m] for m in both), Decimal(0)),
        to_total=sum((by_year[to_year][m] for m in both), Decimal(0)),
        compared=len(both),
        municipalities=municipalities,
    )


def change_since_first_year(
    totals: Iterable[tuple[int, int, Decimal]], *, municipalities: int
) -> Change | None:
    """The headline change: from the first year of the accounts to the latest year anyone has
    figures for, by `change_between` (like with like)."""
    totals = list(totals)
    years = {year for _m, year, _t in totals}
    if len(years) < 2:
        return None
    return change_between(
        totals, from_year=min(years), to_year=max(years), municipalities=municipalities
    )


# --- for the annual status report (status_report/rendering.py) -----------------------------------


@dataclass(frozen=True)
class Summary:
    """Spread of one indicator's values across municipalities in a year."""

    count: int
    median: Decimal | None
    lowest: Decimal | None
    highest: Decimal | None


def summarise(values: Iterable[Decimal]) -> Summary:
    """Count, median (mean of the middle two for an even count), lowest and highest."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return Summary(0, None, None, None)
    middle = n // 2
    median = ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return Summary(n, median, ordered[0], ordered[-1])
