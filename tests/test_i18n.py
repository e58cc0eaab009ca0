"""Every user-facing string has a Danish translation, and the compiled catalogue is current."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

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
    compiled = {entry.msgid: entry.msgstr or entry.msgstr_plural for entry in mo}
    for entry in po:
        if entry.msgid_plural:
            continue
        assert compiled.get(entry.msgid) == entry.msgstr, f"run `make messages`: {entry.msgid!r}"


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
