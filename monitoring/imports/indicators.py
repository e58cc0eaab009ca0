"""The indicator values import: one row per municipality, indicator and year, the values of
published statistics (no report) and optional 2030 targets."""

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from auditlog.context import disable_auditlog
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.spreadsheet import max_rows
from monitoring.figures.analysis import TARGET_YEAR
from monitoring.insight.indicators import (
    RELEASE_MAX,
    SOURCE_MAX,
    IndicatorInput,
    check_input,
    indicator_list,
)
from monitoring.models import Indicator, IndicatorTarget, IndicatorValue, Round
from monitoring.permissions import IMPORT_REFUSED, can_import_values
from partners.models import Municipality, User

from . import spreadsheet as sheet
from .base import FileRefused, Import, ImportResult, RowOutcome, run
from .spreadsheet import Column

OPTIONAL_COLUMNS = {"municipality", "indicator_name", "data_source", "target_2030"}
# A row whose cells in these columns are all empty is left alone: the template lists every
# municipality and indicator, and one fills in the values one has.
VALUE_COLUMNS = ("value", "data_release", "data_source", "target_2030")


def import_columns():
    return [
        Column("municipality_code", "code", gettext_lazy("Official three-digit code"),
               required=True),
        Column("municipality", "ignored", gettext_lazy("Name, for reading only (not imported)")),
        Column("indicator", "text", gettext_lazy("The indicator's key (see the catalogue)"),
               required=True, max_length=60),
        Column("indicator_name", "ignored",
               gettext_lazy("The indicator's name and unit, for reading only (not imported)")),
        Column("year", "year", gettext_lazy("The year the value describes"), required=True),
        Column("value", "decimal", gettext_lazy("Number in the indicator's unit"),
               required=True),
        Column("data_release", "text", gettext_lazy("The publication, e.g. table and date"),
               required=True, max_length=RELEASE_MAX),
        Column("data_source", "text", gettext_lazy("Source (default: the catalogue's)"),
               max_length=SOURCE_MAX),
        Column("target_2030", "decimal", gettext_lazy("Optional 2030 target")),
    ]  # fmt: skip


def importable_municipalities(user) -> list[Municipality]:
    """The municipalities the user may import indicator values for (importers: all)."""
    if not can_import_values(user):
        return []
    return list(Municipality.objects.order_by("code"))


def template_rows(*, round: Round, user) -> list[dict[str, Any]]:
    """The import template of a round: the values of its emissions year, one row per
    municipality the user may import for and indicator in use, in the import's columns, with
    the values already known filled in (3 queries however many rows)."""
    year = round.emissions_year
    catalogue = indicator_list(active_only=True)
    known = {
        (v.municipality_id, v.indicator_id): v for v in IndicatorValue.objects.filter(year=year)
    }
    targets = {
        (t.municipality_id, t.indicator_id): t.value
        for t in IndicatorTarget.objects.filter(year=TARGET_YEAR)
    }
    rows = []
    for municipality in importable_municipalities(user):
        for indicator in catalogue:
            value = known.get((municipality.pk, indicator.pk))
            rows.append(
                {
                    "municipality_code": municipality.code,
                    "municipality": municipality.name,
                    "indicator": indicator.key,
                    "indicator_name": f"{indicator.name} ({indicator.unit})",
                    "year": year,
                    "value": value.value if value else None,
                    "data_release": value.data_release if value else "",
                    "data_source": value.data_source if value else "",
                    "target_2030": targets.get((municipality.pk, indicator.pk)),
                }
            )
    return rows


@dataclass
class _PlannedValue:
    outcome: Any
    municipality: Municipality | None = None
    indicator: Indicator | None = None
    year: int | None = None
    value: Decimal | None = None
    release: str = ""
    source: str = ""
    target: Decimal | None = None


def indicator_import(
    *,
    round: Round,
    by: User | None,
    content: bytes,
    filename: str,
    dry_run: bool,
    system: bool = False,
) -> ImportResult:
    """Validate a whole file of indicator values (one row per municipality, indicator and
    year), then, unless a dry run or anything is wrong, write it all in one transaction.

    The same skeleton, cell parsing, limits and lock on the round as the round import
    (rounds.round_import): one bad row means nothing is written. A row with no value,
    release, source or target (a template row not filled in) is skipped. A file may have as
    many rows as a year's template (every municipality times every indicator in use), at
    least the round import's limit."""
    if not (system and by is None) and not can_import_values(by):
        raise PermissionDenied(IMPORT_REFUSED)
    return run(
        IndicatorImport(round=round, by=by), content=content, filename=filename, dry_run=dry_run
    )


class IndicatorImport(Import):
    def __init__(self, *, round: Round, by: User | None):
        self.round, self.by = round, by
        self.planned: list[_PlannedValue] = []

    def prepare(self) -> None:
        self.round = Round.objects.select_for_update().get(pk=self.round.pk)
        if not self.round.is_open:
            raise FileRefused(
                _("The round %(year)s is closed; nothing can be imported into it.")
                % {"year": self.round.year}
            )
        self.municipalities = {m.code: m for m in Municipality.objects.all()}
        self.indicators = {i.key: i for i in Indicator.objects.filter(is_active=True)}

    def row_limit(self) -> int:
        return max(max_rows(), len(self.municipalities) * len(self.indicators))

    def plan(self, table: list[list[Any]]) -> list[RowOutcome]:
        round, municipalities, indicators = self.round, self.municipalities, self.indicators
        spec = import_columns()
        positions, header_errors = sheet.parse_header(table[0], spec)
        header_errors = [
            e
            for e in header_errors
            if not _only_optional_missing(e, positions, spec, OPTIONAL_COLUMNS)
        ]
        if header_errors:
            raise FileRefused(*header_errors)
        value_positions = [positions[key] for key in VALUE_COLUMNS if key in positions]
        self.existing = existing = {
            (v.indicator_id, v.municipality_id, v.year): v
            for v in IndicatorValue.objects.select_for_update().filter(
                year__lte=round.emissions_year
            )
        }
        self.targets = targets = {
            (t.indicator_id, t.municipality_id): t
            for t in IndicatorTarget.objects.select_for_update().filter(year=TARGET_YEAR)
        }
        seen: dict[tuple, int] = {}
        planned: list[_PlannedValue] = self.planned
        for number, cells in enumerate(table[1:], start=2):
            if all(sheet.is_blank(value) for value in cells) or all(
                index >= len(cells) or sheet.is_blank(cells[index]) for index in value_positions
            ):
                continue
            outcome = RowOutcome(number=number, code="", name="", status="error")
            row = _PlannedValue(outcome=outcome)
            planned.append(row)
            values = {}
            for column in spec:
                if column.key not in positions:
                    values[column.key] = None
                    continue
                index = positions[column.key]
                raw = cells[index] if index < len(cells) else None
                try:
                    values[column.key] = sheet.parse_cell(column, raw)
                except sheet.CellError as exc:
                    outcome.errors.append((column.key, str(exc)))
            code = values.get("municipality_code")
            if code:
                outcome.code = code
                row.municipality = municipalities.get(code)
                if row.municipality is None:
                    outcome.errors.append(
                        (
                            "municipality_code",
                            _("No municipality has the code %(code)s.") % {"code": code},
                        )
                    )
                else:
                    outcome.name = row.municipality.name
            key = values.get("indicator")
            if key:
                row.indicator = indicators.get(key)
                if row.indicator is None:
                    outcome.errors.append(
                        ("indicator", _("No indicator in use has the key %(key)s.") % {"key": key})
                    )
                else:
                    outcome.name = f"{outcome.name} · {row.indicator.name}".strip(" ·")
            row.year = values.get("year")
            if row.year is not None and row.year > round.emissions_year:
                outcome.errors.append(
                    (
                        "year",
                        _("This round collects values up to %(year)s.")
                        % {"year": round.emissions_year},
                    )
                )
            row.value, row.target = values.get("value"), values.get("target_2030")
            row.release = values.get("data_release") or ""
            row.source = values.get("data_source") or ""
            if row.indicator is not None:
                entry = IndicatorInput(row.indicator, row.value, row.release, row.target)
                already = {column for column, _reason in outcome.errors}
                for name, message in check_input(entry).items():
                    if name not in already:
                        outcome.errors.append((name, message))
            if row.municipality and row.indicator and row.year:
                cell = (row.municipality.pk, row.indicator.pk, row.year)
                if cell in seen:
                    outcome.errors.append(
                        (
                            "year",
                            _("The same municipality, indicator and year appear twice "
                              "(first in row %(row)s).") % {"row": seen[cell]},
                        )
                    )  # fmt: skip
                else:
                    seen[cell] = number
            if outcome.errors or None in (row.municipality, row.indicator, row.year, row.value):
                if not outcome.errors:
                    outcome.errors.append(("", _("Required.")))
                continue
            row.source = row.source or row.indicator.source[:SOURCE_MAX]
            current = existing.get((row.indicator.pk, row.municipality.pk, row.year))
            target = targets.get((row.indicator.pk, row.municipality.pk))
            changes = []
            if current is not None:
                for column, before, after in (
                    ("value", current.value, row.value),
                    ("data_release", current.data_release, row.release),
                    ("data_source", current.data_source, row.source),
                ):
                    if before != after:
                        changes.append(column)
            if row.target is not None and (target is None or target.value != row.target):
                changes.append("target_2030")
            if current is None:
                outcome.status = "new"
            else:
                outcome.status = "changed" if changes else "unchanged"
                outcome.changes = changes
        return [row.outcome for row in planned]

    def write(self) -> None:
        _import_write(rows=self.planned, existing=self.existing, targets=self.targets, by=self.by)


IMPORT_WRITE_BATCH = 50_000


def _import_write(
    *,
    rows: list[_PlannedValue],
    existing: dict[tuple[int, int, int], IndicatorValue],
    targets: dict[tuple[int, int], IndicatorTarget],
    by: User | None,
) -> None:
    """Write the new and changed rows of a validated import: values and targets each with a
    fixed number of statements whatever the number of rows, and one audit entry per value and
    target written (the entries a save per row would have made), in one statement last.

    The rules of the write per row it replaces: an unchanged row is not written; a value is
    then from published statistics (no report), entered by the importer now; a row's 2030
    target is added or changed, and a blank target cell leaves the target as it is. Two rows of
    one municipality and indicator (two years) with targets: the later row's target is kept,
    with one entry for what changed in all. The caller holds the round's lock and the locks on
    the values and targets read (`existing`, `targets`), inside the import's transaction."""
    from core.bulk_audit import BulkAuditTrail

    now = timezone.now()
    trail = BulkAuditTrail(actor=by)
    new_values, changed_values, values_before = [], [], {}
    new_targets: dict[tuple[int, int], IndicatorTarget] = {}
    changed_targets: dict[tuple[int, int], IndicatorTarget] = {}
    targets_before: dict[int, IndicatorTarget] = {}
    for row in rows:
        if row.outcome.status == "unchanged":
            continue
        value = existing.get((row.indicator.pk, row.municipality.pk, row.year))
        if value is None:
            value = IndicatorValue(
                indicator=row.indicator, municipality=row.municipality, year=row.year
            )
            new_values.append(value)
        else:
            value.indicator = row.indicator  # the entry's repr names it: no query per row
            values_before[value.pk] = copy.copy(value)
            changed_values.append(value)
        value.value, value.data_release, value.data_source = row.value, row.release, row.source
        value.report = None  # from published statistics
        value.entered_by, value.entered_at = by, now
        if row.target is None:
            continue
        cell = (row.indicator.pk, row.municipality.pk)
        target = targets.get(cell) or new_targets.get(cell)
        if target is None:
            new_targets[cell] = IndicatorTarget(
                indicator=row.indicator,
                municipality=row.municipality,
                year=TARGET_YEAR,
                value=row.target,
            )
        elif target.value != row.target:
            target.indicator = row.indicator  # as above, for the entry's repr
            if target.pk is not None and target.pk not in targets_before:
                targets_before[target.pk] = copy.copy(target)
                changed_targets[cell] = target
            target.value = row.target
    with disable_auditlog():  # the trail below records each row; no per-row signal entries
        IndicatorValue.objects.bulk_create(new_values, batch_size=IMPORT_WRITE_BATCH)
        IndicatorValue.objects.bulk_update(
            changed_values,
            ["value", "data_release", "data_source", "report", "entered_by", "entered_at"],
            batch_size=IMPORT_WRITE_BATCH,
        )
        IndicatorTarget.objects.bulk_create(new_targets.values(), batch_size=IMPORT_WRITE_BATCH)
        IndicatorTarget.objects.bulk_update(
            changed_targets.values(), ["value"], batch_size=IMPORT_WRITE_BATCH
        )
        for value in new_values:
            trail.created(value)
        for value in changed_values:
            trail.changed(values_before[value.pk], value)
        for target in new_targets.values():
            trail.created(target)
        for target in changed_targets.values():
            trail.changed(targets_before[target.pk], target)
        trail.write()


def _only_optional_missing(error: str, positions, spec, optional: set[str]) -> bool:
    """parse_header reports every absent column; the optional ones may be left out."""
    missing = [c.key for c in spec if c.key not in positions]
    if not missing or not set(missing) <= optional:
        return False
    return error == _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}
