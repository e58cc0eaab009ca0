"""Every user-facing string has a Danish translation, and the compiled catalogue is current."""

import datetime
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, number_format

from core.formatting import dkk

ROOT = Path(__file__).resolve().parent.parent
DANISH = ROOT / "locale" / "da" / "LC_MESSAGES"


def untranslated(po: polib.POFile) -> list[str]:
    return [entry.msgid for entry in po if not entry.translated() or "fuzzy" in entry.flags]


def test_committed_danish_catalogue_is_complete():
    po = polib.pofile(str(DANISH / "django.po"))
    assert not untranslated(po), "Translate these in locale/da/LC_MESSAGES/django.po"


def test_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(DANISH / "django.po"))
    mo = polib.mofile(str(DANISH / "django.mo"))
    # Keyed by context too: pgettext("audit trail", "created") is not gettext("created").
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural for entry in mo}
    for entry in po:
        if entry.msgid_plural:
            continue
        key = (entry.msgctxt, entry.msgid)
        assert compiled.get(key) == entry.msgstr, f"run `make messages`: {entry.msgid!r}"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext is installed by .ci/run")
def test_no_string_in_the_code_is_missing_from_the_catalogue(tmp_path):
    """Extract the strings afresh from a copy of the sources: nothing new may appear."""
    ignore = shutil.ignore_patterns(
        ".venv",
        ".git",
        "staticfiles",
        "media",
        "test-artifacts",
        "node_modules",
        "*.pyc",
        "__pycache__",
        "db.sqlite3",
    )
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=ignore)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "da",
            "--no-obsolete",
            "--ignore=tests",
            "--ignore=bench",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    missing = untranslated(polib.pofile(str(copy / "locale" / "da" / "LC_MESSAGES" / "django.po")))
    assert not missing, f"Strings without a Danish translation (run `make messages`): {missing}"


# --- formats: dates, numbers and amounts as each language writes them ---------------------

FEBRUARY_6 = datetime.datetime(2022, 2, 6, 14, 30)


def test_english_dates_cannot_be_misread():
    """Not Django's American "02/06/2022" (6 February or 2 June?): day-month-year with the
    month's name, ISO 8601 when short, the 24-hour clock."""
    with translation.override("en"):
        assert date_format(FEBRUARY_6.date()) == "6 February 2022"
        assert date_format(FEBRUARY_6.date(), "SHORT_DATE_FORMAT") == "2022-02-06"
        assert date_format(FEBRUARY_6, "DATETIME_FORMAT") == "6 February 2022, 14:30"
        assert date_format(FEBRUARY_6, "SHORT_DATETIME_FORMAT") == "2022-02-06 14:30"
        assert date_format(FEBRUARY_6, "TIME_FORMAT") == "14:30"
        assert date_format(FEBRUARY_6.date(), "YEAR_MONTH_FORMAT") == "February 2022"
    with translation.override("da"):  # Danish as Django writes it
        assert date_format(FEBRUARY_6.date()) == "6. februar 2022"
        assert date_format(FEBRUARY_6.date(), "SHORT_DATE_FORMAT") == "06.02.2022"


def test_numbers_and_amounts_in_each_language():
    amount = Decimal("82100000")
    with translation.override("en"):
        assert number_format(Decimal("1234.5"), force_grouping=True) == "1,234.5"
        assert dkk(amount, 0) == "DKK 82,100,000"
        assert dkk(Decimal("1234.5")) == "DKK 1,234.50"
    with translation.override("da"):
        assert number_format(Decimal("1234.5"), force_grouping=True) == "1.234,5"
        assert dkk(amount, 0) == "82.100.000 kr."


def test_templates_use_the_languages_formats():
    """A template's `date` filter with a format name follows the language (no template may
    write "j. F Y", which in English reads "6. February 2022")."""
    template = Template('{{ day|date:"DATE_FORMAT" }} · {{ day|date:"SHORT_DATE_FORMAT" }}')
    with translation.override("en"):
        assert template.render(Context({"day": FEBRUARY_6})) == "6 February 2022 · 2022-02-06"
    hard_coded = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*")
        if path.is_file()
        and any(f in path.read_text() for f in ('date:"j. F Y"', 'date:"d.m.Y"', 'date:"m/d/Y"'))
    ]
    assert not hard_coded, f"use DATE_FORMAT or SHORT_DATE_FORMAT: {hard_coded}"


@pytest.mark.django_db
def test_an_english_page_shows_unambiguous_dates(client):
    from monitoring.models import Round
    from partners.models import RoleAssignment
    from tests.factories import make_user, verify_mfa

    Round.objects.create(
        year=2026,
        emissions_year=2024,
        opens_on=datetime.date(2026, 2, 6),
        deadline=datetime.date(2026, 12, 15),
    )
    user = make_user(RoleAssignment.Role.SECRETARIAT)
    client.force_login(user)
    verify_mfa(client, user)
    client.cookies["django_language"] = "en"
    page = client.get("/monitoring/2026/").content.decode()
    assert "Opened 6 February 2026, deadline 15 December 2026." in page
    client.cookies["django_language"] = "da"
    page = client.get("/monitoring/2026/").content.decode()
    assert "6. februar 2026" in page and "15. december 2026" in page
