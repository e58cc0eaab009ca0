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


@pytest.fixture
def realdania(db):
    return UserFactory(username="realdania", email="kontakt@realdania.dk", password=PASSWORD)


def lock(client, username: str) -> None:
    for _ in range(5):
        attempt(client, username, "wrong")


@pytest.mark.parametrize(
    "spelling", ["REALDANIA", "RealDania", "kontakt@realdania.dk", "KONTAKT@Realdania.DK"]
)
def test_a_locked_account_stays_locked_whatever_the_spelling(client, realdania, spelling):
    lock(client, "realdania")
    assert attempt(client, spelling, PASSWORD).status_code == 429
    assert attempt(client, "realdania", PASSWORD).status_code == 429


def test_case_variants_and_the_email_share_five_guesses(client, realdania):
    for spelling in ["realdania", "REALDANIA", "Realdania", "kontakt@realdania.dk"]:
        assert attempt(client, spelling, "wrong").status_code == 200
    assert attempt(client, "KONTAKT@REALDANIA.DK", "wrong").status_code == 429
    assert attempt(client, "realdania", PASSWORD).status_code == 429


def test_the_email_locks_the_account_and_the_right_spelling_is_refused(client, realdania):
    lock(client, "Kontakt@Realdania.dk")
    assert attempt(client, "realdania", PASSWORD).status_code == 429


def test_unknown_names_are_counted_case_folded(client, realdania):
    lock(client, "nobody")
    assert attempt(client, "NOBODY", "wrong").status_code == 429
    # The real account is not locked by guesses at another name.
    assert attempt(client, "realdania", PASSWORD).status_code == 302


def test_one_lockout_per_account_with_production_settings(client, realdania, settings):
    """The lockout bypass (issue 22) stays closed with what production sets: the values come
    from a real production-settings process and are applied here."""
    import json

    from tests.test_settings import GOOD_SECRET, manage

    names = [
        "DEBUG",
        "AXES_ENABLED",
        "AXES_FAILURE_LIMIT",
        "AXES_LOCKOUT_PARAMETERS",
        "AXES_USERNAME_CALLABLE",
        "AXES_RESET_ON_SUCCESS",
        "AXES_HTTP_RESPONSE_CODE",
    ]
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "import json; from django.conf import settings as s;"
        f"print(json.dumps({{n: getattr(s, n, True) for n in {names!r}}}))",
        DJANGO_ENV="production",
        SECRET_KEY=GOOD_SECRET,
    )
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout.strip().splitlines()[-1])
    assert production["DEBUG"] is False and production["AXES_ENABLED"] is True
    assert production["AXES_USERNAME_CALLABLE"] == "partners.auth.axes_username"
    for name, value in production.items():
        setattr(settings, name, value)
    lock(client, "realdania")
    for spelling in ("REALDANIA", "kontakt@realdania.dk", "Kontakt@RealDania.dk"):
        assert attempt(client, spelling, PASSWORD).status_code == 429
