"""Monitoring's pages and API issue the same number of queries however much data there is."""

import datetime
from decimal import Decimal

from monitoring.models import (
    Action,
    ChecklistAnswer,
    ChecklistRequirement,
    EmissionFigure,
    Round,
    Sector,
    StatusReport,
)
from partners.models import Municipality
from tests.flat import assert_flat, measure
from tests.test_queries import grow_municipalities

from .factories import make_report

State = StatusReport.State


def grow(rounds: int, municipalities: int) -> None:
    """`rounds` closed rounds plus an open one, each with a published report, figures,
    checklist and actions for every municipality (bulk-created)."""
    grow_municipalities(municipalities)
    sectors = list(Sector.objects.all())
    requirements = list(ChecklistRequirement.objects.all())
    everyone = list(Municipality.objects.all())
    existing = set(Round.objects.values_list("year", flat=True))
    years = [2026 - n for n in range(rounds + 1)]
    for year in years:
        if year in existing:
            round = Round.objects.get(year=year)
        else:
            closed = year != 2026
            round = Round.objects.create(
                year=year,
                emissions_year=year - 2,
                opens_on=datetime.date(year, 9, 1),
                deadline=datetime.date(year, 12, 1),
                status="closed" if closed else "open",
                closed_at=datetime.datetime(year + 1, 1, 1, tzinfo=datetime.UTC)
                if closed
                else None,
            )
        have = set(round.reports.values_list("municipality_id", flat=True))
        state = State.LOCKED if not round.is_open else State.SUBMITTED
        reports = StatusReport.objects.bulk_create(
            StatusReport(
                round=round,
                municipality=m,
                state=state,
                plan_status="adopted",
                plan_adopted_on=datetime.date(2021, 3, 1),
                baseline_year=2018,
                baseline_emissions=Decimal(1000),
                target_2030_reduction_pct=Decimal(70),
                net_zero_year=2050,
                data_release=f"{year}-1",
                approved_at=datetime.datetime(year, 12, 1, tzinfo=datetime.UTC),
            )
            for m in everyone
            if m.pk not in have
        )
        EmissionFigure.objects.bulk_create(
            EmissionFigure(
                municipality_id=r.municipality_id,
                year=year - 2,
                sector=s,
                tonnes_co2e=Decimal(100),
                data_release=f"{year}-1",
                report=r,
            )
            for r in reports
            for s in sectors
        )
        ChecklistAnswer.objects.bulk_create(
            ChecklistAnswer(report=r, requirement=q, met=True)
            for r in reports
            for q in requirements
        )
        Action.objects.bulk_create(
            Action(report=r, name=f"Handling {n}", sector=sectors[n], status="started")
            for r in reports
            for n in range(3)
        )


URLS = [
    "/monitoring/",
    "/monitoring/2026/",
    "/monitoring/2026/?state=submitted&dgo=midtjylland",
    "/monitoring/2025/",
    "/monitoring/2026/751/",
    "/monitoring/2026/751/edit/",
    "/municipalities/751/",
    "/monitoring/municipalities/751/emissions/",
    "/monitoring/national/",
    "/monitoring/dgo/midtjylland/",
    "/",
    "/api/monitoring-reports/",
    "/api/monitoring-reports/?year=2025",
    "/api/monitoring-reports/2025-751/",
    "/api/monitoring-rounds/",
]


def test_query_count_is_flat(client_for):
    grow(rounds=1, municipalities=98)
    aarhus = StatusReport.objects.get(round__year=2026, municipality__code="751")
    StatusReport.objects.filter(pk=aarhus.pk).update(state=State.DRAFT)
    roles = ["secretariat", "coordinator_a"]
    small = measure(client_for, roles, URLS)
    grow(rounds=5, municipalities=300)  # six times the rounds, three times the municipalities
    assert_flat(small, measure(client_for, roles, URLS))


def test_history_is_bounded(client_for, db):
    from auditlog.context import set_actor

    round = grow(rounds=0, municipalities=98) or Round.objects.get(year=2026)
    report = StatusReport.objects.get(round=round, municipality__code="751")
    user = client_for("secretariat") and None
    with set_actor(user):
        for n in range(60):
            report.net_zero_year = 2030 + n
            report.save()
    response = client_for("secretariat").get("/monitoring/2026/751/")
    assert len(response.context["history"]) == 50


def test_make_report_helper_is_consistent(db):
    round = Round.objects.create(
        year=2026,
        emissions_year=2024,
        opens_on=datetime.date(2026, 9, 1),
        deadline=datetime.date(2026, 12, 1),
    )
    report = make_report(round)
    assert report.emission_figures.count() == Sector.objects.filter(parent__isnull=False).count()
