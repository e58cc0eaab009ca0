"""The spreadsheet import: valid files, every bad and hostile case, the export and round trip.

Every refused file must leave the database exactly as it was: asserted by row counts AND a
checksum of the monitoring tables (tests/monitoring/factories.snapshot).
"""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation

from core import spreadsheet as reader
from monitoring import exports
from monitoring.imports import rounds as rounds_import
from monitoring.imports import spreadsheet
from monitoring.models import ChecklistAnswer, EmissionFigure, Sector, StatusReport
from partners.models import Municipality

from .factories import make_report, make_round, snapshot

State = StatusReport.State


@pytest.fixture
def round(db):
    return make_round()


@pytest.fixture
def importer(role_users):
    return role_users["secretariat"]


def filled_rows(round, *, note="", **overrides):
    """The template of the round with every municipality filled in plausibly."""
    spec, rows = exports.template_rows(round=round)
    parts = {
        f"{spreadsheet.SECTOR_PREFIX}{key}"
        for key in Sector.objects.filter(parent__isnull=False).values_list("key", flat=True)
    }
    for index, row in enumerate(rows):
        row.update(
            {
                "plan_status": "adopted",
                "plan_adopted_on": "2021-06-01",
                "baseline_year": 2018,
                "baseline_emissions_t_co2e": Decimal(500000 + index),
                "target_2030_reduction_pct": Decimal(70),
                "net_zero_year": 2050,
                "adaptation_risk_assessed": "yes",
                "adaptation_plan_status": "adopted",
                "adaptation_note": note,
                "data_release": "2026-1",
                "data_source": "Energistyrelsen",
            }
        )
        for column in spec:
            if column.key in parts:  # the finer sectors; the groups' own columns stay blank
                row[column.key] = Decimal(1000 + index)
            if column.key.startswith(spreadsheet.CHECKLIST_PREFIX):
                row[column.key] = "yes"
        row.update(overrides)
    return spec, rows


def as_file(spec, rows, file_format="xlsx") -> bytes:
    return spreadsheet.render(spreadsheet.dataset(spec, rows), file_format)


def run(round, by, content, name="round.xlsx", dry_run=False):
    return rounds_import.round_import(
        round=round, by=by, content=content, filename=name, dry_run=dry_run
    )


def assert_refused(round, by, content, name, message):
    before = snapshot()
    result = run(round, by, content, name)
    assert not result.is_valid and not result.written
    assert snapshot() == before
    text = " ".join(result.file_errors + [r for row in result.rows for _, r in row.errors])
    assert message in text, text
    return result


# --- valid files ---------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_valid_98_municipality_file_dry_run_then_import_then_reimport(round, importer, file_format):
    make_report(make_round(2025, closed=True), "751", state=State.LOCKED)  # has two actions
    content = as_file(*filled_rows(round), file_format)
    before = snapshot()
    dry = run(round, importer, content, f"round.{file_format}", dry_run=True)
    assert dry.is_valid and not dry.written
    assert dry.counts == {"new": 98, "changed": 0, "unchanged": 0, "error": 0}
    assert snapshot() == before  # a dry run writes nothing

    result = run(round, importer, content, f"round.{file_format}")
    assert result.written and result.counts["new"] == 98
    assert StatusReport.objects.filter(round=round).count() == 98
    assert EmissionFigure.objects.filter(year=round.emissions_year).count() == 98 * 11
    assert ChecklistAnswer.objects.filter(report__round=round, met=True).count() == 98 * 6
    aarhus = StatusReport.objects.get(round=round, municipality__code="751")
    assert aarhus.updated_by == importer and aarhus.state == State.DRAFT
    assert list(aarhus.actions.values_list("name", flat=True)) == ["Handling 0", "Handling 1"]

    after = snapshot()
    again = run(round, importer, content, f"round.{file_format}")
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 98, "error": 0}
    assert snapshot() == after  # re-importing the same file changes nothing


def test_changed_rows_name_their_columns(round, importer):
    spec, rows = filled_rows(round)
    run(round, importer, as_file(spec, rows))
    rows[0]["net_zero_year"] = 2040
    rows[0][f"{spreadsheet.SECTOR_PREFIX}road_transport"] = Decimal(1)
    result = run(round, importer, as_file(spec, rows), dry_run=True)
    assert result.counts == {"new": 0, "changed": 1, "unchanged": 97, "error": 0}
    changed = next(row for row in result.rows if row.status == "changed")
    assert changed.changes == ["net_zero_year", "t_co2e_road_transport"]


def csv_text(spec, rows, delimiter=";", decimal_comma=True) -> str:
    lines = [delimiter.join(column.key for column in spec)]
    for row in rows:
        cells = []
        for column in spec:
            value = row.get(column.key)
            value = "" if value is None else str(value)
            if decimal_comma and column.kind in ("decimal", "percent"):
                value = value.replace(".", ",")
            cells.append(value)
        lines.append(delimiter.join(cells))
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode("cp1252"), id="windows-1252"),
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), id="utf-8-bom"),
        pytest.param(lambda text: text.encode("utf-8"), id="utf-8"),
    ],
)
def test_csv_in_windows_1252_and_utf8_with_bom_import(round, importer, encode):
    spec, rows = filled_rows(round, note="Klimatilpasning: skybrudsplan for Århus Å og Ærø")
    result = run(round, importer, encode(csv_text(spec, rows)), "round.csv")
    assert result.is_valid and result.written, result.lines()[:5]
    note = StatusReport.objects.get(municipality__code="751").adaptation_note
    assert note == "Klimatilpasning: skybrudsplan for Århus Å og Ærø"
    høje = StatusReport.objects.get(municipality__name="Høje-Taastrup")
    assert høje.baseline_emissions > 0


# --- bad rows: errors with row, column and reason; nothing written -------------------------


def one_bad(round, **bad):
    spec, rows = filled_rows(round)
    rows[10].update(bad)
    return spec, rows, 12  # row 10 is the file's row 12 (the header is row 1)


@pytest.mark.parametrize(
    ("bad", "column", "message"),
    [
        ({"t_co2e_road_transport": Decimal(-5)}, "t_co2e_road_transport", "negative"),
        ({"baseline_year": "abc"}, "baseline_year", "Not a year"),
        ({"recertified": "maybe"}, "recertified", "yes or no"),
        ({"plan_adopted_on": "31-02-2020"}, "plan_adopted_on", "Not a date"),
        ({"target_2030_reduction_pct": Decimal(150)}, "target_2030_reduction_pct", "at most"),
        ({"plan_status": "adoptd"}, "plan_status", "Not one of"),
        ({"emissions_year": 2020}, "emissions_year", "collects the emissions of 2024"),
        ({"data_release": ""}, "data_release", "data release"),
        ({"municipality_code": "999"}, "municipality_code", "No municipality has the code 999"),
        ({"plan_revised_on": "2020-01-01"}, "plan_revised_on", "before the adoption"),
        ({"t_co2e_electricity": "lots"}, "t_co2e_electricity", "Not a number"),
    ],
)
def test_one_bad_row_means_nothing_is_written(round, importer, bad, column, message):
    spec, rows, number = one_bad(round, **bad)
    before = snapshot()
    result = run(round, importer, as_file(spec, rows))
    assert not result.is_valid and not result.written
    assert snapshot() == before
    errors = [row for row in result.rows if row.status == "error"]
    assert [row.number for row in errors] == [number]
    assert any(c == column and message in reason for c, reason in errors[0].errors), errors
    assert result.counts["new"] == 97


def test_duplicate_municipality_in_the_file(round, importer):
    spec, rows = filled_rows(round)
    rows.append(dict(rows[0]))
    result = assert_refused(round, importer, as_file(spec, rows), "r.xlsx", "appears twice")
    assert result.rows[-1].number == 100


def test_missing_and_unknown_columns(round, importer):
    spec, rows = filled_rows(round)
    for row in rows:
        row["nonsense"] = "x"
    short = [c for c in spec if c.key != "plan_status"]
    extra = [*short, spreadsheet.Column("nonsense", "text")]
    result = assert_refused(round, importer, as_file(extra, rows), "r.xlsx", "plan_status")
    assert any("Unknown column nonsense" in e for e in result.file_errors)


def test_closed_round_refuses_import(importer, db):
    closed = make_round(2025, closed=True)
    content = as_file(*filled_rows(closed))
    assert_refused(closed, importer, content, "r.xlsx", "closed")


def test_changing_an_approved_report_is_an_error(round, importer):
    make_report(round, "751", state=State.APPROVED)
    spec, rows = filled_rows(round)
    assert_refused(round, importer, as_file(spec, rows), "r.xlsx", "approved")


def test_only_secretariat_and_administrators_import(round, role_users):
    content = as_file(*filled_rows(round))
    for role in ("coordinator_a", "coordinator_b", "observer", "knowledge_partner"):
        with pytest.raises(PermissionDenied):
            run(round, role_users[role], content)
    assert run(round, role_users["administrator"], content, dry_run=True).is_valid


# --- hostile files ---------------------------------------------------------------------------


def test_a_file_that_is_not_really_xlsx(round, importer):
    assert_refused(round, importer, b"code;name\n751;Aarhus\n", "r.xlsx", "not a real xlsx")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert_refused(round, importer, zipped.getvalue(), "r.xlsx", "not a real xlsx")
    assert_refused(round, importer, b"PK\x03\x04broken", "r.xlsx", "not a real xlsx")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(round, importer):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (reader.MAX_UNCOMPRESSED + 1))
    content = bomb.getvalue()
    assert len(content) < 200_000
    assert_refused(round, importer, content, "r.xlsx", "zip bomb")


def test_formulas_in_cells_are_refused(round, importer):
    spec, rows = filled_rows(round)
    book = openpyxl.load_workbook(io.BytesIO(as_file(spec, rows)))
    book.worksheets[0]["D5"] = "=1+1"
    out = io.BytesIO()
    book.save(out)
    assert_refused(round, importer, out.getvalue(), "r.xlsx", "formula")


def test_more_rows_or_bytes_than_the_limits(round, importer):
    spec, rows = filled_rows(round)
    many = rows * 6  # 588 rows > 500
    assert_refused(round, importer, as_file(spec, many, "csv"), "r.csv", "more than 500 rows")
    assert_refused(round, importer, as_file(spec, many, "xlsx"), "r.xlsx", "more than 500 rows")
    big = b"municipality_code;" + b"x" * (reader.MAX_BYTES + 1)
    assert_refused(round, importer, big, "r.csv", "larger than 5 MB")


def test_binary_and_unknown_files(round, importer):
    assert_refused(round, importer, b"\x00\x01\x02garbage", "r.csv", "not a text")
    assert_refused(round, importer, b"\x81\x8d\x8f\x90\x9d", "r.csv", "neither UTF-8")
    assert_refused(round, importer, b"whatever", "r.pdf", "xlsx or .csv")
    assert_refused(round, importer, b"", "r.csv", "empty")


# --- export, formula neutralisation and the round trip --------------------------------------

DANGEROUS = ['=HYPERLINK("http://evil")', "+45 cmd", "-2+3", "@SUM(A1)", "\tindent", "\rx"]


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_export_neutralises_formula_like_text(round, file_format):
    for code, text in zip(("751", "101", "461", "851", "147", "151"), DANGEROUS, strict=True):
        make_report(round, code, adaptation_note=text, data_source=text[:200])
    content = exports.round_export_file(round=round, file_format=file_format)
    if file_format == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert not any(cell.data_type == "f" for cell in cells)
        texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    else:
        import csv

        texts = [v for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for v in row]
    if file_format == "xlsx":  # XML turns a carriage return into a line feed
        texts = [text.replace("\n", "\r") if text.startswith("'\n") else text for text in texts]
    for text in DANGEROUS:
        assert "'" + text in texts
        assert text not in texts


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_round_trip_export_then_import_changes_nothing(round, importer, file_format):
    states = [State.DRAFT, State.SUBMITTED, State.APPROVED, State.CHANGES_REQUESTED]
    for index, municipality in enumerate(Municipality.objects.order_by("code")[:20]):
        make_report(
            round,
            municipality,
            state=states[index % 4],
            adaptation_note=DANGEROUS[index] if index < 5 else "Skybrud\nog havvand",
            target_2030_reduction_pct=Decimal("72.50"),
            baseline_emissions=Decimal("123456.78"),
        )
    content = exports.round_export_file(round=round, file_format=file_format)
    before = snapshot()
    result = run(round, importer, content, f"export.{file_format}")
    assert result.is_valid and result.written, result.lines()
    assert result.counts == {"new": 0, "changed": 0, "unchanged": 20, "error": 0}
    assert snapshot() == before


def test_template_lists_every_municipality_prefilled_from_the_previous_round(round, db):
    previous = make_round(2025, closed=True)
    make_report(previous, "751", state=State.LOCKED, net_zero_year=2045)
    _spec, rows = exports.template_rows(round=round)
    assert len(rows) == 98
    aarhus = next(row for row in rows if row["municipality_code"] == "751")
    assert aarhus["net_zero_year"] == 2045 and aarhus["emissions_year"] == 2024
    assert aarhus[f"{spreadsheet.SECTOR_PREFIX}electricity"] is None
    book = openpyxl.load_workbook(
        io.BytesIO(exports.round_template_file(round=round, file_format="xlsx"))
    )
    assert book.sheetnames == ["reports", "guide"]


# --- the management commands ---------------------------------------------------------------


def test_import_command_dry_run_errors_and_import(round, tmp_path):
    spec, rows = filled_rows(round)
    good = tmp_path / "good.xlsx"
    good.write_bytes(as_file(spec, rows))
    before = snapshot()
    out = io.StringIO()
    call_command("import_monitoring", str(good), "--year", "2026", "--dry-run", stdout=out)
    assert "98 new" in out.getvalue() and "nothing was written" in out.getvalue()
    assert snapshot() == before

    rows[3]["t_co2e_electricity"] = Decimal(-1)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(as_file(spec, rows, "csv"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_monitoring", str(bad), "--year", "2026", stdout=out)
    assert "t_co2e_electricity" in out.getvalue() and "5:" in out.getvalue()
    assert snapshot() == before

    out = io.StringIO()
    call_command("import_monitoring", str(good), "--year", "2026", stdout=out)
    assert StatusReport.objects.filter(round=round).count() == 98
    with pytest.raises(CommandError):
        call_command("import_monitoring", str(good), "--year", "1999", stdout=io.StringIO())


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["import", "dry-run"])
def test_import_command_with_a_user_who_may_not_import(round, role_users, tmp_path, dry_run):
    spec, rows = filled_rows(round)
    good = tmp_path / "good.csv"
    good.write_bytes(as_file(spec, rows, "csv"))
    before = snapshot()
    coordinator = role_users["coordinator_a"].username
    out = io.StringIO()
    with pytest.raises(CommandError) as error, translation.override("da"):
        call_command(
            "import_monitoring", str(good), "--year", "2026", "--user", coordinator, *dry_run,
            stdout=out, stderr=out,
        )  # fmt: skip
    message = str(error.value)
    # One line, in one language (the command's English, also when Danish is active), no
    # traceback and nothing else printed.
    assert message.count("\n") == 0 and "may not import" in message and coordinator in message
    assert "sekretariat" not in message.lower() and out.getvalue() == ""
    assert snapshot() == before


def test_export_command_writes_the_same_columns_as_the_template(round, tmp_path):
    make_report(round, "751")
    target = tmp_path / "out.csv"
    call_command(
        "export_monitoring", "--year", "2026", "--format", "csv", "--output", str(target),
        stdout=io.StringIO(),
    )  # fmt: skip
    header = target.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    spec, _rows = exports.template_rows(round=round)
    assert header == [column.key for column in spec]
    xlsx = tmp_path / "out.xlsx"
    call_command(
        "export_monitoring", "--year", "2026", "--format", "xlsx", "--output", str(xlsx),
        stdout=io.StringIO(),
    )  # fmt: skip
    assert openpyxl.load_workbook(xlsx).worksheets[0]["A2"].value == "751"


# --- the confirmed import: its rules, its audit trail and its cost ------------------------


def audit_entries_since(last_pk: int, model) -> list:
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    return list(
        LogEntry.objects.filter(
            pk__gt=last_pk, content_type=ContentType.objects.get_for_model(model)
        ).order_by("pk")
    )


def last_audit_pk() -> int:
    from auditlog.models import LogEntry

    return LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_confirmed_import_is_in_the_audit_trail_as_the_importers(round, importer):
    from auditlog.models import LogEntry

    from monitoring.models import Action
    from monitoring.selectors import report_history

    make_report(make_round(2025, closed=True), "751", state=State.LOCKED)  # two actions
    spec, rows = filled_rows(round)
    since = last_audit_pk()
    run(round, importer, as_file(spec, rows))

    reports = audit_entries_since(since, StatusReport)
    figures = audit_entries_since(since, EmissionFigure)
    answers = audit_entries_since(since, ChecklistAnswer)
    actions = audit_entries_since(since, Action)
    # one entry per row written, none twice (the per-row signal entries are suppressed)
    assert (len(reports), len(figures), len(answers), len(actions)) == (98, 98 * 11, 98 * 6, 2)
    every = reports + figures + answers + actions
    assert {entry.action for entry in every} == {LogEntry.Action.CREATE}
    assert {entry.actor for entry in every} == {importer}
    assert LogEntry.objects.filter(pk__gt=since).count() == len(every)

    aarhus = StatusReport.objects.get(round=round, municipality__code="751")
    entry = next(e for e in reports if e.object_id == aarhus.pk)
    assert entry.object_repr == str(aarhus)
    assert entry.changes_dict["net_zero_year"] == [None, 2050]
    assert entry.changes_dict["updated_by"] == [None, importer.pk]
    carried = aarhus.actions.order_by("pk")
    assert [(e.object_id, e.object_repr, e.additional_data) for e in actions] == [
        (action.pk, action.name, {"report_id": aarhus.pk}) for action in carried
    ]
    history = report_history(report=aarhus)
    labels = [entry.object_label for entry in history]
    assert {entry.actor for entry in history} == {importer}
    assert "status report" in labels and "action: Handling 0" in labels
    assert sum(label.startswith("emission figure: ") for label in labels) == 11

    # A second import that changes one row: one entry per row that changed, what changed
    rows[0]["net_zero_year"] = 2040
    rows[0][f"{spreadsheet.SECTOR_PREFIX}road_transport"] = Decimal(1)
    since = last_audit_pk()
    run(round, importer, as_file(spec, rows))
    changed = StatusReport.objects.get(round=round, municipality__code=rows[0]["municipality_code"])
    [report_entry] = audit_entries_since(since, StatusReport)
    [figure_entry] = audit_entries_since(since, EmissionFigure)
    assert LogEntry.objects.filter(pk__gt=since).count() == 2
    assert (report_entry.action, report_entry.object_id) == (LogEntry.Action.UPDATE, changed.pk)
    assert report_entry.changes_dict == {"net_zero_year": [2050, 2040]}
    assert figure_entry.action == LogEntry.Action.UPDATE
    assert figure_entry.changes_dict["tonnes_co2e"] == ["1000.00", "1.00"]
    assert {report_entry.actor, figure_entry.actor} == {importer}


def test_import_into_started_reports_keeps_the_rules(round, importer):
    from auditlog.models import LogEntry

    from monitoring.models import Action

    previous = make_round(2025, closed=True)
    make_report(previous, "751", state=State.LOCKED, actions=3)
    aarhus = make_report(round, "751", actions=2)  # draft, release 2026-1
    noted = aarhus.checklist_answers.order_by("pk").first()
    noted.note = "Vedtaget i byrådet"
    noted.save()
    copenhagen = make_report(round, "101", state=State.SUBMITTED)
    kept = copenhagen.emission_figures.get(sector__key="electricity")
    spec, rows = filled_rows(round)
    for row in rows:
        if row["municipality_code"] == "751":  # a new release, one cell blank, one answer "no"
            row["data_release"] = "2026-2"
            row[f"{spreadsheet.SECTOR_PREFIX}road_transport"] = None
            row[f"{spreadsheet.CHECKLIST_PREFIX}{noted.requirement.key}"] = "no"
        if row["municipality_code"] == "101":  # the same release, one cell blank
            row[f"{spreadsheet.SECTOR_PREFIX}electricity"] = None
    since = last_audit_pk()
    result = run(round, importer, as_file(spec, rows))
    assert result.counts == {"new": 96, "changed": 2, "unchanged": 0, "error": 0}

    aarhus.refresh_from_db()
    assert (aarhus.version, aarhus.updated_by, aarhus.data_release) == (2, importer, "2026-2")
    # the report's own figures of its old release are dropped; the blank cell adds none
    assert sorted(aarhus.emission_figures.values_list("data_release", flat=True)) == (
        ["2026-2"] * 10
    )
    deleted = [
        e for e in audit_entries_since(since, EmissionFigure) if e.action == LogEntry.Action.DELETE
    ]
    assert len(deleted) == 11 and {e.actor for e in deleted} == {importer}
    assert {e.additional_data["report_id"] for e in deleted} == {aarhus.pk}
    noted.refresh_from_db()
    assert (noted.met, noted.note) == (False, "Vedtaget i byrådet")  # the note is kept
    assert Action.objects.filter(report=aarhus).count() == 2  # nothing carried into it

    copenhagen.refresh_from_db()
    assert (copenhagen.version, copenhagen.state) == (2, State.SUBMITTED)
    kept.refresh_from_db()  # a blank cell deletes no figure
    assert kept.report == copenhagen and kept.tonnes_co2e == Decimal(1000)


@pytest.mark.parametrize("started", [False, True], ids=["new reports", "changed reports"])
def test_confirm_issues_the_same_queries_for_3_and_for_30_municipalities(round, importer, started):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from monitoring.models import Action
    from partners.models import User

    previous = make_round(2025, closed=True)
    municipalities = list(Municipality.objects.order_by("code")[:30])
    for municipality in municipalities:
        make_report(previous, municipality, state=State.LOCKED, actions=3)
        if started:  # the file changes their release (figures dropped) and an answer
            make_report(round, municipality, actions=1)
    spec, rows = filled_rows(round, data_release="2026-2")
    rows = [row for row in rows if row["municipality_code"] in {m.code for m in municipalities}]
    for row in rows:
        row[f"{spreadsheet.CHECKLIST_PREFIX}net_zero_2050"] = "no"
    ContentType.objects.get_for_models(StatusReport, EmissionFigure, ChecklistAnswer, Action)

    def confirm(count: int) -> tuple[list[str], int]:
        by = User.objects.get(pk=importer.pk)  # as in a request: roles not yet looked up
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                result = run(round, by, as_file(spec, rows[:count]))
            assert result.written
            assert result.counts["changed" if started else "new"] == count
            audited = LogEntry.objects.filter(pk__gt=since, actor=by).count()
            transaction.set_rollback(True)  # each count starts from the same data
        return [query["sql"][:70] for query in queries], audited

    since = last_audit_pk()
    (small, small_audited), (large, large_audited) = confirm(3), confirm(30)
    # new: report, 11 figures, 6 answers, 3 actions; started: report, 11 figures dropped
    # and 11 added, 1 answer
    per_row = 24 if started else 21
    assert (small_audited, large_audited) == (3 * per_row, 30 * per_row)
    # permission, savepoint, round, sectors, requirements, municipalities, reports, figures,
    # answers (the check); the writes (new: reports, figures read and added, answers, actions
    # read and added; started: reports, figures read, dropped and added, answers read and
    # updated); the audit entries (one COPY); release
    assert len(small) == len(large) == 17, (small, large)


def test_a_failure_during_the_bulk_write_leaves_nothing_written(round, importer, monkeypatch):
    """The rows are written before their audit entries: if the last statement fails, the
    reports, figures, answers and actions written before it are rolled back with it."""
    from auditlog.models import LogEntry

    from core.bulk_audit import BulkAuditTrail

    def fail(self):
        raise RuntimeError("the database went away")

    make_report(make_round(2025, closed=True), "751", state=State.LOCKED)
    make_report(round, "101")  # a changed row too
    monkeypatch.setattr(BulkAuditTrail, "write", fail)
    before, entries = snapshot(), LogEntry.objects.count()
    with pytest.raises(RuntimeError):
        run(round, importer, as_file(*filled_rows(round, data_release="2026-2")))
    assert snapshot() == before and LogEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("cell", "code"), [("0101", "101"), ("0580", "580"), ("751", "751"), (101, "101")]
)
def test_codes_with_or_without_the_leading_zero(cell, code):
    assert spreadsheet.parse_code(cell) == code


def test_a_file_with_leading_zero_codes_imports(round, importer):
    spec, rows = filled_rows(round)
    for row in rows:
        row["municipality_code"] = row["municipality_code"].zfill(4)
    assert rows[0]["municipality_code"].startswith("0")
    result = run(round, importer, csv_text(spec, rows).encode("utf-8"), "round.csv")
    assert result.is_valid and result.written, result.lines()[:5]
    assert StatusReport.objects.filter(round=round).count() == len(rows)
