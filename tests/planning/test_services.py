"""The plans' and risks' rules, through the services."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import Notification
from governance import services as governance_services
from governance.models import Body, Decision
from partners.models import Organisation
from planning import notices, selectors, services
from planning.models import Activity, Communication, Plan, Risk, RiskReview

from .factories import YEAR, add_activity, aps_meeting, make_plan, make_risk

pytestmark = pytest.mark.django_db


def test_only_the_secretariat_drafts_and_one_plan_a_year_is_kept(role_users):
    secretariat = role_users["secretariat"]
    for role in ("knowledge_partner", "member", "coordinator_a", "administrator"):
        with pytest.raises(PermissionDenied):
            services.plan_create(by=role_users[role], kind="project", year=YEAR, title="P")
    plan = services.plan_create(by=secretariat, kind="project", year=YEAR, title="P")
    with pytest.raises(ValidationError) as error:
        services.plan_create(by=secretariat, kind="project", year=YEAR, title="P igen")
    assert "year" in error.value.message_dict
    # A communication plan of the same year, and next year's project plan, are separate plans.
    services.plan_create(by=secretariat, kind="communication", year=YEAR, title="K")
    services.plan_create(by=secretariat, kind="project", year=YEAR + 1, title="P2")
    assert Plan.objects.count() == 3 and plan.status == Plan.Status.DRAFT


def test_activity_rules_are_danish_messages_and_nothing_is_written(role_users):
    secretariat = role_users["secretariat"]
    plan = make_plan(secretariat, activities=0)
    cases = [
        ({"owner_organisation": None}, "owner_person"),
        ({"starts_on": datetime.date(YEAR, 5, 1), "ends_on": datetime.date(YEAR, 4, 1)}, "ends_on"),
        (
            {"starts_on": datetime.date(YEAR + 1, 1, 1), "ends_on": datetime.date(YEAR + 1, 2, 1)},
            "starts_on",
        ),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as error:
            add_activity(plan, secretariat, **fields)
        assert field in error.value.message_dict
    assert not Activity.objects.exists()
    activity = add_activity(plan, secretariat, dgos=[], tracks=[])
    assert activity.plan == plan


def test_fu_approves_a_plan_unanimously_and_it_is_locked(role_users):
    secretariat, member = role_users["secretariat"], role_users["member"]
    plan = make_plan(secretariat, activities=0)
    with pytest.raises(ValidationError):  # no activities yet
        services.plan_put_to_fu(
            plan=plan, by=secretariat, deadline=timezone.now() + datetime.timedelta(days=7)
        )
    add_activity(plan, secretariat)
    decision = services.plan_put_to_fu(
        plan=plan, by=secretariat, deadline=timezone.now() + datetime.timedelta(days=7)
    )
    assert decision.body.code == "fu" and decision.subject == plan
    plan.refresh_from_db()
    assert plan.status == Plan.Status.AT_FU and plan.decision == decision
    # Locked while FU decides: no new activities, no edits.
    with pytest.raises(ValidationError):
        add_activity(plan, secretariat)
    with pytest.raises(ValidationError):
        services.plan_update(plan=plan, by=secretariat, title="Ændret")
    governance_services.vote_cast(decision=decision, by=member, choice="yes")
    plan.refresh_from_db()
    decision.refresh_from_db()
    assert decision.status == Decision.Status.ADOPTED
    assert plan.status == Plan.Status.APPROVED and plan.approved_at == decision.closed_at
    assert Notification.objects.filter(kind=notices.DECIDED, user=secretariat).exists()
    with pytest.raises(ValidationError):
        services.plan_update(plan=plan, by=secretariat, title="Ændret")


def test_a_rejected_plan_returns_to_draft(role_users):
    secretariat, member = role_users["secretariat"], role_users["member"]
    plan = make_plan(secretariat, state="at_fu")
    governance_services.vote_cast(decision=plan.decision, by=member, choice="no")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT and plan.approved_at is None
    add_activity(plan, secretariat, title="Revideret")  # may be revised and put again
    assert plan.activities.count() == 2


def test_a_decision_of_another_body_does_not_approve(role_users):
    secretariat = role_users["secretariat"]
    plan = make_plan(secretariat, state="at_fu")
    aps = Body.objects.get(code="aps")
    fake = Decision(body=aps, status=Decision.Status.ADOPTED, closed_at=timezone.now())
    services.on_fu_decision_closed(decision=fake, subject=plan)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.AT_FU


def test_knowledge_partners_comment_until_approval_and_the_secretariat_is_told(role_users):
    secretariat, kp = role_users["secretariat"], role_users["knowledge_partner"]
    plan = make_plan(secretariat)
    with pytest.raises(PermissionDenied):
        services.plan_comment_add(plan=plan, by=role_users["member"], text="Hej")
    with pytest.raises(ValidationError):
        services.plan_comment_add(plan=plan, by=kp, text="   ")
    services.plan_comment_add(plan=plan, by=kp, text="Start dataindsamlingen tidligere.")
    assert Notification.objects.filter(kind=notices.COMMENTED, user=secretariat).count() == 1
    approved = make_plan(secretariat, year=YEAR + 1, state="approved", voter=role_users["member"])
    with pytest.raises(PermissionDenied):
        services.plan_comment_add(plan=approved, by=kp, text="For sent")


def test_status_is_reported_on_an_approved_plan_by_the_secretariat_or_the_owner(role_users):
    secretariat, member = role_users["secretariat"], role_users["member"]
    owner = role_users["coordinator_a"]
    draft = make_plan(secretariat, year=YEAR + 1)
    with pytest.raises(ValidationError):
        services.activity_status_set(
            activity=draft.activities.get(), by=secretariat, status="under_way"
        )
    plan = make_plan(secretariat, activities=0)
    activity = add_activity(plan, secretariat, owner_person=owner)
    services.plan_put_to_fu(
        plan=plan, by=secretariat, deadline=timezone.now() + datetime.timedelta(days=7)
    )
    plan.refresh_from_db()
    governance_services.vote_cast(decision=plan.decision, by=member, choice="yes")
    with pytest.raises(PermissionDenied):
        services.activity_status_set(activity=activity, by=member, status="done")
    with pytest.raises(ValidationError) as error:
        services.activity_status_set(activity=activity, by=owner, status="delayed")
    assert "note" in error.value.message_dict
    services.activity_status_set(activity=activity, by=owner, status="delayed", note="Sygdom")
    activity.refresh_from_db()
    assert activity.status == "delayed" and activity.status_changed_by == owner
    assert LogEntry.objects.get_for_object(activity).filter(action=LogEntry.Action.UPDATE).exists()


def test_communications_show_the_parties_they_leave_out(role_users):
    secretariat = role_users["secretariat"]
    plan = make_plan(secretariat, kind=Plan.Kind.COMMUNICATION)
    parties = list(selectors.required_parties(involves_knowledge_partners=False))
    codes = sorted(o.code for o in parties)
    assert len(parties) == 7 and "kl" in codes and "realdania" in codes  # KL, 5 regions, Realdania
    with pytest.raises(ValidationError) as error:
        services.communication_record(
            plan=plan,
            by=secretariat,
            kind="news",
            title="Forkert år",
            published_on=datetime.date(YEAR + 1, 1, 1),
            named_parties=parties,
        )
    assert "published_on" in error.value.message_dict
    assert not Communication.objects.exists()
    services.communication_record(
        plan=plan, by=secretariat, kind="news", title="Alle",
        published_on=datetime.date(YEAR, 2, 1),
        named_parties=parties,
    )  # fmt: skip
    services.communication_record(
        plan=plan, by=secretariat, kind="report", title="Uden Realdania og videnspartnere",
        published_on=datetime.date(YEAR, 3, 1), involves_knowledge_partners=True,
        named_parties=[p for p in parties if p.code != "realdania"],
    )  # fmt: skip
    rows = {row.communication.title: row.missing for row in selectors.communication_rows(plan=plan)}
    assert rows["Alle"] == []
    assert sorted(o.code for o in rows["Uden Realdania og videnspartnere"]) == [
        "c40",
        "concito",
        "realdania",
    ]
    with pytest.raises(PermissionDenied):
        services.communication_record(
            plan=plan, by=role_users["knowledge_partner"], kind="news", title="X",
            published_on=datetime.date(YEAR, 2, 1), named_parties=[],
        )  # fmt: skip


def test_a_risk_is_reviewed_at_an_aps_meeting_and_its_history_kept(role_users):
    secretariat, owner = role_users["secretariat"], role_users["knowledge_partner"]
    risk = make_risk(secretariat, owner=owner)
    assert risk.score == 12
    assert Notification.objects.filter(kind=notices.RISK_OWNED, user=owner).exists()
    meeting = aps_meeting(secretariat)
    fu_meeting = governance_services.meeting_create(
        body=Body.objects.get(code="fu"),
        by=secretariat,
        title="FU",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        location="KL-huset",
    )
    later = timezone.localdate(meeting.starts_at) + datetime.timedelta(days=90)
    with pytest.raises(ValidationError) as error:
        services.risk_review(
            risk=risk, by=secretariat, meeting=fu_meeting, likelihood=2, impact=4, review_on=later
        )
    assert "meeting" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.risk_review(
            risk=risk,
            by=secretariat,
            meeting=meeting,
            likelihood=2,
            impact=4,
            review_on=timezone.localdate(meeting.starts_at),
        )
    assert "review_on" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.risk_review(
            risk=risk, by=owner, meeting=meeting, likelihood=2, impact=4, review_on=later
        )
    assert not RiskReview.objects.exists()
    review = services.risk_review(
        risk=risk, by=secretariat, meeting=meeting, likelihood=2, impact=4, review_on=later,
        note="Nedjusteret",
    )  # fmt: skip
    risk.refresh_from_db()
    assert (risk.likelihood, risk.score, risk.review_on) == (2, 8, later)
    assert review.score == 8 and review.meeting == meeting
    changes = [c for row in selectors.risk_history(risk=risk) for c in row.changes]
    # The review's new likelihood is in the trail, before and after.
    assert ("3", "2") in [(before, after) for _name, before, after in changes]


def test_apss_members_record_a_review_at_their_meeting_and_its_observers_do_not(client, role_users):
    from django.urls import reverse

    from governance.models import SeatRole
    from tests.factories import verify_mfa
    from tests.governance.factories import seat

    secretariat = role_users["secretariat"]
    risk = make_risk(secretariat)
    meeting = aps_meeting(secretariat)
    later = timezone.localdate(meeting.starts_at) + datetime.timedelta(days=90)
    member_seat = seat("aps", appointed_by="kl")
    member = member_seat.person
    observer = seat("aps", role=SeatRole.OBSERVER, appointed_by="concito").person
    substitute = seat(
        "aps", role=SeatRole.SUBSTITUTE, appointed_by="kl", substitute_for=member_seat
    ).person
    fu_member = role_users["member"]
    for refused in (observer, substitute, fu_member):
        with pytest.raises(PermissionDenied):
            services.risk_review(
                risk=risk, by=refused, meeting=meeting, likelihood=1, impact=1, review_on=later
            )
    assert not RiskReview.objects.exists()
    review = services.risk_review(
        risk=risk, by=member, meeting=meeting, likelihood=2, impact=3, review_on=later
    )
    assert review.reviewed_by == member and review.score == 6

    # In the browser: the member finds the button on the risk's page and saves the form.
    client.force_login(member)
    verify_mfa(client, member)
    page = client.get(reverse("risk-detail", args=[risk.pk])).content.decode()
    assert reverse("risk-review", args=[risk.pk]) in page
    assert reverse("risk-edit", args=[risk.pk]) not in page  # the register is the secretariat's
    response = client.post(
        reverse("risk-review", args=[risk.pk]),
        {"meeting": meeting.pk, "likelihood": "1", "impact": "3", "review_on": later.isoformat()},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    risk.refresh_from_db()
    assert (risk.likelihood, RiskReview.objects.count()) == (1, 2)
    client.force_login(observer)
    verify_mfa(client, observer)
    page = client.get(reverse("risk-detail", args=[risk.pk])).content.decode()
    assert reverse("risk-review", args=[risk.pk]) not in page


def test_risk_scales_are_1_to_5(role_users):
    secretariat = role_users["secretariat"]
    with pytest.raises(ValidationError) as error:
        services.risk_create(
            by=secretariat, title="R", likelihood=6, impact=0, owner=secretariat,
            mitigation="M", review_on=timezone.localdate(),
        )  # fmt: skip
    assert {"likelihood", "impact"} <= set(error.value.message_dict)
    assert not Risk.objects.exists()


def test_the_register_and_the_status_list_go_on_an_aps_agenda_with_a_link(role_users):
    secretariat = role_users["secretariat"]
    meeting = aps_meeting(secretariat)
    item = services.aps_agenda_add(meeting=meeting, by=secretariat, what="risks")
    assert item.meeting == meeting and "/risici/" in item.description
    plan = make_plan(secretariat)
    item = services.aps_agenda_add(meeting=meeting, by=secretariat, what=plan)
    assert f"/planer/{plan.pk}/status/" in item.description
    fu = governance_services.meeting_create(
        body=Body.objects.get(code="fu"),
        by=secretariat,
        title="FU",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        location="KL-huset",
    )
    with pytest.raises(ValidationError):
        services.aps_agenda_add(meeting=fu, by=secretariat, what="risks")
    assert Organisation.objects.filter(code="kl").exists()
