"""Files in the layout of the national energy and CO2 accounts, generated from the real
municipality codes (partners/data/municipalities.csv), so tests need no static blob.

The figures are made up but deterministic per municipality and year; Landbrug (which nets
land use) is negative in the municipalities where the accounts show net removals."""

import csv
import io
from decimal import Decimal

import openpyxl

from partners.reference import read_municipalities

GROUPS = ["Energi", "Transport", "Landbrug", "Affald", "Industri"]
YEARS = list(range(2018, 2024))
# Landbrug below zero, as in the accounts (København, Læsø, Brøndby, Gentofte, ...)
NET_REMOVAL = {"101", "825", "153", "157", "161", "175"}


def municipalities() -> list[tuple[str, str]]:
    return [(row["code"], row["name"]) for row in read_municipalities()]


def figures(code: str, year: int) -> dict[str, Decimal]:
    base = int(code) * 37 + (year - 2018) * 11
    values = {
        "Energi": Decimal(100_000 + base * 3) + Decimal("0.25"),
        "Transport": Decimal(60_000 + base * 2) + Decimal("0.5"),
        "Landbrug": Decimal(20_000 + base),
        "Affald": Decimal(3_000 + base % 997),
        "Industri": Decimal(500 + base % 313) + Decimal("0.75"),
    }
    if code in NET_REMOVAL:
        values["Landbrug"] = -Decimal(1_500 + int(code) + year % 7) - Decimal("0.5")
    return values


def wide_rows(*, years=YEARS, only=None, change=None) -> list[list]:
    """Header and one row per municipality and year; `change(code, year, values)` edits."""
    rows = [["Kommunekode", "Kommune", "År", *GROUPS, "Samlet"]]
    for code, name in municipalities():
        if only and code not in only:
            continue
        for year in years:
            values = figures(code, year)
            if change:
                change(code, year, values)
            rows.append(
                [code.zfill(4), name, year, *(values[g] for g in GROUPS), sum(values.values())]
            )
    return rows


def long_rows(**options) -> list[list]:
    wide = wide_rows(**options)
    rows = [["Kommunekode", "Kommune", "År", "Sektor", "Udledning"]]
    for code, name, year, *values in wide[1:]:
        for group, value in zip([*GROUPS, "Samlet"], values, strict=True):
            rows.append([code, name, year, group, value])
    return rows


def as_csv(rows, *, delimiter=";", decimal_comma=True, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(
            [
                (str(v).replace(".", ",") if decimal_comma else str(v))
                if isinstance(v, Decimal)
                else v
                for v in row
            ]
        )
    return out.getvalue().encode(encoding)


def as_xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def totals_by_year(rows) -> dict[int, Decimal]:
    """The file's national total per year (sum of the groups of every municipality)."""
    totals: dict[int, Decimal] = {}
    for _code, _name, year, *values in rows[1:]:
        totals[year] = totals.get(year, Decimal(0)) + sum(Decimal(str(v)) for v in values[:5])
    return totals
