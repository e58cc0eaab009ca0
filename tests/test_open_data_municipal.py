"""The open data per municipality (/aaben/data/kommuner-emissioner.*, datapackage.json and
/api/open/municipal-emissions/): official releases and approved reports only, the latest
release of each cell, four-digit codes, neutralised text, a valid Frictionless package, the
national page's totals, anonymous and throttled in the API."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from frictionless import Package, Resource, Schema

from monitoring import selectors
from monitoring.api import OpenDataThrottle
from monitoring.models import DataRelease, EmissionFigure, Sector
from partners.models import Municipality
from tests.monitoring.factories import make_report, make_round

CSV_URL = reverse("public-open-data-municipal", kwargs={"fmt": "csv"})
JSON_URL = reverse("public-open-data-municipal", kwargs={"fmt": "json"})
EXCEL_URL = reverse("public-open-data-municipal-excel")
PACKAGE_URL = reverse("public-open-data-package")
API_URL = reverse("api-open-municipal-emissions")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def official(code: str, year: int, sector: str, tonnes: str, release: str = "2025-1") -> None:
    DataRelease.objects.get_or_create(
        name=release, defaults={"source": f"Energistyrelsen {release}"}
    )
    EmissionFigure.objects.create(
        municipality=Municipality.objects.get(code=code),
        year=year,
        sector=Sector.objects.get(key=sector),
        tonnes_co2e=Decimal(tonnes),
        data_release=release,
        data_source=f"Energistyrelsen {release}",
    )


@pytest.fixture
def data(db):
    """København (101) and Læsø (825) from two releases (2023 recalculated in the later one,
    Læsø's land use negative), Aarhus (751) from an approved report, Silkeborg (740) from a
    draft and Randers (730) from a submitted report (neither public)."""
    official("101", 2023, "energy", "1000.50", "2024-1")
    official("101", 2023, "energy", "900.25", "2025-1")  # the recalculation: this one counts
    official("101", 2023, "transport", "500")
    official("825", 2023, "agriculture", "-1234.5")
    official("825", 2022, "agriculture", "-1000")
    round = make_round(2025, closed=False)  # emissions year 2023
    make_report(round, "751", state="approved")
    make_report(round, "740", state="draft")
    make_report(round, "730", state="submitted")
    return round


def csv_rows(client, url=CSV_URL, **reader) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    text = body(response).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), **reader))


def test_the_csv_holds_official_and_approved_figures_latest_release_only(client, data):
    rows = csv_rows(client)
    assert set(rows[0]) >= {
        "municipality_code", "municipality", "year", "sector", "tonnes_co2e", "release", "source",
    }  # fmt: skip
    codes = {row["municipality_code"] for row in rows}
    assert codes == {"0101", "0825", "0751"}  # never the draft's or the submitted report's
    energy = [r for r in rows if r["municipality_code"] == "0101" and r["sector"] == "energy"]
    assert [(r["tonnes_co2e"], r["release"]) for r in energy] == [("900.25", "2025-1")]
    assert energy[0]["source"] == "Energistyrelsen 2025-1"
    assert energy[0]["origin"] == "national_accounts" and energy[0]["municipality"] == "København"
    laeso = {(r["year"], r["tonnes_co2e"]) for r in rows if r["municipality_code"] == "0825"}
    assert laeso == {("2022", "-1000.00"), ("2023", "-1234.50")}  # net removals stay negative
    aarhus = [r for r in rows if r["municipality_code"] == "0751"]
    parts = Sector.objects.filter(is_active=True, parent__isnull=False).count()
    assert len(aarhus) == parts
    assert {r["origin"] for r in aarhus} == {"status_report"}
    assert {r["release"] for r in aarhus} == {"2026-1"}
    keys = [(r["municipality_code"], r["year"], r["sector"]) for r in rows]
    assert len(keys) == len(set(keys))  # the primary key holds


def test_json_and_excel_hold_the_same_rows(client, data):
    plain = csv_rows(client)
    excel_response = client.get(EXCEL_URL)
    raw = body(excel_response)
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    assert "attachment" in excel_response["Content-Disposition"]
    excel = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(excel) == len(plain)
    for a, b in zip(plain, excel, strict=True):
        assert b["tonnes_co2e"] == a["tonnes_co2e"].replace(".", ",")
        assert {k: v for k, v in a.items() if k != "tonnes_co2e"} == {
            k: v for k, v in b.items() if k != "tonnes_co2e"
        }
    payload = json.loads(body(client.get(JSON_URL)))
    assert payload["licence"]["name"] == "CC BY 4.0" and payload["unit"] == "t CO2e"
    assert len(payload["data"]) == len(plain)
    first = payload["data"][0]
    assert first["municipality_code"] == plain[0]["municipality_code"]
    assert Decimal(str(first["tonnes_co2e"])) == Decimal(plain[0]["tonnes_co2e"])
    response = client.get(CSV_URL)
    assert 'rel="license"' in response["Link"] and response["Access-Control-Allow-Origin"] == "*"
    assert (
        client.get(reverse("public-open-data-municipal", kwargs={"fmt": "xml"})).status_code == 404
    )


def test_text_cells_that_a_spreadsheet_would_run_are_neutralised(client, data):
    Municipality.objects.filter(code="101").update(name="=HYPERLINK(1)")
    EmissionFigure.objects.filter(municipality__code="825").update(data_source="@SUM(A1)")
    for url, delimiter in ((CSV_URL, ","), (EXCEL_URL, ";")):
        text = body(client.get(url)).decode("utf-8-sig")
        assert "'=HYPERLINK(1)" in text and "'@SUM(A1)" in text
        assert f"{delimiter}=HYPERLINK" not in text and f"{delimiter}@SUM" not in text
        assert f"{delimiter}-1234" in text  # a negative number stays a number


def test_the_data_package_and_the_served_files_validate(client, data, tmp_path):
    response = client.get(PACKAGE_URL)
    assert response.status_code == 200
    descriptor = response.json()
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    resource = descriptor["resources"][0]
    assert resource["schema"]["primaryKey"] == ["municipality_code", "year", "sector"]
    tonnes = {f["name"]: f for f in resource["schema"]["fields"]}["tonnes_co2e"]
    assert tonnes["type"] == "number" and "t CO2e" in tonnes["description"]
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (tmp_path / "kommuner-emissioner.csv").write_bytes(body(client.get(CSV_URL)))
    (tmp_path / "kommuner-emissioner-excel.csv").write_bytes(body(client.get(EXCEL_URL)))
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert [task.stats["rows"] for task in report.tasks] == [len(csv_rows(client))] * 2
    # The package check catches a broken file: a code without its leading zero, a text number.
    broken = (tmp_path / "kommuner-emissioner.csv").read_bytes().decode()
    broken = broken.replace("\r\n0825,", "\r\n825,", 1).replace("-1234.50", "mange", 1)
    (tmp_path / "broken.csv").write_text(broken, encoding="utf-8")
    bad = Resource(
        path="broken.csv",
        basepath=str(tmp_path),
        schema=Schema.from_descriptor(resource["schema"]),
    ).validate()
    assert not bad.valid
    assert {t for [t] in bad.flatten(["type"])} >= {"constraint-error", "type-error"}


def test_the_totals_agree_with_the_national_page(client, data):
    """For the round's emissions year: the open rows add up to the national page's total, and
    as many municipalities have rows as the page counts with figures."""
    year = data.emissions_year
    rows = [r for r in csv_rows(client) if int(r["year"]) == year]
    page = client.get(reverse("public-figures") + f"?year={data.year}")
    emissions = page.context["figures"].emissions
    index = emissions.years.index(year)
    assert sum(Decimal(r["tonnes_co2e"]) for r in rows) == emissions.totals[index]
    assert len({r["municipality_code"] for r in rows}) == emissions.coverage[year].reporting == 3


def test_the_api_serves_the_same_rows_anonymously(client, data):
    response = client.get(API_URL, {"page_size": 100})
    assert response.status_code == 200
    payload = response.json()
    rows = csv_rows(client)
    assert payload["count"] == len(rows)
    assert [r["municipality_code"] for r in payload["results"]] == [
        r["municipality_code"] for r in rows
    ]
    only = client.get(API_URL, {"municipality_code": "0825", "year": 2023}).json()["results"]
    assert [(r["sector"], r["tonnes_co2e"]) for r in only] == [("agriculture", "-1234.50")]
    assert client.get(API_URL, {"municipality_code": "825"}).json()["count"] == 2
    wrong = client.get(API_URL, {"year": "tyve"})
    assert wrong.status_code == 400 and "year" in wrong.json()
    assert client.post(API_URL, {}).status_code == 405


def test_the_api_throttles_anonymous_readers(client, data, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(OpenDataThrottle, "THROTTLE_RATES", {"open_data": "3/minute"})
    statuses = [client.get(API_URL).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(API_URL)
    assert refused.status_code == 429 and refused["Retry-After"] and refused.json()["detail"]
    cache.clear()


def test_the_selector_is_one_query(data, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(selectors.open_municipal_emissions())
    assert rows


def test_the_open_data_page_links_the_files(client, data):
    page = client.get(reverse("public-open-data")).content.decode()
    for url in (CSV_URL, JSON_URL, EXCEL_URL, PACKAGE_URL, API_URL):
        assert f'href="{url}"' in page
    assert "t CO2e" in page and "CC BY 4.0" in page


def test_the_open_data_stays_readable_when_the_cache_is_down(client, data, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    class Down:
        def get(self, *args, **kwargs):
            raise RedisConnectionError("down")

        set = get

    monkeypatch.setattr(OpenDataThrottle, "cache", Down())
    assert client.get(API_URL).status_code == 200
