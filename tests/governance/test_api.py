import datetime

import pytest
from django.utils import timezone

from governance import services
from governance.models import Body, SeatRole, Vote

from .factories import open_decision, past, plan_meeting, seat


@pytest.fixture
def decision(role_users):
    """An open FU decision with two voting seats: `member` and a vice-chair."""
    seat("fu", role=SeatRole.VICE_CHAIR, appointed_by="danske-regioner")
    return open_decision("fu", by=role_users["secretariat"])


def test_member_votes_201_and_the_vote_is_counted(client_for, decision, role_users):
    response = client_for("member").post(
        f"/api/decisions/{decision.pk}/vote/", {"choice": "yes"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["choice"] == "yes"
    vote = Vote.objects.get()
    assert vote.cast_by == role_users["member"] and vote.decision == decision


@pytest.mark.parametrize("role", ["observer", "coordinator_a", "secretariat", "knowledge_partner"])
def test_observers_and_non_members_get_403_with_a_reason(client_for, decision, role):
    response = client_for(role).post(
        f"/api/decisions/{decision.pk}/vote/", {"choice": "yes"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not Vote.objects.exists()


def test_observer_reason_says_observers_do_not_vote(client_for, decision):
    response = client_for("observer").post(f"/api/decisions/{decision.pk}/vote/", {"choice": "no"})
    assert "Observatører" in response.json()["detail"]  # Danish is the default language


def test_ended_membership_gets_403(client, decision):
    former = seat("fu", appointed_by="realdania")
    services.membership_end(
        membership=former, by=None, ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(former.person)
    response = client.post(f"/api/decisions/{decision.pk}/vote/", {"choice": "yes"})
    assert response.status_code == 403
    assert "aktiv" in response.json()["detail"]
    assert not Vote.objects.exists()


def test_second_vote_by_the_seat_is_409(client_for, decision):
    client = client_for("member")
    assert client.post(f"/api/decisions/{decision.pk}/vote/", {"choice": "yes"}).status_code == 201
    response = client.post(f"/api/decisions/{decision.pk}/vote/", {"choice": "no"})
    assert response.status_code == 409
    assert Vote.objects.get().choice == "yes"


def test_vote_on_a_closed_decision_is_409(client_for, decision, role_users):
    services.decision_close(decision=past(decision), by=role_users["secretariat"])
    response = client_for("member").post(f"/api/decisions/{decision.pk}/vote/", {"choice": "yes"})
    assert response.status_code == 409
    assert not Vote.objects.exists()


@pytest.mark.parametrize("payload", [{"choice": "maybe"}, {}, {"choice": ""}])
def test_bad_choice_is_400(client_for, decision, payload):
    response = client_for("member").post(
        f"/api/decisions/{decision.pk}/vote/", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert "choice" in response.json()
    assert not Vote.objects.exists()


def test_unknown_decision_is_404(client_for, db, role_users):
    assert (
        client_for("member").post("/api/decisions/999999/vote/", {"choice": "yes"}).status_code
        == 404
    )


def test_open_decisions_filter(client_for, decision, role_users):
    other = open_decision("fu", by=role_users["secretariat"], title="Lukket")
    services.decision_close(decision=past(other), by=role_users["secretariat"])
    body = client_for("member").get("/api/decisions/", {"status": "open"}).json()
    assert [row["id"] for row in body["results"]] == [decision.pk]
    assert body["results"][0]["body"] == "fu"
    closed = client_for("member").get("/api/decisions/", {"status": "lapsed"}).json()
    assert [row["id"] for row in closed["results"]] == [other.pk]
    assert client_for("member").get("/api/decisions/", {"status": "nonsense"}).status_code == 400


def test_decisions_are_only_listed_for_the_bodys_seats(client_for, decision):
    assert client_for("observer").get("/api/decisions/").json()["count"] == 1
    assert client_for("secretariat").get("/api/decisions/").json()["count"] == 1
    assert client_for("coordinator_a").get("/api/decisions/").json()["count"] == 0
    assert client_for("coordinator_a").get(f"/api/decisions/{decision.pk}/").status_code == 404


def test_bodies_memberships_and_meetings(client_for, role_users):
    client = client_for("coordinator_b")
    bodies = client.get("/api/bodies/").json()
    assert len(bodies) == Body.objects.count() == 13
    fu = client.get("/api/bodies/fu/").json()
    assert fu["meetings_per_year"] == 2 and fu["seat_count"] == 2
    seats = client.get("/api/memberships/", {"body": "fu", "active": "true"}).json()
    assert {row["seat_role"] for row in seats["results"]} == {"member", "observer"}
    planned = plan_meeting("fu", by=role_users["secretariat"])
    published = plan_meeting("fu", by=role_users["secretariat"], publish=True)
    listed = [row["id"] for row in client.get("/api/meetings/").json()["results"]]
    assert listed == [published.pk]  # the planned one is private to FU
    seated = client_for("member").get("/api/meetings/", {"body": "fu"}).json()["results"]
    assert {row["id"] for row in seated} == {planned.pk, published.pk}
    assert [item["title"] for item in seated[0]["agenda"]] == ["Punkt 1", "Punkt 2"]


def test_anonymous_gets_401(client, db):
    assert client.get("/api/decisions/").status_code == 401
    assert client.post("/api/decisions/1/vote/", {"choice": "yes"}).status_code == 401


def test_schema_documents_the_vote(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    vote = schema["paths"]["/api/decisions/{id}/vote/"]["post"]
    assert {"201", "403", "409"} <= set(vote["responses"])
