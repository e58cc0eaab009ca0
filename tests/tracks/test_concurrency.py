"""Two approvals from the same pool at the same time cannot together overdraw it: the first
holds the pool's row lock until it commits, the second waits, re-sums and is refused."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from tracks import services
from tracks.models import Allocation, Track

from .factories import People, advance, allocation, draft, pool

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_concurrent_approvals_cannot_overdraw_the_pool(reference_data, eager_celery):
    people = People()
    track = advance(draft(people.coordinator), Track.Status.RUNNING, people)
    first = allocation(track, people, "3000000.00")
    second = allocation(track, people, "3000000.00")  # each fits alone; together 6 of 5 mio
    first_holds_lock = threading.Event()
    release_first = threading.Event()
    results: dict[str, object] = {}

    def approve_first():
        try:
            with transaction.atomic():
                services.allocation_approve(allocation=first, by=people.realdania)
                first_holds_lock.set()
                release_first.wait(timeout=30)  # keep the pool locked until told
            results["first"] = "approved"
        except Exception as exc:
            results["first"] = exc
        finally:
            first_holds_lock.set()
            connections.close_all()

    def approve_second():
        try:
            services.allocation_approve(allocation=second, by=people.realdania)
            results["second"] = "approved"
        except ValidationError as exc:
            results["second"] = exc
        finally:
            connections.close_all()

    one = threading.Thread(target=approve_first)
    one.start()
    assert first_holds_lock.wait(timeout=30)
    two = threading.Thread(target=approve_second)
    two.start()
    # The second approval blocks on the pool's row lock while the first is uncommitted.
    for _ in range(600):
        if waiting_for_a_lock():
            break
        two.join(timeout=0.05)
    assert two.is_alive() and waiting_for_a_lock() == 1
    release_first.set()
    one.join(timeout=30)
    two.join(timeout=30)

    assert results["first"] == "approved"
    assert isinstance(results["second"], ValidationError)
    assert "aldrig bevilges ud over sin størrelse" in results["second"].messages[0]
    statuses = dict(Allocation.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "approved", second.pk: "pending"}
    assert services.pool_totals(pool())["approved"] == Decimal("3000000.00")


def test_concurrent_bookings_cannot_overspend_the_allocation(reference_data, eager_celery):
    """Two bookings on one approved allocation, each within it alone, 1.6 mio of 1.5 together:
    the first holds the line's and the allocation's row locks, the second waits and is refused."""
    import datetime

    from tracks.models import BudgetLine, Spending

    people = People()
    track = advance(draft(people.coordinator), Track.Status.RUNNING, people)
    granted = allocation(track, people, "1500000.00")
    services.allocation_approve(allocation=granted, by=people.realdania)
    liquid = BudgetLine.objects.get(key="realdania-likvide-2026")

    def book(amount: str):
        return services.spending_add(
            budget_line=liquid, allocation=granted, by=people.secretariat,
            date=datetime.date(2026, 3, 1), amount=Decimal(amount),
            description="Processtøtte", document_reference="F",
        )  # fmt: skip

    first_holds_lock = threading.Event()
    release_first = threading.Event()
    results: dict[str, object] = {}

    def book_first():
        try:
            with transaction.atomic():
                book("800000.00")
                first_holds_lock.set()
                release_first.wait(timeout=30)
            results["first"] = "booked"
        except Exception as exc:
            results["first"] = exc
        finally:
            first_holds_lock.set()
            connections.close_all()

    def book_second():
        try:
            book("800000.00")
            results["second"] = "booked"
        except ValidationError as exc:
            results["second"] = exc
        finally:
            connections.close_all()

    one = threading.Thread(target=book_first)
    one.start()
    assert first_holds_lock.wait(timeout=30)
    two = threading.Thread(target=book_second)
    two.start()
    for _ in range(600):
        if waiting_for_a_lock():
            break
        two.join(timeout=0.05)
    assert two.is_alive() and waiting_for_a_lock() == 1
    release_first.set()
    one.join(timeout=30)
    two.join(timeout=30)

    assert results["first"] == "booked"
    assert isinstance(results["second"], ValidationError)
    assert "700.000,00" in results["second"].messages[0]
    assert list(Spending.objects.values_list("amount", flat=True)) == [Decimal("800000.00")]


def test_a_rate_cannot_change_under_a_booking_of_hours(reference_data, eager_celery):
    """A booking of hours holds the party's rate for the year locked until it commits; a
    change of the rate meanwhile waits, then finds hours booked at it and is refused, so no
    entry's DKK amount disagrees with the rate."""
    import datetime

    from partners.models import Organisation
    from tracks.models import BudgetLine, Contribution, HourlyRate

    people = People()
    kl = Organisation.objects.get(code="kl")
    Contribution.objects.filter(key="kl-kkr").update(kind="hours", hours=Decimal("50000"))
    services.hourly_rate_set(party=kl, year=2026, rate=Decimal("600"), by=people.secretariat)
    first_holds_lock = threading.Event()
    release_first = threading.Event()
    results: dict[str, object] = {}

    def book_hours():
        try:
            with transaction.atomic():
                services.spending_add(
                    budget_line=BudgetLine.objects.get(key="kl-kkr-2026"),
                    by=people.secretariat, date=datetime.date(2026, 3, 1), hours=Decimal("10"),
                    description="Timer", document_reference="T",
                )  # fmt: skip
                first_holds_lock.set()
                release_first.wait(timeout=30)
            results["booking"] = "booked"
        except Exception as exc:
            results["booking"] = exc
        finally:
            first_holds_lock.set()
            connections.close_all()

    def change_rate():
        try:
            services.hourly_rate_set(
                party=kl, year=2026, rate=Decimal("700"), by=people.secretariat
            )
            results["rate"] = "changed"
        except ValidationError as exc:
            results["rate"] = exc
        finally:
            connections.close_all()

    one = threading.Thread(target=book_hours)
    one.start()
    assert first_holds_lock.wait(timeout=30)
    two = threading.Thread(target=change_rate)
    two.start()
    for _ in range(600):
        if waiting_for_a_lock():
            break
        two.join(timeout=0.05)
    assert two.is_alive() and waiting_for_a_lock() == 1
    release_first.set()
    one.join(timeout=30)
    two.join(timeout=30)

    assert results["booking"] == "booked"
    assert isinstance(results["rate"], ValidationError)
    assert HourlyRate.objects.get(party=kl, year=2026).rate == Decimal("600")
