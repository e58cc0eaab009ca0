"""Plans and risks for tests, made through the services as in production."""

import datetime

from django.utils import timezone

from governance import services as governance_services
from governance.models import Body, Meeting
from partners.models import Organisation
from planning import services
from planning.models import Activity, Plan, Risk

YEAR = 2026


def make_plan(
    by,
    *,
    state: str = "draft",
    kind: str = Plan.Kind.PROJECT,
    year: int = YEAR,
    activities: int = 1,
    voter=None,
) -> Plan:
    """A plan in `state`: draft, at_fu (put to FU) or approved (FU's `voter`, the only voting
    seat, votes yes and the decision closes)."""
    plan = services.plan_create(by=by, kind=kind, year=year, title=f"Plan {kind} {year}")
    if kind == Plan.Kind.PROJECT:
        for n in range(activities):
            add_activity(plan, by, title=f"Aktivitet {n}")
    if state in ("at_fu", "approved"):
        decision = services.plan_put_to_fu(
            plan=plan, by=by, deadline=timezone.now() + datetime.timedelta(days=14)
        )
        if state == "approved":
            governance_services.vote_cast(decision=decision, by=voter, choice="yes")
    plan.refresh_from_db()
    assert plan.status == state, plan.status
    return plan


def add_activity(plan: Plan, by, title: str = "Netværksmøder", **fields) -> Activity:
    values = {
        "title": title,
        "owner_organisation": Organisation.objects.get(code="kl"),
        "starts_on": datetime.date(plan.year, 3, 1),
        "ends_on": datetime.date(plan.year, 11, 30),
        **fields,
    }
    return services.activity_save(plan=plan, by=by, **values)


def make_risk(by, *, owner=None, title: str = "Forsinket dataindsamling") -> Risk:
    return services.risk_create(
        by=by,
        title=title,
        likelihood=3,
        impact=4,
        owner=owner or by,
        mitigation="Påmindelser via DGO'erne",
        review_on=timezone.localdate() + datetime.timedelta(days=30),
    )


def aps_meeting(by, *, days: int = 10) -> Meeting:
    return governance_services.meeting_create(
        body=Body.objects.get(code="aps"),
        by=by,
        title=f"APS-møde {days}",
        starts_at=timezone.now() + datetime.timedelta(days=days),
        location="Christiansborg",
    )
