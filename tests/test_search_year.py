"""Global search over the partnership's evaluations and external data requests: each found only
by those who may open it (evaluations: the secretariat and APS's and FU's seats; data requests:
the secretariat and APS's seats), each result linking to its page."""

from django.urls import reverse

from governance.models import SeatRole
from tests.data_requests.factories import make_request
from tests.evaluations.factories import make_evaluation
from tests.factories import verify_mfa
from tests.governance.factories import seat


def found(client, query: str) -> dict[str, str]:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return {r.title: r.url for group in response.context["groups"].values() for r in group}


def as_user(client, user):
    client.force_login(user)
    verify_mfa(client, user)
    return client


def test_evaluations_are_found_by_the_secretariat_and_fus_and_apss_seats(
    client, client_for, role_users
):
    evaluation = make_evaluation(role_users["secretariat"], title="Midtvejsevaluering 2026")
    url = reverse("evaluation-detail", args=[evaluation.pk])
    # member: FU voting seat; observer: FU and PUG observer.
    for role in ("secretariat", "member", "observer"):
        assert found(client_for(role), "midtvejsevaluering") == {evaluation.title: url}, role
    aps_observer = seat("aps", role=SeatRole.OBSERVER, appointed_by="concito").person
    assert evaluation.title in found(as_user(client, aps_observer), "midtvejsevaluering")
    for role in ("coordinator_a", "knowledge_partner", "administrator"):
        assert found(client_for(role), "midtvejsevaluering") == {}, role
    # The terms of reference are searched in Danish too, not only the title.
    assert evaluation.title in found(client_for("member"), "styringen")


def test_data_requests_are_found_by_the_secretariat_and_apss_seats_only(
    client, client_for, role_users
):
    request = make_request(role_users["secretariat"], organisation="Klimainstituttet Vesterhav")
    url = reverse("data-request-detail", args=[request.pk])
    title = str(request)
    assert found(client_for("secretariat"), "vesterhav") == {title: url}
    for person in (
        seat("aps", appointed_by="kl").person,
        seat("aps", role=SeatRole.OBSERVER, appointed_by="concito").person,
    ):
        assert found(as_user(client, person), "vesterhav") == {title: url}
    # FU's and PUG's seats and every role without an APS seat are refused the requests.
    for role in ("member", "observer", "coordinator_a", "knowledge_partner", "administrator"):
        assert found(client_for(role), "vesterhav") == {}, role
    # The purpose is searched in Danish (its words' stems), the contact person by name.
    assert title in found(client_for("secretariat"), "udledninger")
    assert title in found(client_for("secretariat"), "hansen")
