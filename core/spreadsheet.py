"""The hardened spreadsheet reader shared by every import (monitoring rounds, indicators,
national accounts; people): hostile files are refused before they are parsed.

More than max_bytes() bytes or max_rows() rows, an "xlsx" that is not a zip holding a workbook,
a zip whose entries would decompress to more than MAX_UNCOMPRESSED bytes (a zip bomb), formulas
in cells, text that is neither UTF-8 (with or without BOM) nor Windows-1252. openpyxl parses
the XML through defusedxml. `_text` removes the apostrophe our exports put before formula-like
text, so an export re-imports unchanged. (Moved from monitoring/spreadsheet.py, issue 15.)
"""

import csv
import io
import zipfile
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from .exports import FORMULA_STARTS

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 500  # data rows; a round has 98 municipalities
# A partnership of thousands of municipalities raises both in the settings
# (MONITORING_IMPORT_MAX_ROWS, MONITORING_IMPORT_MAX_BYTES); the defaults above fit Denmark.


def max_rows() -> int:
    return getattr(settings, "MONITORING_IMPORT_MAX_ROWS", MAX_ROWS)


def max_bytes() -> int:
    return getattr(settings, "MONITORING_IMPORT_MAX_BYTES", MAX_BYTES)


MAX_COLUMNS = 80
MAX_UNCOMPRESSED = 40 * 1024 * 1024
MAX_ZIP_ENTRIES = 100


class SpreadsheetError(Exception):
    """The file as a whole cannot be read (it names why, for the user)."""


class CellError(ValueError):
    pass


def read_table(content: bytes, filename: str, *, row_limit: int | None = None) -> list[list[Any]]:
    """The first sheet (or the csv) as rows of cell values; SpreadsheetError if refused.
    At most `row_limit` data rows (default: max_rows())."""
    row_limit = row_limit or max_rows()
    if len(content) > max_bytes():
        raise SpreadsheetError(
            _("The file is larger than %(limit)s MB.") % {"limit": max_bytes() // (1024 * 1024)}
        )
    if not content:
        raise SpreadsheetError(_("The file is empty."))
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content, row_limit)
    if name.endswith(".csv"):
        return _read_csv(content, row_limit)
    raise SpreadsheetError(_("Upload an .xlsx or .csv file."))


def _check_zip(content: bytes) -> None:
    stream = io.BytesIO(content)
    if not zipfile.is_zipfile(stream):
        raise SpreadsheetError(_("The file is not a real xlsx workbook."))
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise SpreadsheetError(_("The workbook has too many parts to be a spreadsheet."))
            names = {entry.filename for entry in entries}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise SpreadsheetError(_("The file is not a real xlsx workbook."))
            if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED:
                raise SpreadsheetError(
                    _("The workbook unpacks to far more than its size (a zip bomb); refused.")
                )
            # The sizes above are what the zip claims; count what it really unpacks to.
            total = 0
            for entry in entries:
                with archive.open(entry) as member:
                    while chunk := member.read(64 * 1024):
                        total += len(chunk)
                        if total > MAX_UNCOMPRESSED:
                            raise SpreadsheetError(
                                _(
                                    "The workbook unpacks to far more than its size "
                                    "(a zip bomb); refused."
                                )
                            )
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as exc:
        raise SpreadsheetError(_("The file is not a real xlsx workbook.")) from exc


def _read_xlsx(content: bytes, row_limit: int) -> list[list[Any]]:
    _check_zip(content)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetError(_("The workbook could not be read.")) from exc
    try:
        if not book.worksheets:
            raise SpreadsheetError(_("The workbook has no sheet."))
        sheet = book.worksheets[0]
        rows = []
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1), start=1):
            if number > row_limit + 1:
                raise SpreadsheetError(
                    _("The file has more than %(limit)s rows.") % {"limit": row_limit}
                )
            values = []
            for cell in cells:
                if getattr(cell, "data_type", None) == "f":
                    raise SpreadsheetError(
                        _("Row %(row)s holds a formula; paste the values instead.")
                        % {"row": number}
                    )
                values.append(cell.value)
            rows.append(values)
        return rows
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise SpreadsheetError(_("The workbook could not be read.")) from exc
    finally:
        book.close()


def _decode(content: bytes) -> str:
    if b"\x00" in content:
        raise SpreadsheetError(_("The file is not a text (csv) file."))
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(
            _("The text is neither UTF-8 nor Windows-1252; save the file as CSV UTF-8.")
        ) from exc


def _read_csv(content: bytes, row_limit: int) -> list[list[Any]]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    rows = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            if number > row_limit + 1:
                raise SpreadsheetError(
                    _("The file has more than %(limit)s rows.") % {"limit": row_limit}
                )
            rows.append(row)
    except csv.Error as exc:
        raise SpreadsheetError(_("The csv file could not be read.")) from exc
    return rows


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    # Our own exports prefix formula-like text with an apostrophe: remove it again.
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text
