"""The national accounts import: Energistyrelsen's *Energi- og CO2-regnskab*, per municipality
and year, as one data release (`DataRelease`).

Reads the key figures as the accounts and spreadsheets export them (core's hardened reader:
csv with comma or semicolon, UTF-8 with or without BOM or Windows-1252, or xlsx; decimal point
or comma), in either layout:

- wide: one row per municipality and year, a column per sector group (`Energi`, `Transport`,
  `Landbrug`, `Affald`, `Industri`); `Samlet` is optional and checked against the sum;
- long: one row per municipality, year and sector (`Sektor`, `Udledning`); a sector is a group
  or a finer sector, by its Danish or English name or its key; `Samlet` rows are checked.

Headers are Danish or English (`Kommunekode`, `Kommune`, `År`), a unit in brackets is ignored
(`Energi (ton CO2e)`); codes with or without the leading zero; several years in one file.

The dry run reports per municipality what changes against the previous release (or against
what this release already holds, when it is imported again): the same file twice changes
nothing. The confirm writes every figure of the release in one transaction, or nothing.
"""

import copy
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from auditlog.context import disable_auditlog
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheet import CellError, _text, is_blank, max_rows
from monitoring import permissions
from monitoring.models import DataRelease, EmissionFigure, Sector
from partners.models import Municipality, User

from . import spreadsheet as sheet
from .base import FileRefused, Import, ImportResult, RowOutcome, run

# The accounts start in 2018; a year's emissions are published after it has ended.
FIRST_YEAR = 2018
# The accounts round each group; Samlet may differ from the sum of the rounded groups by this.
TOTAL_TOLERANCE = Decimal("1")
SOURCE_DEFAULT = "Energistyrelsen, Energi- og CO2-regnskabet"

CODE_HEADERS = {"kommunekode", "kommune kode", "kommunenr", "municipality_code", "code", "kode"}
NAME_HEADERS = {"kommune", "kommunenavn", "municipality", "navn", "name"}
YEAR_HEADERS = {"år", "aar", "year", "årstal", "emissions_year"}
TOTAL_HEADERS = {"samlet", "i alt", "total"}
SECTOR_HEADERS = {"sektor", "sector", "sektorgruppe"}
VALUE_HEADERS = {"udledning", "værdi", "vaerdi", "value", "tonnes_co2e", "ton co2e", "t co2e"}
TOTAL_NAMES = TOTAL_HEADERS


def last_year(today: datetime.date | None = None) -> int:
    return (today or timezone.localdate()).year - 1


def _header_key(value: Any) -> str:
    text = re.sub(r"\(.*?\)|\[.*?\]", "", _text(value).casefold())  # "Energi (ton CO2e)"
    return " ".join(text.split())


def _normalise_name(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").split()).removesuffix(" kommune")


@dataclass
class _Cell:
    row: int  # the file's row number
    column: str
    sector: Sector
    tonnes: Decimal


@dataclass
class _Municipality:
    """What the file says about one municipality, and what that changes."""

    outcome: RowOutcome
    municipality: Municipality | None = None
    cells: dict[tuple[int, int], _Cell] = field(default_factory=dict)  # (year, sector id)
    totals: list[tuple[int, int, Decimal]] = field(default_factory=list)  # (row, year, Samlet)


def national_accounts_import(
    *,
    release: str,
    by: User | None,
    content: bytes,
    filename: str,
    dry_run: bool,
    source: str = "",
    system: bool = False,
    today: datetime.date | None = None,
) -> ImportResult:
    """Validate a whole accounts file as the data release `release` (e.g. "2025-1"), then,
    unless a dry run or anything is wrong, write all its figures in one transaction.

    One outcome per municipality (its first row's number): new when the release holds
    nothing for it yet, changed or unchanged against what the release holds; `differences`
    list each figure that differs from the previous release (or this one, imported again)."""
    if not (system and by is None) and not permissions.can_import(by):
        raise PermissionDenied(permissions.IMPORT_REFUSED)
    importer = AccountsImport(release=release, source=source or SOURCE_DEFAULT, by=by, today=today)
    return run(importer, content=content, filename=filename, dry_run=dry_run)


class AccountsImport(Import):
    def __init__(self, *, release: str, source: str, by: User | None, today=None):
        self.release_name, self.source, self.by = release.strip(), source.strip(), by
        self.first_year, self.last_year = FIRST_YEAR, last_year(today)
        self.planned: list[_Municipality] = []

    def prepare(self) -> None:
        try:
            self.release_name = sheet.parse_release(self.release_name)
        except CellError as exc:
            raise FileRefused(str(exc)) from exc
        if len(self.source) > 200:
            raise FileRefused(_("The source is longer than %(limit)s characters.") % {"limit": 200})
        # Two imports of one release run one after the other: the second sees the first's rows.
        self.release = (
            DataRelease.objects.select_for_update().filter(name=self.release_name).first()
        )
        self.municipalities = list(Municipality.objects.all())
        self.sectors = list(Sector.objects.filter(is_active=True))

    def row_limit(self) -> int:
        years = self.last_year - self.first_year + 1
        return max(max_rows(), len(self.municipalities) * years * (len(self.sectors) + 1))

    # --- reading ---------------------------------------------------------------------------

    def _columns(self, header: list[Any]) -> dict[str, Any]:
        groups = {s.name_da.casefold(): s for s in self.sectors if s.parent_id is None}
        found: dict[str, Any] = {"groups": {}}
        problems = []
        for index, value in enumerate(header[: sheet.MAX_COLUMNS]):
            if is_blank(value):
                continue
            key = _header_key(value)
            role = next(
                (
                    name
                    for name, names in (
                        ("code", CODE_HEADERS),
                        ("name", NAME_HEADERS),
                        ("year", YEAR_HEADERS),
                        ("total", TOTAL_HEADERS),
                        ("sector", SECTOR_HEADERS),
                        ("value", VALUE_HEADERS),
                    )
                    if key in names
                ),
                None,
            )
            if role is None and key in groups:
                if key in found["groups"]:
                    problems.append(_("The column %(column)s appears twice.") % {"column": value})
                found["groups"][key] = (index, groups[key], _text(value))
                continue
            if role is None:
                problems.append(_("Unknown column %(column)s.") % {"column": _text(value)})
            elif role in found:
                problems.append(_("The column %(column)s appears twice.") % {"column": value})
            else:
                found[role] = index
        missing = [
            label for role, label in (("code", "Kommunekode"), ("year", "År")) if role not in found
        ]
        long_layout = "sector" in found or "value" in found
        if long_layout and ("sector" not in found or "value" not in found):
            missing.append("Sektor" if "sector" not in found else "Udledning")
        if long_layout and found["groups"]:
            problems.append(
                _("Use either a column per sector group or the columns Sektor and Udledning.")
            )
        if not long_layout and not found["groups"]:
            missing.append("Energi, Transport, Landbrug, Affald, Industri")
        if missing:
            problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        if problems:
            raise FileRefused(*problems)
        found["long"] = long_layout
        return found

    def _sector_named(self, value: Any) -> Sector | None:
        text = _text(value).casefold()
        for sector in self.sectors:
            if text in (
                sector.key.casefold(),
                sector.name_da.casefold(),
                sector.name_en.casefold(),
            ):
                return sector
        return None

    def _number(self, value: Any, sector: Sector | None) -> Decimal:
        if is_blank(value):
            raise CellError(_("Required."))
        number = sheet.parse_decimal(value, negative_ok=True)
        if number < 0 and sector is not None and not sector.may_be_negative:
            raise CellError(
                _("%(sector)s cannot be negative (only land use can be a net removal).")
                % {"sector": sector.name}
            )
        return number

    # --- planning --------------------------------------------------------------------------

    def plan(self, table: list[list[Any]]) -> list[RowOutcome]:
        columns = self._columns(table[0])
        by_code = {m.code: m for m in self.municipalities}
        planned: dict[str, _Municipality] = {}
        loose: list[_Municipality] = []  # rows without a usable code, each its own outcome
        first_row: dict[tuple, int] = {}
        for number, cells in enumerate(table[1:], start=2):
            if all(is_blank(value) for value in cells):
                continue

            def cell(index: int | None, cells=cells) -> Any:
                return cells[index] if index is not None and index < len(cells) else None

            errors: list[tuple[str, str]] = []
            code = municipality = None
            try:
                code = sheet.parse_code(cell(columns["code"]))
            except CellError as exc:
                errors.append(("Kommunekode", str(exc)))
            if code is not None:
                municipality = by_code.get(code)
                if municipality is None:
                    errors.append(
                        (
                            "Kommunekode",
                            _("No municipality has the code %(code)s.") % {"code": code},
                        )
                    )
            if municipality is not None and "name" in columns:
                given = _text(cell(columns["name"]) or "")
                if given and _normalise_name(given) != _normalise_name(municipality.name):
                    errors.append(
                        (
                            "Kommune",
                            _("The code %(code)s is %(name)s, not %(given)s.")
                            % {"code": code, "name": municipality.name, "given": given},
                        )
                    )
            year = None
            try:
                year = sheet.parse_year(cell(columns["year"]))
            except CellError as exc:
                errors.append(("År", str(exc)))
            if year is not None and not self.first_year <= year <= self.last_year:
                errors.append(
                    (
                        "År",
                        _("The year %(year)s is outside the accounts the partnership follows "
                          "(%(first)s–%(last)s).")
                        % {"year": year, "first": self.first_year, "last": self.last_year},
                    )
                )  # fmt: skip
            entry = planned.get(code) if municipality is not None else None
            if entry is None:
                entry = _Municipality(
                    outcome=RowOutcome(
                        number=number,
                        code=code or "",
                        name=municipality.name if municipality else "",
                        status="error",
                    ),
                    municipality=municipality,
                )
                if municipality is not None:
                    planned[code] = entry
                else:
                    loose.append(entry)
            values: list[tuple[str, Sector | None, Any]] = []
            if columns["long"]:
                raw_sector = cell(columns["sector"])
                label = _text(raw_sector or "")
                if label.casefold() in TOTAL_NAMES:
                    values.append((label, None, cell(columns["value"])))
                else:
                    sector = self._sector_named(raw_sector) if not is_blank(raw_sector) else None
                    if sector is None:
                        errors.append(
                            ("Sektor", _("Unknown sector %(sector)s.") % {"sector": label or "–"})
                        )
                    else:
                        values.append((sector.name_da, sector, cell(columns["value"])))
            else:
                for index, sector, label in columns["groups"].values():
                    if not is_blank(cell(index)):
                        values.append((label, sector, cell(index)))
                if "total" in columns and not is_blank(cell(columns["total"])):
                    values.append(("Samlet", None, cell(columns["total"])))
                if not values:
                    errors.append(("", _("The row has no figures.")))
            parsed: list[tuple[str, Sector | None, Decimal]] = []
            for label, sector, raw in values:
                try:
                    parsed.append((label, sector, self._number(raw, sector)))
                except CellError as exc:
                    errors.append((label, str(exc)))
            if year is not None and municipality is not None:
                for label, sector, tonnes in parsed:
                    key = (code, year, sector.pk if sector else "total")
                    if key in first_row:
                        errors.append(
                            (
                                label,
                                _("%(municipality)s %(year)s appears twice in the file "
                                  "(first in row %(row)s).")
                                % {"municipality": municipality.name, "year": year,
                                   "row": first_row[key]},
                            )
                        )  # fmt: skip
                        continue
                    first_row[key] = number
                    if sector is None:
                        entry.totals.append((number, year, tonnes))
                    else:
                        entry.cells[(year, sector.pk)] = _Cell(number, label, sector, tonnes)
            # A municipality's later rows name their row: its outcome carries its first row.
            entry.outcome.errors.extend(
                (
                    _("%(column)s (row %(row)s)") % {"column": column or "–", "row": number}
                    if entry.outcome.number != number
                    else column,
                    why,
                )
                for column, why in errors
            )
        self.planned = [*planned.values(), *loose]
        self._check_totals()
        self._compare()
        return sorted((p.outcome for p in self.planned), key=lambda o: o.number)

    def _check_totals(self) -> None:
        for entry in self.planned:
            for number, year, total in entry.totals:
                groups = [
                    c.tonnes
                    for (y, _s), c in entry.cells.items()
                    if y == year and c.sector.parent_id is None
                ]
                summed = sum(groups, Decimal(0))
                if abs(summed - total) > TOTAL_TOLERANCE:
                    entry.outcome.errors.append(
                        (
                            _("%(column)s (row %(row)s)") % {"column": "Samlet", "row": number},
                            _("Samlet %(year)s is %(total)s, but the sector groups add up to "
                              "%(sum)s.") % {"year": year, "total": total, "sum": summed},
                        )
                    )  # fmt: skip

    def _compare(self) -> None:
        municipality_ids = [e.municipality.pk for e in self.planned if e.municipality]
        stored = EmissionFigure.objects.filter(
            municipality_id__in=municipality_ids,
            year__gte=self.first_year,
            sector__in=[s.pk for s in self.sectors],
        )
        # This release's figures, locked: the confirm updates them. Of the earlier releases
        # only the latest figure of each cell is compared against, and only its value is read
        # (the accounts' years hold ~10,000 of them; model instances were most of the plan).
        self.existing: dict[tuple[int, int, int], EmissionFigure] = {
            (figure.municipality_id, figure.year, figure.sector_id): figure
            for figure in stored.filter(data_release=self.release_name).select_for_update(
                of=("self",)
            )
        }
        previous: dict[tuple[int, int, int], Decimal] = {}
        for key_and_value in (
            stored.filter(data_release__lt=self.release_name)
            .order_by("data_release")
            .values_list("municipality_id", "year", "sector_id", "tonnes_co2e")
        ):
            previous[key_and_value[:3]] = key_and_value[3]  # by release: the latest stays
        for entry in self.planned:
            outcome = entry.outcome
            if outcome.errors or entry.municipality is None:
                if not outcome.errors:
                    outcome.errors.append(("Kommunekode", _("Required.")))
                outcome.status = "error"
                continue
            new = changed = 0
            for (year, sector_id), cell in sorted(
                entry.cells.items(), key=lambda item: (item[0][0], item[1].sector.position)
            ):
                key = (entry.municipality.pk, year, sector_id)
                mine = self.existing.get(key)
                if mine is None:
                    new += 1
                elif mine.tonnes_co2e != cell.tonnes or mine.data_source != self.source:
                    changed += 1
                before = mine.tonnes_co2e if mine is not None else previous.get(key)
                if before is None or before != cell.tonnes:
                    outcome.differences.append((f"{year} {cell.sector.name}", before, cell.tonnes))
            if new and not self.existing_for(entry):
                outcome.status = "new"
            elif new or changed:
                outcome.status = "changed"
                outcome.changes = [label for label, _b, _a in outcome.differences] or [_("source")]
            else:
                outcome.status = "unchanged"

    def existing_for(self, entry: _Municipality) -> bool:
        return any(key[0] == entry.municipality.pk for key in self.existing)

    # --- writing ---------------------------------------------------------------------------

    def write(self) -> None:
        from core.bulk_audit import BulkAuditTrail

        now = timezone.now()
        trail = BulkAuditTrail(actor=self.by)
        new, updated, before = [], [], {}
        for entry in self.planned:
            if entry.outcome.status == "unchanged":
                continue
            for (year, sector_id), cell in entry.cells.items():
                key = (entry.municipality.pk, year, sector_id)
                figure = self.existing.get(key)
                if figure is None:
                    figure = EmissionFigure(
                        municipality=entry.municipality,
                        year=year,
                        sector=cell.sector,
                        data_release=self.release_name,
                    )
                    new.append(figure)
                elif figure.tonnes_co2e == cell.tonnes and figure.data_source == self.source:
                    continue
                else:
                    figure.sector = cell.sector  # the entry's repr names it: no query per row
                    before[figure.pk] = copy.copy(figure)
                    updated.append(figure)
                figure.tonnes_co2e = cell.tonnes
                figure.data_source = self.source
                figure.report = None  # official: published without a coordinator's approval
                figure.entered_by, figure.entered_at = self.by, now
        with disable_auditlog():  # the trail records each row; no per-row signal entries
            release = self.release
            if release is None:
                release = DataRelease.objects.create(
                    name=self.release_name, source=self.source, imported_by=self.by
                )
                trail.created(release)
            elif new or updated or release.source != self.source:
                old = copy.copy(release)
                release.source, release.imported_by, release.imported_at = (
                    self.source,
                    self.by,
                    now,
                )
                release.save()
                trail.changed(old, release)
            EmissionFigure.objects.bulk_create(new, batch_size=5000)
            EmissionFigure.objects.bulk_update(
                updated,
                ["tonnes_co2e", "data_source", "report", "entered_by", "entered_at"],
                batch_size=5000,
            )
            for figure in new:
                trail.created(figure)
            for figure in updated:
                trail.changed(before[figure.pk], figure)
            trail.write()
