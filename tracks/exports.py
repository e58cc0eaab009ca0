"""The budget overview as CSV and XLSX. Every text cell is neutralised against formula injection:
a cell starting with = + - @, a tab or a carriage return gets a leading apostrophe, so a
spreadsheet shows it as text instead of running it. Amounts are written as numbers."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.exports import neutralise

from .selectors import BudgetOverview

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def overview_rows(overview: BudgetOverview) -> list[list]:
    header = [
        _("Contributor"),
        _("On behalf of"),
        _("Year"),
        _("Budgeted (DKK)"),
        _("Allocated (DKK)"),
        _("Spent (DKK)"),
        _("Remaining (DKK)"),
    ]
    rows: list[list] = [header]
    for entry in overview.contributors:
        for year, figures in entry.years.items():
            rows.append(
                [
                    entry.contributor.name,
                    entry.on_behalf_of,
                    year,
                    figures.budgeted,
                    figures.allocated,
                    figures.spent,
                    figures.remaining,
                ]
            )
    total = overview.total
    rows.append([_("Total"), "", "", total.budgeted, total.allocated, total.spent, total.remaining])
    return [[neutralise(cell) for cell in row] for row in rows]


def _filename(extension: str) -> str:
    return f"klimaalliancen-budget-{timezone.localdate():%Y-%m-%d}.{extension}"


def overview_csv(overview: BudgetOverview) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in overview_rows(overview):
        writer.writerow(f"{cell:.2f}" if isinstance(cell, Decimal) else cell for cell in row)
    # A byte-order mark so Excel opens the Danish letters correctly.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def overview_xlsx(overview: BudgetOverview) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Budget")[:31]
    for row in overview_rows(overview):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in "DEFG":
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0.00"
        sheet.column_dimensions[column].width = 18
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 36
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
