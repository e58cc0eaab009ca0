"""Reminders travel through the real Redis broker and a worker, after the request commits."""

import time

import pytest
from django.core import mail

from klimaalliancen.celery import app
from monitoring.models import Round
from partners.models import RoleAssignment
from tests.factories import make_user, verify_mfa

from .factories import make_round


@pytest.fixture(scope="module")
def celery_app():
    assert not app.conf.task_always_eager
    return app


@pytest.fixture(scope="module")
def celery_worker_parameters():
    return {"perform_ping_check": False}


@pytest.mark.django_db(transaction=True)
def test_reminder_button_mails_coordinators_through_a_worker(reference_data, client, celery_worker):
    make_round()
    make_user(RoleAssignment.Role.DGO_COORDINATOR, dgo_slug="midtjylland", username="mads")
    sara = make_user(RoleAssignment.Role.SECRETARIAT, username="sara")
    client.force_login(sara)
    verify_mfa(client, sara)
    response = client.post("/monitoring/2026/reminders/")
    assert response.status_code == 302 and response.url == "/monitoring/2026/"

    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [message.to for message in mail.outbox] == [["mads@example.dk"]]
    assert "Aarhus" in mail.outbox[0].body
    assert Round.objects.get(year=2026).reminders_sent_at is not None
