"""Report drafts written by the municipalities' own systems, with a personal API token:
the form's checks, the services, the optimistic lock (If-Match/version) and the audit trail."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.models import Action, EmissionFigure, Sector, StatusReport
from partners import services as partner_services
from partners.models import ApiToken

from .factories import make_report, make_round

URL = "/api/monitoring-drafts/2026/751/"


@pytest.fixture
def draft(db):
    return make_report(make_round(), "751")


def bearer(user, **kwargs) -> dict:
    made = partner_services.api_token_create(user=user, name="Kommunens system", **kwargs)
    return {"HTTP_AUTHORIZATION": f"Bearer {made.secret}"}


def patch(client, body: dict, headers: dict, url: str = URL, **extra):
    return client.patch(url, json.dumps(body), content_type="application/json", **headers, **extra)


def test_a_coordinators_token_updates_a_draft_and_the_change_shows_in_the_history(
    client, client_for, role_users, draft
):
    coordinator = role_users["coordinator_a"]
    headers = bearer(coordinator)
    read = client.get(URL, **headers)
    assert read.status_code == 200
    assert read["ETag"] == f'"{draft.version}"'
    assert read.json()["state"] == "draft"

    response = patch(
        client,
        {"target_2030_reduction_pct": "55.00"},
        headers,
        HTTP_IF_MATCH=read["ETag"],
    )
    assert response.status_code == 200, response.content
    assert response.json()["target_2030_reduction_pct"] == "55.00"
    assert response["ETag"] == f'"{draft.version + 1}"'
    draft.refresh_from_db()
    assert draft.target_2030_reduction_pct == Decimal("55.00")
    assert draft.updated_by == coordinator

    page = client_for("coordinator_a").get(
        reverse("monitoring-report-detail", kwargs={"year": 2026, "code": "751"})
    )
    history = page.content.decode().split('id="history"')[1]
    assert "70" in history and "55" in history
    assert str(coordinator) in history


def test_a_coordinator_of_another_dgo_cannot_touch_aarhus(client, role_users, draft):
    headers = bearer(role_users["coordinator_b"])
    assert client.get(URL, **headers).status_code == 404
    refused = patch(client, {"version": draft.version, "net_zero_year": 2040}, headers)
    assert refused.status_code == 404
    assert client.post(URL + "submit/", **headers).status_code == 404
    draft.refresh_from_db()
    assert draft.net_zero_year != 2040 and draft.state == StatusReport.State.DRAFT


def test_a_read_only_token_cannot_write(client, role_users, draft):
    headers = bearer(role_users["coordinator_a"], read_only=True)
    assert client.get(URL, **headers).status_code == 200
    refused = patch(client, {"version": draft.version, "net_zero_year": 2040}, headers)
    assert refused.status_code == 403
    assert "kun læse" in refused.json()["detail"]
    assert StatusReport.objects.get(pk=draft.pk).version == draft.version


def test_a_revoked_token_is_401(client, role_users, draft):
    headers = bearer(role_users["coordinator_a"])
    ApiToken.objects.update(revoked_at="2026-01-01T00:00Z")
    refused = patch(client, {"version": draft.version, "net_zero_year": 2040}, headers)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "API-nøglen er tilbagekaldt."


def test_a_stale_write_is_refused_with_the_version_now_stored(client, role_users, draft):
    headers = bearer(role_users["coordinator_a"])
    stale = draft.version - 1
    by_header = patch(client, {"net_zero_year": 2040}, headers, HTTP_IF_MATCH=f'"{stale}"')
    assert by_header.status_code == 412
    assert by_header.json()["current_version"] == draft.version
    assert "gemt" in by_header.json()["detail"]
    by_field = patch(client, {"version": stale, "net_zero_year": 2040}, headers)
    assert by_field.status_code == 409
    missing = patch(client, {"net_zero_year": 2040}, headers)
    assert missing.status_code == 428
    assert StatusReport.objects.get(pk=draft.pk).net_zero_year != 2040


def test_bad_values_are_400_with_each_fields_reason_and_nothing_is_written(
    client, role_users, draft
):
    headers = bearer(role_users["coordinator_a"])
    response = patch(
        client,
        {"version": draft.version, "target_2030_reduction_pct": "150", "plan_status": "nope"},
        headers,
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"plan_status"}  # the body's shape is checked first
    form_rule = patch(
        client, {"version": draft.version, "target_2030_reduction_pct": "150"}, headers
    )
    assert form_rule.status_code == 400
    assert "target_2030_reduction_pct" in form_rule.json()
    transport = Sector.objects.filter(may_be_negative=False, parent__isnull=False).first()
    negative = patch(
        client,
        {"version": draft.version, "emissions": [{"sector": transport.key, "tonnes_co2e": "-5"}]},
        headers,
    )
    assert negative.status_code == 400, negative.content
    unknown = patch(
        client,
        {"version": draft.version, "emissions": [{"sector": "moon", "tonnes_co2e": "5"}]},
        headers,
    )
    assert unknown.status_code == 400
    assert "moon" in unknown.json()["emissions"][0]
    assert StatusReport.objects.get(pk=draft.pk).version == draft.version


def test_emissions_and_actions_through_the_services(client, role_users, draft):
    headers = bearer(role_users["coordinator_a"])
    sector = Sector.objects.filter(is_active=True, parent__isnull=False).first()
    first = draft.actions.order_by("pk").first()
    response = patch(
        client,
        {
            "version": draft.version,
            "emissions": [{"sector": sector.key, "tonnes_co2e": "1234.50"}],
            "actions": [
                {"id": first.pk, "name": first.name, "status": "completed"},
                {"name": "Fjernvarme til Lystrup", "sector": sector.key, "status": "started"},
            ],
        },
        headers,
    )
    assert response.status_code == 200, response.content
    figure = EmissionFigure.objects.get(
        municipality=draft.municipality, year=2024, sector=sector, data_release=draft.data_release
    )
    assert figure.tonnes_co2e == Decimal("1234.50")
    first.refresh_from_db()
    assert first.status == Action.Status.COMPLETED
    assert Action.objects.filter(report=draft, name="Fjernvarme til Lystrup").exists()
    names = [a["name"] for a in response.json()["actions"]]
    assert "Fjernvarme til Lystrup" in names


def test_a_report_not_started_is_started_with_version_0(client, role_users, db):
    make_round()
    headers = bearer(role_users["coordinator_a"])
    url = "/api/monitoring-drafts/2026/746/"  # Skanderborg, Midtjylland
    assert client.get(url, **headers).status_code == 404
    response = patch(client, {"version": 0, "net_zero_year": 2045}, headers, url=url)
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1
    assert StatusReport.objects.get(municipality__code="746").net_zero_year == 2045


def test_submit_and_then_no_more_changes(client, role_users, draft):
    headers = bearer(role_users["coordinator_a"])
    response = client.post(URL + "submit/", **headers)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    refused = patch(client, {"version": response.json()["version"], "net_zero_year": 2040}, headers)
    assert refused.status_code == 403
    assert refused.json()["detail"]


def test_an_incomplete_report_is_not_submitted_and_says_what_is_missing(client, role_users, db):
    make_report(make_round(), "751", figures=False)
    response = client.post(URL + "submit/", **bearer(role_users["coordinator_a"]))
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


def test_reading_a_draft_costs_the_same_however_many_actions_it_has(client, role_users, db):
    round = make_round()
    make_report(round, "751", actions=2)
    make_report(round, "746", actions=40)
    headers = bearer(role_users["coordinator_a"])
    client.get(URL, **headers)  # the token's first use records it (one UPDATE)
    counts = []
    for url in (URL, "/api/monitoring-drafts/2026/746/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, **headers).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 16, counts
