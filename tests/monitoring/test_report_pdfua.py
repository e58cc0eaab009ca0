"""The status report and the fact sheet as tagged PDF (PDF/UA-1), naming every party (§9).

The report is rendered once for the module, from the smallest data that fills every chapter:
one municipality per DGO (the others removed inside the test's transaction), one with an
approved report and figures over several years, a running and an evaluated track, the
reference budget. Fifteen pages instead of a hundred and ten."""

import io
import re
from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation
from pypdf import PdfReader

from monitoring.models import EmissionFigure
from monitoring.status_report.rendering import report_write_pdf
from partners.demo import seed_logos
from partners.models import Municipality, Organisation
from tests.pdfua import read_tagged

from .factories import make_report, make_round
from .test_report_parts import add_tracks

pytestmark = pytest.mark.django_db
KEPT = ("751", "101", "461", "851", "259")  # Aarhus, København, Odense, Aalborg, Køge


def small_country():
    Municipality.objects.exclude(code__in=KEPT).delete()
    seed_logos()  # the demo's text marks, one per party and knowledge partner
    round = make_round(year=2025, closed=True)
    report = make_report(round, "751", state="approved")
    make_report(round, "101", state="approved")
    sector = EmissionFigure.objects.filter(report=report).first().sector
    for year, tonnes in ((2019, 19000), (2020, 17000), (2021, 15000), (2022, 13000)):
        EmissionFigure.objects.create(
            municipality=report.municipality,
            year=year,
            sector=sector,
            tonnes_co2e=Decimal(tonnes),
            data_release="2025-1",
            report=report,
        )
    add_tracks(2)
    return round


def named_parties() -> list[str]:
    return list(Organisation.objects.filter(is_party=True).values_list("name", flat=True)) + list(
        Organisation.objects.filter(is_knowledge_partner=True).values_list("name", flat=True)
    )


def test_the_status_report_is_tagged_pdf_ua_with_what_each_chart_shows():
    round = small_country()
    pdf, pages = report_write_pdf(round=round, language="da")
    tagged = read_tagged(pdf)

    assert tagged.struct_tree and tagged.marked and tagged.display_title
    assert tagged.lang == "da" and tagged.pdfua_part == "1"
    assert tagged.title == "Klimaalliancen – Statusrapport 2025"
    # real headings and tables with header cells the data cells refer to
    for tag in ("H1", "H2", "H3", "Table", "TH", "TD", "L", "LI"):
        assert tag in tagged.tags, tag
    assert tagged.header_cells_scoped > 100

    # every figure has alternative text: the logos their organisation's name, each chart
    # what it shows, from its data
    assert tagged.figures and all(alt.strip() for alt in tagged.figures)
    logos = [alt for alt in tagged.figures if alt in named_parties()]
    assert sorted(logos) == sorted(named_parties())  # every party's and partner's demo mark
    aarhus = next(
        alt for alt in tagged.figures if alt.startswith("Geografisk udledning") and "Aarhus:" in alt
    )
    total_2023 = sum(
        EmissionFigure.objects.filter(municipality__code="751", year=2023).values_list(
            "tonnes_co2e", flat=True
        )
    )
    with translation.override("da"):
        pct = floatformat((19000 - total_2023) * 100 / Decimal(19000), 1)
        assert (
            f"Udledningen faldt fra 19.000 t CO2e i 2019 til {floatformat(total_2023, '0g')} "
            f"t CO2e i 2023 ({pct} % lavere)"
        ) in aarhus
        assert "Mål for 2030: 300.000 t CO2e" in aarhus  # the baseline less 70 %
        assert "Fremskrevet ud fra den indberettede tendens" in aarhus
    national = next(alt for alt in tagged.figures if "alle kommuner:" in alt)
    assert re.search(r"\d", national)
    budget = [alt for alt in tagged.figures if alt.startswith("Forbrugt")]
    assert budget and "82.100.000 kr." in budget[0]

    # bookmarks: the chapter's number, a space, its title
    assert "1 Sammenfatning: nøgletal" in tagged.bookmarks
    assert "2 Klimaudviklingsspor" in tagged.bookmarks and "3 Budget" in tagged.bookmarks
    assert "4 DGO Hovedstaden" in tagged.bookmarks
    assert not [b for b in tagged.bookmarks if re.match(r"^\d+[^\d\s]", b)]

    # the cover and its colophon name every party, the secretariat, the knowledge partners,
    # the edition, the date and the licence
    cover = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    for name in [*named_parties(), "Danske Regioner"]:
        assert name in cover, name
    assert "Statusrapport 2025" in cover and "Udgave" in cover
    assert "CC BY 4.0" in cover and "creativecommons.org/licenses/by/4.0" in cover
    assert pages == len(PdfReader(io.BytesIO(pdf)).pages) < 25


@pytest.mark.parametrize(("language", "lang"), [("da", "da"), ("en", "en")])
def test_the_fact_sheet_is_tagged_pdf_ua_and_names_every_party(client_for, language, lang):
    small_country()
    client = client_for("observer")
    client.cookies["django_language"] = language
    response = client.get("/monitoring/municipalities/751/factsheet/")
    assert response.status_code == 200
    tagged = read_tagged(response.content)
    assert tagged.struct_tree and tagged.marked and tagged.display_title
    assert tagged.lang == lang and tagged.pdfua_part == "1"
    assert tagged.tags.count("H1") == 1 and "H2" in tagged.tags and "TH" in tagged.tags
    assert len(tagged.figures) == 1 and "Aarhus: " in tagged.figures[0]
    assert re.search(r"2019 .* 2023", tagged.figures[0])
    assert not [b for b in tagged.bookmarks if re.match(r"^\d+[^\d\s]", b)]
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    for name in named_parties():
        assert name in text, name
    assert "CC BY 4.0" in text
