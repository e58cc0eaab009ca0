"""Every refusal of a booking, tried through the booking page and through the API: the same
Danish reason as the service gives (translated, not the English text), a 400, and the ledger
unchanged. Then the budget still reconciles to the 82.1 mio."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from rest_framework.test import APIClient

from partners.models import Organisation
from tests.factories import sign_in
from tracks import selectors, services
from tracks.models import BudgetLine, Contribution, Spending, Track
from tracks.reference import TOTAL

from .factories import advance, allocation, draft

S = Track.Status
DAY = datetime.date(2026, 1, 15)


@dataclass
class Attempt:
    """One booking that must be refused; `page_reason` when the page never offers the choice
    (its own Danish refusal then, e.g. a pending allocation is not in the list)."""

    name: str
    field: str
    line: str = "realdania-likvide-2026"
    allocation: str | None = "granted"
    track: str | None = None
    date: datetime.date = DAY
    amount: str | None = "1.000,00"
    hours: str | None = None
    page_reason: str | None = None
    extra: dict = field(default_factory=dict)


def _decimal(text: str | None) -> D | None:
    return None if text is None else D(text.replace(".", "").replace(",", "."))


ATTEMPTS = [
    Attempt("liquid funds without an allocation", "allocation", allocation=None),
    Attempt("a pending allocation", "allocation", allocation="pending", page_reason="gyldig"),
    Attempt("another pool's allocation", "allocation", line="regioner-likvide-2026"),
    Attempt("an allocation on a line that is no pool's", "allocation", line="kl-kkr-2026"),
    Attempt("beyond the approved allocation", "amount", amount="1.500.000,01"),
    Attempt("beyond the line's budget", "amount", line="kl-kkr-2026", allocation=None,
            amount="6.000.000,01"),
    Attempt("dated in the future", "date", date=timezone.localdate() + datetime.timedelta(1)),
    Attempt("dated outside the line's year", "date", line="kl-kkr-2025", allocation=None),
    Attempt("the allocation of another track", "track", track="other"),
    Attempt("a track FU has not approved", "track", line="kl-kkr-2026", allocation=None,
            track="submitted", page_reason="gyldig"),
    Attempt("no amount", "amount", line="kl-kkr-2026", allocation=None, amount=None),
    Attempt("hours on a cash line", "hours", line="kl-kkr-2026", allocation=None, amount=None,
            hours="2"),
    Attempt("an amount, not hours, on a line of working hours", "hours", line="regioner-2026",
            allocation=None),
    Attempt("an amount beside the hours", "amount", line="regioner-2026", allocation=None,
            hours="2"),
    Attempt("hours without the party's rate for the year", "hours", line="regioner-2025",
            allocation=None, date=datetime.date(2025, 6, 2), amount=None, hours="3"),
]  # fmt: skip


@pytest.fixture
def world(people):
    """1.5 mio approved from Realdania's pool for a running track, a pending request, another
    running track and a submitted one; the regions' contribution in working hours with a rate
    for 2026 only."""
    track = advance(draft(people.coordinator), S.RUNNING, people)
    granted = allocation(track, people, "1500000.00")
    services.allocation_approve(allocation=granted, by=people.realdania)
    regions = Contribution.objects.get(key="regioner")
    regions.kind, regions.hours = Contribution.Kind.HOURS, D("40000")
    regions.save()
    services.hourly_rate_set(
        party=Organisation.objects.get(code="danske-regioner"),
        year=2026,
        rate=D("625"),
        by=people.secretariat,
    )
    return {
        "granted": granted,
        "pending": allocation(track, people, "100000.00"),
        "other": advance(draft(people.coordinator, title="Andet spor"), S.RUNNING, people),
        "submitted": advance(draft(people.coordinator, title="Indsendt"), S.SUBMITTED, people),
    }


def _service_reason(people, world, attempt: Attempt, language: str) -> str:
    with translation.override(language), pytest.raises(ValidationError) as error:
        services.spending_add(
            budget_line=BudgetLine.objects.get(key=attempt.line),
            by=people.secretariat,
            date=attempt.date,
            amount=_decimal(attempt.amount),
            hours=_decimal(attempt.hours),
            track=world.get(attempt.track),
            allocation=world.get(attempt.allocation),
            description="Processtøtte",
            document_reference="F-1",
        )
    assert attempt.field in error.value.message_dict, attempt.name
    return " ".join(error.value.message_dict[attempt.field])


def _data(world, attempt: Attempt) -> dict:
    data = {
        "budget_line": BudgetLine.objects.get(key=attempt.line).pk,
        "date": attempt.date.isoformat(),
        "description": "Processtøtte",
        "document_reference": "F-1",
    }
    if attempt.amount is not None:
        data["amount"] = attempt.amount
    if attempt.hours is not None:
        data["hours"] = attempt.hours
    if attempt.allocation:
        data["allocation"] = world[attempt.allocation].pk
    if attempt.track:
        data["track"] = world[attempt.track].pk
    return data


def test_each_refusal_through_the_page_and_the_api_is_danish_and_books_nothing(
    people, world, client
):
    sign_in(client, people.secretariat)
    api = APIClient()
    api.force_authenticate(people.secretariat)
    for attempt in ATTEMPTS:
        danish = _service_reason(people, world, attempt, "da")
        assert danish != _service_reason(people, world, attempt, "en"), attempt.name
        data = _data(world, attempt)
        page = client.post(reverse("spending-create"), data, HTTP_ACCEPT_LANGUAGE="da")
        assert page.status_code == 400, attempt.name
        assert escape(attempt.page_reason or danish) in page.content.decode(), attempt.name
        response = api.post(
            reverse("api-spending-list"), data, format="json", HTTP_ACCEPT_LANGUAGE="da"
        )
        assert response.status_code == 400, attempt.name
        reasons = {(r["code"], r["message"]) for r in response.json()["reasons"]}
        assert (attempt.field, danish) in reasons, (attempt.name, reasons)
        assert not Spending.objects.exists(), attempt.name
    # Nothing was booked, and the budget still reconciles to the agreement's 82.1 mio.
    rows = selectors.reconciliation()
    assert sum((row.budgeted for row in rows if row.dgo is None), D("0")) == TOTAL
    assert sum((row.spent for row in rows), D("0")) == D("0")


def test_bookings_that_pass_reconcile_with_the_ledger(people, world, client):
    """The same page and API book what the rules allow; the reconciliation's 'used' is the
    ledger's sum, corrections included, and the budget stays 82.1 mio."""
    sign_in(client, people.secretariat)
    api = APIClient()
    api.force_authenticate(people.secretariat)
    liquid = _data(world, Attempt("ok", "amount", amount="1 234 567,89"))
    assert client.post(reverse("spending-create"), liquid).status_code == 302
    hours = _data(world, Attempt("ok", "hours", line="regioner-2026", allocation=None,
                                 amount=None, hours="1.000,5"))  # fmt: skip
    assert api.post(reverse("api-spending-list"), hours, format="json").status_code == 201
    cash = {**_data(world, Attempt("ok", "amount", line="kl-kkr-2026", allocation=None)),
            "amount": "2.500.000"}  # fmt: skip
    response = api.post(reverse("api-spending-list"), cash, format="json")
    assert response.status_code == 201 and response.json()["amount"] == "2500000.00"
    entries = {entry.budget_line.key: entry for entry in Spending.objects.all()}
    assert entries["realdania-likvide-2026"].amount == D("1234567.89")
    assert entries["regioner-2026"].amount == D("625312.50")  # 1 000,5 h × 625 kr.
    services.spending_reverse(
        spending=entries["kl-kkr-2026"], by=people.secretariat, reason="Forkert linje"
    )
    rows = selectors.reconciliation()
    assert sum((row.budgeted for row in rows if row.dgo is None), D("0")) == TOTAL
    ledger = selectors.ledger_sums(selectors.ledger())
    assert sum((row.spent for row in rows), D("0")) == ledger.amount == D("1859880.39")
    regions = next(r for r in rows if r.party.code == "danske-regioner" and r.year == 2026)
    assert (regions.hours_spent, regions.hours_spent_dkk) == (D("1000.50"), D("625312.50"))
