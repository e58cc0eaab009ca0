"""Transition indicators: the catalogue, values per municipality and year, targets, import.

Who may do what, the reads the pages need and the writes (entry with a status report, the
atomic spreadsheet import) live here, beside each other, so the rules are in one place.

- The catalogue is read by everyone signed in and edited by the secretariat and the knowledge
  partners.
- A value entered with a status report is published with it (like the report's emission
  figures); a value not tied to a report was imported from published statistics and is public.
- A monitoring round collects the indicator values of its emissions year.
"""

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring import permissions
from monitoring.models import Indicator, IndicatorTarget, IndicatorValue, Round, StatusReport
from monitoring.numbers import as_stored
from partners.models import Municipality, User
from partners.permissions import roles_of

State = StatusReport.State
TARGET_YEAR = 2030
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


# --- permissions -------------------------------------------------------------------------


def can_edit_catalogue(user) -> bool:
    roles = roles_of(user)
    return roles.secretariat or roles.knowledge_partner


def can_import_values(user) -> bool:
    return permissions.can_import(user)


def published_values_q(prefix: str = "") -> Q:
    """Values anyone signed in may read: imported (no report) or from a published report."""
    return (
        Q(**{f"{prefix}report__isnull": True})
        | Q(**{f"{prefix}report__state": State.APPROVED})
        | Q(
            **{
                f"{prefix}report__state": State.LOCKED,
                f"{prefix}report__approved_at__isnull": False,
            }
        )
    )


def visible_values_q(user) -> Q:
    """The published values; the secretariat all; a coordinator also their own DGO's drafts."""
    roles = roles_of(user)
    if roles.secretariat:
        return Q(pk__isnull=False)
    visible = published_values_q()
    if roles.coordinated_dgo_ids:
        visible |= Q(municipality__dgo_id__in=roles.coordinated_dgo_ids)
    return visible


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
    visible = IndicatorValue.objects.filter(visible_values_q(user), indicator=indicator)
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
    condition = published_values_q() if published_only else visible_values_q(user)
    values = IndicatorValue.objects.filter(condition, indicator__is_active=True)
    if municipality_ids is not None:
        values = values.filter(municipality_id__in=list(municipality_ids))
    result: dict[tuple[int, int], dict[int, IndicatorValue]] = {}
    for value in values.order_by():
        result.setdefault((value.indicator_id, value.municipality_id), {})[value.year] = value
    return result


# --- the catalogue -----------------------------------------------------------------------


@transaction.atomic
def indicator_save(*, indicator: Indicator | None, by: User, fields: dict[str, Any]) -> Indicator:
    """Create or change a catalogue entry (the secretariat and the knowledge partners)."""
    if not can_edit_catalogue(by):
        raise PermissionDenied(
            _("Only the secretariat and the knowledge partners edit indicators.")
        )
    unknown = set(fields) - set(CATALOGUE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if indicator is None:
        indicator = Indicator()
    elif "key" in fields and fields["key"] != indicator.key and indicator.values.exists():
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


# --- import ------------------------------------------------------------------------------


# Columns a file may leave out; the template has them all. The names are there for reading.
OPTIONAL_COLUMNS = {"municipality", "indicator_name", "data_source", "target_2030"}
# A row whose cells in these columns are all empty is left alone: the template lists every
# municipality and indicator, and one fills in the values one has.
VALUE_COLUMNS = ("value", "data_release", "data_source", "target_2030")


def import_columns():
    from monitoring.imports.spreadsheet import Column

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
):
    """Validate a whole file of indicator values (one row per municipality, indicator and
    year), then, unless a dry run or anything is wrong, write it all in one transaction.

    The same reading, cell parsing, limits and lock on the round as the round import
    (services.round_import): one bad row means nothing is written. A row with no value,
    release, source or target (a template row not filled in) is skipped. A file may have as
    many rows as a year's template (every municipality times every indicator in use), at
    least the round import's limit."""
    from monitoring.imports import spreadsheet as sheet
    from monitoring.services import ImportResult, RowOutcome

    if not (system and by is None) and not can_import_values(by):
        raise PermissionDenied(_("Only the secretariat and administrators import round data."))
    result = ImportResult()
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if not round.is_open:
            result.file_errors.append(
                _("The round %(year)s is closed; nothing can be imported into it.")
                % {"year": round.year}
            )
            return result
        municipalities = {m.code: m for m in Municipality.objects.all()}
        indicators = {i.key: i for i in Indicator.objects.filter(is_active=True)}
        try:
            table = sheet.read_table(
                content,
                filename,
                row_limit=max(sheet.max_rows(), len(municipalities) * len(indicators)),
            )
        except sheet.SpreadsheetError as exc:
            result.file_errors.append(str(exc))
            return result
        if not table:
            result.file_errors.append(_("The file has no header row."))
            return result
        spec = import_columns()
        positions, header_errors = sheet.parse_header(table[0], spec)
        header_errors = [
            e
            for e in header_errors
            if not _only_optional_missing(e, positions, spec, OPTIONAL_COLUMNS)
        ]
        if header_errors:
            result.file_errors.extend(header_errors)
            return result
        value_positions = [positions[key] for key in VALUE_COLUMNS if key in positions]
        existing = {
            (v.indicator_id, v.municipality_id, v.year): v
            for v in IndicatorValue.objects.select_for_update().filter(
                year__lte=round.emissions_year
            )
        }
        targets = {
            (t.indicator_id, t.municipality_id): t
            for t in IndicatorTarget.objects.select_for_update().filter(year=TARGET_YEAR)
        }
        seen: dict[tuple, int] = {}
        planned: list[_PlannedValue] = []
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
        result.rows = [row.outcome for row in planned]
        if not result.rows:
            result.file_errors.append(_("The file has no data rows."))
        if dry_run or not result.is_valid:
            return result
        _import_write(rows=planned, existing=existing, targets=targets, by=by)
        result.written = True
    return result


# Rows per INSERT/UPDATE statement: a year's template (98 municipalities times the indicators
# in use) fits in one.
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
    from auditlog.context import disable_auditlog

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


def indicator_summaries(*, year: int) -> list:
    """[(indicator, analysis.Summary)] of the published values of `year` (2 queries)."""
    from monitoring.figures.analysis import summarise

    values: dict[int, list[Decimal]] = {}
    for indicator_id, value in IndicatorValue.objects.filter(
        published_values_q(), year=year
    ).values_list("indicator_id", "value"):
        values.setdefault(indicator_id, []).append(value)
    return [(i, summarise(values.get(i.pk, []))) for i in indicator_list(active_only=True)]
