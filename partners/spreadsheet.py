"""People as a spreadsheet: the import template and the parsing of an uploaded file.

One row per person and role (a person with two roles has two rows, same e-mail). Columns:
first_name, last_name, email, title, organisation, municipality_code, dgo, body, role. The
file is read by the same hardened reader as the monitoring import (monitoring.spreadsheet:
size, row and zip-bomb limits, no formulas, defused XML, UTF-8/Windows-1252 csv), so a
hostile file is refused before anything is parsed.
"""

from dataclasses import dataclass, field
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from core.exports import neutralise
from core.spreadsheet import CellError, _text, is_blank  # the shared, hardened reader

from .models import BODY_INVITE_ROLES, InviteRole

SHEET_TITLE = "people"
MAX_COLUMNS = 20

COLUMNS = [
    ("first_name", gettext_lazy("First name"), True),
    ("last_name", gettext_lazy("Last name"), True),
    ("email", gettext_lazy("E-mail address; the person is matched by it"), True),
    ("title", gettext_lazy("Job title (optional)"), False),
    ("role", gettext_lazy("The role, one of the codes below"), True),
    (
        "organisation",
        gettext_lazy(
            "Organisation code: for knowledge partners, approvers and body seats "
            "(the organisation that appoints)"
        ),
        False,
    ),
    ("municipality_code", gettext_lazy("Municipality code, for contact persons"), False),
    ("dgo", gettext_lazy("DGO (e.g. midtjylland), for coordinators"), False),
    ("body", gettext_lazy("Body code (e.g. fu), for members and observers"), False),
]
KEYS = [key for key, _help, _required in COLUMNS]
REQUIRED = {key for key, _help, required in COLUMNS if required}


class PeopleResource(resources.Resource):
    """The template's columns, declared with django-import-export; every cell neutralised."""

    def __init__(self):
        super().__init__()
        self.fields = {
            key: fields.Field(attribute=key, column_name=key, widget=widgets.CharWidget())
            for key in KEYS
        }

    def export_resource(self, instance, selected_fields=None, **kwargs):
        return [neutralise(value) for value in super().export_resource(instance, **kwargs)]


def template_file(file_format: str, *, reference: dict[str, list[tuple[str, str]]]) -> bytes:
    """An empty sheet with the headers, plus (xlsx) a guide with every column and code."""
    data = PeopleResource().export([])
    data.title = SHEET_TITLE
    if file_format == "csv":
        return ("\ufeff" + data.export("csv")).encode("utf-8")
    if file_format != "xlsx":
        raise ValueError(f"Unknown format {file_format!r}")
    guide = tablib.Dataset(headers=[_("column or code"), _("meaning")])
    guide.title = "guide"
    for key, help_text, required in COLUMNS:
        guide.append([key, neutralise(str(help_text) + (" *" if required else ""))])
    guide.append(["", ""])
    for heading, pairs in reference.items():
        guide.append([heading, ""])
        for code, label in pairs:
            guide.append([neutralise(code), neutralise(str(label))])
    return tablib.Databook([data, guide]).export("xlsx")


@dataclass
class PersonRow:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)


def parse_header(header: list[Any]) -> tuple[dict[str, int], list[str]]:
    errors = []
    if any(not is_blank(value) for value in header[MAX_COLUMNS:]):
        errors.append(_("The file has more than %(limit)s columns.") % {"limit": MAX_COLUMNS})
    positions: dict[str, int] = {}
    for index, value in enumerate(header[:MAX_COLUMNS]):
        if is_blank(value):
            continue
        key = _text(value).casefold()
        if key in positions:
            errors.append(_("The column %(column)s appears twice.") % {"column": key})
        elif key not in KEYS:
            errors.append(_("Unknown column %(column)s.") % {"column": key})
        else:
            positions[key] = index
    missing = [key for key in KEYS if key not in positions and key in REQUIRED]
    if missing:
        errors.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    return positions, errors


def parse_role(value: Any) -> str:
    text = _text(value).casefold()
    for key, label in InviteRole.choices:
        if text in (key.casefold(), str(label).casefold()):
            return key
    raise CellError(_("Not one of: %(choices)s.") % {"choices": ", ".join(InviteRole.values)})


def parse_rows(table: list[list[Any]], positions: dict[str, int]) -> list[PersonRow]:
    """Each data row's cleaned text values and cell errors (no database lookups here)."""
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if all(is_blank(cell) for cell in cells):
            continue
        row = PersonRow(number=number)
        for key, index in positions.items():
            value = cells[index] if index < len(cells) else None
            if is_blank(value):
                if key in REQUIRED:
                    row.errors.append((key, _("Required.")))
                row.values[key] = ""
                continue
            try:
                row.values[key] = _parse_cell(key, value)
            except CellError as error:
                row.errors.append((key, str(error)))
        for key in KEYS:
            row.values.setdefault(key, "")
        rows.append(row)
    return rows


def _parse_cell(key: str, value: Any) -> str:
    text = _text(value)
    if key == "role":
        return parse_role(value)
    if len(text) > 200:
        raise CellError(_("Longer than %(limit)s characters.") % {"limit": 200})
    if key == "email":
        try:
            validate_email(text)
        except ValidationError as exc:
            raise CellError(_("Not an e-mail address.")) from exc
        return text
    if key == "municipality_code":
        if not text.isdigit() or len(text) > 6:
            raise CellError(_("Not a municipality code (digits only)."))
        return text.zfill(3)
    if key in ("dgo", "body", "organisation"):
        return text.casefold()
    return text


def needs(role: str) -> tuple[str, ...]:
    """The scope columns a role needs."""
    if role == InviteRole.DGO_COORDINATOR:
        return ("dgo",)
    if role == InviteRole.MUNICIPAL_CONTACT:
        return ("municipality_code",)
    if role in (InviteRole.KNOWLEDGE_PARTNER, InviteRole.PARTY_APPROVER):
        return ("organisation",)
    if role in BODY_INVITE_ROLES:
        return ("body", "organisation")
    return ()
