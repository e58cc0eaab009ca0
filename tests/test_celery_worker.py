"""A real task through a real worker and the real Redis broker (not eager mode)."""

import time

import pytest
from django.core import mail
from django.urls import reverse

from klimaalliancen.celery import app
from tests.factories import UserFactory


@pytest.fixture(scope="module")
def celery_app():
    assert not app.conf.task_always_eager
    assert app.conf.broker_url.startswith("redis://")
    return app


@pytest.fixture(scope="module")
def celery_worker_parameters():
    return {"perform_ping_check": False}


@pytest.mark.django_db(transaction=True)
def test_password_reset_mail_goes_through_redis_and_a_worker(reference_data, client, celery_worker):
    UserFactory(username="mette", email="mette@example.dk")
    response = client.post(reverse("password_reset"), {"email": "mette@example.dk"})
    assert response.status_code == 302

    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mette@example.dk"]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_task_settings_are_safe_for_redelivery():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit < app.conf.broker_transport_options["visibility_timeout"]
