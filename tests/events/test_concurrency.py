"""Two people registering for the last seat at the same time: one gets it, the other waits.

Each thread has its own database connection. A patched seat count makes the first transaction
hold the event's row lock for a while after counting, so the second really runs while the
first is open. Without the lock both would count one free seat and both be registered.
"""

import threading
import time

import pytest
from django.db import connection

from events import services
from events.models import Registration
from tests.factories import make_user

from .factories import make_event

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


class SlowCount:
    """Once armed, the next seat count signals `inside` and then holds its transaction."""

    def __init__(self):
        self.inside = threading.Event()
        self.armed = False
        self.once = threading.Lock()

    def arm(self) -> None:
        self.armed = True

    def wait(self, timeout: float) -> bool:
        return self.inside.wait(timeout)


@pytest.fixture
def slow_first_count(monkeypatch):
    slow = SlowCount()
    real = services._seats_taken

    def seats_taken(event):
        taken = real(event)
        if slow.armed and slow.once.acquire(blocking=False):
            slow.inside.set()
            time.sleep(0.6)
        return taken

    monkeypatch.setattr(services, "_seats_taken", seats_taken)
    return slow


def test_two_registrations_for_the_last_seat_give_one_seat_and_one_wait(
    reference_data, slow_first_count
):
    from partners.models import RoleAssignment

    secretariat = make_user(RoleAssignment.Role.SECRETARIAT, username="sek")
    first, second = make_user(username="first"), make_user(username="second")
    event = make_event(secretariat, capacity=2)
    services.registration_create(event=event, by=make_user(username="early"))
    slow_first_count.arm()
    results: dict = {}
    one = run_in_thread(results, "one", lambda: services.registration_create(event=event, by=first))
    assert slow_first_count.wait(5)  # counted one free seat, transaction still open
    two = run_in_thread(
        results, "two", lambda: services.registration_create(event=event, by=second)
    )
    one.join(10)
    two.join(10)
    assert isinstance(results["one"], Registration), results["one"]
    assert isinstance(results["two"], Registration), results["two"]
    assert results["one"].status == Registration.Status.REGISTERED
    assert results["two"].status == Registration.Status.WAITING
    assert Registration.objects.filter(event=event, status="registered").count() == 2
