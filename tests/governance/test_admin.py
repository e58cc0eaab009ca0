import pytest
from django.urls import reverse

from governance.models import Body, Decision, Meeting, Membership, Paper, SeatRule

from .factories import open_decision, seat

CHANGELISTS = [Body, SeatRule, Membership, Meeting, Paper, Decision]


@pytest.mark.parametrize("model", CHANGELISTS, ids=lambda m: m.__name__)
def test_changelists_and_search(model, admin_client, role_users):
    url = reverse(f"admin:governance_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "FU"}).status_code == 200


def test_decisions_are_read_only_in_the_admin(admin_client, role_users):
    seat("fu", role="vice_chair", appointed_by="danske-regioner")
    decision = open_decision("fu", by=role_users["secretariat"])
    change = reverse("admin:governance_decision_change", args=[decision.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()
    admin_client.post(change, {"title": "Ændret", "status": "adopted"})
    decision.refresh_from_db()
    assert decision.title != "Ændret" and decision.is_open
    assert admin_client.get(reverse("admin:governance_decision_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:governance_decision_delete", args=[decision.pk])
        ).status_code
        == 403
    )


def test_adding_a_seat_in_the_admin_goes_through_the_service(admin_client, role_users):
    person = role_users["coordinator_b"]
    fu = Body.objects.get(code="fu")
    response = admin_client.post(
        reverse("admin:governance_membership_add"),
        {
            "person": person.pk,
            "body": fu.pk,
            "seat_role": "chair",
            "appointed_by": fu.seat_rules.get(key="chair-kl").appointed_by_id,
            "starts_on": "2024-01-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert person.has_perm("governance.chair_body", fu)
