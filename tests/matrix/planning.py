"""Plans and risks URLs × roles. Those who take part in the partnership's work read the plans
and the register: the secretariat, the knowledge partner, the coordinators and the bodies'
seats (observer and member sit in FU). The administrator has no seat: refused. Only the
secretariat drafts, records and keeps the register; the knowledge partner comments; APS's
members (member is given an APS seat for those cases) record APS's review of a risk.

State-changing cases run the roles in order against one object."""

from . import SIGNED_IN, Case

READERS = {r for r in SIGNED_IN if r != "administrator"}


def expect(allowed: set[str], status: int = 200, denied: int = 403, **per_role) -> dict:
    result = {"anonymous": 302}
    result.update({role: status if role in allowed else denied for role in SIGNED_IN})
    result.update(per_role)
    return result


SECRETARIAT = {"secretariat"}


def _plan(users, state="draft", kind="project"):
    """A plan of the first year without one of its kind: the accessibility walk runs several
    setups in one database, and every year keeps one plan of each kind."""
    from django.db.models import Max

    from planning.models import Plan
    from tests.planning.factories import YEAR, make_plan

    latest = Plan.objects.filter(kind=kind).aggregate(year=Max("year"))["year"]
    year = YEAR if latest is None else latest + 1
    return make_plan(users["secretariat"], state=state, kind=kind, year=year, voter=users["member"])


def draft(users) -> dict:
    return {"pk": _plan(users).pk}


def approved(users) -> dict:
    return {"pk": _plan(users, "approved").pk}


def communication_plan(users) -> dict:
    import datetime

    from planning import selectors, services

    plan = _plan(users, kind="communication")
    services.communication_record(
        plan=plan,
        by=users["secretariat"],
        kind="news",
        title="Nyhed",
        published_on=datetime.date(plan.year, 2, 1),
        named_parties=list(selectors.required_parties(involves_knowledge_partners=False))[:3],
    )
    return {"pk": plan.pk}


def draft_activity(users) -> dict:
    return {"pk": _plan(users).activities.get().pk}


def approved_activity(users) -> dict:
    return {"pk": _plan(users, "approved").activities.get().pk}


def risk(users) -> dict:
    from tests.planning.factories import aps_meeting, make_risk

    aps_meeting(users["secretariat"])
    return {"pk": make_risk(users["secretariat"]).pk}


def risk_with_aps_seats(users) -> dict:
    """A risk, with `member` given a seat in APS too and `observer` an observer's seat there:
    APS's members record its reviews, its observers do not."""
    from governance.models import Membership, SeatRole
    from tests.governance.factories import seat

    seats = (("member", SeatRole.MEMBER, "kl"), ("observer", SeatRole.OBSERVER, "concito"))
    for role, seat_role, appointed_by in seats:
        person = users[role]
        if not Membership.objects.active().filter(body__code="aps", person=person).exists():
            seat("aps", role=seat_role, person=person, appointed_by=appointed_by)
    return risk(users)


APS_REVIEWERS = {"secretariat", "member"}

CASES = [
    Case("plan-list", expect(READERS)),
    Case("plan-create", expect(SECRETARIAT)),
    # Bad input: the form comes back with its Danish errors; nothing is written.
    Case(
        "plan-create",
        expect(SECRETARIAT, 400),
        method="post",
        data={"kind": "project", "year": "1999", "title": ""},
    ),
    Case("plan-detail", expect(READERS), setup=draft),
    Case("plan-detail", expect(READERS), setup=approved),
    Case("plan-detail", expect(READERS), setup=communication_plan),
    Case("plan-edit", expect(SECRETARIAT), setup=draft),
    Case("plan-edit", expect(SECRETARIAT, 400), method="post", data={"title": ""}, setup=draft),
    # Approved: locked, the secretariat is sent back to the plan with the reason.
    Case("plan-edit", expect(SECRETARIAT, 302), setup=approved),
    Case(
        "plan-comment",
        expect({"knowledge_partner", "secretariat"}, 302),
        method="post",
        data={"text": "Forslag"},
        setup=draft,
    ),
    Case(
        "plan-comment",
        expect(set()),
        method="post",
        data={"text": "For sent"},
        setup=approved,
    ),
    Case("plan-put-to-fu", expect(SECRETARIAT), setup=draft),
    Case(
        "plan-put-to-fu",
        expect(SECRETARIAT, 400),
        method="post",
        data={"deadline": "2020-01-01T10:00"},  # in the past: governance refuses it
        setup=draft,
    ),
    Case("plan-status", expect(READERS), setup=approved),
    # Without a meeting chosen: back to the list with the reason.
    Case("plan-status-agenda", expect(SECRETARIAT, 302), method="post", setup=approved),
    Case("activity-add", expect(SECRETARIAT), setup=draft),
    Case(
        "activity-add",
        expect(SECRETARIAT, 400),
        method="post",
        data={"title": "Uden ejer", "starts_on": "2026-05-01", "ends_on": "2026-04-01"},
        setup=draft,
    ),
    Case("activity-add", expect(SECRETARIAT, 302), setup=approved),
    Case("activity-edit", expect(SECRETARIAT), setup=draft_activity),
    Case("activity-status", expect(SECRETARIAT), setup=approved_activity),
    Case(
        "activity-status",
        expect(SECRETARIAT, 400),
        method="post",
        data={"status": "delayed", "note": ""},
        setup=approved_activity,
    ),
    # On a draft plan the secretariat is sent back: statuses are reported once FU approved.
    Case("activity-status", expect(SECRETARIAT, 302), setup=draft_activity),
    Case("communication-add", expect(SECRETARIAT), setup=communication_plan),
    Case(
        "communication-add",
        expect(SECRETARIAT, 400),
        method="post",
        data={"kind": "news", "title": "Forkert år", "published_on": "2020-01-01"},
        setup=communication_plan,
    ),
    Case("risk-list", expect(READERS)),
    Case("risk-list", expect(READERS), query="?vis=alle"),
    Case("risk-create", expect(SECRETARIAT)),
    Case(
        "risk-create",
        expect(SECRETARIAT, 400),
        method="post",
        data={"title": "R", "likelihood": "9", "impact": "0", "mitigation": ""},
    ),
    Case("risk-detail", expect(READERS), setup=risk),
    Case("risk-edit", expect(SECRETARIAT), setup=risk),
    Case("risk-review", expect(SECRETARIAT), setup=risk),
    # APS's members review the risks at its meetings; its observers do not.
    Case("risk-review", expect(APS_REVIEWERS), setup=risk_with_aps_seats),
    Case(
        "risk-review",
        expect(APS_REVIEWERS, 400),
        method="post",
        data={"likelihood": "2", "impact": "2", "review_on": "2020-01-01"},  # no meeting
        setup=risk_with_aps_seats,
    ),
    Case("risk-agenda", expect(SECRETARIAT, 302), method="post"),
]
