"""The skeleton every monitoring import follows, and the result it reports.

An import is a class with three steps (`Import`): `prepare` takes the locks and says why the
import cannot run at all, `plan` turns the table into one outcome per row (new, changed,
unchanged or error, each error with its column and a reason in the user's language) and
keeps what it would write, `write` writes it. `run` reads the file with core's hardened reader
and calls them inside one transaction: a dry run or any error stops before `write`, so one bad
row means nothing is written, and the confirm validates again under the same locks.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.spreadsheet import SpreadsheetError, read_table


@dataclass
class RowOutcome:
    number: int
    code: str
    name: str
    status: str  # new, changed, unchanged, error
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)
    changes: list[str] = field(default_factory=list)  # columns
    # what changes, for the preview: (what, before, after)
    differences: list[tuple[str, Any, Any]] = field(default_factory=list)

    # For the preview template, which shows the status without comparing strings.
    @property
    def is_new(self) -> bool:
        return self.status == "new"

    @property
    def is_changed(self) -> bool:
        return self.status == "changed"

    @property
    def is_unchanged(self) -> bool:
        return self.status == "unchanged"

    @property
    def is_error(self) -> bool:
        return self.status == "error"


@dataclass
class ImportResult:
    rows: list[RowOutcome] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not any(row.status == "error" for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("new", "changed", "unchanged", "error"), 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    def lines(self) -> list[str]:
        """The same row report as the web page, as text (for the command line)."""
        out = [_("File: %(error)s") % {"error": error} for error in self.file_errors]
        for row in self.rows:
            label = f"{row.number}: {row.code} {row.name}".rstrip()
            if row.status == "error":
                for column, reason in row.errors:
                    out.append(
                        _("Row %(row)s, column %(column)s: %(reason)s")
                        % {"row": label, "column": column or "–", "reason": reason}
                    )
            elif row.status == "changed":
                out.append(
                    _("Row %(row)s: changed (%(columns)s)")
                    % {"row": label, "columns": ", ".join(row.changes)}
                )
            else:
                out.append(
                    _("Row %(row)s: %(status)s") % {"row": label, "status": _status_label(row)}
                )
        counts = self.counts
        out.append(
            _("%(new)s new, %(changed)s changed, %(unchanged)s unchanged, %(error)s with errors.")
            % counts
        )
        return out


def _status_label(row: RowOutcome) -> str:
    return {"new": _("new"), "unchanged": _("unchanged")}.get(row.status, row.status)


class FileRefused(Exception):
    """The file as a whole cannot be imported; `messages` say why (no row is looked at)."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = list(messages)


class Import(ABC):
    """One import's steps (see the module's docstring); `run` calls them in order. Each kind
    of import writes its own `plan` and `write`."""

    def row_limit(self) -> int | None:
        """Data rows the file may have (None: the reader's default)."""
        return None

    def prepare(self) -> None:  # noqa: B027 (a step an import may leave as it is)
        """Take the locks; raise FileRefused when the import cannot run at all."""

    @abstractmethod
    def plan(self, table: list[list[Any]]) -> list[RowOutcome]:
        """One outcome per data row (header in table[0]); raise FileRefused for the header."""

    @abstractmethod
    def write(self) -> None:
        """Write what `plan` kept; called only when every row is valid and not a dry run."""


def run(importer: Import, *, content: bytes, filename: str, dry_run: bool) -> ImportResult:
    result = ImportResult()
    with transaction.atomic():
        try:
            importer.prepare()
            table = read_table(content, filename, row_limit=importer.row_limit())
            if not table:
                raise FileRefused(_("The file has no header row."))
            result.rows = importer.plan(table)
        except SpreadsheetError as exc:
            result.file_errors.append(str(exc))
            return result
        except FileRefused as exc:
            result.file_errors.extend(exc.messages)
            return result
        if not result.rows:
            result.file_errors.append(_("The file has no data rows."))
        if dry_run or not result.is_valid:
            return result
        importer.write()
        result.written = True
    return result
