"""A round's data as a spreadsheet: the template, the export and the hardened import reader.

Layout (one sheet, "reports"; the same columns in csv): ONE ROW PER MUNICIPALITY, with the
report's fields, this round's emissions in one column per sector (`t_co2e_<sector key>`) and
the DK2020/CAPF checklist in one column per requirement (`checklist_<key>`, yes/no/blank).
The data release and data source of a row apply to all of its emission figures (the accounts
publish one release per municipality and year). Actions and checklist notes are entered in the
portal's form; they are not part of the spreadsheet. The xlsx has a second sheet, "guide",
that explains every column; the import reads only the first sheet.

Hostile files are refused before they are parsed: more than MAX_BYTES bytes, more than
MAX_ROWS rows, an "xlsx" that is not a zip holding a workbook, a zip whose entries would
decompress to more than MAX_UNCOMPRESSED bytes (a zip bomb), formulas in cells, text that is
neither UTF-8 (with or without BOM) nor Windows-1252. openpyxl parses the XML through
defusedxml. On every export path, text cells that a spreadsheet would run as a formula
(= + - @ tab CR) are prefixed with an apostrophe; the import removes that prefix again, so an
export re-imports unchanged.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import tablib
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from core.exports import neutralise
from core.spreadsheet import MAX_COLUMNS, CellError, _text, is_blank
from monitoring.models import DATA_RELEASE_PATTERN, MAX_YEAR, MIN_YEAR, ChecklistRequirement, Sector
from monitoring.models import StatusReport as Report

MAX_TEXT = 5000
SHEET_TITLE = "reports"
SECTOR_PREFIX = "t_co2e_"
CHECKLIST_PREFIX = "checklist_"


# --- columns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    kind: str  # code, text, year, decimal, percent, date, bool, choice, release, ignored
    help: Any = ""
    field: str | None = None  # StatusReport field it fills
    choices: Any = None
    required: bool = False
    max_length: int = MAX_TEXT
    negative_ok: bool = False  # a sector that may be negative (land use)


BASE_COLUMNS = [
    Column("municipality_code", "code", gettext_lazy("Official three-digit code"), required=True),
    Column("municipality", "ignored", gettext_lazy("Name, for reading only (not imported)")),
    Column("emissions_year", "year", gettext_lazy("The round's emissions year"), required=True),
    Column("plan_status", "choice", gettext_lazy("Climate action plan status"), "plan_status",
           Report.PlanStatus, required=True),
    Column("plan_adopted_on", "date", gettext_lazy("Date, YYYY-MM-DD"), "plan_adopted_on"),
    Column("plan_revised_on", "date", gettext_lazy("Date, YYYY-MM-DD"), "plan_revised_on"),
    Column("recertified", "bool", gettext_lazy("yes or no"), "recertified"),
    Column("recertified_on", "date", gettext_lazy("Date, YYYY-MM-DD"), "recertified_on"),
    Column("baseline_year", "year", gettext_lazy("Year"), "baseline_year"),
    Column("baseline_emissions_t_co2e", "decimal", gettext_lazy("Tonnes CO2e, not negative"),
           "baseline_emissions"),
    Column("target_2030_reduction_pct", "percent", gettext_lazy("Per cent, 0–100"),
           "target_2030_reduction_pct"),
    Column("net_zero_year", "year", gettext_lazy("Year"), "net_zero_year"),
    Column("adaptation_risk_assessed", "bool", gettext_lazy("yes or no"),
           "adaptation_risk_assessed"),
    Column("adaptation_plan_status", "choice", gettext_lazy("Climate adaptation plan status"),
           "adaptation_plan_status", Report.AdaptationPlanStatus, required=True),
    Column("adaptation_note", "text", gettext_lazy("Text"), "adaptation_note"),
    Column("data_release", "release", gettext_lazy("Release of the accounts, e.g. 2024-1"),
           "data_release", max_length=10),
    Column("data_source", "text", gettext_lazy("Source of the emission figures"), "data_source",
           max_length=200),
]  # fmt: skip


def columns(sectors: list[Sector], requirements: list[ChecklistRequirement]) -> list[Column]:
    return [
        *BASE_COLUMNS,
        *(
            Column(
                f"{SECTOR_PREFIX}{s.key}",
                "decimal",
                s.name_da + " / " + s.name_en,
                negative_ok=s.may_be_negative,
            )
            for s in sectors
        ),
        *(
            Column(f"{CHECKLIST_PREFIX}{r.key}", "checklist", r.name_da + " / " + r.name_en)
            for r in requirements
        ),
    ]


# --- export ------------------------------------------------------------------------------


class RoundResource(resources.Resource):
    """The columns of a round's spreadsheet, declared explicitly with their widgets.

    Built per export with the sectors and checklist requirements of the day; exports plain
    dicts (see `rows`) so the export needs a fixed number of queries. Native values
    (`coerce_to_string=False`) keep numbers numeric in xlsx and unlocalised in csv.
    """

    WIDGETS = {
        "code": widgets.CharWidget,
        "ignored": widgets.CharWidget,
        "text": widgets.CharWidget,
        "release": widgets.CharWidget,
        "choice": widgets.CharWidget,
        "bool": widgets.CharWidget,  # rendered as yes/no by `rows`
        "checklist": widgets.CharWidget,
        "year": widgets.IntegerWidget,
        "decimal": widgets.DecimalWidget,
        "percent": widgets.DecimalWidget,
        "date": widgets.DateWidget,
    }

    class Meta:
        clean_model_instances = True

    def __init__(self, spec: list[Column]):
        super().__init__()
        self.fields = {}
        for column in spec:
            widget_class = self.WIDGETS[column.kind]
            widget = (
                widget_class(coerce_to_string=False)
                if widget_class is not widgets.DateWidget
                else widget_class(format="%Y-%m-%d", coerce_to_string=False)
            )
            self.fields[column.key] = fields.Field(
                attribute=column.key, column_name=column.key, widget=widget
            )

    def export_resource(self, instance, selected_fields=None, **kwargs):
        # Every export path goes through here: neutralise formula-like text.
        return [neutralise(value) for value in super().export_resource(instance, **kwargs)]


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return "yes" if value else "no"


def report_row(
    *,
    municipality,
    emissions_year: int,
    report_fields: dict[str, Any],
    emissions: dict[int, Decimal],
    checklist: dict[int, bool | None],
    sectors: list[Sector],
    requirements: list[ChecklistRequirement],
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "municipality_code": municipality.code,
        "municipality": municipality.name,
        "emissions_year": emissions_year,
    }
    for column in BASE_COLUMNS:
        if column.field:
            value = report_fields.get(column.field)
            if column.kind == "bool":
                value = _yes_no(bool(value))
            row[column.key] = "" if value is None else value
    for sector in sectors:
        row[f"{SECTOR_PREFIX}{sector.key}"] = emissions.get(sector.pk)
    for requirement in requirements:
        row[f"{CHECKLIST_PREFIX}{requirement.key}"] = _yes_no(checklist.get(requirement.pk))
    return row


def dataset(spec: list[Column], rows: Iterable[dict]) -> tablib.Dataset:
    data = RoundResource(spec).export(list(rows))
    data.title = SHEET_TITLE
    return data


def guide_dataset(spec: list[Column]) -> tablib.Dataset:
    guide = tablib.Dataset(headers=[_("column"), _("what to write")])
    guide.title = "guide"
    for column in spec:
        text = str(column.help)
        if column.choices is not None:
            text += ": " + ", ".join(f"{v} ({label})" for v, label in column.choices.choices)
        if column.kind == "checklist":
            text += " — " + _("yes, no or blank (not assessed)")
        guide.append([column.key, neutralise(text)])
    return guide


def render(data: tablib.Dataset, file_format: str, guide: tablib.Dataset | None = None) -> bytes:
    if file_format == "csv":
        # UTF-8 with BOM, so Excel opens Danish letters correctly.
        return ("\ufeff" + data.export("csv")).encode("utf-8")
    if file_format == "xlsx":
        book = tablib.Databook([data, guide] if guide is not None else [data])
        return book.export("xlsx")
    raise ValueError(f"Unknown format {file_format!r}")


# --- import: reading the file safely -----------------------------------------------------


# --- import: parsing cells ----------------------------------------------------------------


def parse_code(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"[0-9]{1,6}", text):
        raise CellError(_("Not a municipality code (digits only)."))
    # The national accounts write the codes with a leading zero (0101, 0580); the portal keeps
    # the three digits (101, 580).
    return text.lstrip("0").zfill(3)


def parse_decimal(
    value: Any, *, maximum: Decimal | None = None, negative_ok: bool = False
) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_("Not a number."))
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = _text(value).replace(" ", "").replace("\u00a0", "")
        if "," in text and "." in text:
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        elif text.count(",") > 1 or text.count(".") > 1:
            text = text.replace(",", "").replace(".", "")
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
            raise CellError(_("Not a number."))
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise CellError(_("Not a number.")) from exc
    if not number.is_finite():
        raise CellError(_("Not a number."))
    if number < 0 and not negative_ok:
        raise CellError(_("Must not be negative."))
    if maximum is not None and number > maximum:
        raise CellError(_("Must be at most %(maximum)s.") % {"maximum": maximum})
    if abs(number) >= Decimal("1e12"):
        raise CellError(_("The number is too large."))
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_year(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError(_("Not a year."))
    text = _text(value)
    if not re.fullmatch(r"[0-9]{4}", text):
        raise CellError(_("Not a year (four digits)."))
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CellError(
            _("The year must be between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}
        )
    return year


DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for date_format in DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            break
        return day
    raise CellError(_("Not a date; write it as YYYY-MM-DD."))


TRUE_WORDS = {"yes", "ja", "true", "sand", "1", "x", "y", "j"}
FALSE_WORDS = {"no", "nej", "false", "falsk", "0", "n"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(_("Write yes or no."))


def parse_choice(value: Any, choices) -> str:
    text = _text(value).casefold()
    for key, label in choices.choices:
        if text == key.casefold() or text == str(label).casefold():
            return key
    raise CellError(
        _("Not one of: %(choices)s.") % {"choices": ", ".join(key for key, _ in choices.choices)}
    )


def parse_release(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(DATA_RELEASE_PATTERN, text):
        raise CellError(_("Write the data release as year-number, e.g. 2024-1."))
    return text


def parse_text(value: Any, max_length: int) -> str:
    text = _text(value)
    if len(text) > max_length:
        raise CellError(_("Longer than %(limit)s characters.") % {"limit": max_length})
    return text


@dataclass
class ParsedRow:
    number: int
    code: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    emissions: dict[int, Decimal] = field(default_factory=dict)  # sector id -> t CO2e
    checklist: dict[int, bool | None] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)


def parse_cell(column: Column, value: Any) -> Any:
    """The cell's value, or None when blank; CellError with the reason when invalid."""
    if column.kind == "ignored":
        return None
    if is_blank(value):
        if column.required:
            raise CellError(_("Required."))
        if column.kind == "bool":
            return False
        if column.kind in ("text", "release"):
            return ""
        return None
    match column.kind:
        case "code":
            return parse_code(value)
        case "text":
            return parse_text(value, column.max_length)
        case "release":
            return parse_release(value)
        case "year":
            return parse_year(value)
        case "decimal":
            return parse_decimal(value, negative_ok=column.negative_ok)
        case "percent":
            return parse_decimal(value, maximum=Decimal(100))
        case "date":
            return parse_date(value)
        case "bool" | "checklist":
            return parse_bool(value)
        case "choice":
            return parse_choice(value, column.choices)
    raise CellError(f"unknown column kind {column.kind}")


def parse_header(header: list[Any], spec: list[Column]) -> tuple[dict[str, int], list[str]]:
    """Map each column key to its position; the list of problems with the header."""
    errors = []
    # Extra cells are only a problem if they hold something.
    if any(not is_blank(value) for value in header[MAX_COLUMNS:]):
        errors.append(_("The file has more than %(limit)s columns.") % {"limit": MAX_COLUMNS})
    positions: dict[str, int] = {}
    known = {column.key for column in spec}
    for index, value in enumerate(header[:MAX_COLUMNS]):
        if is_blank(value):
            continue
        key = _text(value).casefold()
        if key in positions:
            errors.append(_("The column %(column)s appears twice.") % {"column": key})
        elif key not in known:
            errors.append(_("Unknown column %(column)s.") % {"column": key})
        else:
            positions[key] = index
    missing = [column.key for column in spec if column.key not in positions]
    if missing:
        errors.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    return positions, errors
