"""Failed sign-ins are throttled per username and IP address, with a clear 429 page."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "a long test passphrase"


@pytest.fixture
def people(db):
    return UserFactory(username="mette", password=PASSWORD), UserFactory(
        username="jens", password=PASSWORD
    )


def attempt(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_locked_after_five_failures_with_a_clear_page(client, people):
    for _ in range(4):
        assert attempt(client, "mette", "wrong").status_code == 200
    assert attempt(client, "mette", "wrong").status_code == 429
    response = attempt(client, "mette", PASSWORD)
    assert response.status_code == 429
    assert "15 minut" in response.content.decode()


def test_one_attacker_does_not_lock_out_everybody(client, people):
    for _ in range(6):
        attempt(client, "mette", "wrong", ip="10.6.6.6")
    # The same person from their own network, and another person from the attacker's.
    assert attempt(client, "mette", PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert attempt(client, "jens", PASSWORD, ip="10.6.6.6").status_code == 302
