"""Transition indicators: the catalogue, values per municipality and year, targets, import.

Who may do what, the reads the pages need and the writes (entry with a status report) live
here, beside each other, so the rules are in one place; the import is in
monitoring/imports/indicators.py.

- The catalogue is read by everyone signed in and edited by the secretariat and the knowledge
  partners.
- A value entered with a status report is published with it (like the report's emission
  figures); a value not tied to a report was imported from published statistics and is public.
- A monitoring round collects the indicator values of its emissions year.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.locking import lock_for_edit
from monitoring import permissions
from monitoring.figures.analysis import TARGET_YEAR
from monitoring.models import Indicator, IndicatorTarget, IndicatorValue, StatusReport
from monitoring.numbers import as_stored
from partners.models import Municipality, User

RELEASE_MAX = IndicatorValue._meta.get_field("data_release").max_length
SOURCE_MAX = IndicatorValue._meta.get_field("data_source").max_length
CATALOGUE_FIELDS = (
    "key",
    "name_da",
    "name_en",
    "unit_da",
    "unit_en",
    "group",
    "direction",
    "source",
    "source_url",
    "definition_da",
    "definition_en",
    "minimum",
    "maximum",
    "position",
    "is_active",
)


# --- reads -------------------------------------------------------------------------------


def indicator_list(*, active_only: bool = False) -> list[Indicator]:
    indicators = Indicator.objects.all()
    if active_only:
        indicators = indicators.filter(is_active=True)
    return list(indicators)


def indicator_get(*, key: str) -> Indicator:
    return Indicator.objects.select_related("updated_by").get(key=key)


@dataclass
class ValueRow:
    municipality: Municipality
    value: IndicatorValue | None
    target: IndicatorTarget | None


@dataclass
class IndicatorOverview:
    indicator: Indicator
    year: int | None  # the newest year with a visible value
    years: list[int]
    rows: list[ValueRow]
    releases: list[str]

    @property
    def coverage(self) -> int:
        return sum(1 for row in self.rows if row.value is not None)


def indicator_overview(*, indicator: Indicator, user, year: int | None = None) -> IndicatorOverview:
    """Every municipality with its value of one year (default: the newest) and its target
    (3 queries, whatever the number of municipalities and years)."""
    visible = IndicatorValue.objects.filter(permissions.visible_values_q(user), indicator=indicator)
    years = sorted(set(visible.values_list("year", flat=True)), reverse=True)
    if year not in years:
        year = years[0] if years else None
    values = {}
    if year is not None:
        values = {v.municipality_id: v for v in visible.filter(year=year)}
    targets = {
        t.municipality_id: t
        for t in IndicatorTarget.objects.filter(indicator=indicator, year=TARGET_YEAR)
    }
    municipalities = Municipality.objects.select_related("dgo").order_by("name")
    rows = [ValueRow(m, values.get(m.pk), targets.get(m.pk)) for m in municipalities]
    return IndicatorOverview(
        indicator=indicator,
        year=year,
        years=years,
        rows=rows,
        releases=sorted({v.data_release for v in values.values()}),
    )


def latest_values(
    *, municipality_ids: Iterable[int] | None = None, published_only: bool = True, user=None
) -> dict[tuple[int, int], dict[int, IndicatorValue]]:
    """(indicator id, municipality id) -> {year: value}: every visible value (one query)."""
    condition = (
        permissions.published_values_q() if published_only else permissions.visible_values_q(user)
    )
    values = IndicatorValue.objects.filter(condition, indicator__is_active=True)
    if municipality_ids is not None:
        values = values.filter(municipality_id__in=list(municipality_ids))
    result: dict[tuple[int, int], dict[int, IndicatorValue]] = {}
    for value in values.order_by():
        result.setdefault((value.indicator_id, value.municipality_id), {})[value.year] = value
    return result


# --- the catalogue -----------------------------------------------------------------------


@transaction.atomic
@transaction.atomic
def indicator_save(
    *,
    indicator: Indicator | None,
    by: User,
    fields: dict[str, Any],
    expected_version: str | None = None,
) -> Indicator:
    """Create or change a catalogue entry (the secretariat and the knowledge partners); a
    change is based on `expected_version` (core.locking)."""
    if not permissions.can_edit_catalogue(by):
        raise PermissionDenied(
            _("Only the secretariat and the knowledge partners edit indicators.")
        )
    unknown = set(fields) - set(CATALOGUE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    indicator = Indicator() if indicator is None else lock_for_edit(indicator, expected_version)
    if (
        indicator.pk
        and "key" in fields
        and fields["key"] != indicator.key
        and indicator.values.exists()
    ):
        raise ValidationError({"key": _("The key of an indicator with values cannot change.")})
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.updated_at = timezone.now()
    indicator.updated_by = by
    indicator.full_clean()
    indicator.save()
    return indicator


# --- values entered with a status report ------------------------------------------------


@dataclass(frozen=True)
class IndicatorInput:
    indicator: Indicator
    value: Decimal | None
    data_release: str = ""
    target_2030: Decimal | None = None


def report_indicator_rows(
    *, municipality_id: int, year: int
) -> list[tuple[Indicator, dict[str, Any]]]:
    """The indicators in use, each with the municipality's value of `year` and its 2030
    target as the report form's initial values (one query)."""
    value = IndicatorValue.objects.filter(
        indicator=OuterRef("pk"), municipality_id=municipality_id, year=year
    )
    target = IndicatorTarget.objects.filter(
        indicator=OuterRef("pk"), municipality_id=municipality_id, year=TARGET_YEAR
    )
    rows = Indicator.objects.filter(is_active=True).annotate(
        current_value=Subquery(value.values("value")[:1]),
        current_release=Subquery(value.values("data_release")[:1]),
        current_target=Subquery(target.values("value")[:1]),
    )
    value_field = IndicatorValue._meta.get_field("value")
    target_field = IndicatorTarget._meta.get_field("value")
    return [
        (
            row,
            {
                "value": as_stored(row.current_value, value_field),
                "data_release": row.current_release or "",
                "target_2030": as_stored(row.current_target, target_field),
            },
        )
        for row in rows
    ]


def check_input(entry: IndicatorInput) -> dict[str, str]:
    """Problems with one row, by field name (empty when the row is fine)."""
    errors = {}
    for name, number in (("value", entry.value), ("target_2030", entry.target_2030)):
        if number is None:
            continue
        try:
            entry.indicator.check_value(number)
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    if entry.value is not None and not entry.data_release.strip():
        errors["data_release"] = _("Give the data release the value comes from.")
    return errors


def write_report_values(
    *, report: StatusReport, entries: list[IndicatorInput], by: User | None
) -> None:
    """Store a report's indicator values (its round's emissions year) and 2030 targets.

    A blank value removes a value this report entered (not one imported from statistics)."""
    errors = {}
    for entry in entries:
        for name, message in check_input(entry).items():
            errors.setdefault(name, []).append(f"{entry.indicator.name}: {message}")
    if errors:
        raise ValidationError({"indicators": [m for ms in errors.values() for m in ms]})
    year = report.round.emissions_year
    existing = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(municipality_id=report.municipality_id, year=year)
    }
    targets = {
        t.indicator_id: t
        for t in IndicatorTarget.objects.filter(
            municipality_id=report.municipality_id, year=TARGET_YEAR
        )
    }
    now = timezone.now()
    for entry in entries:
        current = existing.get(entry.indicator.pk)
        if entry.value is None:
            if current is not None and current.report_id == report.pk:
                current.delete()
        elif current is None or (current.value, current.data_release, current.report_id) != (
            entry.value,
            entry.data_release.strip(),
            report.pk,
        ):
            current = current or IndicatorValue(
                indicator=entry.indicator, municipality_id=report.municipality_id, year=year
            )
            current.value = entry.value
            current.data_release = entry.data_release.strip()
            current.data_source = entry.indicator.source[:SOURCE_MAX]
            current.report = report
            current.entered_by, current.entered_at = by, now
            current.save()
        target = targets.get(entry.indicator.pk)
        if entry.target_2030 is None:
            if target is not None and target.report_id == report.pk:
                target.delete()
        elif target is None or target.value != entry.target_2030:
            target = target or IndicatorTarget(
                indicator=entry.indicator,
                municipality_id=report.municipality_id,
                year=TARGET_YEAR,
            )
            target.value, target.report = entry.target_2030, report
            target.save()


def indicator_summaries(*, year: int) -> list:
    """[(indicator, analysis.Summary)] of the published values of `year` (2 queries)."""
    from monitoring.figures.analysis import summarise

    values: dict[int, list[Decimal]] = {}
    for indicator_id, value in IndicatorValue.objects.filter(
        permissions.published_values_q(), year=year
    ).values_list("indicator_id", "value"):
        values.setdefault(indicator_id, []).append(value)
    return [(i, summarise(values.get(i.pk, []))) for i in indicator_list(active_only=True)]
