"""A DGO's status pack: who downloads it, what it shows (from the report's own selectors),
its queries, and that it is tagged PDF/UA-1 like the report."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from pypdf import PdfReader

from core.formatting import dkk
from monitoring.permissions import can_download_dgo_pack
from monitoring.selectors import aggregates
from monitoring.status_report.rendering import dgo_pack_context, pack_round
from partners.models import DGO, Municipality, Organisation, RoleAssignment
from tests.factories import make_user
from tests.pdfua import read_tagged
from tracks.models import BudgetLine, Contribution, Spending, Track, TrackParticipant

from .factories import make_report, make_round

pytestmark = pytest.mark.django_db
URL = "/monitoring/dgo/midtjylland/status-pack/"


def midtjylland_with_data():
    """Aarhus (Midtjylland) and København (Hovedstaden) approved in the closed 2025 round; a
    running track with Aarhus in it and one with only Hovedstaden's municipalities; the
    region's co-financing of DGO Midtjylland with a cost booked."""
    round = make_round(year=2025, closed=True)
    make_report(round, "751", state="approved")
    make_report(round, "101", state="approved")
    user = make_user(RoleAssignment.Role.SECRETARIAT, username="sekr-pack")
    now = timezone.now()
    for title, codes in (("Spor i Midt", ("751", "101")), ("Spor i Hovedstaden", ("101", "147"))):
        track = Track.objects.create(
            title=title, status=Track.Status.RUNNING, proposed_by=user, submitted_at=now
        )
        TrackParticipant.objects.bulk_create(
            TrackParticipant(track=track, municipality=Municipality.objects.get(code=code))
            for code in codes
        )
    midt = DGO.objects.get(slug="midtjylland")
    contribution = Contribution.objects.create(
        key="pack-midt",
        contributor=Organisation.objects.get(code="region-midtjylland"),
        name="Regionens medfinansiering af DGO Midtjylland",
        amount=Decimal(1_500_000),
        year_from=2025,
        year_to=2027,
        dgo=midt,
    )
    line = BudgetLine.objects.create(
        contribution=contribution, year=2025, purpose="Koordinatorer", amount=Decimal(500_000)
    )
    Spending.objects.create(
        budget_line=line,
        date=now.date(),
        amount=Decimal(120_000),
        description="Løn",
        document_reference="P-1",
        entered_by=user,
    )
    return round, midt


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", False),
        ("observer", False),
        ("member", False),
        ("coordinator_a", True),  # Midtjylland's coordinator
        ("coordinator_b", False),  # Hovedstaden's
        ("knowledge_partner", False),
        ("secretariat", True),
        ("administrator", False),
    ],
)
def test_only_the_dgos_coordinators_and_the_secretariat_download_the_pack(
    role_users, role, allowed
):
    from django.contrib.auth.models import AnonymousUser

    user = role_users[role] or AnonymousUser()
    midt = DGO.objects.get(slug="midtjylland")
    assert can_download_dgo_pack(user, midt) is allowed
    hovedstaden = DGO.objects.get(slug="hovedstaden")
    assert can_download_dgo_pack(user, hovedstaden) is (role in ("coordinator_b", "secretariat"))


def test_the_pack_shows_the_dgos_municipalities_tracks_and_budget_tagged(client_for):
    round, midt = midtjylland_with_data()
    client = client_for("coordinator_a")
    response = client.get(URL)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="statuspakke-midtjylland.pdf"' in response["Content-Disposition"]

    pdf = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Statuspakke: DGO Midtjylland" in text and "Monitoreringsrunde 2025" in text
    # every municipality of the DGO, none of another's
    for municipality in Municipality.objects.filter(dgo=midt):
        assert municipality.name in text, municipality.name
    assert "Gentofte" not in text and "Odense" not in text
    # the status and on-track analysis from the report's selectors, not counted again
    figures = aggregates(round=round, dgo=midt)
    aarhus = next(r for m, r in figures.on_track.municipalities if m.code == "751")
    with translation.override("da"):
        assert f"{figures.with_plan} / {figures.reported}" in text
        assert str(aarhus.status.label) in text
        assert floatformat(aarhus.target, "0g") in text
        # the tracks it takes part in, and only those
        assert "Spor i Midt" in text and "Spor i Hovedstaden" not in text
        # its co-financing, budgeted and spent
        assert "Regionens medfinansiering af DGO Midtjylland" in text
        assert dkk(Decimal(500_000), 0) in text and dkk(Decimal(120_000), 0) in text
        assert dkk(Decimal(380_000), 0) in text  # left
    for name in Organisation.objects.filter(is_party=True).values_list("name", flat=True):
        assert name in text, name

    tagged = read_tagged(response.content)
    assert tagged.struct_tree and tagged.marked and tagged.display_title
    assert tagged.lang == "da" and tagged.pdfua_part == "1"
    assert tagged.title == "Klimaalliancen – statuspakke DGO Midtjylland"
    assert tagged.tags.count("H1") == 1 and "H2" in tagged.tags and "TH" in tagged.tags
    assert tagged.figures and all(alt.strip() for alt in tagged.figures)
    assert any("DGO Midtjylland: " in alt for alt in tagged.figures)


def test_another_dgos_coordinator_is_refused_and_an_unknown_dgo_or_round_is_404(client_for):
    make_round(year=2025, closed=True)
    assert client_for("coordinator_b").get(URL).status_code == 403
    client = client_for("secretariat")
    assert client.get("/monitoring/dgo/atlantis/status-pack/").status_code == 404
    assert client.get(URL + "?year=1999").status_code == 404
    assert client.get(URL + "?year=2025").status_code == 200


def test_the_dgo_page_links_to_the_pack_for_those_who_may_download_it(client_for):
    make_round(year=2025, closed=True)
    link = 'href="/monitoring/dgo/midtjylland/status-pack/?year=2025"'
    assert link in client_for("coordinator_a").get("/monitoring/dgo/midtjylland/").content.decode()
    assert (
        link not in client_for("coordinator_b").get("/monitoring/dgo/midtjylland/").content.decode()
    )


def test_the_packs_context_takes_the_same_queries_however_many_tracks_and_reports():
    round, midt = midtjylland_with_data()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            dgo_pack_context(midt, "da", round=pack_round(2025))
        return len(captured)

    small = queries()
    for code in ("730", "740", "746", "706"):  # more of Midtjylland's municipalities report
        make_report(round, code, state="approved")
    user = make_user(RoleAssignment.Role.SECRETARIAT, username="sekr-more")
    for n in range(5):
        track = Track.objects.create(
            title=f"Ekstra {n}",
            status=Track.Status.RUNNING,
            proposed_by=user,
            submitted_at=timezone.now(),
        )
        track.dgos.add(midt)
    assert queries() == small
    assert len(dgo_pack_context(midt, "da", round=round).tracks) == 6
