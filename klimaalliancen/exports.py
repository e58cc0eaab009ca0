"""Shared by every export path (csv, xlsx): cells a spreadsheet would run as formulas are
neutralised. django-import-export only strips a leading '=' and only in the admin."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
