"""The start page is a to-do list by role: each item has a count and leads to the work.
Only what waits for the user is listed; an item that would count 0 is left out."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import RoleAssignment
from tests.factories import make_user, sign_in
from tests.matrix import governance as governance_cases
from tests.matrix import monitoring as monitoring_cases
from tests.matrix import tracks as tracks_cases

pytestmark = pytest.mark.django_db


def todo(client) -> dict[str, dict]:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return {item["key"]: item for item in response.context["todo"]}


def test_a_voting_member_sees_the_decision_awaiting_their_vote(client_for, role_users):
    decision = governance_cases.fu_decision(role_users)
    items = todo(client_for("member"))
    assert items["votes"]["count"] == 1
    assert items["votes"]["url"] == reverse("decision-detail", args=[decision["pk"]])
    page = client_for("member").get("/").content.decode()
    assert "Beslutninger, der venter på min stemme" in page and "venter på dig" in page
    # An observer never votes, and the secretariat does not sit in FU: nothing waits for them.
    assert "votes" not in todo(client_for("observer"))
    assert "votes" not in todo(client_for("secretariat"))


def test_meetings_this_month_are_counted_for_the_bodies_i_sit_in(client_for, role_users):
    from governance import services
    from governance.models import Body

    services.meeting_create(
        body=Body.objects.get(code="pug"),
        by=role_users["secretariat"],
        title="PUG",
        starts_at=timezone.localtime().replace(day=1, hour=9, minute=0),
        location="KL",
    )
    assert todo(client_for("observer"))["meetings"]["count"] == 1  # sits in PUG
    assert "meetings" not in todo(client_for("member"))  # FU only


def test_a_knowledge_partner_sees_assessments_to_write(client_for, role_users):
    track = tracks_cases.at("in_qualification")(role_users)
    items = todo(client_for("knowledge_partner"))
    assert items["assessments"]["count"] == 1
    assert items["assessments"]["url"] == reverse("assessment-write", args=[track["pk"]])
    assert "assessments" not in todo(client_for("coordinator_a"))


def test_the_secretariat_sees_tracks_awaiting_qualification_and_reports_to_review(
    client_for, role_users
):
    tracks_cases.at("submitted")(role_users)
    monitoring_cases.submitted_report(role_users)
    items = todo(client_for("secretariat"))
    assert items["qualification"]["count"] == 1
    assert items["reports-to-review"]["count"] == 1
    assert items["reports-to-review"]["url"].endswith("?state=submitted")
    assert "reports-to-fill" not in items


def test_a_coordinator_sees_the_reports_of_their_geography_to_fill_in(client_for, role_users):
    from partners.models import Municipality

    monitoring_cases.draft_report(role_users)
    items = todo(client_for("coordinator_a"))
    # Every Midtjylland municipality's report is still to be filled in (Aarhus' is a draft).
    assert (
        items["reports-to-fill"]["count"]
        == Municipality.objects.filter(dgo__slug="midtjylland").count()
    )
    assert "reports-to-review" not in items and "qualification" not in items


def test_a_party_approver_sees_allocations_awaiting_their_approval(client, role_users):
    tracks_cases.pending_allocation(role_users)
    approver = make_user(RoleAssignment.Role.PARTY_APPROVER, org_code="realdania")
    sign_in(client, approver)
    items = todo(client)
    assert items["allocations"]["count"] == 1
    assert items["allocations"]["url"] == reverse("allocation-approvals")
    other = make_user(RoleAssignment.Role.PARTY_APPROVER, org_code="danske-regioner")
    sign_in(client, other)
    assert "allocations" not in todo(client)


ROLES = ["observer", "member", "coordinator_a", "coordinator_b", "knowledge_partner",
         "secretariat", "administrator"]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_no_role_is_shown_a_to_do_item_with_nothing_to_do(client_for, role_users, role):
    """With work waiting for some roles (a vote, tracks, a monitoring round with reports to
    fill in and one to review), every role sees only items that count something; a role with
    nothing waiting reads that, in Danish and in English."""
    governance_cases.fu_decision(role_users)
    tracks_cases.at("submitted")(role_users)
    monitoring_cases.submitted_report(role_users)
    client = client_for(role)
    items = todo(client)
    assert all(item["count"] > 0 for item in items.values()), items
    for language, nothing in (("da", "Intet venter på dig lige nu."),
                              ("en", "Nothing is waiting for you right now.")):  # fmt: skip
        client.cookies["django_language"] = language
        page = client.get("/").content.decode()
        counts = re.findall(r'class="todo-count">(\d+)<', page)
        assert len(counts) == len(items) and "0" not in counts
        assert (nothing in page) == (not items)
    expected = {
        "observer": set(),  # observes FU and PUG, never votes; no meeting this month
        "member": {"votes"},
        "coordinator_a": {"reports-to-fill"},
        "coordinator_b": {"reports-to-fill"},
        "knowledge_partner": set(),  # no track in qualification
        "secretariat": {"qualification", "reports-to-review"},
        "administrator": set(),
    }[role]
    assert set(items) == expected
