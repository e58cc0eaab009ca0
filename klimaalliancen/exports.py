"""Shared by every export path (csv, xlsx): cells a spreadsheet would run as formulas are
neutralised. django-import-export only strips a leading '=' and only in the admin."""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would read as a formula gets an apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
