"""Spending follows approvals (§5.2, §11.2): every refusal leaves the ledger unchanged, in the
service and through the booking form."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import sign_in
from tracks import services
from tracks.models import BudgetLine, Spending, Track

from .factories import advance, allocation, draft

S = Track.Status


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def line(key: str) -> BudgetLine:
    return BudgetLine.objects.get(key=key)


@pytest.fixture
def approved(people):
    """A running track with 1.5 mio approved from Realdania's pool for 2026, and a pending one."""
    track = advance(draft(people.coordinator), S.RUNNING, people)
    granted = allocation(track, people, "1500000.00")
    services.allocation_approve(allocation=granted, by=people.realdania)
    pending = allocation(track, people, "100000.00")
    return track, granted, pending


def book(people, **overrides):
    values = {
        "budget_line": line("realdania-likvide-2026"),
        "by": people.secretariat,
        "date": datetime.date(2026, 1, 15),  # in the line's year and in the past
        "amount": D("1000"),
        "description": "Processtøtte",
        "document_reference": "F-1",
    }
    values.update(overrides)
    return services.spending_add(**values)


def refused(people, field: str, match: str, **overrides) -> None:
    before = list(Spending.objects.values_list("pk", "amount"))
    with pytest.raises(ValidationError) as error:
        book(people, **overrides)
    assert field in error.value.message_dict
    assert match in " ".join(error.value.message_dict[field])
    assert list(Spending.objects.values_list("pk", "amount")) == before


def test_liquid_spending_never_exceeds_the_approved_allocation(people, approved, english):
    track, granted, _pending = approved
    refused(people, "amount", "left of the", allocation=granted, amount=D("2000000"))
    book(people, allocation=granted, amount=D("1000000"))
    book(people, allocation=granted, amount=D("500000"))
    refused(people, "amount", "0.00", allocation=granted, amount=D("0.01"))
    assert services.allocation_spent(granted) == D("1500000.00")
    booked = Spending.objects.filter(allocation=granted)
    assert {spending.track_id for spending in booked} == {track.pk}


def test_liquid_spending_needs_an_approved_allocation_of_that_pool(people, approved, english):
    _track, granted, pending = approved
    refused(people, "allocation", "name the allocation")  # liquid line without allocation
    refused(people, "allocation", "approved can be spent", allocation=pending)
    refused(
        people,
        "allocation",
        "not from",
        allocation=granted,
        budget_line=line("regioner-likvide-2026"),
    )
    kl = line("kl-kkr-2026")
    refused(people, "allocation", "Only spending of liquid", allocation=granted, budget_line=kl)
    other = advance(draft(people.coordinator, title="B"), S.RUNNING, people)
    refused(people, "track", "another track", allocation=granted, track=other)


def test_spending_is_never_dated_in_the_future_or_outside_its_lines_year(people, approved, english):
    _track, granted, _pending = approved
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused(people, "date", "future", allocation=granted, date=tomorrow)
    refused(
        people,
        "date",
        "another year",
        budget_line=line("kl-kkr-2025"),
        date=datetime.date(2026, 1, 2),
    )
    book(people, budget_line=line("kl-kkr-2025"), date=datetime.date(2025, 12, 31))


def test_the_form_shows_each_refusal_in_danish_and_books_nothing(people, approved, client):
    _track, granted, pending = approved
    sign_in(client, people.secretariat)
    url = reverse("spending-create")
    liquid = line("realdania-likvide-2026")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    base = {
        "budget_line": liquid.pk,
        "date": "2026-01-15",
        "amount": "1.000,00",
        "description": "Processtøtte",
        "document_reference": "F-1",
    }
    cases = [
        ({"allocation": ""}, "angiv bevillingen"),
        ({"allocation": granted.pk, "amount": "2.000.000,00"}, "tilbage af de 1.500.000,00"),
        ({"allocation": granted.pk, "date": tomorrow}, "fremtiden"),
        ({"allocation": granted.pk, "date": "2025-12-31"}, "andet år"),
    ]
    for changes, danish in cases:
        response = client.post(url, {**base, **changes}, HTTP_ACCEPT_LANGUAGE="da")
        assert response.status_code == 400, changes
        assert danish in response.content.decode(), changes
    # A pending allocation is not even offered.
    response = client.post(url, {**base, "allocation": pending.pk})
    assert response.status_code == 400
    assert not Spending.objects.exists()
    # Danish thousand separators and decimal comma are read right.
    response = client.post(url, {**base, "allocation": granted.pk, "amount": "1.234.567,89"})
    assert response.status_code == 302
    assert Spending.objects.get().amount == D("1234567.89")


def test_track_page_and_overview_show_approved_spent_and_left(people, approved, client):
    track, granted, _pending = approved
    book(people, allocation=granted, amount=D("400000"))
    sign_in(client, people.secretariat)
    for url in (
        track.get_absolute_url(),
        reverse("budget-overview"),
        granted.pool.get_absolute_url(),
    ):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="da").content.decode()
        assert "1.500.000,00" in page and "400.000,00" in page and "1.100.000,00" in page, url
