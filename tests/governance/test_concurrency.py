"""Two transactions voting or closing on the same decision at the same time.

Each thread has its own database connection. A patched tally makes the first transaction hold
the decision's row lock for a while, so the second one really runs while the first is open.
Without the lock, the second would read the votes before the first committed, and the decision
would stay open with every seat having voted yes.
"""

import threading
import time

import pytest
from django.db import connection

from governance import services
from governance.models import Body, Decision, SeatRole, Vote

from .factories import open_decision, past, seat, secretariat_user

pytestmark = pytest.mark.django_db(transaction=True)


def run_in_thread(results: dict, key: str, action) -> threading.Thread:
    def target():
        try:
            results[key] = action()
        except Exception as exc:
            results[key] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


class SlowTally:
    """Once armed, the next tally taken signals `inside` and then holds its transaction."""

    def __init__(self):
        self.inside = threading.Event()
        self.armed = False
        self._once = threading.Lock()

    def arm(self) -> None:
        self.armed = True

    def wait(self, timeout: float) -> bool:
        return self.inside.wait(timeout)


@pytest.fixture
def slow_first_tally(monkeypatch):
    slow = SlowTally()
    real_tally = services.decision_tally

    def tally(**kwargs):
        result = real_tally(**kwargs)
        if slow.armed and slow._once.acquire(blocking=False):
            slow.inside.set()
            time.sleep(0.6)
        return result

    monkeypatch.setattr(services, "decision_tally", tally)
    return slow


@pytest.fixture
def two_seats(reference_data, eager_celery):
    fu = Body.objects.get(code="fu")
    first = seat(fu, role=SeatRole.CHAIR)
    second = seat(fu, role=SeatRole.VICE_CHAIR, appointed_by="danske-regioner")
    secretariat = secretariat_user()
    return first, second, secretariat, open_decision(fu, by=secretariat)


def test_the_last_two_yes_votes_at_once_adopt_the_decision(two_seats, slow_first_tally):
    first, second, _secretariat, decision = two_seats
    slow_first_tally.arm()
    results: dict = {}
    one = run_in_thread(
        results, "one", lambda: services.vote_cast(decision=decision, by=first.person, choice="yes")
    )
    assert slow_first_tally.wait(5)  # the first vote is written, its transaction still open
    two = run_in_thread(
        results,
        "two",
        lambda: services.vote_cast(decision=decision, by=second.person, choice="yes"),
    )
    one.join(10)
    two.join(10)
    assert isinstance(results["one"], Vote) and isinstance(results["two"], Vote)
    decision.refresh_from_db()
    assert decision.status == Decision.Status.ADOPTED
    assert decision.votes.count() == 2


def test_vote_and_close_at_once_never_both_succeed(two_seats, slow_first_tally):
    first, second, secretariat, decision = two_seats
    services.vote_cast(decision=decision, by=first.person, choice="yes")
    decision = past(decision)  # the deadline has passed with one vote missing
    slow_first_tally.arm()
    results: dict = {}
    closing = run_in_thread(
        results, "close", lambda: services.decision_close(decision=decision, by=secretariat)
    )
    assert slow_first_tally.wait(5)  # the closing holds the lock
    voting = run_in_thread(
        results,
        "vote",
        lambda: services.vote_cast(decision=decision, by=second.person, choice="yes"),
    )
    closing.join(10)
    voting.join(10)
    assert isinstance(results["close"], Decision)
    assert isinstance(results["vote"], services.Conflict)  # it waited, then saw it closed
    decision.refresh_from_db()
    assert decision.status == Decision.Status.LAPSED
    assert decision.votes.count() == 1  # no vote landed on the closed decision


def test_the_same_seat_voting_twice_at_once_counts_once(two_seats, slow_first_tally):
    first, _second, _secretariat, decision = two_seats
    slow_first_tally.arm()
    results: dict = {}
    one = run_in_thread(
        results, "one", lambda: services.vote_cast(decision=decision, by=first.person, choice="yes")
    )
    assert slow_first_tally.wait(5)
    two = run_in_thread(
        results, "two", lambda: services.vote_cast(decision=decision, by=first.person, choice="no")
    )
    one.join(10)
    two.join(10)
    assert isinstance(results["one"], Vote)
    assert isinstance(results["two"], services.Conflict)
    assert list(decision.votes.values_list("choice", flat=True)) == ["yes"]
