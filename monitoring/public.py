"""What of monitoring is open to everyone (open knowledge): published annual status reports and
aggregates of approved data only.

- A status report PDF is public once the secretariat has published it (StatusReportPublication);
  a pending, failed or unpublished document is not.
- Figures come from approved (or approved and locked) reports and from figures tied to no report
  (the published accounts): `permissions.published_figures_q` and
  `StatusReport.objects.published()`.
  Never a single municipality's draft, submitted or sent-back report.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from monitoring.figures import analysis
from partners.models import DGO, Municipality

from .models import EmissionFigure, Round, Sector, StatusReport, StatusReportDocument
from .permissions import published_figures_q

LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = "Klimaalliancen (KL, Danske Regioner, de fem regioner og Realdania)"
NATIONAL = "dk"  # the geography code of the whole country in the open data


def published_documents() -> QuerySet[StatusReportDocument]:
    return (
        StatusReportDocument.objects.filter(
            status=StatusReportDocument.Status.DONE, publication__isnull=False, is_preview=False
        )
        .exclude(file="")
        .select_related("round", "publication")
        .order_by("-round__year", "language")
    )


def public_document_get(*, pk: int) -> StatusReportDocument:
    return published_documents().get(pk=pk)


def public_rounds() -> list[Round]:
    return list(Round.objects.order_by("-year"))


def default_round(rounds: list[Round]) -> Round | None:
    """The newest closed round (complete and published), else the newest."""
    closed = [r for r in rounds if not r.is_open]
    return closed[0] if closed else (rounds[0] if rounds else None)


# --- open data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    description: str
    fields: list[tuple[str, str]]  # (column, meaning)


DATASETS = {
    "emissioner": Dataset(
        "emissioner",
        _("Territorial emissions by geography, sector and year"),
        _(
            "Total territorial greenhouse-gas emissions in tonnes CO2e, the latest data release "
            "of each figure, from approved municipal reports and the published accounts, for "
            "the whole country and for each DGO."
        ),
        [
            ("geography_code", _("'dk' for the whole country, else the DGO's code")),
            ("geography", _("Name of the geography")),
            ("year", _("Calendar year of the emissions")),
            ("sector_code", _("Code of the sector")),
            ("sector", _("Name of the sector")),
            ("tonnes_co2e", _("Emissions in tonnes CO2e (decimal point)")),
            (
                "municipalities_with_figures",
                _(
                    "Municipalities of the geography with figures for the year: where it is "
                    "below 'municipalities', the year's totals are incomplete (lower than the "
                    "whole, not a fall in emissions)"
                ),
            ),
            ("municipalities", _("Municipalities in the geography")),
        ],
    ),
    "planer": Dataset(
        "planer",
        _("Climate action plans by geography and monitoring round"),
        _(
            "Per monitoring round, for the whole country and each DGO: the number of "
            "municipalities, of approved status reports and of approved reports with an "
            "adopted climate action plan."
        ),
        [
            ("round", _("Year of the monitoring round")),
            ("geography_code", _("'dk' for the whole country, else the DGO's code")),
            ("geography", _("Name of the geography")),
            ("municipalities", _("Municipalities in the geography")),
            ("approved_reports", _("Approved status reports in the round")),
            ("with_adopted_plan", _("Approved reports stating an adopted climate action plan")),
        ],
    ),
}


def _geographies() -> tuple[list[DGO], str]:
    return list(DGO.objects.order_by("name")), str(_("Denmark"))


def emissions_rows() -> list[dict]:
    """Four queries, however many figures: published latest-release totals per DGO, sector and
    year (the national rows are their sums), and each geography's coverage per year: how many
    of its municipalities have figures for the year (analysis.coverage_by_year)."""
    dgos, national_name = _geographies()
    sectors = {s.pk: s for s in Sector.objects.all()}
    latest = EmissionFigure.objects.for_totals(published_figures_q())
    totals = (
        latest.values("municipality__dgo_id", "sector_id", "year")
        .annotate(total=Sum("tonnes_co2e"))
        .values_list("municipality__dgo_id", "sector_id", "year", "total")
        .order_by()
    )
    cells: dict[tuple[int | None, int, int], Decimal] = {}
    for dgo_id, sector_id, year, total in totals:
        cells[(dgo_id, sector_id, year)] = total
        key = (None, sector_id, year)
        cells[key] = cells.get(key, Decimal(0)) + total
    municipalities = dict(
        Municipality.objects.values("dgo_id").annotate(n=Count("pk")).values_list("dgo_id", "n")
    )
    municipalities[None] = sum(municipalities.values())
    reported: dict[int | None, list[tuple[int, int]]] = {None: []}
    for dgo_id, municipality_id, year in (
        latest.values_list("municipality__dgo_id", "municipality_id", "year").distinct().order_by()
    ):
        reported.setdefault(dgo_id, []).append((municipality_id, year))
        reported[None].append((municipality_id, year))
    coverage = {
        dgo_id: analysis.coverage_by_year(pairs, municipalities=municipalities.get(dgo_id, 0))
        for dgo_id, pairs in reported.items()
    }
    names = {None: (NATIONAL, national_name), **{d.pk: (d.slug, d.name) for d in dgos}}
    order = {None: -1, **{d.pk: i for i, d in enumerate(dgos)}}
    rows = []
    for dgo_id, sector_id, year in sorted(
        cells, key=lambda k: (order[k[0]], k[2], sectors[k[1]].position, sectors[k[1]].key)
    ):
        code, name = names[dgo_id]
        sector = sectors[sector_id]
        rows.append(
            {
                "geography_code": code,
                "geography": name,
                "year": year,
                "sector_code": sector.key,
                "sector": sector.name,
                "tonnes_co2e": cells[(dgo_id, sector_id, year)],
                "municipalities_with_figures": coverage[dgo_id][year].reporting,
                "municipalities": municipalities.get(dgo_id, 0),
            }
        )
    return rows


def plan_rows() -> list[dict]:
    """Three queries: the DGOs, municipalities per DGO, and approved reports per round and DGO."""
    dgos, national_name = _geographies()
    municipalities = dict(
        Municipality.objects.values("dgo_id").annotate(n=Count("pk")).values_list("dgo_id", "n")
    )
    counts = (
        StatusReport.objects.published()
        .values("round__year", "municipality__dgo_id")
        .annotate(
            reported=Count("pk"),
            with_plan=Count("pk", filter=Q(plan_status__in=StatusReport.PLAN_EXISTS_STATES)),
        )
        .values_list("round__year", "municipality__dgo_id", "reported", "with_plan")
        .order_by()
    )
    by_round: dict[int, dict[int, tuple[int, int]]] = {}
    for year, dgo_id, reported, with_plan in counts:
        by_round.setdefault(year, {})[dgo_id] = (reported, with_plan)
    rows = []
    for year in sorted(by_round, reverse=True):
        per_dgo = by_round[year]
        rows.append(
            {
                "round": year,
                "geography_code": NATIONAL,
                "geography": national_name,
                "municipalities": sum(municipalities.values()),
                "approved_reports": sum(r for r, _w in per_dgo.values()),
                "with_adopted_plan": sum(w for _r, w in per_dgo.values()),
            }
        )
        for dgo in dgos:
            reported, with_plan = per_dgo.get(dgo.pk, (0, 0))
            rows.append(
                {
                    "round": year,
                    "geography_code": dgo.slug,
                    "geography": dgo.name,
                    "municipalities": municipalities.get(dgo.pk, 0),
                    "approved_reports": reported,
                    "with_adopted_plan": with_plan,
                }
            )
    return rows


def dataset_rows(key: str) -> list[dict]:
    return {"emissioner": emissions_rows, "planer": plan_rows}[key]()
