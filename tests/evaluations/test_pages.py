"""The evaluation and data request pages in every state are valid HTML (the Nu Html Checker),
and bad input on their forms comes back in Danish with nothing written."""

import datetime
import shutil

import pytest
from django.urls import reverse
from django.utils import timezone

from data_requests.models import DataRequest
from evaluations import services
from evaluations.models import Evaluation, FollowUpAction
from tests.data_requests.factories import approve, make_request
from tests.factories import verify_mfa
from tests.test_html_validity import VNU_JAR, describe, vnu_errors

from .factories import make_evaluation, reported

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    verify_mfa(client, user)
    return client


@pytest.mark.skipif(
    not VNU_JAR.exists() or not shutil.which("java"), reason="vnu.jar or Java is missing"
)
def test_the_pages_are_valid_html_in_every_state(client, people, tmp_path):
    evaluation = reported(people)
    services.action_add(
        evaluation=evaluation,
        by=people.secretariat,
        recommendation="Anbefaling",
        action="Handling",
        owner=people.fu_member,
        due_on=timezone.localdate() + datetime.timedelta(days=9),
    )
    draft = make_evaluation(people.secretariat, title="Slutevaluering")
    request = approve(make_request(people.secretariat), people, ["municipality_code", "year"])
    received = make_request(people.secretariat, organisation="Firma")
    pages = {
        "evaluation-list": reverse("evaluation-list"),
        "evaluation-create": reverse("evaluation-create"),
        "evaluation-reported": evaluation.get_absolute_url(),
        "evaluation-draft": draft.get_absolute_url(),
        "evaluation-edit": reverse("evaluation-edit", args=[draft.pk]),
        "data-request-list": reverse("data-request-list"),
        "data-request-create": reverse("data-request-create"),
        "data-request-approved": request.get_absolute_url(),
        "data-request-received": received.get_absolute_url(),
    }
    for user in (people.secretariat, people.fu_member):
        _as(client, user)
        for name, url in pages.items():
            response = client.get(url)
            if response.status_code == 403:
                continue
            assert response.status_code == 200, (name, user)
            (tmp_path / f"{name}-{user.pk}.html").write_bytes(response.content)
    # A form with its errors, too.
    _as(client, people.secretariat)
    response = client.post(reverse("evaluation-action-add", args=[evaluation.pk]), {})
    (tmp_path / "action-errors.html").write_bytes(response.content)
    errors = vnu_errors(tmp_path)
    assert not errors, describe(errors, tmp_path)


def test_bad_input_comes_back_in_danish_and_nothing_is_written(client, people):
    _as(client, people.secretariat)
    evaluation = reported(people)
    response = client.post(
        reverse("evaluation-action-add", args=[evaluation.pk]),
        {"recommendation": "R", "action": "A", "owner": people.coordinator.pk, "due_on": "x"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Indtast en gyldig dato." in text
    assert not FollowUpAction.objects.exists()

    response = client.post(
        reverse("evaluation-to-aps", args=[make_evaluation(people.secretariat).pk]),
        {"deadline": "2001-01-01T10:00"},
    )
    assert response.status_code == 400
    assert "Fristen skal ligge i fremtiden." in response.content.decode()
    assert not Evaluation.objects.filter(status=Evaluation.Status.AT_APS).exists()

    response = client.post(
        reverse("data-request-create"),
        {
            "organisation": "Firma",
            "contact_name": "Navn",
            "contact_email": "navn@example.dk",
            "purpose": "Formål",
            "received_on": "2026-01-01",
            "dataset": "municipal_reports",
            "requested_fields": ["tonnes_co2e"],  # the other dataset's field
            "years": "2023",
            "dgos": [],
        },
    )
    assert response.status_code == 400
    assert "Ikke et felt i anmodningens datasæt" in response.content.decode()
    assert not DataRequest.objects.exists()
