"""Decimals read through an expression come back with the column's places on SQLite (the
`make run` database) and on PostgreSQL (the tests' database), so the report form takes the
carried-over indicator values as shipped (issue 16)."""

import os
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

from monitoring.forms import IndicatorValueForm
from monitoring.insight import indicators
from monitoring.models import Indicator, IndicatorTarget, IndicatorValue
from monitoring.numbers import as_stored
from partners.models import Municipality

ROOT = Path(__file__).resolve().parent.parent.parent
INHERITED_SETTINGS = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DJANGO_ENV"}

# Builds the schema in an in-memory SQLite database (no migrations: the tables as the models
# declare them), loads the reference data, stores an indicator value and a 2030 target with
# fewer places than the column has and prints what the report form makes of them.
SQLITE_SCRIPT = textwrap.dedent(
    """
    import io
    from decimal import Decimal
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection
    from monitoring.insight import indicators
    from monitoring.forms import IndicatorValueForm
    from monitoring.models import Indicator, IndicatorTarget, IndicatorValue
    from partners.models import Municipality

    assert connection.vendor == "sqlite", connection.vendor
    with connection.schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)
    call_command("load_reference_data", stdout=io.StringIO())
    aarhus = Municipality.objects.get(code="751")
    indicator = Indicator.objects.filter(is_active=True, maximum__gte=100).first()
    IndicatorValue.objects.create(
        indicator=indicator, municipality=aarhus, year=2024, value=Decimal("86.9"),
        data_release="Statistikbanken 2025-02",
    )
    IndicatorTarget.objects.create(
        indicator=indicator, municipality=aarhus, year=2030, value=Decimal("93.25")
    )
    rows = dict(indicators.report_indicator_rows(municipality_id=aarhus.pk, year=2024))
    initial = rows[indicator]
    form = IndicatorValueForm(
        {k: "" if v is None else str(v) for k, v in initial.items()}
    )
    form.indicator = indicator
    print(repr(initial["value"]), repr(initial["target_2030"]), form.is_valid(), dict(form.errors))
    """
)


def test_as_stored_rounds_to_the_fields_places():
    field = IndicatorValue._meta.get_field("value")
    assert str(as_stored(Decimal("86.9000000000000"), field)) == "86.9000"
    assert str(as_stored(86.9, field)) == "86.9000"
    assert str(as_stored(Decimal("-0.00004"), field)) == "-0.0000"
    assert as_stored(None, field) is None


def test_carried_over_values_round_trip_on_sqlite():
    clean = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SQLITE_SCRIPT],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": "sqlite://:memory:"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["Decimal('86.9000')", "Decimal('93.2500')", "True", "{}"]


def test_carried_over_values_round_trip_on_postgresql(db):
    aarhus = Municipality.objects.get(code="751")
    indicator = Indicator.objects.filter(is_active=True, maximum__gte=100).first()
    IndicatorValue.objects.create(
        indicator=indicator,
        municipality=aarhus,
        year=2024,
        value=Decimal("86.9"),
        data_release="Statistikbanken 2025-02",
    )
    IndicatorTarget.objects.create(
        indicator=indicator, municipality=aarhus, year=2030, value=Decimal("93.25")
    )
    rows = dict(indicators.report_indicator_rows(municipality_id=aarhus.pk, year=2024))
    initial = rows[indicator]
    assert (str(initial["value"]), str(initial["target_2030"])) == ("86.9000", "93.2500")
    form = IndicatorValueForm({k: "" if v is None else str(v) for k, v in initial.items()})
    form.indicator = indicator
    assert form.is_valid(), form.errors
    assert form.cleaned_data["value"] == Decimal("86.9")
