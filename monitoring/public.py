"""What of monitoring is open to everyone (open knowledge): published annual status reports and
aggregates of approved data only.

- A status report PDF is public once the secretariat has published it (StatusReportPublication);
  a pending, failed or unpublished document is not.
- Figures come from approved (or approved and locked) reports and from figures tied to no report
  (the published accounts): `permissions.published_figures_q` and
  `StatusReport.objects.published()`.
  Never a single municipality's draft, submitted or sent-back report.
"""

from collections.abc import Iterator
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


# --- open data per municipality (kommuner-emissioner) --------------------------------------

MUNICIPAL_EMISSIONS = "kommuner-emissioner"
UNIT = "t CO2e"
ORIGIN_ACCOUNTS = "national_accounts"
ORIGIN_REPORT = "status_report"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Table Schema type
    title: str
    description: str
    constraints: dict | None = None
    unit: str = ""


MUNICIPAL_FIELDS = [
    Field(
        "municipality_code",
        "string",
        "Kommunekode",
        _("The municipality's code, four digits with the leading zero (0101 København)"),
        {"required": True, "pattern": "^[0-9]{4}$"},
    ),
    Field("municipality", "string", "Kommune", _("Name of the municipality"), {"required": True}),
    Field(
        "year",
        "integer",
        "År",
        _("Calendar year of the emissions"),
        {"required": True, "minimum": 1990, "maximum": 2100},
    ),
    Field(
        "sector",
        "string",
        "Sektor",
        _(
            "Code of the sector: a sector group of the national accounts (energy, transport, "
            "agriculture, waste, industry) or one of its finer sectors"
        ),
        {"required": True},
    ),
    Field("sector_name", "string", "Sektornavn", _("Danish name of the sector")),
    Field(
        "sector_group",
        "string",
        "Sektorgruppe",
        _("Code of the sector group the sector belongs to (a group's own code for a group)"),
        {"required": True},
    ),
    Field(
        "tonnes_co2e",
        "number",
        "Udledning (t CO2e)",
        _(
            "Territorial greenhouse-gas emissions in tonnes CO2e; negative where land use "
            "removes more than is emitted (the sector group agriculture and land use)"
        ),
        {"required": True},
        unit=UNIT,
    ),
    Field(
        "release",
        "string",
        "Dataudgivelse",
        _("The data release (vintage) of the energy and CO2 accounts, e.g. 2024-1"),
        {"required": True, "pattern": "^(19|20)[0-9]{2}-[1-9]$"},
    ),
    Field("source", "string", "Kilde", _("Where the figure comes from")),
    Field(
        "origin",
        "string",
        "Oprindelse",
        _(
            "'national_accounts': a data release of the national accounts, official without "
            "approval; 'status_report': the municipality's approved status report"
        ),
        {"required": True, "enum": [ORIGIN_ACCOUNTS, ORIGIN_REPORT]},
    ),
]
MUNICIPAL_KEY = ["municipality_code", "year", "sector"]
MUNICIPAL_DESCRIPTION = _(
    "Territorial emissions per municipality, year and sector in tonnes CO2e: the data releases "
    "of the national energy and CO2 accounts and the municipalities' approved status reports, "
    "nothing unapproved. Of each municipality, year and sector only the latest data release "
    "is published (the one the portal's pages use; an earlier release of a recalculated year "
    "is not repeated). A finer sector is left out where its group has a figure of its own for "
    "that municipality and year, so the rows of a year add up to the national total."
)


def municipality_code(code: str) -> str:
    """The accounts' way of writing a code: four digits with the leading zero."""
    return code.zfill(4)


def municipal_emission_rows(rows) -> Iterator[dict]:
    """The selector's rows (monitoring.selectors.open_municipal_emissions) as open-data rows."""
    for row in rows:
        from_report = row["report_id"] is not None
        source = row["data_source"] or (row["report_source"] if from_report else "")
        if not source and from_report:
            source = f"Statusrapport {row['report_year']}"
        yield {
            "municipality_code": municipality_code(row["code"]),
            "municipality": row["municipality_name"],
            "year": row["year"],
            "sector": row["sector_key"],
            "sector_name": row["sector_name"],
            "sector_group": row["group_key"],
            "tonnes_co2e": row["tonnes_co2e"],
            "release": row["data_release"],
            "source": source,
            "origin": ORIGIN_REPORT if from_report else ORIGIN_ACCOUNTS,
        }


def municipal_field_names() -> list[str]:
    return [f.name for f in MUNICIPAL_FIELDS]


def _table_schema(*, decimal_comma: bool = False) -> dict:
    fields = []
    for f in MUNICIPAL_FIELDS:
        descriptor = {
            "name": f.name,
            "type": f.type,
            "title": f.title,
            "description": str(f.description) + (f" ({f.unit})" if f.unit else ""),
        }
        if f.type == "integer":
            descriptor["bareNumber"] = True
        if f.type == "number":
            descriptor["decimalChar"] = "," if decimal_comma else "."
        if f.unit:
            descriptor["unit"] = f.unit
        if f.constraints:
            descriptor["constraints"] = f.constraints
        fields.append(descriptor)
    return {"fields": fields, "primaryKey": MUNICIPAL_KEY, "missingValues": [""]}


def datapackage(*, csv_path: str, excel_path: str, homepage: str) -> dict:
    """The Frictionless Data Package describing the files (paths relative to the package)."""
    licence = {
        "name": "CC-BY-4.0",
        "path": LICENCE_URL,
        "title": "Creative Commons Attribution 4.0",
    }
    return {
        "profile": "data-package",
        "name": "klimaalliancen-kommuner-emissioner",
        "title": "Klimaalliancen: udledninger pr. kommune, år og sektor",
        "description": str(MUNICIPAL_DESCRIPTION),
        "homepage": homepage,
        "licenses": [licence],
        "contributors": [{"title": ATTRIBUTION, "role": "publisher"}],
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": "kommuner-emissioner",
                "title": "Udledninger pr. kommune (csv)",
                "description": str(MUNICIPAL_DESCRIPTION),
                "path": csv_path,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "licenses": [licence],
                "schema": _table_schema(),
            },
            {
                "profile": "tabular-data-resource",
                "name": "kommuner-emissioner-excel",
                "title": "Udledninger pr. kommune (csv til dansk Excel)",
                "description": str(
                    _(
                        "The same rows for Danish Excel: UTF-8 with a byte-order mark, "
                        "semicolons, decimal comma."
                    )
                ),
                "path": excel_path,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ";", "header": True},
                "licenses": [licence],
                "schema": _table_schema(decimal_comma=True),
            },
        ],
    }
