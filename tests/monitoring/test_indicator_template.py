"""The indicator values import offers a template, as the round import does: a row for every
municipality the importer may import for and every indicator in use, in the import's columns,
with what is known already; downloaded, filled in and uploaded, it imports cleanly."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.imports import indicators as indicator_imports
from monitoring.insight import indicators
from monitoring.models import Indicator, IndicatorValue
from partners.models import Municipality

from .factories import make_round

D = Decimal
pytestmark = pytest.mark.django_db


def template(client, file_format: str):
    url = reverse("monitoring-indicator-template", args=[2026]) + f"?format={file_format}"
    return client.get(url)


def upload_and_confirm(client, name: str, content: bytes):
    checked = client.post(
        reverse("monitoring-indicator-import", args=[2026]),
        {"file": SimpleUploadedFile(name, content)},
    )
    result = checked.context["result"]
    assert result.is_valid, (result.file_errors, [r.errors for r in result.rows if r.errors])
    confirmed = client.post(
        reverse("monitoring-indicator-import-confirm", args=[2026]),
        {"token": checked.context["token"]},
    )
    assert confirmed.status_code == 302
    return result


@pytest.fixture
def known(role_users):
    """A round collecting 2024's values, and one value already imported for Aarhus."""
    round = make_round()
    indicator_imports.indicator_import(
        round=round,
        by=role_users["secretariat"],
        content=b"municipality_code;indicator;year;value;data_release;data_source;target_2030\n"
        b"751;electric_car_share;2024;17,5;Statistikbanken 2025-02;DST;60\n",
        filename="v.csv",
        dry_run=False,
    )
    return round


def test_the_xlsx_template_filled_in_imports_cleanly(client_for, known):
    client = client_for("secretariat")
    response = template(client, "xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="indicator-values-2026-template.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, guide = book.worksheets
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [column.key for column in indicator_imports.import_columns()]
    in_use = Indicator.objects.filter(is_active=True).count()
    assert len(rows) - 1 == Municipality.objects.count() * in_use
    header = {key: index for index, key in enumerate(rows[0])}
    by_cell = {(row[0], row[header["indicator"]]): number for number, row in enumerate(rows)}
    aarhus = rows[by_cell[("751", "electric_car_share")]]
    assert (aarhus[header["year"]], aarhus[header["value"]]) == (2024, 17.5)
    assert aarhus[header["data_release"]] == "Statistikbanken 2025-02"
    assert aarhus[header["target_2030"]] == 60
    guide_keys = {row[0] for row in guide.iter_rows(values_only=True)}
    assert {"value", "data_release", "electric_car_share", "oil_boilers"} <= guide_keys

    # Fill in two values; leave every other row as it came.
    for code, key, value in (("101", "oil_boilers", 1200), ("751", "oil_boilers", 900)):
        number = by_cell[(code, key)] + 1  # openpyxl counts rows from 1
        sheet.cell(number, header["value"] + 1, value)
        sheet.cell(number, header["data_release"] + 1, "BBR 2025-01")
    filled = io.BytesIO()
    book.save(filled)
    result = upload_and_confirm(client, "filled.xlsx", filled.getvalue())
    assert result.counts == {"new": 2, "changed": 0, "unchanged": 1, "error": 0}
    assert IndicatorValue.objects.count() == 3
    copenhagen = IndicatorValue.objects.get(municipality__code="101")
    assert (copenhagen.indicator.key, copenhagen.year, copenhagen.value) == (
        "oil_boilers", 2024, D(1200)
    )  # fmt: skip
    assert copenhagen.data_source == copenhagen.indicator.source[: indicators.SOURCE_MAX]


def test_the_csv_template_filled_in_imports_cleanly(client_for, known):
    client = client_for("secretariat")
    response = template(client, "csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = {key: index for index, key in enumerate(rows[0])}
    for row in rows[1:]:
        if row[header["indicator"]] == "district_heating_share" and row[0] in ("751", "147"):
            row[header["value"]] = "64,5"
            row[header["data_release"]] = "BOL 2025"
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    result = upload_and_confirm(client, "filled.csv", out.getvalue().encode("utf-8"))
    assert result.counts == {"new": 2, "changed": 0, "unchanged": 1, "error": 0}
    assert set(
        IndicatorValue.objects.filter(indicator__key="district_heating_share").values_list(
            "municipality__code", "value"
        )
    ) == {("751", D("64.5")), ("147", D("64.5"))}


def test_the_unfilled_template_changes_nothing(client_for, known):
    client = client_for("secretariat")
    result = upload_and_confirm(client, "t.xlsx", template(client, "xlsx").content)
    assert result.counts == {"new": 0, "changed": 0, "unchanged": 1, "error": 0}
    assert IndicatorValue.objects.count() == 1


def test_a_half_filled_row_is_still_an_error(role_users):
    """Only a row with nothing in the value columns is skipped; a missing value is not."""
    content = (
        b"municipality_code;indicator;year;value;data_release\n751;oil_boilers;2024;;BBR 2025\n"
    )
    result = indicator_imports.indicator_import(
        round=make_round(), by=role_users["secretariat"], content=content, filename="v.csv",
        dry_run=True,
    )  # fmt: skip
    assert [column for column, _reason in result.rows[0].errors] == ["value"]


def test_the_template_is_for_importers_only(client_for, known):
    assert template(client_for("coordinator_a"), "xlsx").status_code == 403
    assert template(client_for("secretariat"), "pdf").status_code == 400
    page = client_for("secretariat").get(reverse("monitoring-indicator-import", args=[2026]))
    assert reverse("monitoring-indicator-template", args=[2026]) in page.content.decode()
