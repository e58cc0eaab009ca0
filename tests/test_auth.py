from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory


def test_sign_in_with_username_or_email(client, db):
    UserFactory(username="mette", email="Mette@Example.dk", password="a long test passphrase")
    for login in ("mette", "METTE", "mette@example.dk"):
        response = client.post(
            reverse("login"), {"username": login, "password": "a long test passphrase"}
        )
        assert response.status_code == 302, login
        client.logout()


def test_wrong_password_rerenders_with_message(client, db):
    UserFactory(username="mette", password="a long test passphrase")
    response = client.post(reverse("login"), {"username": "mette", "password": "wrong"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()


def test_new_session_key_at_sign_in_and_logout_ends_it_server_side(client, db):
    UserFactory(username="mette", password="a long test passphrase")
    client.get(reverse("login"))
    client.cookies[settings.SESSION_COOKIE_NAME] = "attacker-chosen"
    client.post(reverse("login"), {"username": "mette", "password": "a long test passphrase"})
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert key != "attacker-chosen"
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_pages_need_sign_in(client, db):
    response = client.get("/municipalities/751/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/municipalities/751/"


def test_password_reset_mail_is_sent_after_commit_by_a_task(
    client, db, django_capture_on_commit_callbacks, eager_celery
):
    UserFactory(username="mette", email="mette@example.dk")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("password_reset"), {"email": "mette@example.dk"})
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_argon2_accepts_long_passphrases():
    hasher = Argon2PasswordHasher()
    phrase = "en meget lang adgangssætning med mange ord og tegn " * 4
    encoded = hasher.encode(phrase, hasher.salt())
    assert encoded.startswith("argon2") and hasher.verify(phrase, encoded)
