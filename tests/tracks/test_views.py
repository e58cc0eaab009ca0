"""The tracks and budget pages: what each role sees and can do, and bad input changing nothing."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from governance import services as governance_services
from governance.models import Decision
from partners.models import DGO, Municipality, Organisation
from tests.factories import sign_in
from tracks import services
from tracks.exports import neutralise
from tracks.models import Allocation, FocusArea, Track

from .factories import advance, allocation, draft, focus_area

S = Track.Status


@pytest.fixture
def client_as(client):
    def sign_in_as(user):
        client.logout()
        return sign_in(client, user)

    return sign_in_as


def formset(prefix: str, rows: list[dict], extra: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def proposal(**overrides) -> dict:
    area = focus_area()
    midt = DGO.objects.get(slug="midtjylland")
    aarhus, silkeborg = Municipality.objects.get(code="751"), Municipality.objects.get(code="740")
    region = Organisation.objects.get(code="region-midtjylland")
    data = {
        "title": "Biochar i landbruget",
        "focus_area": str(area.pk),
        "problem": "Restudledninger fra landbruget.",
        "ambition": "Halvering inden 2030.",
        "development_element": "Fuldskalatest af pyrolyse.",
        "knowledge_sharing_plan": "Webinarer for alle kommuner.",
        "evaluation_plan": "Slutevaluering ved videnspartnerne.",
        "dgos": [str(midt.pk)],
        **formset(
            "participants",
            [
                {"participant": f"m:{aarhus.pk}", "is_lead": "on"},
                {"participant": f"m:{silkeborg.pk}"},
                {"participant": f"r:{region.pk}"},
            ],
            extra=1,
        ),
        **formset(
            "funding",
            [{"year": "2026", "source": "pool", "pool": "", "amount": "250.000,50", "note": ""}],
        ),
        **formset(
            "external",
            [{"funder": "EU", "programme": "LIFE", "amount": "1.000.000", "status": "sought"}],
        ),
        **formset("contacts", [], extra=1),
    }
    data.update(overrides)
    return data


# --- The proposal form -----------------------------------------------------------------------


def test_a_coordinator_proposes_through_the_form(people, client_as):
    client = client_as(people.coordinator)
    assert client.get(reverse("track-create")).status_code == 200
    from tracks.models import LiquidPool

    pool = LiquidPool.objects.get(key="realdania-likvide")
    response = client.post(reverse("track-create"), proposal(**{"funding-0-pool": str(pool.pk)}))
    assert response.status_code == 302, response.content.decode()[:2000]
    track = Track.objects.get()
    assert response.url == track.get_absolute_url()
    assert track.status == S.DRAFT and track.proposed_by == people.coordinator
    assert track.participants.count() == 3
    assert track.participants.get(is_lead=True).municipality.code == "751"
    assert track.funding_requests.get().amount == Decimal("250000.50")  # Danish number format
    assert track.external_funding.get().amount == Decimal("1000000")
    page = client.get(track.get_absolute_url()).content.decode()
    assert "meets every principle" in page or "opfylder alle principper" in page
    proposal_page = client.get(reverse("track-proposal", args=[track.pk])).content.decode()
    assert "250.000,50 kr." in proposal_page and "LIFE" in proposal_page


def test_bad_input_rerenders_with_errors_and_changes_nothing(people, client_as):
    client = client_as(people.coordinator)
    data = proposal(title="", **{"participants-1-participant": "m:999999"})
    response = client.post(reverse("track-create"), data)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert not Track.objects.exists()
    # A pool without the pool source: the service's rule shows on the form too.
    response = client.post(reverse("track-create"), proposal())
    assert response.status_code == 400 and not Track.objects.exists()


def test_edit_replaces_the_rows_and_only_drafts_are_edited(people, client_as):
    track = draft(people.coordinator)
    client = client_as(people.coordinator)
    page = client.get(reverse("track-edit", args=[track.pk]))
    assert page.status_code == 200 and "Ladehubs for lastbiler" in page.content.decode()
    data = proposal(title="Nyt navn", **{"funding-0-source": "own"})
    data["participants-INITIAL_FORMS"] = "3"  # as the page renders it for the three rows
    response = client.post(reverse("track-edit", args=[track.pk]), data)
    assert response.status_code == 302
    track.refresh_from_db()
    assert track.title == "Nyt navn" and track.funding_requests.get().source == "own"
    advance(track, S.SUBMITTED, people)
    response = client.get(reverse("track-edit", args=[track.pk]))
    assert response.status_code == 302 and response.url == track.get_absolute_url()
    assert (
        client_as(people.other_coordinator).get(reverse("track-edit", args=[track.pk])).status_code
        == 403
    )


# --- The track page and its buttons -------------------------------------------------------------


def test_a_draft_is_a_404_for_others(people, client_as):
    track = draft(people.coordinator)
    url = track.get_absolute_url()
    for user in (people.other_coordinator, people.observer, people.knowledge_partner, people.aps):
        assert client_as(user).get(url).status_code == 404
    for user in (people.coordinator, people.secretariat):
        assert client_as(user).get(url).status_code == 200


def test_submitting_shows_one_message_per_failing_principle(people, client_as):
    track = draft(people.coordinator, codes=("751",), complete=False)
    client = client_as(people.coordinator)
    response = client.post(reverse("track-submit", args=[track.pk]), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 6
    track.refresh_from_db()
    assert track.status == S.DRAFT


def test_buttons_only_for_who_may_act(people, client_as):
    track = advance(draft(people.coordinator), S.SUBMITTED, people)
    url = track.get_absolute_url()
    qualify = reverse("track-start-qualification", args=[track.pk])
    assert qualify in client_as(people.secretariat).get(url).content.decode()
    for role in (people.aps, people.coordinator, people.observer):  # APS decides, not a member
        assert qualify not in client_as(role).get(url).content.decode()
    # Refused roles get 403 with the reason; the page's state does not change.
    response = client_as(people.observer).post(qualify)
    assert response.status_code == 403
    assert "APS" in response.content.decode()
    assert client_as(people.secretariat).post(qualify).status_code == 302
    track.refresh_from_db()
    assert track.status == S.SUBMITTED  # put to APS: its voting seats decide
    governance_services.vote_cast(
        decision=Decision.objects.get(body__code="aps"), by=people.aps, choice="yes"
    )
    track.refresh_from_db()
    assert track.status == S.IN_QUALIFICATION


def test_the_knowledge_partner_writes_drafts_and_publishes(people, client_as):
    track = advance(draft(people.coordinator), S.IN_QUALIFICATION, people)
    url = reverse("assessment-write", args=[track.pk])
    assert client_as(people.secretariat).get(url).status_code == 403
    client = client_as(people.knowledge_partner)
    client.post(url, {"conclusion": "conditional", "text": "Udkast.", "draft": "1"})
    track.refresh_from_db()
    assert track.status == S.IN_QUALIFICATION
    assert "Udkast." in client.get(url).content.decode()  # the draft is continued
    assert (
        "Udkast." not in client_as(people.observer).get(track.get_absolute_url()).content.decode()
    )
    client = client_as(people.knowledge_partner)
    response = client.post(url, {"conclusion": "supported", "text": "Endelig.", "publish": "1"})
    assert response.status_code == 302
    track.refresh_from_db()
    assert track.status == S.ASSESSED
    assert "Endelig." in client_as(people.observer).get(track.get_absolute_url()).content.decode()


def test_put_to_fu_form_opens_the_decision(people, client_as):
    track = advance(draft(people.coordinator), S.RECOMMENDED, people)
    url = reverse("track-put-to-fu", args=[track.pk])
    assert client_as(people.aps).get(url).status_code == 403
    client = client_as(people.secretariat)
    assert client.post(url, {"deadline": "2000-01-01T10:00"}).status_code == 400
    response = client.post(url, {"deadline": "2099-01-01T10:00", "text": ""})
    assert response.status_code == 302 and "/decisions/" in response.url
    page = client.get(track.get_absolute_url()).content.decode()
    assert response.url in page  # the secretariat may open the decision: linked on the timeline


def test_running_track_updates_products_and_download(people, client_as):
    track = advance(draft(people.coordinator), S.RUNNING, people)
    client = client_as(people.coordinator)
    response = client.post(
        reverse("status-update-create", args=[track.pk]),
        {"date": "2026-05-01", "progress": "Første test er i gang.", "risks": ""},
    )
    assert response.status_code == 302
    upload = SimpleUploadedFile(
        "rapport.pdf", b"%PDF-1.7\nresultat", content_type="application/pdf"
    )
    response = client.post(
        reverse("product-create", args=[track.pk]),
        {"title": "Rapport", "description": "", "url": "", "file": upload},
    )
    assert response.status_code == 302
    product = track.products.get()
    # Open to every signed-in user (the openness principle), served through the view.
    download = client_as(people.observer).get(reverse("product-download", args=[product.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7\nresultat"
    page = client_as(people.observer).get(track.get_absolute_url()).content.decode()
    assert "Første test er i gang." in page and "Rapport" in page
    # Both a link and a file: re-rendered with the error, nothing added.
    upload = SimpleUploadedFile("b.pdf", b"%PDF-1.7\n", content_type="application/pdf")
    response = client_as(people.coordinator).post(
        reverse("product-create", args=[track.pk]),
        {"title": "X", "url": "https://example.dk", "file": upload},
    )
    assert response.status_code == 400 and track.products.count() == 1


def test_evaluate_and_close(people, client_as):
    track = advance(draft(people.coordinator), S.RUNNING, people)
    url = reverse("track-evaluate", args=[track.pk])
    assert client_as(people.coordinator).get(url).status_code == 403
    assert client_as(people.knowledge_partner).post(url, {"text": "God."}).status_code == 302
    assert (
        client_as(people.secretariat).post(reverse("track-close", args=[track.pk])).status_code
        == 302
    )
    track.refresh_from_db()
    assert track.status == S.CLOSED


# --- The list ------------------------------------------------------------------------------


def test_list_filters_and_hides_others_drafts(people, client_as):
    hidden = draft(people.coordinator, title="Hemmeligt udkast")
    shown = advance(
        draft(people.coordinator, title="Synligt spor", codes=("751", "740", "region-midtjylland")),
        S.SUBMITTED,
        people,
    )
    other = draft(people.other_coordinator, title="Hovedstadsspor", dgos=("hovedstaden",),
                  codes=("101", "147", "151"))  # fmt: skip
    services.track_submit(track=other, by=people.other_coordinator)
    client = client_as(people.observer)

    def titles(**query):
        response = client.get(reverse("track-list"), query)
        assert response.status_code == 200
        return {track.title for track in response.context["page"].object_list}

    assert titles() == {"Synligt spor", "Hovedstadsspor"}
    assert titles(dgo="hovedstaden") == {"Hovedstadsspor"}
    assert titles(participant=f"m:{Municipality.objects.get(code='101').pk}") == {"Hovedstadsspor"}
    region = Organisation.objects.get(code="region-midtjylland")
    assert titles(participant=f"r:{region.pk}") == {"Synligt spor"}
    assert titles(q="synligt") == {"Synligt spor"}
    assert titles(status="draft") == set()
    assert titles(focus_area=str(focus_area().pk), sort="title") == {
        "Synligt spor",
        "Hovedstadsspor",
    }
    assert titles(participant="x:nonsense", sort="nonsense") == {"Synligt spor", "Hovedstadsspor"}
    assert hidden.title in {t.title for t in Track.objects.for_user(people.coordinator)}
    assert shown and other


# --- Focus areas -------------------------------------------------------------------------------


def test_focus_area_pages(people, client_as):
    client = client_as(people.secretariat)
    response = client.post(
        reverse("focus-area-create"),
        {"year": "2026", "name_da": "Klimatilpasning", "name_en": "Adaptation", "position": "1"},
    )
    assert response.status_code == 302
    area = FocusArea.objects.get(name_da="Klimatilpasning")
    assert (
        "Klimatilpasning"
        in client_as(people.observer).get(reverse("focus-area-list")).content.decode()
    )
    assert client_as(people.aps).get(reverse("focus-area-edit", args=[area.pk])).status_code == 403
    response = client_as(people.secretariat).post(
        reverse("focus-area-create"), {"year": "2026", "name_da": "", "position": "0"}
    )
    assert response.status_code == 400


# --- Budget -------------------------------------------------------------------------------------


def test_budget_overview_in_danish(people, client_as):
    page = client_as(people.observer).get(reverse("budget-overview")).content.decode()
    assert "82.100.000,00 kr." in page
    assert "30.000.000,00 kr." in page and "17.100.000,00 kr." in page


def test_approval_page_for_the_party(people, client_as):
    track = advance(draft(people.coordinator), S.APPROVED, people)
    requested = allocation(track, people, "1.000.000,00".replace(".", "").replace(",", "."))
    assert client_as(people.observer).get(reverse("allocation-approvals")).status_code == 403
    page = client_as(people.realdania).get(reverse("allocation-approvals")).content.decode()
    assert reverse("allocation-approve", args=[requested.pk]) in page
    secretariat_page = client_as(people.secretariat).get(reverse("allocation-approvals"))
    assert (
        reverse("allocation-approve", args=[requested.pk]) not in secretariat_page.content.decode()
    )
    assert (
        client_as(people.regions)
        .post(reverse("allocation-approve", args=[requested.pk]))
        .status_code
        == 403
    )
    response = client_as(people.realdania).post(
        reverse("allocation-approve", args=[requested.pk]), {"note": "OK"}
    )
    assert response.status_code == 302
    requested.refresh_from_db()
    assert requested.status == Allocation.Status.APPROVED and requested.decision_note == "OK"
    pool_page = client_as(people.observer).get(requested.pool.get_absolute_url()).content.decode()
    assert "4.000.000,00 kr." in pool_page  # left


def test_spending_and_budget_change_forms(people, client_as):
    from tracks.models import BudgetLine

    line = BudgetLine.objects.get(key="kl-kkr-2026")
    assert client_as(people.coordinator).get(reverse("spending-create")).status_code == 403
    client = client_as(people.secretariat)
    response = client.post(
        reverse("spending-create"),
        {"budget_line": line.pk, "date": "2026-03-01", "amount": "6.000.000,01",
         "description": "For meget", "document_reference": "F-1"},
    )  # fmt: skip
    assert response.status_code == 400 and not line.spending.exists()
    response = client.post(
        reverse("spending-create"),
        {"budget_line": line.pk, "date": "2026-03-01", "amount": "1.250,00",
         "description": "Møde", "document_reference": "F-2"},
    )  # fmt: skip
    assert response.status_code == 302 and line.spending.get().amount == Decimal("1250.00")
    other = BudgetLine.objects.get(key="kl-kkr-2027")
    response = client.post(
        reverse("budget-change-create"),
        {"from_line": other.pk, "to_line": line.pk, "amount": "100.000", "reason": "Frem."},
    )
    assert response.status_code == 302
    assert line.changes_in.get().status == "pending"


def test_exports_are_neutralised_and_reconcile(people, client_as):
    Organisation.objects.filter(code="kl").update(name='=HYPERLINK("http://evil")')
    client = client_as(people.observer)
    response = client.get(reverse("budget-export-csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[-1][0] in ("Total", "I alt") and rows[-1][3] == "82100000.00"
    names = {row[0] for row in rows[1:-1]}
    assert '\'=HYPERLINK("http://evil")' in names
    assert not any(name.startswith("=") for name in names)
    response = client.get(reverse("budget-export-xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[-1][3] == 82100000
    assert any(row[0] == '\'=HYPERLINK("http://evil")' for row in values)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+45", "'+45"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("KL", "KL"), (Decimal("-5.00"), Decimal("-5.00")),
     (2026, 2026)],
)  # fmt: skip
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_allocation_request_form(people, client_as):
    track = advance(draft(people.coordinator), S.APPROVED, people)
    from tracks.models import LiquidPool

    pool = LiquidPool.objects.get(key="realdania-likvide")
    url = reverse("allocation-request", args=[track.pk])
    assert client_as(people.observer).get(url).status_code == 403
    client = client_as(people.coordinator)
    assert "5.000.000,00 kr." in client.get(url).content.decode()
    response = client.post(url, {"pool": pool.pk, "year": "2026", "amount": "6.000.000"})
    assert response.status_code == 400 and not Allocation.objects.exists()
    response = client.post(url, {"pool": pool.pk, "year": "2026", "amount": "600.000"})
    assert response.status_code == 302
    assert Allocation.objects.get().amount == Decimal("600000")


def test_services_also_refuse_on_withdraw_without_reason(people, client_as):
    track = advance(draft(people.coordinator), S.SUBMITTED, people)
    client = client_as(people.coordinator)
    response = client.post(reverse("track-withdraw", args=[track.pk]), {"reason": ""}, follow=True)
    assert any("why" in str(m) or "hvorfor" in str(m) for m in response.context["messages"])
    track.refresh_from_db()
    assert track.status == S.SUBMITTED
    services.track_withdraw(track=track, by=people.coordinator, reason="Ok.")
