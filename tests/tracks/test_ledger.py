"""The ledger (§5.2, §11.2): corrections are reversing entries, never edits; working hours are
booked at their DKK equivalent; the ledger lists, filters, exports and reconciles; the API
books through the same rules; a track that ends withdraws its waiting requests."""

import csv
import datetime
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import sign_in
from tracks import selectors, services
from tracks.models import (
    Allocation,
    BudgetLine,
    Contribution,
    HourlyRate,
    LiquidPool,
    Spending,
    Track,
)
from tracks.reference import TOTAL

from .factories import advance, allocation, draft

S = Track.Status
DAY = datetime.date(2026, 1, 15)  # in the 2026 lines' year, and in the past


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def line(key: str) -> BudgetLine:
    return BudgetLine.objects.get(key=key)


@pytest.fixture
def granted(people):
    track = advance(draft(people.coordinator), S.RUNNING, people)
    approved = allocation(track, people, "1500000.00")
    services.allocation_approve(allocation=approved, by=people.realdania)
    return approved


def book(people, **overrides) -> Spending:
    values = {
        "budget_line": line("kl-kkr-2026"),
        "by": people.secretariat,
        "date": DAY,
        "amount": D("1000"),
        "description": "Mødeforplejning",
        "document_reference": "F-1",
    }
    values.update(overrides)
    return services.spending_add(**values)


@pytest.fixture
def hours_line(db):
    """KL's contribution recorded as working hours (as the admin may), KL's rate for 2026
    600 kr. an hour."""
    contribution = Contribution.objects.get(key="kl-kkr")
    contribution.kind = Contribution.Kind.HOURS
    contribution.hours = D("50000")
    contribution.save()
    HourlyRate.objects.create(party=contribution.contributor, year=2026, rate=D("600.00"))
    return line("kl-kkr-2026")


# --- Corrections ------------------------------------------------------------------------------


def test_a_correction_is_a_reversing_entry_and_frees_the_allocation(people, granted, english):
    booked = book(people, budget_line=line("realdania-likvide-2026"), allocation=granted,
                  amount=D("1500000"))  # fmt: skip
    with pytest.raises(ValidationError, match="left of the"):
        book(people, budget_line=line("realdania-likvide-2026"), allocation=granted, amount=D("1"))
    reversal = services.spending_reverse(spending=booked, by=people.secretariat, reason="Dobbelt")
    booked.refresh_from_db()
    assert booked.amount == D("1500000.00")  # the booking itself is never changed
    assert reversal.reverses == booked and reversal.amount == D("-1500000.00")
    assert reversal.allocation == granted and reversal.track == booked.track
    assert reversal.reason == "Dobbelt"
    assert services.allocation_spent(granted) == D("0")
    # The money is free again: the right cost can be booked.
    book(people, budget_line=line("realdania-likvide-2026"), allocation=granted, amount=D("7"))
    assert Spending.objects.count() == 3


def test_a_correction_is_refused_twice_for_itself_without_reason_and_for_others(people, english):
    booked = book(people)
    before = list(Spending.objects.values_list("pk", "amount"))
    with pytest.raises(ValidationError) as error:
        services.spending_reverse(spending=booked, by=people.secretariat, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.spending_reverse(spending=booked, by=people.coordinator, reason="Fejl")
    assert list(Spending.objects.values_list("pk", "amount")) == before
    reversal = services.spending_reverse(spending=booked, by=people.secretariat, reason="Fejl")
    with pytest.raises(services.Conflict):
        services.spending_reverse(spending=booked, by=people.secretariat, reason="Igen")
    with pytest.raises(ValidationError, match="itself a correction"):
        services.spending_reverse(spending=reversal, by=people.secretariat, reason="Igen")
    assert Spending.objects.count() == 2


# --- Working hours ----------------------------------------------------------------------------


def test_working_hours_are_booked_at_the_hourly_rate(people, hours_line, english):
    entry = book(people, budget_line=hours_line, amount=None, hours=D("12.5"))
    assert entry.hours == D("12.50") and entry.amount == D("7500.00")
    with pytest.raises(ValidationError) as error:
        book(people, budget_line=hours_line, amount=D("100"), hours=D("2"))
    assert "amount" in error.value.message_dict  # the amount follows from the rate
    with pytest.raises(ValidationError) as error:
        book(people, budget_line=hours_line, amount=D("100"))
    assert "hours" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        book(people, budget_line=line("regioner-2026"), amount=None, hours=D("3"))
    assert "hours" in error.value.message_dict
    reversal = services.spending_reverse(spending=entry, by=people.secretariat, reason="Fejl")
    assert reversal.hours == D("-12.50") and reversal.amount == D("-7500.00")
    assert Spending.objects.count() == 2


def test_reconciliation_per_party_and_year_sums_to_the_agreement(people, hours_line):
    book(people, budget_line=hours_line, amount=None, hours=D("10"))
    book(people, budget_line=line("regioner-2026"), amount=D("2500.50"))
    rows = selectors.reconciliation()
    assert sum((row.budgeted for row in rows), D("0")) == TOTAL  # 82.1 mio
    kl = next(r for r in rows if r.party.code == "kl" and r.year == 2026)
    assert kl.hours_spent == D("10") and kl.hours_spent_dkk == D("6000.00")
    assert kl.hours_budgeted == (kl.hours_budgeted_dkk / D("600")).quantize(D("0.01"))
    assert kl.cash_budgeted == D("0")
    regions = next(r for r in rows if r.party.code == "danske-regioner" and r.year == 2026)
    assert regions.cash_spent == D("2500.50")
    assert regions.left == regions.budgeted - D("2500.50")
    assert sum((row.spent for row in rows), D("0")) == D("8500.50")


# --- The ledger page and its exports ----------------------------------------------------------


def test_ledger_filters_by_track_pool_party_and_year(people, granted, client):
    liquid = line("realdania-likvide-2026")
    on_track = book(people, budget_line=liquid, allocation=granted, amount=D("300"))
    plain = book(people, amount=D("200"), description="Husleje")
    book(people, budget_line=line("kl-kkr-2025"), date=datetime.date(2025, 6, 1), amount=D("50"))
    sign_in(client, people.coordinator)  # every signed-in user reads the ledger
    url = reverse("ledger")
    cases = {
        f"?track={granted.track_id}": [on_track.pk],
        f"?pool={granted.pool.key}": [on_track.pk],
        f"?party={plain.budget_line.contribution.contributor_id}&year=2026": [plain.pk],
        "?year=2025": [Spending.objects.get(amount=D("50")).pk],
    }
    for query, pks in cases.items():
        response = client.get(url + query, HTTP_ACCEPT_LANGUAGE="da")
        assert response.status_code == 200, query
        assert [e.pk for e in response.context["page"].object_list] == pks, query
    response = client.get(url + "?year=1999")
    assert response.status_code == 400  # an impossible filter says so, it does not list all
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "3 posteringer, i alt 550,00 kr." in page


def test_ledger_export_xlsx_keeps_numbers_and_csv_suits_danish_excel(people, client):
    entry = book(people, amount=D("1234.5"))
    services.spending_reverse(spending=entry, by=people.secretariat, reason="Fejl")
    sign_in(client, people.secretariat)
    xlsx = client.get(reverse("ledger") + "?export=xlsx", HTTP_ACCEPT_LANGUAGE="da")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    header = [cell.value for cell in sheet[1]]
    amounts = [row[header.index("Beløb (kr.)")] for row in sheet.iter_rows(2, values_only=True)]
    assert sorted(amounts) == [D("-1234.5"), D("1234.5")] or sorted(amounts) == [-1234.5, 1234.5]
    assert all(isinstance(value, int | float) for value in amounts)
    response = client.get(reverse("ledger") + "?export=csv", HTTP_ACCEPT_LANGUAGE="da")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    column = rows[0].index("Beløb (kr.)")
    assert sorted(row[column] for row in rows[1:]) == ["-1234,50", "1234,50"]


def test_ledger_page_reads_the_same_number_of_queries_however_long(people, client):
    sign_in(client, people.secretariat)
    book(people, amount=D("1"))
    client.get(reverse("ledger"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("ledger"))
    for number in range(30):
        book(people, amount=D("1"), document_reference=f"F-{number}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("ledger"))
    assert len(many) == len(few)


def test_the_correction_page_books_the_reversal_and_shows_refusals(people, client):
    entry = book(people)
    url = reverse("spending-reverse", args=[entry.pk])
    sign_in(client, people.coordinator)
    assert client.get(url).status_code == 403
    sign_in(client, people.secretariat)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""}, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 400 and Spending.objects.count() == 1
    assert client.post(url, {"reason": "Dobbelt bogført"}).status_code == 302
    assert Spending.objects.filter(reverses=entry).count() == 1
    response = client.post(url, {"reason": "Igen"}, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 400 and "allerede" in response.content.decode()
    assert Spending.objects.count() == 2


def test_the_form_books_hours(people, hours_line, client):
    sign_in(client, people.secretariat)
    response = client.post(
        reverse("spending-create"),
        {
            "budget_line": hours_line.pk,
            "date": "2026-01-15",
            "hours": "1.234,5",
            "description": "Sekretariatets timer",
            "document_reference": "T-1",
        },
        HTTP_ACCEPT_LANGUAGE="da",
    )
    assert response.status_code == 302
    assert Spending.objects.get().amount == D("740700.00")


# --- The API ----------------------------------------------------------------------------------


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.secretariat)
    return client


def test_api_books_and_reverses_through_the_same_rules(people, granted, api):
    url = reverse("api-spending-list")
    liquid = line("realdania-likvide-2026")
    base = {
        "budget_line": liquid.pk,
        "allocation": granted.pk,
        "date": "2026-01-15",
        "amount": "1.000,50",
        "description": "Processtøtte",
        "document_reference": "F-1",
    }
    cases = [
        ({"allocation": None}, "allocation"),
        ({"amount": "2000000"}, "amount"),
        ({"date": "2027-01-15"}, "date"),
        ({"date": "2025-12-31"}, "date"),
    ]
    pending = allocation(granted.track, people, "1000.00")
    cases.append(({"allocation": pending.pk}, "allocation"))
    for changes, field in cases:
        response = api.post(url, {**base, **changes}, format="json", HTTP_ACCEPT_LANGUAGE="da")
        assert response.status_code == 400, changes
        assert field in {reason["code"] for reason in response.json()["reasons"]}, changes
    assert not Spending.objects.exists()
    response = api.post(url, base, format="json")
    assert response.status_code == 201
    assert response.json()["amount"] == "1000.50"
    entry = Spending.objects.get()
    listed = api.get(url, {"track": granted.track_id}).json()
    assert [row["id"] for row in listed["results"]] == [entry.pk]
    reverse_url = reverse("api-spending-reverse", args=[entry.pk])
    assert api.post(reverse_url, {}, format="json").status_code == 400
    response = api.post(reverse_url, {"reason": "Fejl"}, format="json")
    assert response.status_code == 201 and response.json()["reverses"] == entry.pk
    assert api.post(reverse_url, {"reason": "Igen"}, format="json").status_code == 409


def test_api_refuses_spending_by_others_with_403_and_books_nothing(people):
    client = APIClient()
    client.force_authenticate(people.coordinator)
    response = client.post(
        reverse("api-spending-list"),
        {
            "budget_line": line("kl-kkr-2026").pk,
            "date": "2026-01-15",
            "amount": "10",
            "description": "X",
            "document_reference": "F",
        },
        format="json",
    )
    assert response.status_code == 403
    assert not Spending.objects.exists()


# --- A track that ends ------------------------------------------------------------------------


def test_closing_a_track_withdraws_its_waiting_requests_and_tells_the_approvers(
    people, django_capture_on_commit_callbacks, eager_celery
):
    track = advance(draft(people.coordinator), S.EVALUATED, people)
    waiting = Allocation.objects.create(
        pool=granted_pool(),
        track=track,
        year=2026,
        amount=D("5000"),
        requested_by=people.coordinator,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.track_close(track=track, by=people.secretariat, reason="Sporet er afsluttet.")
    waiting.refresh_from_db()
    assert waiting.status == Allocation.Status.WITHDRAWN
    assert waiting.decided_by == people.secretariat
    assert "Sporet er afsluttet." in waiting.decision_note
    assert [message.to for message in mail.outbox] == [[people.realdania.email]]
    assert "trukket tilbage" in mail.outbox[0].subject


def granted_pool() -> LiquidPool:
    return LiquidPool.objects.get(key="realdania-likvide")


# --- DGO co-financing (§8.5) ------------------------------------------------------------------


@pytest.fixture
def midtjylland_budget(db):
    """Region Midtjylland's co-financing of its DGO: 300,000 a year 2025–2027."""
    from partners.models import DGO, Organisation

    contribution = Contribution.objects.create(
        key="midt-region",
        contributor=Organisation.objects.get(code="region-midtjylland"),
        name="Region Midtjyllands medfinansiering",
        amount=D("900000"),
        year_from=2025,
        year_to=2027,
        dgo=DGO.objects.get(slug="midtjylland"),
    )
    for year in (2025, 2026, 2027):
        BudgetLine.objects.create(
            key=f"midt-region-{year}", contribution=contribution, year=year,
            purpose="Klimakoordinator", amount=D("300000"),
        )  # fmt: skip
    return contribution


def test_a_dgos_coordinator_books_on_its_cofinancing_only(people, midtjylland_budget, english):
    line_2026 = line("midt-region-2026")
    entry = book(people, budget_line=line_2026, by=people.coordinator, amount=D("1000"))
    assert entry.entered_by == people.coordinator
    with pytest.raises(PermissionDenied):  # another DGO's coordinator
        book(people, budget_line=line_2026, by=people.other_coordinator)
    with pytest.raises(PermissionDenied):  # the partnership's own lines are the secretariat's
        book(people, by=people.coordinator)
    with pytest.raises(ValidationError, match="left of its budget"):
        book(people, budget_line=line_2026, by=people.coordinator, amount=D("299000.01"))
    services.spending_reverse(spending=entry, by=people.coordinator, reason="Forkert år")
    assert Spending.objects.count() == 2


def test_dgo_cofinancing_sits_beside_the_partnerships_821_mio(people, midtjylland_budget, client):
    book(people, budget_line=line("midt-region-2026"), amount=D("2500"))
    overview = selectors.budget_overview()
    assert overview.contributed == TOTAL and overview.total.budgeted == TOTAL
    assert overview.total.spent == D("0")
    (midt,) = selectors.dgo_budgets()
    assert midt.dgo.slug == "midtjylland"
    assert (midt.budgeted, midt.spent, midt.left) == (D("900000"), D("2500"), D("897500"))
    sign_in(client, people.coordinator)
    page = client.get(reverse("budget-overview"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert midt.dgo.name in page and "897.500,00" in page
    listed = client.get(reverse("ledger") + "?dgo=midtjylland")
    assert [e.amount for e in listed.context["page"].object_list] == [D("2500.00")]
    form = client.get(reverse("spending-create")).context["form"]
    assert set(form.fields["budget_line"].queryset) == set(
        BudgetLine.objects.filter(contribution=midtjylland_budget)
    )


def test_external_funding_names_its_lead_dgo_and_shows_in_the_overview(people, client):
    from partners.models import DGO
    from tracks.models import ExternalFunding

    track = advance(draft(people.coordinator), S.RUNNING, people)
    lead = DGO.objects.get(slug="midtjylland")
    ExternalFunding.objects.create(
        track=track, funder="EU", programme="LIFE", amount=D("4500000"),
        status=ExternalFunding.Status.SOUGHT, lead_dgo=lead,
    )  # fmt: skip
    sign_in(client, people.observer)
    for url in (reverse("budget-overview"), reverse("track-proposal", args=[track.pk])):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="da").content.decode()
        assert "LIFE" in page and "4.500.000,00" in page and "Ansøgt" in page, url
        assert lead.name in page, url


def test_external_funding_moves_forward_from_the_track_page_only(people, client):
    from tracks.models import ExternalFunding

    track = advance(draft(people.coordinator), S.RUNNING, people)
    funding = ExternalFunding.objects.create(
        track=track, funder="EU", programme="LIFE", amount=D("4500000")
    )
    url = reverse("external-funding-status", args=[track.pk, funding.pk])
    sign_in(client, people.coordinator)
    page = client.get(reverse("track-proposal", args=[track.pk]), HTTP_ACCEPT_LANGUAGE="da")
    assert url in page.content.decode()  # the next step is offered on the proposal page
    # Granted straight from planned skips the application: refused, in Danish, nothing saved.
    refused = client.post(url, {"status": "granted"}, HTTP_ACCEPT_LANGUAGE="da", follow=True)
    text = " ".join(str(m) for m in refused.context["messages"])
    assert "kan ikke blive bevilget" in text, text
    funding.refresh_from_db()
    assert funding.status == ExternalFunding.Status.PLANNED
    assert client.post(url, {"status": "sought"}).status_code == 302
    assert client.post(url, {"status": "granted"}).status_code == 302
    funding.refresh_from_db()
    assert funding.status == ExternalFunding.Status.GRANTED
    assert funding.next_statuses() == []  # a granted application is the record
    assert client.post(url, {"status": "refused"}).status_code == 302
    funding.refresh_from_db()
    assert funding.status == ExternalFunding.Status.GRANTED
    # Audited: who moved it, from what to what.
    from auditlog.models import LogEntry

    changes = [e.changes_dict.get("status") for e in LogEntry.objects.get_for_object(funding)]
    assert ["planned", "sought"] in changes and ["sought", "granted"] in changes
    # Someone who does not propose the track is refused.
    sign_in(client, people.observer)
    assert client.post(url, {"status": "refused"}).status_code == 403
