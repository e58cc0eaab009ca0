"""The national accounts import (issue 16): every layout and encoding the accounts and
spreadsheets export, data releases side by side, row-level Danish messages for bad files, and
the done-when: 98 municipalities × six years go in with negative land use intact and the
national totals on the portal match the file's."""

import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation

from monitoring import selectors
from monitoring.imports.accounts import national_accounts_import
from monitoring.models import DataRelease, EmissionFigure
from monitoring.public import NATIONAL, emissions_rows
from partners.models import Municipality, RoleAssignment

from ..factories import make_user
from . import accounts_files as files
from .factories import table_checksum

Role = RoleAssignment.Role
pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(db):
    return make_user(Role.SECRETARIAT, username="sara")


def run(content, *, by, release="2025-1", filename="regnskab.csv", dry_run=False):
    return national_accounts_import(
        release=release, by=by, content=content, filename=filename, dry_run=dry_run
    )


def errors_of(result) -> list[str]:
    return [f"{row.code}: {column}: {why}" for row in result.rows for column, why in row.errors]


def test_98_municipalities_and_six_years_go_in_with_negative_land_use_and_matching_totals(
    tmp_path, secretariat
):
    rows = files.wide_rows()
    assert len(rows) == 1 + 98 * 6
    path = tmp_path / "kommuner-2018-2023.csv"
    path.write_bytes(files.as_csv(rows))
    out = io.StringIO()
    call_command(
        "import_national_accounts", str(path), "--release", "2025-1", "--dry-run", stdout=out
    )
    assert "Dry run" in out.getvalue() and not EmissionFigure.objects.exists()
    call_command("import_national_accounts", str(path), "--release", "2025-1", "--user", "sara",
                 stdout=out)  # fmt: skip
    assert EmissionFigure.objects.filter(data_release="2025-1").count() == 98 * 6 * 5
    release = DataRelease.objects.get(name="2025-1")
    assert release.imported_by == secretariat and "Energistyrelsen" in release.source
    for code in ("825", "101"):  # Læsø, København
        landbrug = EmissionFigure.objects.get(
            municipality__code=code, year=2023, sector__key="agriculture"
        )
        assert landbrug.tonnes_co2e == files.figures(code, 2023)["Landbrug"] < 0
        assert landbrug.report is None and landbrug.data_source == release.source
    expected = files.totals_by_year(rows)
    table = selectors.aggregate_emissions(until=2023)
    assert dict(zip(table.years, table.totals, strict=True)) == expected
    open_data: dict[int, Decimal] = {}
    for row in emissions_rows():
        if row["geography_code"] == NATIONAL:
            open_data[row["year"]] = open_data.get(row["year"], Decimal(0)) + row["tonnes_co2e"]
    assert open_data == expected
    assert all(c.complete for c in table.coverage.values())


@pytest.mark.parametrize(
    "layout, content, filename",
    [
        ("semicolon, decimal comma, UTF-8 BOM", lambda r: files.as_csv(r), "a.csv"),
        ("semicolon, decimal comma, Windows-1252",
         lambda r: files.as_csv(r, encoding="cp1252"), "a.csv"),
        ("comma, decimal point, UTF-8", lambda r: files.as_csv(
            r, delimiter=",", decimal_comma=False, encoding="utf-8"), "a.csv"),
        ("xlsx", files.as_xlsx, "a.xlsx"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("shape", ["wide", "long"])
def test_every_export_format_gives_the_same_figures(secretariat, layout, content, filename, shape):
    only = {"101", "825", "751"}
    rows = (files.wide_rows if shape == "wide" else files.long_rows)(only=only)
    result = run(content(rows), by=secretariat, filename=filename)
    assert result.is_valid and result.written, errors_of(result) + result.file_errors
    assert result.counts["new"] == 3
    assert sorted(row.name for row in result.rows) == ["Aarhus", "København", "Læsø"]
    stored = {
        (f.municipality.code, f.year, f.sector.name_da): f.tonnes_co2e
        for f in EmissionFigure.objects.select_related("municipality", "sector")
    }
    assert len(stored) == 3 * 6 * 5
    for code in only:
        for year in files.YEARS:
            for group, value in files.figures(code, year).items():
                assert stored[(code, year, group)] == value


def test_the_same_file_twice_changes_nothing(secretariat):
    content = files.as_csv(files.wide_rows(only={"101", "147"}))
    assert run(content, by=secretariat).written
    before, entries = table_checksum(), LogEntry.objects.count()
    again = run(content, by=secretariat)
    assert again.is_valid and again.counts == {"new": 0, "changed": 0, "unchanged": 2, "error": 0}
    assert table_checksum() == before and LogEntry.objects.count() == entries


def test_a_recalculated_year_sits_beside_the_earlier_release_and_pages_use_the_latest(
    secretariat,
):
    only = {"751"}
    run(files.as_csv(files.wide_rows(only=only)), by=secretariat, release="2025-1")

    def recalculate(code, year, values):
        if year == 2019:
            values["Energi"] += 1000

    content = files.as_csv(files.wide_rows(only=only, change=recalculate))
    preview = run(content, by=secretariat, release="2026-1", dry_run=True)
    (aarhus,) = preview.rows
    assert aarhus.status == "new" and not preview.written
    # against the previous release only the recalculated figure differs
    old = files.figures("751", 2019)["Energi"]
    assert aarhus.differences == [("2019 Energy", old, old + 1000)]
    assert run(content, by=secretariat, release="2026-1").written
    energy = EmissionFigure.objects.filter(
        municipality__code="751", year=2019, sector__key="energy"
    )
    assert sorted(energy.values_list("data_release", "tonnes_co2e")) == [
        ("2025-1", old),
        ("2026-1", old + 1000),
    ]
    municipality = Municipality.objects.get(code="751")
    table = selectors.municipality_emissions(municipality=municipality, user=secretariat)
    assert table.totals[table.years.index(2019)] == sum(files.figures("751", 2019).values()) + 1000


BAD_FILES = [
    ("unknown code", lambda rows: rows[1].__setitem__(0, "0999"),
     "Ingen kommune har koden 999."),
    ("code names another municipality", lambda rows: rows[1].__setitem__(1, "Aarhus"),
     "Koden 101 er København, ikke Aarhus."),
    ("year outside the partnership", lambda rows: rows[1].__setitem__(2, 2030),
     "Året 2030 ligger uden for"),
    ("text in numbers", lambda rows: rows[1].__setitem__(3, "mange"), "Ikke et tal."),
    ("negative where not allowed", lambda rows: rows[1].__setitem__(4, Decimal("-5")),
     "Transport kan ikke være negativ"),
    ("Samlet is not the sum", lambda rows: rows[1].__setitem__(8, Decimal(1)),
     "men sektorgrupperne giver"),
    ("duplicates", lambda rows: rows.append(list(rows[1])), "optræder to gange i filen"),
]  # fmt: skip


@pytest.mark.parametrize("case, spoil, message", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_input_gets_a_row_level_danish_message_and_nothing_is_written(
    secretariat, case, spoil, message
):
    run(files.as_csv(files.wide_rows(only={"751"})), by=secretariat)
    before = table_checksum()
    rows = files.wide_rows(only={"101", "751"}, years=[2022, 2023])
    spoil(rows)
    with translation.override("da"):
        result = run(files.as_csv(rows), by=secretariat, release="2026-1")
    assert not result.is_valid and not result.written
    assert any(message in line for line in errors_of(result)), errors_of(result)
    assert table_checksum() == before
    assert not DataRelease.objects.filter(name="2026-1").exists()


def test_negative_land_use_is_accepted_in_the_long_layout_for_the_finer_sector(secretariat):
    rows = [
        ["Kommunekode", "År", "Sektor", "Udledning"],
        ["0825", 2022, "Arealanvendelse (LULUCF)", "-1.234,5"],
        ["0825", 2022, "El", "800"],
    ]
    result = run(files.as_csv(rows), by=secretariat)
    assert result.written, errors_of(result)
    land = EmissionFigure.objects.get(sector__key="land_use")
    assert land.tonnes_co2e == Decimal("-1234.50")


def test_only_the_secretariat_imports_and_the_command_says_so_in_one_line(tmp_path):
    coordinator = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland", username="mads")
    content = files.as_csv(files.wide_rows(only={"751"}))
    with pytest.raises(PermissionDenied):
        run(content, by=coordinator)
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="may not import the national accounts"):
        call_command("import_national_accounts", str(path), "--release", "2025-1", "--user",
                     "mads", stdout=io.StringIO())  # fmt: skip
    with pytest.raises(CommandError, match="year-number"):
        call_command("import_national_accounts", str(path), "--release", "ny", stdout=io.StringIO())
    assert not EmissionFigure.objects.exists()


def test_the_upload_page_previews_per_municipality_then_confirms(client_for, role_users):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_for("secretariat")
    page = reverse("monitoring-accounts-import")
    content = files.as_csv(files.wide_rows(only={"751", "825"}, years=[2022, 2023]))
    response = client.post(
        page,
        {"file": SimpleUploadedFile("regnskab.csv", content), "release": "2025-1", "source": ""},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Aarhus" in body and "Læsø" in body and 'name="token"' in body
    assert not EmissionFigure.objects.exists()  # the check writes nothing
    token = response.context["token"]
    response = client.post(
        reverse("monitoring-accounts-import-confirm"),
        {"token": token, "release": "2025-1", "source": response.context["scope"][1]},
    )
    assert response.status_code == 302
    assert EmissionFigure.objects.filter(data_release="2025-1").count() == 2 * 2 * 5
    # the list of releases keeps its query count as releases are added
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(page).status_code == 200
    for name in ("2025-2", "2026-1"):
        run(content, by=role_users["secretariat"], release=name)
    with CaptureQueriesContext(connection) as three:
        response = client.get(page)
    assert response.content.decode().count('<th scope="row">20') == 3
    assert len(three) == len(one)


def test_a_new_report_starts_from_the_latest_official_release(secretariat):
    from monitoring import services
    from monitoring.models import Sector

    from .factories import make_round

    round = make_round(2026)  # emissions year 2024
    aarhus = Municipality.objects.get(code="751")
    run(files.as_csv(files.wide_rows(only={"751"}, years=[2023])), by=secretariat)
    assert services.report_initial(round=round, municipality=aarhus)["emissions"] == {}
    round.emissions_year = 2023
    start = services.report_initial(round=round, municipality=aarhus)
    energy = Sector.objects.get(key="energy")
    assert start["emissions"][energy.pk] == files.figures("751", 2023)["Energi"]
    assert start["fields"]["data_release"] == "2025-1"


@pytest.mark.parametrize(
    "written",
    [lambda code: code.zfill(4), lambda code: code, int],
    ids=["text with the leading zero", "text without it", "a number in xlsx"],
)
def test_codes_with_and_without_the_leading_zero_name_the_same_municipality(secretariat, written):
    rows = files.wide_rows(only={"101", "825"})
    for row in rows[1:]:
        row[0] = written(row[0].lstrip("0"))
    result = run(files.as_xlsx(rows), by=secretariat, filename="a.xlsx")
    assert result.written, errors_of(result) + result.file_errors
    assert sorted((row.code, row.name) for row in result.rows) == [
        ("101", "København"),
        ("825", "Læsø"),
    ]
    stored = EmissionFigure.objects.values_list("municipality__code", flat=True)
    assert sorted(set(stored)) == ["101", "825"] and len(stored) == 2 * 6 * 5


@pytest.mark.parametrize("again", [False, True], ids=["new release", "release recalculated"])
def test_the_confirm_issues_the_same_queries_for_3_and_for_30_municipalities(secretariat, again):
    """Bulk writes: the figures, the release and their audit entries in a fixed number of
    statements however many municipalities and years the file has (issue 16's benchmark)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from partners.models import User

    codes = [code for code, _name in files.municipalities()[:30]]
    ContentType.objects.get_for_models(DataRelease, EmissionFigure)  # cached, as in a server

    def recalculate(code, year, values):
        values["Energi"] += 1

    def confirm(count: int) -> tuple[int, int, int]:
        with transaction.atomic():
            only = set(codes[:count])
            if again:
                run(files.as_csv(files.wide_rows(only=only)), by=secretariat)
            since = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            content = files.as_csv(files.wide_rows(only=only, change=recalculate))
            by = User.objects.get(pk=secretariat.pk)  # as in a request: roles not yet looked up
            with CaptureQueriesContext(connection) as queries:
                result = run(content, by=by)
            assert result.written and result.counts["changed" if again else "new"] == count
            audited = LogEntry.objects.filter(pk__gt=since, actor=secretariat).count()
            transaction.set_rollback(True)
        return len(queries), audited, count

    (small, small_audited, _n), (large, large_audited, _m) = confirm(3), confirm(30)
    # every figure (5 groups x 6 years) in the trail, new or changed, and the release once
    figures_per_municipality = 5 * 6 if not again else 6  # recalculated: Energi each year
    assert small_audited == 3 * figures_per_municipality + 1
    assert large_audited == 30 * figures_per_municipality + 1
    assert small == large, (small, large)
