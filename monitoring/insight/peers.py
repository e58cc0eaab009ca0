"""Peer comparison: a municipality against comparable municipalities.

Three ways to be comparable (the page lets the user choose):

- the same DGO;
- the same population band (``POPULATION_BANDS``);
- the most similar emissions profile: the ``PROFILE_PEERS`` municipalities whose sector-group
  shares of total emissions lie closest, measured as the Euclidean distance between the share
  vectors in percentage points, d = √Σ (share_a − share_b)², over the GPC sector groups.

Everything is compared in one year: the newest year with published emission figures of the
municipality itself (latest data release of each figure). Per-inhabitant emissions are that
year's total divided by today's population (none for a population of zero). Ranks: 1 is best
(the lowest emissions per inhabitant; for an indicator, the best value in its direction);
ties share a rank. Only published data is used.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring.figures import charts
from monitoring.insight.indicators import latest_values
from monitoring.models import EmissionFigure, Indicator, Sector
from monitoring.permissions import published_figures_q
from partners.models import Municipality

POPULATION_BANDS = [0, 20_000, 40_000, 60_000, 100_000]  # lower bounds, the last open-ended
PROFILE_PEERS = 8
KINDS = [
    ("profile", gettext_lazy("Similar emissions profile")),
    ("population", gettext_lazy("Similar population")),
    ("dgo", gettext_lazy("Same DGO")),
]
GROUPS = [key for key, _label in Sector.Group.choices]


def population_band(population: int) -> int:
    """The index of the band the population falls in."""
    return max(i for i, low in enumerate(POPULATION_BANDS) if population >= low)


def band_label(index: int) -> str:
    low = POPULATION_BANDS[index]
    if index + 1 < len(POPULATION_BANDS):
        return _("%(low)s–%(high)s inhabitants") % {
            "low": f"{low:,}".replace(",", "."),
            "high": f"{POPULATION_BANDS[index + 1] - 1:,}".replace(",", "."),
        }
    return _("%(low)s inhabitants or more") % {"low": f"{low:,}".replace(",", ".")}


def shares(groups: dict[str, Decimal]) -> dict[str, Decimal]:
    """Each sector group's share of the total, in per cent (empty when the total is zero)."""
    total = sum(groups.values(), Decimal(0))
    if total <= 0:
        return {}
    return {group: value * 100 / total for group, value in groups.items()}


def distance(a: dict[str, Decimal], b: dict[str, Decimal]) -> Decimal:
    """Euclidean distance between two share profiles, in percentage points."""
    keys = set(a) | set(b)
    return sum(
        ((a.get(k, Decimal(0)) - b.get(k, Decimal(0))) ** 2 for k in keys), Decimal(0)
    ).sqrt()


def competition_ranks(values: dict[int, Decimal | None], *, higher_is_better: bool) -> dict:
    """1 for the best value, ties share a rank (1, 1, 3); None where there is no value."""
    present = [v for v in values.values() if v is not None]
    ranks = {}
    for key, value in values.items():
        if value is None:
            ranks[key] = None
            continue
        better = sum(1 for v in present if (v > value if higher_is_better else v < value))
        ranks[key] = better + 1
    return ranks


@dataclass
class PeerRow:
    municipality: Municipality
    is_self: bool
    total: Decimal | None
    per_inhabitant: Decimal | None
    shares: dict[str, Decimal]
    distance: Decimal | None
    rank: int | None = None

    def share_list(self) -> list[Decimal | None]:
        return [self.shares.get(g) for g in GROUPS]


@dataclass
class IndicatorComparison:
    indicator: Indicator
    year: int | None
    values: dict[int, Decimal | None]  # municipality id -> value
    releases: list[str]
    ranks: dict[int, int | None]
    chart: str = ""
    table: list = field(default_factory=list)  # (PeerRow, value, rank) in the group's order
    own_id: int | None = None

    @property
    def own_value(self) -> Decimal | None:
        return self.values.get(self.own_id)

    @property
    def own_rank(self) -> int | None:
        return self.ranks.get(self.own_id)

    @property
    def ranked(self) -> int:
        return sum(1 for rank in self.ranks.values() if rank is not None)

    def rows(self, peers: list[PeerRow]):
        return [
            (p, self.values.get(p.municipality.pk), self.ranks.get(p.municipality.pk))
            for p in peers
        ]


@dataclass
class PeerComparison:
    municipality: Municipality
    kind: str
    year: int | None
    band: int
    rows: list[PeerRow]
    releases: list[str]
    indicators: list[IndicatorComparison] = field(default_factory=list)
    chart: str = ""
    kinds = KINDS
    groups = [(key, label) for key, label in Sector.Group.choices]
    profile_peers = PROFILE_PEERS

    @property
    def band_label(self) -> str:
        return band_label(self.band)

    @property
    def own(self) -> PeerRow:
        return next(row for row in self.rows if row.is_self)

    @property
    def kind_label(self) -> str:
        return str(dict(KINDS)[self.kind])


def peer_comparison(*, municipality: Municipality, kind: str = "profile") -> PeerComparison:
    """The comparison group of one kind with emissions, ranks and indicators (6 queries,
    however many municipalities and years)."""
    if kind not in dict(KINDS):
        kind = "profile"
    published = published_figures_q()
    year = EmissionFigure.objects.filter(published, municipality=municipality).aggregate(
        year=Max("year")
    )["year"]
    municipalities = {m.pk: m for m in Municipality.objects.select_related("dgo").order_by("name")}
    target = municipalities.get(municipality.pk, municipality)
    groups: dict[int, dict[str, Decimal]] = {}
    releases = set()
    if year is not None:
        for m_id, group, total, release in (
            EmissionFigure.objects.for_totals(published & Q(year=year))
            .values("municipality_id", "sector__group")
            .annotate(total=Sum("tonnes_co2e"), release=Max("data_release"))
            .values_list("municipality_id", "sector__group", "total", "release")
            .order_by()
        ):
            groups.setdefault(m_id, {})[group] = total
            releases.add(release)
    profiles = {m_id: shares(g) for m_id, g in groups.items()}
    own_profile = profiles.get(target.pk, {})
    distances = {
        m_id: distance(own_profile, profile)
        for m_id, profile in profiles.items()
        if own_profile and profile
    }
    band = population_band(target.population)
    if kind == "dgo":
        members = [m for m in municipalities.values() if m.dgo_id == target.dgo_id]
    elif kind == "population":
        members = [m for m in municipalities.values() if population_band(m.population) == band]
    else:
        nearest = sorted(
            (m_id for m_id in distances if m_id != target.pk),
            key=lambda m_id: (distances[m_id], municipalities[m_id].name),
        )[:PROFILE_PEERS]
        members = [target, *(municipalities[m_id] for m_id in nearest)]
    rows = []
    for m in members:
        total = sum(groups[m.pk].values(), Decimal(0)) if m.pk in groups else None
        rows.append(
            PeerRow(
                municipality=m,
                is_self=m.pk == target.pk,
                total=total,
                per_inhabitant=total / m.population if total is not None and m.population else None,
                shares=profiles.get(m.pk, {}),
                distance=distances.get(m.pk),
            )
        )
    ranks = competition_ranks(
        {row.municipality.pk: row.per_inhabitant for row in rows}, higher_is_better=False
    )
    for row in rows:
        row.rank = ranks[row.municipality.pk]
    if kind == "profile":
        rows.sort(
            key=lambda r: (not r.is_self, r.distance if r.distance is not None else Decimal("1e9"))
        )
    else:
        rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.municipality.name))
    comparison = PeerComparison(
        municipality=target,
        kind=kind,
        year=year,
        band=band,
        rows=rows,
        releases=sorted(releases),
    )
    comparison.chart = _emissions_chart(comparison)
    comparison.indicators = _indicators(comparison)
    return comparison


def _indicators(comparison: PeerComparison) -> list[IndicatorComparison]:
    ids = [row.municipality.pk for row in comparison.rows]
    values = latest_values(municipality_ids=ids)
    own_id = comparison.municipality.pk
    result = []
    for indicator in Indicator.objects.filter(is_active=True):
        by_municipality = {m_id: values.get((indicator.pk, m_id), {}) for m_id in ids}
        years = by_municipality[own_id] or next((v for v in by_municipality.values() if v), {})
        if not years and not any(by_municipality.values()):
            continue
        year = max(years) if years else None
        cells = {m_id: by_municipality[m_id].get(year) for m_id in ids}
        item = IndicatorComparison(
            indicator=indicator,
            year=year,
            values={m_id: cell.value if cell else None for m_id, cell in cells.items()},
            releases=sorted({cell.data_release for cell in cells.values() if cell}),
            ranks={},
            own_id=own_id,
        )
        item.ranks = competition_ranks(item.values, higher_is_better=indicator.higher_is_better)
        item.table = item.rows(comparison.rows)
        item.chart = charts.bar_chart(
            chart_id=f"peers-{indicator.key}",
            title=_("%(indicator)s, %(year)s") % {"indicator": indicator.name, "year": year},
            description=_(
                "Horizontal bars, one per municipality in the comparison group; the "
                "municipality compared is marked. The numbers are in the table below."
            ),
            rows=[
                (row.municipality.name, item.values.get(row.municipality.pk), row.is_self)
                for row in comparison.rows
            ],
            unit=indicator.unit,
            decimals=1,
        )
        result.append(item)
    return result


def _emissions_chart(comparison: PeerComparison) -> str:
    return charts.bar_chart(
        chart_id="peers-emissions",
        title=_("Emissions per inhabitant, %(year)s") % {"year": comparison.year or "–"},
        description=_(
            "Horizontal bars of tonnes CO2e per inhabitant, one per municipality in the "
            "comparison group; the municipality compared is marked. The numbers are in the "
            "table below."
        ),
        rows=[(row.municipality.name, row.per_inhabitant, row.is_self) for row in comparison.rows],
        unit=_("t CO2e per inhabitant"),
        decimals=2,
    )
