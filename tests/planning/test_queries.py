"""The plans and risks pages cost the same number of queries with ten times the plans,
activities (each with tracks and DGOs), comments, communications, risks and reviews (and
never more than the portal's MAX_QUERIES)."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.models import DGO
from planning import selectors, services
from planning.models import Plan
from tests.test_query_scaling import MAX_QUERIES

from .factories import YEAR, add_activity, aps_meeting, make_plan, make_risk

pytestmark = pytest.mark.django_db


def _data(users, scale: int) -> dict:
    secretariat, kp = users["secretariat"], users["knowledge_partner"]
    dgos = list(DGO.objects.all()[:2])
    for n in range(scale):  # earlier years' plans: every year's plan is kept
        make_plan(secretariat, year=2030 + n, activities=1)
    project = make_plan(secretariat, activities=0)
    for n in range(3 * scale):
        add_activity(project, secretariat, title=f"Aktivitet {n}", dgos=dgos,
                     owner_person=users["coordinator_a"])  # fmt: skip
        services.plan_comment_add(plan=project, by=kp, text=f"Kommentar {n}")
    approved = make_plan(
        secretariat, year=YEAR + 20, activities=3 * scale, state="approved", voter=users["member"]
    )
    communication = make_plan(secretariat, kind=Plan.Kind.COMMUNICATION)
    parties = list(selectors.required_parties(involves_knowledge_partners=True))
    for n in range(3 * scale):
        services.communication_record(
            plan=communication, by=secretariat, kind="news", title=f"Nyhed {n}",
            published_on=datetime.date(YEAR, 2, 1), involves_knowledge_partners=bool(n % 2),
            named_parties=parties[: n % len(parties)],
        )  # fmt: skip
    meeting = aps_meeting(secretariat)
    risks = [make_risk(secretariat, title=f"Risiko {n}") for n in range(3 * scale)]
    later = timezone.localdate(meeting.starts_at) + datetime.timedelta(days=30)
    for _ in range(scale):
        services.risk_review(
            risk=risks[0], by=secretariat, meeting=meeting, likelihood=2, impact=3,
            review_on=later,
        )  # fmt: skip
        services.risk_update(risk=risks[0], by=secretariat, mitigation=f"Ny {_}")
    return {
        "project": project.pk,
        "approved": approved.pk,
        "communication": communication.pk,
        "risk": risks[0].pk,
    }


def _pages(ids: dict) -> list[tuple[str, str]]:
    return [
        ("secretariat", reverse("plan-list")),
        ("member", reverse("plan-list")),
        ("secretariat", reverse("plan-detail", args=[ids["project"]])),
        ("knowledge_partner", reverse("plan-detail", args=[ids["project"]])),
        ("member", reverse("plan-detail", args=[ids["approved"]])),
        ("secretariat", reverse("plan-detail", args=[ids["communication"]])),
        ("member", reverse("plan-status", args=[ids["approved"]])),
        ("secretariat", reverse("plan-status", args=[ids["approved"]])),
        ("secretariat", reverse("risk-list")),
        ("observer", reverse("risk-list") + "?vis=alle"),
        ("secretariat", reverse("risk-detail", args=[ids["risk"]])),
        ("coordinator_a", reverse("risk-detail", args=[ids["risk"]])),
    ]


def _measure(client_for, users, scale: int) -> dict[str, int]:
    ids = _data(users, scale)
    counts = {}
    for index, (role, url) in enumerate(_pages(ids)):
        client = client_for(role)
        client.get(url)  # warm the per-process caches (content types, session)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        counts[f"{index}: {role} {url.split('/', 2)[1]}"] = len(queries)
    return counts


def test_plans_and_risks_pages_do_not_grow_with_the_data(client_for, role_users):
    with transaction.atomic():
        small = _measure(client_for, role_users, 1)
        transaction.set_rollback(True)
    large = _measure(client_for, role_users, 10)
    assert large == small, (small, large)
    assert max(large.values()) <= MAX_QUERIES, large
