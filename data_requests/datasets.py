"""The datasets the partnership may share with an external party (§8.7), and their fields.

A request picks one dataset and some of its fields; APS approves all or fewer of them; the
export (`rows`) returns exactly the approved fields for the approved years and municipalities,
and only what is published inside the partnership (approved reports and their figures), never
a draft. A field not listed here cannot be asked for, approved or exported.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from monitoring.models import EmissionFigure, StatusReport
from monitoring.permissions import published_figures_q


@dataclass(frozen=True)
class Field:
    key: str
    label: object
    # The value of this field in one row of the dataset's query (a dict).
    value: Callable[[dict], object]


@dataclass(frozen=True)
class Dataset:
    key: str
    label: object
    fields: tuple[Field, ...]
    # (years, municipality ids) -> rows as dicts, ordered; one query.
    query: Callable[[list[int], list[int]], Iterable[dict]]

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    @property
    def field_keys(self) -> list[str]:
        return [f.key for f in self.fields]


def _emissions(years: list[int], municipality_ids: list[int]) -> Iterable[dict]:
    return (
        EmissionFigure.objects.for_totals(published_figures_q())
        .filter(year__in=years, municipality_id__in=municipality_ids)
        .values(
            "year",
            "tonnes_co2e",
            "data_source",
            "data_release",
            code=F("municipality__code"),
            municipality_name=F("municipality__name"),
            sector_key=F("sector__key"),
            sector_name=F("sector__name_da"),
        )
        .order_by("municipality__code", "year", "sector__position", "sector__key")
        .iterator()
    )


def _reports(years: list[int], municipality_ids: list[int]) -> Iterable[dict]:
    return (
        StatusReport.objects.filter(Q(round__year__in=years), municipality_id__in=municipality_ids)
        .published()
        .values(
            "plan_status",
            "plan_adopted_on",
            "plan_revised_on",
            "recertified",
            "baseline_year",
            "baseline_emissions",
            "target_2030_reduction_pct",
            "net_zero_year",
            "adaptation_risk_assessed",
            year=F("round__year"),
            code=F("municipality__code"),
            municipality_name=F("municipality__name"),
        )
        .order_by("municipality__code", "round__year")
        .iterator()
    )


def _key(name: str) -> Callable[[dict], object]:
    return lambda row: row[name]


MUNICIPALITY_FIELDS = (
    Field("municipality_code", _("Municipality code"), _key("code")),
    Field("municipality", _("Municipality"), _key("municipality_name")),
    Field("year", _("Year"), _key("year")),
)

DATASETS = {
    d.key: d
    for d in (
        Dataset(
            "municipal_emissions",
            _("Municipal greenhouse-gas emissions by sector"),
            (
                *MUNICIPALITY_FIELDS,
                Field("sector_key", _("Sector key"), _key("sector_key")),
                Field("sector", _("Sector"), _key("sector_name")),
                Field("tonnes_co2e", _("t CO2e"), _key("tonnes_co2e")),
                Field("data_release", _("Data release"), _key("data_release")),
                Field("data_source", _("Data source"), _key("data_source")),
            ),
            _emissions,
        ),
        Dataset(
            "municipal_reports",
            _("The municipalities' status reports (plan, targets, adaptation)"),
            (
                *MUNICIPALITY_FIELDS,
                Field("plan_status", _("Climate action plan"), _key("plan_status")),
                Field("plan_adopted_on", _("Plan adopted"), _key("plan_adopted_on")),
                Field("plan_revised_on", _("Plan last revised"), _key("plan_revised_on")),
                Field("recertified", _("Recertified"), _key("recertified")),
                Field("baseline_year", _("Baseline year"), _key("baseline_year")),
                Field("baseline_emissions", _("Baseline emissions"), _key("baseline_emissions")),
                Field(
                    "target_2030_reduction_pct",
                    _("2030 reduction target (%)"),
                    _key("target_2030_reduction_pct"),
                ),
                Field("net_zero_year", _("Net zero year"), _key("net_zero_year")),
                Field(
                    "adaptation_risk_assessed",
                    _("Climate risk assessment done"),
                    _key("adaptation_risk_assessed"),
                ),
            ),
            _reports,
        ),
    )
}

DATASET_CHOICES = [(d.key, d.label) for d in DATASETS.values()]


def field_choices(dataset_key: str | None = None) -> list[tuple[str, object]]:
    """(key, label) of one dataset's fields, or of all (for a form before a dataset is chosen)."""
    seen: dict[str, object] = {}
    for dataset in DATASETS.values():
        if dataset_key in (None, dataset.key):
            for f in dataset.fields:
                seen.setdefault(f.key, f.label)
    return list(seen.items())
