"""Scale data for monitoring: yearly rounds (the last one open), a status report per
municipality and round with its checklist, emissions for every sector and year, and a fixed set
of actions per municipality whose status moves on from round to round.

Written municipality batch by batch (bulk_create), so the xl preset's millions of rows never
sit in memory at once.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from core.scale import USER_PREFIX, Preset, rng_for
from partners.models import Municipality, User

from .demo import ACTIONS, PROFILE, TREND
from .models import (
    Action,
    ChecklistAnswer,
    ChecklistRequirement,
    EmissionFigure,
    Round,
    Sector,
    StatusReport,
)

State = StatusReport.State
Plan = StatusReport.PlanStatus
A = Action.Status
SOURCE = "Energistyrelsen, Energi- og CO2-regnskabet (skaladata)"
BATCH = 250  # municipalities per batch
HISTORY = 3  # the first round's release also holds this many earlier years
OPEN_STATES = (
    [None] * 3
    + [State.DRAFT] * 3
    + [State.SUBMITTED] * 2
    + [State.APPROVED] * 2
    + [State.CHANGES_REQUESTED]
)
STAGES = [A.NOT_STARTED, A.STARTED, A.COMPLETED]


def _aware(year: int, month: int, day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


def _rounds(preset: Preset, secretariat: User | None) -> list[Round]:
    rounds = []
    for year in preset.years:
        closed = year < preset.years[-1]
        rounds.append(
            Round(
                year=year,
                emissions_year=year - 2,
                opens_on=datetime.date(year, 9, 1),
                deadline=datetime.date(year, 12, 15),
                status=Round.Status.CLOSED if closed else Round.Status.OPEN,
                closed_at=_aware(year + 1, 1, 31) if closed else None,
                closed_by=secretariat if closed else None,
                created_at=_aware(year, 8, 15),
            )
        )
    return Round.objects.bulk_create(rounds)


def _action_names(count: int) -> list[tuple[str, str]]:
    names = []
    for i in range(count):
        name, sector = ACTIONS[i % len(ACTIONS)]
        stage = i // len(ACTIONS)
        names.append((f"{name}, etape {stage + 1}" if stage else name, sector))
    return names


def _batch(rng, preset, municipalities, rounds, sectors, requirements, names, people):
    coordinator, secretariat = people
    reports, plans = [], {}
    for municipality in municipalities:
        adopted = datetime.date(rng.choice([2020, 2021, 2021, 2022]), rng.randint(1, 12), 1)
        per_capita = {
            key: (city + country) / 2 * rng.uniform(0.6, 1.4)
            for key, (city, country) in PROFILE.items()
        }
        plans[municipality.pk] = {
            "adopted": adopted if rng.random() > 0.04 else None,
            "target": Decimal(rng.choice([60, 65, 70, 70, 70, 75, 80])),
            "net_zero": rng.choice([2040, 2045, 2050, 2050]),
            "per_capita": per_capita,
            "population": municipality.population,
            # Per action: the round index it starts in and how many rounds it takes.
            "actions": [
                (rng.randint(-2, len(rounds)), rng.randint(1, 4), rng.random() < 0.05)
                for _ in names
            ],
        }
        for round in rounds:
            if round.is_open:
                state = rng.choice(OPEN_STATES)
                if state is None:
                    continue
            else:
                state = State.LOCKED
            plan = plans[municipality.pk]
            stamp = _aware(round.year, 11, rng.randint(1, 28))
            submitted = state != State.DRAFT
            approved = state in (State.LOCKED, State.APPROVED)
            reviewed = approved or state == State.CHANGES_REQUESTED
            has_plan = plan["adopted"] is not None and plan["adopted"].year <= round.year
            reports.append(
                StatusReport(
                    round=round,
                    municipality=municipality,
                    plan_status=Plan.ADOPTED if has_plan else Plan.IN_PREPARATION,
                    plan_adopted_on=plan["adopted"] if has_plan else None,
                    baseline_year=2018 if has_plan else None,
                    baseline_emissions=Decimal(
                        int(sum(plan["per_capita"].values()) * plan["population"])
                    )
                    if has_plan
                    else None,
                    target_2030_reduction_pct=plan["target"] if has_plan else None,
                    net_zero_year=plan["net_zero"] if has_plan else None,
                    adaptation_risk_assessed=rng.random() > 0.2,
                    data_release=f"{round.year}-1",
                    data_source=SOURCE,
                    state=state,
                    version=2 if submitted else 1,
                    created_at=stamp,
                    updated_at=stamp,
                    updated_by=coordinator,
                    submitted_at=stamp if submitted else None,
                    submitted_by=coordinator if submitted else None,
                    reviewed_at=stamp if reviewed else None,
                    reviewed_by=secretariat if reviewed else None,
                    review_comment="Angiv kilden til målet." if not approved and reviewed else "",
                    approved_at=stamp if approved else None,
                )
            )
    StatusReport.objects.bulk_create(reports, batch_size=2000)

    figures, answers, actions = [], [], []
    first = rounds[0]
    for report in reports:
        plan = plans[report.municipality_id]
        round = report.round
        years = [round.emissions_year]
        if round.pk == first.pk:
            years = range(round.emissions_year - HISTORY, round.emissions_year + 1)
        for year in years:
            age = year - 2018
            for key, sector in sectors.items():
                value = plan["per_capita"].get(key, 0.1) * plan["population"]
                value *= (1 + TREND.get(key, -0.02)) ** age
                figures.append(
                    EmissionFigure(
                        municipality_id=report.municipality_id,
                        year=year,
                        sector=sector,
                        tonnes_co2e=Decimal(int(value)),
                        data_release=report.data_release,
                        data_source=SOURCE,
                        report=report,
                        entered_by=report.updated_by,
                        entered_at=report.updated_at,
                    )
                )
        if report.plan_adopted_on:
            for requirement in requirements:
                answers.append(ChecklistAnswer(report=report, requirement=requirement, met=True))
        index = rounds.index(round)
        for (name, key), (start, length, cancelled) in zip(names, plan["actions"], strict=True):
            step = index - start
            status = STAGES[0 if step < 0 else 1 if step < length else 2]
            if cancelled and step >= 1:
                status = A.CANCELLED
            actions.append(Action(report=report, name=name, sector=sectors.get(key), status=status))
    EmissionFigure.objects.bulk_create(figures, batch_size=5000)
    ChecklistAnswer.objects.bulk_create(answers, batch_size=5000)
    Action.objects.bulk_create(actions, batch_size=5000)
    return len(reports), len(figures), len(actions)


def seed(preset: Preset, seed: int) -> list[str]:
    rng = rng_for("monitoring", seed)
    sectors = {s.key: s for s in Sector.objects.filter(is_active=True)}
    requirements = list(ChecklistRequirement.objects.filter(is_active=True))
    people = (
        User.objects.filter(username=f"{USER_PREFIX}koordinator").first(),
        User.objects.filter(username=f"{USER_PREFIX}sekretariat").first(),
    )
    existing = set(Round.objects.values_list("year", flat=True))
    if existing & set(preset.years):
        return []  # rounds for these years exist (e.g. the demo): leave monitoring alone
    rounds = _rounds(preset, people[1])
    names = _action_names(preset.actions)
    municipalities = list(Municipality.objects.order_by("code").only("pk", "population"))
    totals = [0, 0, 0]
    for start in range(0, len(municipalities), BATCH):
        counts = _batch(
            rng,
            preset,
            municipalities[start : start + BATCH],
            rounds,
            sectors,
            requirements,
            names,
            people,
        )
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    return [
        f"{len(rounds)} rounds",
        f"{totals[0]} reports",
        f"{totals[1]} emission figures",
        f"{totals[2]} actions",
    ]
