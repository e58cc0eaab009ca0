"""One Danish word per domain term (docs/glossary.md): the Danish catalogue uses none of the
forms the glossary rules out, and years are never written with a thousands separator."""

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOGUE = ROOT / "locale" / "da" / "LC_MESSAGES" / "django.po"


def ruled_out() -> dict[str, str]:
    """{ruled-out form: the term to use} from the glossary's table."""
    forms = {}
    for line in GLOSSARY.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("Dansk", "---"):
            continue
        for form in filter(None, (part.strip() for part in cells[3].split(","))):
            forms[form] = cells[0]
    return forms


def offending(text: str, forms: dict[str, str]) -> list[str]:
    # At the start of a word, any ending: the inflected forms count too.
    return [
        f"{form!r} (use {term!r})"
        for form, term in forms.items()
        if re.search(rf"(?<![\w-]){re.escape(form)}", text, re.IGNORECASE)
    ]


def test_the_glossary_rules_out_the_mixed_terms_of_issue_21():
    forms = ruled_out()
    assert {"klimahandleplan", "kladde", "statusindberetning"} <= set(forms)
    assert forms["klimahandleplan"] == "klimahandlingsplan"


def test_the_check_finds_inflected_forms_and_spares_other_words():
    forms = ruled_out()
    assert offending("Klimahandleplanens status", forms)
    assert offending("rapporter, der er kladder", forms)
    assert not offending("Klimahandlingsplanens status; udkast", forms)


def test_the_danish_catalogue_uses_the_glossarys_terms():
    forms = ruled_out()
    problems = []
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete:
            continue
        texts = [entry.msgstr, *entry.msgstr_plural.values()]
        for found in offending(" ".join(texts), forms):
            problems.append(f"{entry.msgid[:60]!r}: {found}")
    assert not problems, "\n".join(problems)


# A plural noun and a relative clause without the start comma the portal uses elsewhere.
NO_START_COMMA = re.compile(
    r"\b\w+(?:er|ne|r) der (?:skal|venter|afventer|forfalder|har|er|søges)\b"
)


def test_relative_clauses_in_the_catalogue_take_the_start_comma():
    assert NO_START_COMMA.search("Statusrapporter der skal udfyldes")
    assert not NO_START_COMMA.search("Statusrapporter, der skal udfyldes")
    # Headings, labels and buttons (short texts); a sentence such as "hvor mange kommuner
    # der har tal" is an indirect question, which takes no comma.
    missing = [
        entry.msgstr
        for entry in polib.pofile(str(CATALOGUE))
        if not entry.obsolete and len(entry.msgstr) <= 80 and NO_START_COMMA.search(entry.msgstr)
    ]
    assert not missing, missing


@pytest.mark.django_db
def test_the_indicator_year_picker_writes_years_without_a_separator(client_for):
    from monitoring.models import Indicator, IndicatorValue
    from partners.models import Municipality

    indicator = Indicator.objects.filter(is_active=True).first()
    for year in (2023, 2024):
        IndicatorValue.objects.create(
            indicator=indicator,
            municipality=Municipality.objects.get(code="751"),
            year=year,
            value=1,
            data_release="r",
        )
    with translation.override("da"):
        page = client_for("secretariat").get(indicator.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert '<option value="2024"' in html and ">2024</option>" in html
    assert "2.024" not in html and "2.023" not in html


def test_a_conditionally_required_comment_is_not_called_optional():
    from django.template.loader import render_to_string

    from monitoring.forms import ReviewForm

    with translation.override("da"):
        html = render_to_string("includes/form_fields.html", {"form": ReviewForm()})
    assert "valgfrit" not in html
