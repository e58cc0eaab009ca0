"""Bulk import of people: onboarding a whole DGO from one file, bad rows, hostile files, the
template, idempotence and the invitations sent after commit."""

import io
import zipfile

import openpyxl
import pytest
import tablib
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from core.models import OutboxEmail
from governance.models import Membership
from monitoring.imports import spreadsheet as monitoring_sheet
from partners import services
from partners import spreadsheet as sheet
from partners.models import Invitation, RoleAssignment, User
from tests.factories import sign_in


def snapshot() -> tuple:
    return (
        User.objects.count(),
        RoleAssignment.objects.count(),
        Membership.objects.count(),
        Invitation.objects.count(),
        OutboxEmail.objects.count(),
        tuple(RoleAssignment.objects.order_by("pk").values_list("pk", "ends_on")),
    )


def midtjylland_rows() -> list[dict]:
    """A DGO's whole team: two coordinators, a contact person for each of 19 municipalities,
    one of them also on the political steering group, and a knowledge partner."""
    from partners.models import Municipality

    rows = [
        {"first_name": "Anna", "last_name": "Koordinator", "email": "anna@rm.dk",
         "role": "dgo_coordinator", "dgo": "midtjylland", "organisation": "region-midtjylland"},
        {"first_name": "Bo", "last_name": "Koordinator", "email": "bo@kkr-midt.dk",
         "role": "DGO_COORDINATOR", "dgo": "Midtjylland"},
        {"first_name": "Cecilie", "last_name": "Viden", "email": "cecilie@concito.dk",
         "role": "knowledge_partner", "organisation": "concito"},
    ]  # fmt: skip
    for municipality in Municipality.objects.filter(dgo__slug="midtjylland").order_by("code"):
        rows.append(
            {
                "first_name": f"Kontakt {municipality.name}",
                "last_name": "Person",
                "email": f"klima@{municipality.code}.dk",
                "title": "Klimakoordinator",
                "role": "municipal_contact",
                "municipality_code": municipality.code,
            }
        )
    rows.append(
        {"first_name": "Kontakt Aarhus", "last_name": "Person", "email": "KLIMA@751.dk",
         "role": "body_member", "body": "dgo-midtjylland-pol", "organisation": "kkr-midtjylland"}
    )  # fmt: skip
    return rows


def as_file(rows: list[dict], file_format: str = "xlsx", headers=None) -> bytes:
    headers = headers or sheet.KEYS
    data = tablib.Dataset(headers=headers)
    for row in rows:
        data.append([row.get(key, "") for key in headers])
    if file_format == "csv":
        return data.export("csv").encode("utf-8")
    return data.export("xlsx")


def run(by, content, name="people.xlsx", dry_run=False):
    return services.people_import(by=by, content=content, filename=name, dry_run=dry_run)


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in English (the msgids); the pages' Danish is tested elsewhere."""
    with translation.override("en"):
        yield


@pytest.fixture
def secretariat(role_users):
    return role_users["secretariat"]


def assert_refused(by, content, name, message):
    before = snapshot()
    result = run(by, content, name)
    assert not result.is_valid and not result.written
    assert snapshot() == before
    text = " ".join(result.file_errors + [r for row in result.rows for _, r in row.errors])
    assert message in text, text
    return result


# --- a valid file --------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_onboard_a_whole_dgo_from_one_file(secretariat, file_format):
    from partners.models import Organisation

    assert {"region-midtjylland", "kkr-midtjylland", "concito"} <= set(
        Organisation.objects.values_list("code", flat=True)
    )
    rows = midtjylland_rows()
    content = as_file(rows, file_format)
    before = snapshot()
    checked = run(secretariat, content, f"people.{file_format}", dry_run=True)
    assert checked.is_valid, [(r.number, r.errors) for r in checked.rows if r.errors]
    assert snapshot() == before  # a dry run writes nothing
    assert checked.counts == {"new": len(rows) - 1, "added": 0, "unchanged": 0, "error": 0} or (
        checked.counts["new"] == len(rows)
    )

    result = run(secretariat, content, f"people.{file_format}")
    assert result.written and result.is_valid
    people = len(rows) - 1  # Aarhus's contact person has two rows
    assert (
        User.objects.filter(email__endswith=".dk")
        .exclude(username__in=["observer", "member", "coord-a", "coord-b", "kp", "secretariat"])
        .count()
        >= people
    )
    assert result.invited == people
    assert Invitation.objects.count() == people  # one invitation per person, not per row
    aarhus = User.objects.get(email__iexact="klima@751.dk")
    assert aarhus.title == "Klimakoordinator"
    assert aarhus.role_assignments.get().municipality.code == "751"
    assert Membership.objects.get(person=aarhus).body.code == "dgo-midtjylland-pol"
    anna = User.objects.get(email="anna@rm.dk")
    assert anna.has_perm("partners.coordinate_dgo", anna.role_assignments.get().dgo)
    invitation = Invitation.objects.get(user=aarhus)
    assert ("Aarhus" in invitation.roles and "politisk" in invitation.roles.lower()) or (
        "political" in invitation.roles.lower()
    )

    # The same file again changes nothing and invites nobody.
    before = snapshot()
    again = run(secretariat, content, f"people.{file_format}")
    assert again.written and again.counts["unchanged"] == len(rows)
    assert again.invited == 0
    assert snapshot() == before


def test_a_role_for_someone_already_in_the_portal_is_added(secretariat, role_users):
    member = role_users["member"]
    rows = [
        {"first_name": "X", "last_name": "Y", "email": member.email.upper(),
         "role": "municipal_contact", "municipality_code": "751"},
    ]  # fmt: skip
    users = User.objects.count()
    result = run(secretariat, as_file(rows))
    assert result.written and result.counts["added"] == 1
    assert User.objects.count() == users
    member.refresh_from_db()
    assert member.first_name != "X"  # existing data is kept
    assert RoleAssignment.objects.active().filter(user=member, role="municipal_contact").exists()


def test_invitations_are_sent_after_commit_by_celery(
    secretariat, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = run(secretariat, as_file(midtjylland_rows()[:3]))
        assert result.written
        assert len(mail.outbox) == 0  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {
        "anna@rm.dk",
        "bo@kkr-midt.dk",
        "cecilie@concito.dk",
    }
    assert all("/invitations/" in m.body for m in mail.outbox)


# --- bad rows: nothing is written ----------------------------------------------------------------

BAD_ROWS = [
    ({"email": "not-an-address"}, "email", "Not an e-mail address"),
    ({"role": "emperor"}, "role", "Not one of"),
    ({"municipality_code": "999"}, "municipality_code", "No municipality has the code 999"),
    ({"municipality_code": "abc"}, "municipality_code", "digits only"),
    ({"municipality_code": ""}, "municipality_code", "Required for this role"),
    ({"first_name": ""}, "first_name", "Required"),
    ({"role": "dgo_coordinator", "dgo": "atlantis"}, "dgo", "No DGO is called atlantis"),
    (
        {"role": "knowledge_partner", "organisation": "kl"},
        "organisation",
        "not a knowledge partner",
    ),
    ({"role": "body_member", "body": "fu", "organisation": ""}, "organisation", "Required"),
    ({"first_name": "x" * 201}, "first_name", "Longer than 200"),
]


@pytest.mark.parametrize("bad,column,message", BAD_ROWS)
def test_one_bad_row_means_nothing_is_written(secretariat, bad, column, message):
    rows = midtjylland_rows()
    rows[5] = {**rows[5], **bad}
    result = assert_refused(secretariat, as_file(rows), "people.xlsx", message)
    errors = [row for row in result.rows if row.status == "error"]
    assert len(errors) == 1 and errors[0].number == 7  # header is row 1
    assert any(col == column for col, _ in errors[0].errors)


def test_duplicate_rows_and_deactivated_people(secretariat, role_users):
    rows = midtjylland_rows()[:4]
    assert_refused(secretariat, as_file([*rows, rows[3]]), "people.xlsx", "appear twice")
    services.user_deactivate(user=role_users["member"], by=secretariat)
    gone = {"first_name": "M", "last_name": "M", "email": role_users["member"].email,
            "role": "municipal_contact", "municipality_code": "751"}  # fmt: skip
    assert_refused(secretariat, as_file([gone]), "people.xlsx", "deactivated")


def test_missing_unknown_and_repeated_columns(secretariat):
    rows = midtjylland_rows()[:2]
    assert_refused(
        secretariat, as_file(rows, headers=["first_name", "email"]), "p.xlsx", "Missing columns"
    )
    assert_refused(
        secretariat, as_file(rows, headers=[*sheet.KEYS, "salary"]), "p.xlsx", "Unknown column"
    )
    assert_refused(
        secretariat, as_file(rows, headers=[*sheet.KEYS, "email"]), "p.xlsx", "appears twice"
    )
    assert_refused(secretariat, as_file([]), "p.xlsx", "no data rows")


def test_only_people_managers_import_and_body_seats_need_the_secretariat(role_users):
    content = as_file(midtjylland_rows())
    for role in ("coordinator_a", "observer", "knowledge_partner", "member"):
        with pytest.raises(PermissionDenied):
            run(role_users[role], content)
    # The administrator manages accounts but does not record seats in bodies.
    result = assert_refused(
        role_users["administrator"], content, "people.xlsx", "may not invite people to this role"
    )
    assert [row.number for row in result.rows if row.status == "error"] == [len(result.rows) + 1]


# --- hostile files (the same reader and limits as the monitoring import) -------------------------


def test_a_file_that_is_not_really_xlsx(secretariat):
    assert_refused(secretariat, b"email;role\na@b.dk;x\n", "p.xlsx", "not a real xlsx")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert_refused(secretariat, zipped.getvalue(), "p.xlsx", "not a real xlsx")
    assert_refused(secretariat, b"PK\x03\x04broken", "p.xlsx", "not a real xlsx")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(secretariat):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (monitoring_sheet.MAX_UNCOMPRESSED + 1))
    assert len(bomb.getvalue()) < 200_000
    assert_refused(secretariat, bomb.getvalue(), "p.xlsx", "zip bomb")


def test_formulas_in_cells_are_refused(secretariat):
    book = openpyxl.load_workbook(io.BytesIO(as_file(midtjylland_rows())))
    book.worksheets[0]["C3"] = '=HYPERLINK("http://evil","x")'
    out = io.BytesIO()
    book.save(out)
    assert_refused(secretariat, out.getvalue(), "p.xlsx", "formula")


def test_more_rows_or_bytes_than_the_limits(secretariat):
    row = midtjylland_rows()[3]
    many = [{**row, "email": f"p{i}@x.dk"} for i in range(monitoring_sheet.MAX_ROWS + 1)]
    assert_refused(secretariat, as_file(many, "csv"), "p.csv", "more than 500 rows")
    assert_refused(secretariat, as_file(many, "xlsx"), "p.xlsx", "more than 500 rows")
    big = b"email;" + b"x" * (monitoring_sheet.MAX_BYTES + 1)
    assert_refused(secretariat, big, "p.csv", "larger than 5 MB")


def test_binary_odd_encodings_and_unknown_files(secretariat):
    assert_refused(secretariat, b"\x00\x01\x02garbage", "p.csv", "not a text")
    assert_refused(secretariat, b"\x81\x8d\x8f\x90\x9d", "p.csv", "neither UTF-8")
    assert_refused(secretariat, b"whatever", "p.pdf", "xlsx or .csv")
    assert_refused(secretariat, b"", "p.csv", "empty")
    # Windows-1252 with Danish letters and semicolons, as Excel saves it, is fine.
    text = (
        "first_name;last_name;email;role;municipality_code\n"
        "Søren;Ærø;s@aeroe.dk;municipal_contact;492\n"
    )
    result = run(secretariat, text.encode("cp1252"), "p.csv")
    assert result.written
    assert User.objects.get(email="s@aeroe.dk").get_full_name() == "Søren Ærø"


def test_formula_like_text_is_taken_as_text(secretariat):
    rows = midtjylland_rows()[3:4]
    rows[0]["title"] = "'=cmd|calc"  # our own exports prefix an apostrophe
    result = run(secretariat, as_file(rows, "csv"), "p.csv")
    assert result.written
    assert User.objects.get(email=rows[0]["email"]).title == "=cmd|calc"


# --- the template and the pages ------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_the_template_downloads_and_a_filled_template_imports(client, secretariat, file_format):
    sign_in(client, secretariat)
    response = client.get(reverse("people-import-template") + f"?format={file_format}")
    assert response.status_code == 200
    assert f"people-template.{file_format}" in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if file_format == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(content))
        assert [c.value for c in book["people"][1]] == sheet.KEYS
        guide = [row[0].value for row in book["guide"].iter_rows()]
        assert "municipal_contact" in guide and "midtjylland" in guide and "fu" in guide
        sheet_ = book["people"]
        for column, value in enumerate(
            ["Ida", "Ny", "ida@odder.dk", "", "municipal_contact", "", "727", "", ""], start=1
        ):
            sheet_.cell(row=2, column=column, value=value)
        out = io.BytesIO()
        book.save(out)
        content = out.getvalue()
    else:
        assert content.decode("utf-8-sig").strip() == ",".join(sheet.KEYS)
        content += b"Ida,Ny,ida@odder.dk,,municipal_contact,,727,,\r\n"
    assert run(secretariat, content, f"t.{file_format}").written
    assert User.objects.filter(email="ida@odder.dk").exists()
    assert client.get(reverse("people-import-template") + "?format=pdf").status_code == 400


def test_upload_check_then_confirm_in_the_browser_flow(client, secretariat):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sign_in(client, secretariat)
    rows = midtjylland_rows()
    bad = [*rows[:3], {**rows[3], "municipality_code": "999"}]
    response = client.post(
        reverse("people-import"),
        {"file": SimpleUploadedFile("bad.xlsx", as_file(bad))},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "999" in html and 'name="token"' not in html

    before = snapshot()
    response = client.post(
        reverse("people-import"), {"file": SimpleUploadedFile("ok.xlsx", as_file(rows))}
    )
    assert response.status_code == 200 and snapshot() == before
    token = response.context["token"]
    assert token
    assert client.post(reverse("people-import-confirm"), {"token": "forged"}).status_code == 302
    assert snapshot() == before
    done = client.post(reverse("people-import-confirm"), {"token": token})
    assert done.status_code == 302 and done.url == reverse("people-list")
    assert Invitation.objects.count() == len(rows) - 1
    # The session's file is used once.
    again = client.post(reverse("people-import-confirm"), {"token": token})
    assert again.status_code == 302 and again.url == reverse("people-import")
