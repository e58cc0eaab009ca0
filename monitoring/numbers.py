"""Decimals as the database column holds them, whichever database read them.

SQLite hands back a decimal read through an expression (a Subquery, an aggregate) as a float
turned into a 15-digit Decimal (`86.9000000000000`), not rounded to the column's places as it
does for a plain column; PostgreSQL's numeric keeps the places. A value that goes back into a
form (whose DecimalField refuses more places than the column has) or is compared with a stored
one is quantized here, where it is read.
"""

from decimal import Decimal

from django.db import models


def as_stored(value: Decimal | float | int | None, field: models.DecimalField) -> Decimal | None:
    """`value` with exactly the decimal places of the model field `field` (None stays None)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places))
