"""The tracks API: visibility, transitions as actions with 400/403/409 and their reasons."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tracks.models import Allocation, Track

from .factories import advance, allocation, draft

S = Track.Status


@pytest.fixture
def api_as():
    client = APIClient()

    def sign_in(user):
        client.force_authenticate(user)
        return client

    return sign_in


def test_anonymous_requests_get_401():
    client = APIClient()
    assert client.get(reverse("api-track-list")).status_code == 401
    assert client.get(reverse("api-budget-overview")).status_code == 401


def test_list_and_detail_follow_the_visibility_rule(people, api_as):
    hidden = draft(people.coordinator, title="Udkast")
    shown = advance(draft(people.coordinator, title="Indsendt"), S.SUBMITTED, people)
    client = api_as(people.observer)
    data = client.get(reverse("api-track-list")).json()
    assert [row["title"] for row in data["results"]] == ["Indsendt"]
    assert data["results"][0]["participants"][0]["is_lead"] is True
    assert client.get(reverse("api-track-detail", args=[hidden.pk])).status_code == 404
    detail = client.get(reverse("api-track-detail", args=[shown.pk])).json()
    assert [step["to_status"] for step in detail["transitions"]] == ["draft", "submitted"]
    mine = api_as(people.coordinator).get(reverse("api-track-list")).json()
    assert {row["title"] for row in mine["results"]} == {"Udkast", "Indsendt"}
    filtered = api_as(people.observer).get(
        reverse("api-track-list"), {"municipality": "751", "dgo": "midtjylland"}
    )
    assert filtered.json()["count"] == 1


def test_submit_answers_400_with_one_reason_per_failing_principle(people, api_as):
    track = draft(people.coordinator, codes=("751", "740"), complete=False)
    response = api_as(people.coordinator).post(reverse("api-track-submit", args=[track.pk]))
    assert response.status_code == 400
    codes = [reason["code"] for reason in response.json()["reasons"]]
    assert codes == [
        "participants",
        "ambition",
        "development_element",
        "knowledge_sharing_plan",
        "evaluation_plan",
        "focus_area",
    ]
    assert all(reason["message"] for reason in response.json()["reasons"])


def test_submit_200_403_and_409(people, api_as):
    track = draft(people.coordinator)
    # A draft of another DGO is not even visible to another coordinator: 404.
    url = reverse("api-track-submit", args=[track.pk])
    assert api_as(people.other_coordinator).post(url).status_code == 404
    response = api_as(people.coordinator).post(url, {"reason": "Klar."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["transitions"][-1]["reason"] == "Klar."
    again = api_as(people.coordinator).post(url)
    assert again.status_code == 409 and again.json()["detail"]
    refused = api_as(people.observer).post(
        reverse("api-track-start-qualification", args=[track.pk])
    )
    assert refused.status_code == 403
    assert "APS" in refused.json()["detail"]
    # An APS member alone does not qualify: the secretariat puts it to APS, which decides.
    assert (
        api_as(people.aps)
        .post(reverse("api-track-start-qualification", args=[track.pk]))
        .status_code
        == 403
    )
    ok = api_as(people.secretariat).post(reverse("api-track-start-qualification", args=[track.pk]))
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"
    assert ok.json()["transitions"][-1]["event"] == "put_to_aps"


def test_withdraw_needs_a_reason(people, api_as):
    track = advance(draft(people.coordinator), S.SUBMITTED, people)
    url = reverse("api-track-withdraw", args=[track.pk])
    response = api_as(people.coordinator).post(url, {}, format="json")
    assert response.status_code == 400 and response.json()["reasons"][0]["code"] == "reason"
    response = api_as(people.coordinator).post(url, {"reason": "Dublet."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_assessments_only_published_ones(people, api_as):
    from tracks import services

    track = advance(draft(people.coordinator), S.ASSESSED, people)
    services.assessment_draft_save(
        track=track, by=people.knowledge_partner, text="Udkast.", conclusion="supported"
    )
    data = api_as(people.observer).get(reverse("api-assessment-list")).json()
    assert [(row["version"], row["organisation"]) for row in data["results"]] == [(1, "concito")]


def test_allocations_approve_refuse_and_the_pool_limit(people, api_as):
    track = advance(draft(people.coordinator), S.RUNNING, people)
    first = allocation(track, people, "4000000.00")
    second = allocation(track, people, "1500000.00")
    url = reverse("api-allocation-approve", args=[first.pk])
    assert api_as(people.regions).post(url).status_code == 403
    response = api_as(people.realdania).post(url, {"note": "OK"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert api_as(people.realdania).post(url).status_code == 409
    over = api_as(people.realdania).post(reverse("api-allocation-approve", args=[second.pk]))
    assert over.status_code == 400
    assert "aldrig bevilges ud over sin størrelse" in over.json()["reasons"][0]["message"]
    refused = api_as(people.realdania).post(reverse("api-allocation-refuse", args=[second.pk]))
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert Allocation.objects.get(pk=second.pk).status == "refused"


def test_budget_overview_reconciles(people, api_as):
    track = advance(draft(people.coordinator), S.APPROVED, people)
    allocation(track, people, "250000.00")  # pending: not counted
    data = api_as(people.observer).get(reverse("api-budget-overview")).json()
    assert data["contributed"] == "82100000.00"
    assert data["total"]["budgeted"] == "82100000.00"
    assert data["total"]["allocated"] == "0.00"
    pools = {pool["key"]: pool for pool in data["pools"]}
    assert pools["realdania-likvide"]["pending"] == "250000.00"
    assert pools["realdania-likvide"]["left"] == "5000000.00"
    assert Decimal(data["contributors"][0]["total"]["budgeted"]) > 0
