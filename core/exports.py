"""Shared by every export path (csv, xlsx, json): cells a spreadsheet would run as formulas are
neutralised. django-import-export only strips a leading '=' and only in the admin.

Lists export through one mechanism: the list view reads its filter form and builds its queryset
(through the model's visibility rule) as for the page, then, when `?export=csv` or
`?export=xlsx` is asked for, hands the whole filtered queryset and its `Column`s to
`list_export`. So an export always holds exactly the rows the page would show the same user
under the same filter, on all pages together.
"""

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = ("csv", "xlsx")
MAX_EXPORT_ROWS = 20_000  # far above any list of the partnership; a guard, not a feature


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would read as a formula gets an apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """One exported column: a (lazily translated) header and how to read it off a row."""

    header: Any
    value: Callable[[Any], Any]


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers and dates stay typed, text is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value
    return neutralise(force_str(value))


def table(columns: list[Column], objects: Iterable) -> list[list]:
    rows = [[neutralise(force_str(column.header)) for column in columns]]
    for index, obj in enumerate(objects):
        if index >= MAX_EXPORT_ROWS:
            break
        rows.append([cell(column.value(obj)) for column in columns])
    return rows


def _csv_text(value: Any, decimal_comma: bool = False) -> str:
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",") if decimal_comma else f"{value:f}"
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def csv_bytes(
    rows: list[list], *, delimiter: str = ";", bom: bool = True, decimal_comma: bool = False
) -> bytes:
    """`decimal_comma` writes 1234,5 for Danish Excel, which reads 1234.5 as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(_csv_text(value, decimal_comma) for value in row)
    # A byte-order mark so Excel opens the Danish letters correctly.
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[list], *, sheet_title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (sheet_title or "Data")[:31]
    for row in rows:
        sheet.append(row)
    for header in sheet[1]:
        header.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def attachment(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def requested_export(request: HttpRequest) -> str | None:
    """'csv' or 'xlsx' when the list is asked for as a file (`?export=`), else None."""
    fmt = request.GET.get("export", "")
    return fmt if fmt in EXPORT_FORMATS else None


def list_export(
    fmt: str,
    *,
    name: str,
    title: str,
    columns: list[Column],
    objects: Iterable,
    decimal_comma: bool = False,
) -> HttpResponse:
    """The rows of a list (already filtered and permission-scoped by its view) as a file."""
    rows = table(columns, objects)
    filename = f"klimaalliancen-{name}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "xlsx":
        return attachment(
            xlsx_bytes(rows, sheet_title=force_str(title)), filename=filename, content_type=XLSX
        )
    return attachment(
        csv_bytes(rows, decimal_comma=decimal_comma),
        filename=filename,
        content_type="text/csv; charset=utf-8",
    )


# --- open data ------------------------------------------------------------------------------


def licence_headers(response: HttpResponse, *, licence_url: str, about_url: str) -> HttpResponse:
    """The licence travels with every open-data file (RFC 8288 link relations)."""
    response["Link"] = f'<{licence_url}>; rel="license", <{about_url}>; rel="describedby"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def open_data_csv(rows: list[dict], fields: list[str]) -> bytes:
    """Machine-readable csv: comma-separated, UTF-8 without BOM, decimal points."""
    table_rows = [fields, *([cell(row[f]) for f in fields] for row in rows)]
    return csv_bytes(table_rows, delimiter=",", bom=False)


def open_data_json(rows: list[dict], metadata: dict) -> bytes:
    def encode(value):
        if isinstance(value, Decimal):
            return float(value)
        return force_str(value)

    payload = {**metadata, "data": rows}
    return json.dumps(payload, ensure_ascii=False, indent=1, default=encode).encode("utf-8")


def export_list(
    request: HttpRequest, *, name: str, title: str, columns: list[Column], objects: Iterable
) -> HttpResponse | None:
    """The list as a file when `?export=csv|xlsx` is asked for, else None (render the page).

    Call it with the queryset the page paginates — built from the same filter form through the
    same visibility rule — so the file holds what the user would see on all pages together."""
    fmt = requested_export(request)
    if fmt is None:
        return None
    return list_export(fmt, name=name, title=title, columns=columns, objects=objects)


class _Line:
    """A file-like object for csv.writer that hands back the line it was given."""

    def write(self, value: str) -> str:
        return value


def stream_csv(
    rows: Iterable[dict],
    fields: list[str],
    *,
    delimiter: str = ",",
    bom: bool = False,
    decimal_comma: bool = False,
) -> Iterator[bytes]:
    """A csv file line by line (for a StreamingHttpResponse), with the cells neutralised as
    in every export; numbers stay numbers (with a decimal comma for Danish Excel)."""
    writer = csv.writer(_Line(), delimiter=delimiter, lineterminator="\r\n")
    yield (("\ufeff" if bom else "") + writer.writerow(fields)).encode("utf-8")
    for row in rows:
        line = writer.writerow(_csv_text(cell(row[f]), decimal_comma) for f in fields)
        yield line.encode("utf-8")


def stream_json(rows: Iterable[dict], metadata: dict) -> Iterator[bytes]:
    """`open_data_json`'s shape ({…metadata, "data": [rows]}), written row by row."""

    def encode(value):
        if isinstance(value, Decimal):
            return float(value)
        return force_str(value)

    head = json.dumps({**metadata, "data": []}, ensure_ascii=False, default=encode)
    yield (head[: -len("[]}")] + "[").encode("utf-8")
    for index, row in enumerate(rows):
        text = json.dumps(row, ensure_ascii=False, default=encode)
        yield (("," if index else "") + "\n" + text).encode("utf-8")
    yield b"\n]}"
