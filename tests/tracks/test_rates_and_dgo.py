"""Hours at the party's rate for the year (§5.2), set by the secretariat on a page and through
the API with an audit trail; DGO co-financing (§8.5) added in the portal by the secretariat
and the DGO's coordinators. Every refusal is a Danish message (or a 400 with the reason) and
writes nothing."""

import datetime
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from partners.models import DGO, Organisation
from tests.factories import sign_in
from tracks import services
from tracks.models import BudgetLine, Contribution, HourlyRate, Spending

DAY = datetime.date(2026, 1, 15)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def kl_hours(db):
    """KL's contribution recorded as working hours; no rate set yet."""
    contribution = Contribution.objects.get(key="kl-kkr")
    contribution.kind = Contribution.Kind.HOURS
    contribution.hours = D("50000")
    contribution.save()
    return contribution


def kl() -> Organisation:
    return Organisation.objects.get(code="kl")


def book_hours(people, hours: str, year: int = 2026) -> Spending:
    return services.spending_add(
        budget_line=BudgetLine.objects.get(key=f"kl-kkr-{year}"),
        by=people.secretariat,
        date=datetime.date(year, 1, 15),
        hours=D(hours),
        description="Sekretariatets timer",
        document_reference="T-1",
    )


def unchanged(*models):
    return [list(model.objects.order_by("pk").values()) for model in models]


# --- Rates in the service ---------------------------------------------------------------------


def test_hours_are_valued_at_the_partys_rate_for_the_year(people, kl_hours, english):
    before = unchanged(Spending)
    with pytest.raises(ValidationError, match="no hourly rate for 2026"):
        book_hours(people, "10")
    assert unchanged(Spending) == before
    services.hourly_rate_set(party=kl(), year=2026, rate=D("600"), by=people.secretariat)
    services.hourly_rate_set(party=kl(), year=2025, rate=D("550"), by=people.secretariat)
    entry = book_hours(people, "12.5")
    assert (entry.hours, entry.hourly_rate, entry.amount) == (D("12.50"), D("600"), D("7500.00"))
    older = book_hours(people, "2", year=2025)
    assert older.amount == D("1100.00") and older.hourly_rate == D("550")
    reversal = services.spending_reverse(spending=entry, by=people.secretariat, reason="Fejl")
    assert reversal.hourly_rate == D("600") and reversal.amount == D("-7500.00")


def test_a_rate_hours_are_booked_at_is_fixed_until_they_are_reversed(people, kl_hours, english):
    services.hourly_rate_set(party=kl(), year=2026, rate=D("600"), by=people.secretariat)
    entry = book_hours(people, "10")
    before = unchanged(HourlyRate)
    with pytest.raises(ValidationError) as error:
        services.hourly_rate_set(party=kl(), year=2026, rate=D("700"), by=people.secretariat)
    assert "reverse those bookings" in " ".join(error.value.message_dict["rate"])
    assert unchanged(HourlyRate) == before
    # The same rate again (a note added) changes no DKK amount: allowed.
    services.hourly_rate_set(
        party=kl(), year=2026, rate=D("600"), by=people.secretariat, note="KL's regnskab"
    )
    services.spending_reverse(spending=entry, by=people.secretariat, reason="Forkert sats")
    rate = services.hourly_rate_set(party=kl(), year=2026, rate=D("700"), by=people.secretariat)
    assert rate.rate == D("700") and HourlyRate.objects.count() == 1
    entry.refresh_from_db()
    assert entry.amount == D("6000.00") and entry.hourly_rate == D("600")  # booked as it was


def test_only_the_secretariat_sets_rates_and_only_within_the_partnership(people, english):
    with pytest.raises(PermissionDenied):
        services.hourly_rate_set(party=kl(), year=2026, rate=D("600"), by=people.coordinator)
    with pytest.raises(ValidationError) as error:
        services.hourly_rate_set(party=kl(), year=2031, rate=D("600"), by=people.secretariat)
    assert "year" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.hourly_rate_set(party=kl(), year=2026, rate=D("0"), by=people.secretariat)
    assert "rate" in error.value.message_dict
    assert not HourlyRate.objects.exists()


def test_the_reconciliation_shows_hours_and_their_dkk_at_the_years_rate(people, kl_hours, client):
    services.hourly_rate_set(party=kl(), year=2026, rate=D("600"), by=people.secretariat)
    book_hours(people, "10")
    from tracks import selectors

    rows = {row.year: row for row in selectors.reconciliation() if row.party.code == "kl"}
    assert rows[2026].hourly_rate == D("600") and rows[2026].hours_spent_dkk == D("6000.00")
    assert rows[2026].hours_budgeted == (rows[2026].hours_budgeted_dkk / 600).quantize(D("0.01"))
    assert rows[2025].hours_budgeted == 0 and rows[2025].hours_budgeted_dkk > 0  # no rate yet
    sign_in(client, people.observer)
    page = client.get(reverse("budget-overview"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "6.000,00" in page and "ingen timesats" in page


# --- The rates page and API -------------------------------------------------------------------


def test_the_rates_page_sets_a_rate_in_danish_and_keeps_the_audit_trail(people, kl_hours, client):
    url = reverse("hourly-rates")
    form = {"party": kl().pk, "year": "2026", "rate": "1.250,50", "note": "Fra KL"}
    sign_in(client, people.coordinator)
    assert client.post(url, form).status_code == 403
    assert not HourlyRate.objects.exists()
    sign_in(client, people.secretariat)
    assert client.post(url, form).status_code == 302
    rate = HourlyRate.objects.get()
    assert rate.rate == D("1250.50") and rate.set_by == people.secretariat
    entry = LogEntry.objects.get_for_object(rate).get()
    assert entry.actor == people.secretariat and entry.action == LogEntry.Action.CREATE
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "1.250,50" in page and people.secretariat.get_full_name() in page
    book_hours(people, "1")
    response = client.post(url, {**form, "rate": "900,00"}, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 400
    assert "modposter" in response.content.decode()
    rate.refresh_from_db()
    assert rate.rate == D("1250.50")


def test_the_rates_api_sets_through_the_same_rules(people, kl_hours):
    url = reverse("api-hourly-rate-list")
    api = APIClient()
    api.force_authenticate(people.coordinator)
    body = {"party": "kl", "year": 2026, "rate": "1.250,50"}
    assert api.post(url, body, format="json").status_code == 403
    assert api.get(url).status_code == 200
    api.force_authenticate(people.secretariat)
    response = api.post(url, body, format="json")
    assert response.status_code == 201 and response.json()["rate"] == "1250.50"
    book_hours(people, "2")
    response = api.post(url, {**body, "rate": "900"}, format="json", HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 400
    assert [reason["code"] for reason in response.json()["reasons"]] == ["rate"]
    assert "modposter" in response.json()["reasons"][0]["message"]
    response = api.post(url, {**body, "year": 2031}, format="json")
    assert response.status_code == 400
    assert HourlyRate.objects.get().rate == D("1250.50")
    listed = api.get(url, {"party": "kl"}).json()["results"]
    assert [(row["year"], row["rate"]) for row in listed] == [(2026, "1250.50")]


def test_spending_hours_without_a_rate_is_refused_on_the_form_and_in_the_api(
    people, kl_hours, client
):
    values = {
        "budget_line": BudgetLine.objects.get(key="kl-kkr-2026").pk,
        "date": DAY.isoformat(),
        "hours": "1.234,5",
        "description": "Timer",
        "document_reference": "T-1",
    }
    sign_in(client, people.secretariat)
    response = client.post(reverse("spending-create"), values, HTTP_ACCEPT_LANGUAGE="da")
    assert (
        response.status_code == 400 and "har ingen timesats for 2026" in response.content.decode()
    )
    api = APIClient()
    api.force_authenticate(people.secretariat)
    response = api.post(
        reverse("api-spending-list"), values, format="json", HTTP_ACCEPT_LANGUAGE="da"
    )
    assert response.status_code == 400
    assert "har ingen timesats for 2026" in response.json()["reasons"][0]["message"]
    assert not Spending.objects.exists()
    services.hourly_rate_set(party=kl(), year=2026, rate=D("600"), by=people.secretariat)
    response = api.post(reverse("api-spending-list"), values, format="json")
    assert response.status_code == 201
    assert (response.json()["hours"], response.json()["hourly_rate"]) == ("1234.50", "600.00")
    assert response.json()["amount"] == "740700.00"


def test_the_rates_page_reads_the_same_number_of_queries_however_many_rates(people, client):
    sign_in(client, people.secretariat)
    services.hourly_rate_set(party=kl(), year=2026, rate=D("600"), by=people.secretariat)
    client.get(reverse("hourly-rates"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("hourly-rates"))
    for party in Organisation.objects.exclude(kind="knowledge_partner")[:6]:
        for year in range(2023, 2028):
            services.hourly_rate_set(party=party, year=year, rate=D("500"), by=people.secretariat)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("hourly-rates"))
    assert HourlyRate.objects.count() > 20
    assert len(many) == len(few)


# --- DGO co-financing (§8.5) ------------------------------------------------------------------


def midtjylland() -> DGO:
    return DGO.objects.get(slug="midtjylland")


def lines_post(party, rows, **extra) -> dict:
    data = {
        "party": party.pk,
        "name": "Regionens medfinansiering",
        "kind": "cash",
        "description": "",
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
        **extra,
    }
    for number, row in enumerate(rows):
        for field, value in row.items():
            data[f"lines-{number}-{field}"] = value
    return data


def test_a_dgos_coordinator_adds_its_cofinancing_with_lines_on_the_page(people, client):
    dgo = midtjylland()
    region = Organisation.objects.get(pk=dgo.region_id)
    url = reverse("dgo-contribution-create", args=[dgo.slug])
    rows = [
        {"year": "2025", "purpose": "Klimakoordinator", "amount": "1.500.000,50"},
        {"year": "2026", "purpose": "Klimakoordinator", "amount": "300.000,00"},
        {"year": "", "purpose": "", "amount": ""},  # an empty row is skipped
    ]
    sign_in(client, people.other_coordinator)  # Hovedstaden's coordinator
    assert client.get(url).status_code == 403
    assert client.post(url, lines_post(region, rows)).status_code == 403
    sign_in(client, people.coordinator)
    response = client.post(url, lines_post(region, rows), HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 302, response.content.decode()[:2000]
    contribution = Contribution.objects.get(dgo=dgo)
    assert contribution.amount == D("1800000.50") and contribution.contributor == region
    assert (contribution.year_from, contribution.year_to) == (2025, 2026)
    assert sorted(contribution.budget_lines.values_list("year", "amount")) == [
        (2025, D("1500000.50")),
        (2026, D("300000.00")),
    ]
    page = client.get(reverse("dgo-budget", args=[dgo.slug]), HTTP_ACCEPT_LANGUAGE="da")
    assert "1.800.000,50" in page.content.decode()
    # The coordinator books on it with the same ledger.
    services.spending_add(
        budget_line=contribution.budget_lines.get(year=2026),
        by=people.coordinator,
        date=DAY,
        amount=D("1000"),
        description="Workshop",
        document_reference="RM-1",
    )
    line_url = reverse("dgo-budget-line-create", args=[contribution.pk])
    response = client.post(line_url, {"year": "2026", "purpose": "Analyser", "amount": "50.000,00"})
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert contribution.amount == D("1850000.50") and contribution.budget_lines.count() == 3


def test_cofinancing_refusals_are_danish_and_write_nothing(people, client):
    dgo = midtjylland()
    region = Organisation.objects.get(pk=dgo.region_id)
    other_region = Organisation.objects.get(pk=DGO.objects.get(slug="hovedstaden").region_id)
    url = reverse("dgo-contribution-create", args=[dgo.slug])
    cash = [{"year": "2026", "purpose": "Klimakoordinator", "amount": "300.000,00"}]
    cases = [
        (lines_post(other_region, cash), "gyldig"),  # not offered at all
        (lines_post(region, []), "mindst én budgetlinje"),
        (
            lines_post(region, [{"year": "2026", "purpose": "Timer", "hours": "100"}]),
            "kontant",
        ),
        (
            lines_post(
                region, [{"year": "2026", "purpose": "Timer", "hours": "100"}], kind="hours"
            ),
            "har ingen timesats for 2026",
        ),
        (lines_post(region, cash * 2), "samme"),
    ]
    sign_in(client, people.secretariat)
    before = unchanged(Contribution, BudgetLine)
    for data, danish in cases:
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="da")
        assert response.status_code == 400, danish
        assert danish in response.content.decode(), danish
    assert unchanged(Contribution, BudgetLine) == before
    with pytest.raises(ValidationError):  # another region is no co-financer of Midtjylland
        services.dgo_contribution_add(
            dgo=dgo, party=other_region, name="X", kind="cash",
            lines=[{"year": 2026, "purpose": "X", "amount": D("1")}], by=people.secretariat,
        )  # fmt: skip
    with pytest.raises(ValidationError):  # the partnership's own amounts are the agreement's
        services.dgo_budget_line_add(
            contribution=Contribution.objects.get(key="kl-kkr"), year=2026, purpose="Mere",
            amount=D("1"), by=people.secretariat,
        )  # fmt: skip
    assert unchanged(Contribution, BudgetLine) == before


def test_cofinancing_in_hours_is_valued_at_the_partys_rate(people, english):
    dgo = midtjylland()
    kkr = Organisation.objects.get(pk=dgo.kkr_id)
    services.hourly_rate_set(party=kkr, year=2026, rate=D("550"), by=people.secretariat)
    contribution = services.dgo_contribution_add(
        dgo=dgo, party=kkr, name="Kommunernes timer", kind=Contribution.Kind.HOURS,
        lines=[{"year": 2026, "purpose": "Ankerkommune", "hours": D("1000")}],
        by=people.coordinator,
    )  # fmt: skip
    assert contribution.hours == D("1000") and contribution.amount == D("550000.00")
    entry = services.spending_add(
        budget_line=contribution.budget_lines.get(),
        by=people.coordinator,
        date=DAY,
        hours=D("10"),
        description="Workshop",
        document_reference="KKR-1",
    )
    assert entry.amount == D("5500.00")
    from tracks import selectors

    ((_contribution, (row,)),) = selectors.dgo_budget(dgo=dgo)
    assert (row.hours, row.rate, row.spent) == (D("1000.00"), D("550"), D("5500.00"))


def test_the_dgo_page_reads_the_same_number_of_queries_however_many_lines(people, client):
    dgo = midtjylland()
    region = Organisation.objects.get(pk=dgo.region_id)

    def add(number: int) -> None:
        services.dgo_contribution_add(
            dgo=dgo, party=region, name=f"Bidrag {number}", kind="cash",
            lines=[{"year": year, "purpose": "Drift", "amount": D("1000")}
                   for year in range(2023, 2028)],
            by=people.secretariat,
        )  # fmt: skip

    add(0)
    sign_in(client, people.coordinator)
    url = reverse("dgo-budget", args=[dgo.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(1, 8):
        add(number)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200 and "Bidrag 7" in response.content.decode()
    assert len(many) == len(few)
