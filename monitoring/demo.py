"""Demo monitoring data for `make run`: three closed rounds and an open one, all 98 municipalities.

Deterministic (a seeded random generator) and plausible, not real: emissions scale with the
population and a sector profile (more agriculture in rural municipalities, more transport and
heating in cities) and decline slowly; most DK2020 plans were adopted 2020–2022, the 20 pilots'
first. Every data release after the first recalculates some earlier years, so the history of
recalculations has something to show. Written with bulk_create to keep `make run` fast.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from monitoring.figures.analysis import Status, Targets, analyse
from partners.models import Municipality, User

from .models import (
    Action,
    ChecklistAnswer,
    ChecklistRequirement,
    EmissionFigure,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Round,
    Sector,
    StatusReport,
)

State = StatusReport.State
Plan = StatusReport.PlanStatus
SEED = 2030
FIRST_YEAR = 2018
SOURCE = "Energistyrelsen, Energi- og CO2-regnskabet (demo)"

# t CO2e per inhabitant in 2018 for a city and for a rural municipality; blended by rurality.
PROFILE = {
    "electricity": (0.45, 0.8),
    "district_heating": (0.45, 0.3),
    "individual_heating": (0.12, 0.6),
    "process_energy": (0.2, 0.8),
    "road_transport": (1.2, 1.9),
    "other_transport": (0.25, 0.45),
    "agriculture_livestock": (0.03, 2.6),
    "agriculture_soils": (0.03, 1.1),
    "land_use": (0.04, 0.9),
    "waste_wastewater": (0.1, 0.2),
    "industrial_processes": (0.15, 0.2),
}
# Yearly change (a fraction): the grid and district heating green fastest.
TREND = {
    "electricity": -0.14,
    "district_heating": -0.09,
    "individual_heating": -0.06,
    "process_energy": -0.03,
    "road_transport": -0.02,
    "other_transport": -0.01,
    "agriculture_livestock": -0.01,
    "agriculture_soils": -0.012,
    "land_use": -0.005,
    "waste_wastewater": -0.02,
    "industrial_processes": -0.03,
}
# Round year -> (emissions year, data release, recalculated years and sectors)
ROUNDS = {
    2023: (2021, "2023-1", {}),
    2024: (2022, "2024-1", {2020: ("land_use", "agriculture_soils"), 2021: ("land_use",)}),
    2025: (2023, "2025-1", {2022: ("road_transport", "other_transport")}),
    2026: (2024, "2026-1", {}),
}
ACTIONS = [
    ("Udfasning af olie- og gasfyr", "individual_heating"),
    ("Udbygning af fjernvarmen", "district_heating"),
    ("Elbusser i den kollektive trafik", "road_transport"),
    ("Ladeinfrastruktur til elbiler", "road_transport"),
    ("Udtagning af kulstofrige lavbundsjorder", "land_use"),
    ("Biogas fra husdyrgødning", "agriculture_livestock"),
    ("Solcelleparker på egnede arealer", "electricity"),
    ("Energirenovering af kommunale bygninger", "process_energy"),
    ("Bedre sortering af husholdningsaffald", "waste_wastewater"),
    ("Fossilfri kommunal bilflåde", "road_transport"),
    ("Skovrejsning", "land_use"),
    ("Grøn omstilling af erhvervets procesenergi", "process_energy"),
]
NO_PLAN = {"563", "482", "492"}  # demo: three municipalities without a DK2020 plan


def _rurality(municipality: Municipality) -> float:
    rural = min(1.0, max(0.0, (110_000 - municipality.population) / 90_000))
    if municipality.dgo.region_code == 1084 and municipality.code != "400":
        rural *= 0.35  # the capital area is suburban even where the population is small
    return rural


def _draws(rng: random.Random, municipality: Municipality) -> dict[str, tuple[float, list]]:
    """Per sector: the 2018 level and the yearly noise, drawn once (the pace is applied later)."""
    rural = _rurality(municipality)
    draws = {}
    for key, (city, country) in PROFILE.items():
        per_capita = (city * (1 - rural) + country * rural) * rng.uniform(0.7, 1.3)
        noise = [rng.uniform(-0.03, 0.03) for _year in range(FIRST_YEAR, 2025)]
        draws[key] = (per_capita * municipality.population, noise)
    return draws


def _series(draws, pace: float = 1.0) -> dict[str, dict[int, Decimal]]:
    """Emissions per sector and year, 2018–2024; `pace` scales the yearly falls (TREND)."""
    series = {}
    for key, (value, noise) in draws.items():
        years = {}
        for index, year in enumerate(range(FIRST_YEAR, 2025)):
            years[year] = Decimal(value).quantize(Decimal("1"))
            value *= 1 + max(TREND[key] * pace, -0.3) + noise[index]
        series[key] = years
    return series


# The share of municipalities the demo puts on each course (of those with a plan).
COURSES = [(Status.ON_TRACK, 35), (Status.AT_RISK, 25), (Status.OFF_TRACK, 40)]
PACES = [0.5 + 0.1 * step for step in range(76)]  # 0.5 … 8


def _paced(draws, plan: dict, population: int, wanted: str) -> dict[str, dict[int, Decimal]]:
    """The series whose on-track analysis (as the pages compute it) gives the wanted course:
    the slowest pace that reaches on track or at risk; off track stays at the slowest pace."""
    series = _series(draws)
    if wanted == Status.OFF_TRACK:
        return series
    targets = Targets(plan["baseline_year"], plan["baseline_emissions"], plan["target"], 2050)
    best = series
    for pace in PACES:
        candidate = _series(draws, pace)
        totals = [
            (year, sum(s[year] for s in candidate.values())) for year in range(FIRST_YEAR, 2025)
        ]
        status = analyse(targets=targets, points=totals, population=population).status
        if status == wanted or (wanted == Status.AT_RISK and status == Status.ON_TRACK):
            return candidate if status == wanted else best
        best = candidate
    return best


def _date(rng: random.Random, year: int, first_month: int = 1, last_month: int = 12):
    return datetime.date(year, rng.randint(first_month, last_month), rng.randint(1, 28))


def seed() -> list[str]:
    if Round.objects.filter(year__in=ROUNDS).exists():
        return []
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    sectors = {s.key: s for s in Sector.objects.all()}
    requirements = list(ChecklistRequirement.objects.all())
    if not sectors or not requirements:
        return []
    municipalities = list(Municipality.objects.select_related("dgo").order_by("code"))
    coordinator = User.objects.filter(username="koordinator-midt").first()
    secretariat = User.objects.filter(username="sekretariat").first()
    now = timezone.now()

    rounds = {}
    for year, (emissions_year, _release, _recalc) in ROUNDS.items():
        closed = year < 2026
        rounds[year] = Round.objects.create(
            year=year,
            emissions_year=emissions_year,
            opens_on=datetime.date(year, 9, 1),
            deadline=datetime.date(year, 12, 15),
            status=Round.Status.CLOSED if closed else Round.Status.OPEN,
            closed_at=timezone.make_aware(datetime.datetime(year + 1, 1, 31, 12))
            if closed
            else None,
            closed_by=secretariat if closed else None,
        )

    # Per municipality: the plan, its targets and its emissions, drawn once.
    plans, series = {}, {}
    for municipality in municipalities:
        draws = _draws(rng, municipality)
        series[municipality.pk] = _series(draws)
        if municipality.code in NO_PLAN:
            adopted = None
        elif municipality.dk2020_pilot:
            adopted = _date(rng, 2020, 3, 12)
        else:
            adopted = _date(rng, rng.choice([2021, 2021, 2022]))
        baseline_year = 1990 if rng.random() < 0.15 else FIRST_YEAR
        total_2018 = sum(s[FIRST_YEAR] for s in series[municipality.pk].values())
        plans[municipality.pk] = {
            "adopted": adopted,
            "revised": _date(rng, 2025, 2, 11) if adopted and adopted.year == 2020 else None,
            "baseline_year": baseline_year,
            "baseline_emissions": (
                total_2018 * Decimal("1.6") if baseline_year == 1990 else total_2018
            ),
            "target": Decimal(rng.choice([70, 70, 70, 65, 75, 80, 60])),
            "net_zero": rng.choice([2050, 2050, 2050, 2045, 2040]),
            "actions": rng.sample(ACTIONS, rng.randint(3, 6)),
            "gap_met": rng.random() > 0.3,
            "quantified": rng.random() > 0.2,
            "adaptation": rng.random() > 0.2,
        }
        if adopted is not None:
            wanted = rng.choices([c for c, _w in COURSES], [w for _c, w in COURSES])[0]
            series[municipality.pk] = _paced(
                draws, plans[municipality.pk], municipality.population, wanted
            )

    reports, figures, answers, actions = [], [], [], []
    open_states = (
        [None] * 6 + [State.DRAFT] * 5 + [State.SUBMITTED] * 4 + [State.APPROVED] * 4
        + [State.CHANGES_REQUESTED]
    )  # fmt: skip
    for year, round in rounds.items():
        emissions_year, release, recalculated = ROUNDS[year]
        for municipality in municipalities:
            plan = plans[municipality.pk]
            if round.is_open:
                state = State.DRAFT if municipality.code == "751" else rng.choice(open_states)
                if municipality.code == "751":
                    state = None  # Aarhus: not started, for the demo coordinator to fill in
                if state is None:
                    continue
            else:
                state = State.LOCKED
            adopted, revised = plan["adopted"], plan["revised"]
            if revised and revised.year > year - 1:
                revised = None
            if adopted is None:
                plan_status = Plan.IN_PREPARATION
            elif revised:
                plan_status = Plan.REVISED
            elif adopted.year <= year - 5 + 1:
                plan_status = Plan.UNDER_REVISION
            else:
                plan_status = Plan.ADOPTED
            submitted = state != State.DRAFT
            approved = state in (State.LOCKED, State.APPROVED)
            stamp = timezone.make_aware(datetime.datetime(year, 11, rng.randint(1, 28), 10))
            if round.is_open:  # this year's work happened between the opening and now
                opened = timezone.make_aware(datetime.datetime(year, 9, 1, 9))
                stamp = opened + (max(now, opened) - opened) * rng.uniform(0.1, 0.9)
            report = StatusReport(
                round=round,
                municipality=municipality,
                plan_status=plan_status,
                plan_adopted_on=adopted,
                plan_revised_on=revised,
                recertified=bool(revised),
                recertified_on=revised,
                baseline_year=plan["baseline_year"] if adopted else None,
                baseline_emissions=plan["baseline_emissions"] if adopted else None,
                target_2030_reduction_pct=plan["target"] if adopted else None,
                net_zero_year=plan["net_zero"] if adopted else None,
                adaptation_risk_assessed=plan["adaptation"] or year >= 2025,
                adaptation_plan_status=StatusReport.AdaptationPlanStatus.ADOPTED
                if plan["adaptation"]
                else StatusReport.AdaptationPlanStatus.IN_PREPARATION,
                data_release=release,
                data_source=SOURCE,
                state=state,
                version=3 if submitted else 1,
                created_at=stamp,
                updated_at=stamp if round.is_open else min(stamp, now),
                updated_by=coordinator,
                submitted_at=stamp if submitted else None,
                submitted_by=coordinator if submitted else None,
                reviewed_at=stamp if approved or state == State.CHANGES_REQUESTED else None,
                reviewed_by=secretariat if approved or state == State.CHANGES_REQUESTED else None,
                review_comment="Angiv venligst kilden til reduktionsmålet."
                if state == State.CHANGES_REQUESTED
                else "",
                approved_at=stamp if approved else None,
            )
            reports.append(report)
    StatusReport.objects.bulk_create(reports)

    for report in reports:
        municipality_id = report.municipality_id
        plan = plans[municipality_id]
        year = report.round.year
        emissions_year, release, recalculated = ROUNDS[year]
        data = series[municipality_id]
        cells = []
        if year == 2023:  # the first release holds every year so far
            cells = [(y, key) for y in range(FIRST_YEAR, emissions_year + 1) for key in data]
        else:
            cells = [(emissions_year, key) for key in data]
            cells += [(y, key) for y, keys in recalculated.items() for key in keys]
        if report.state == State.DRAFT:
            cells = [(y, key) for y, key in cells if rng.random() < 0.6]
        for cell_year, key in cells:
            value = data[key][cell_year]
            if cell_year != emissions_year and year != 2023:
                value = (value * Decimal(rng.uniform(0.9, 1.1))).quantize(Decimal("1"))
            figures.append(
                EmissionFigure(
                    municipality_id=municipality_id,
                    year=cell_year,
                    sector=sectors[key],
                    tonnes_co2e=value,
                    data_release=release,
                    data_source=SOURCE,
                    report=report,
                    entered_by=report.updated_by,
                    entered_at=report.updated_at,
                )
            )
        if plan["adopted"] is not None:
            met = {
                "net_zero_2050": plan["net_zero"] <= 2050,
                "interim_target_2030": True,
                "emissions_gap": plan["gap_met"] or year >= 2025,
                "actions_quantified": plan["quantified"],
                "climate_risk_adaptation": plan["adaptation"] or year >= 2025,
                "monitoring_described": True,
            }
            for requirement in requirements:
                answers.append(
                    ChecklistAnswer(
                        report=report,
                        requirement=requirement,
                        met=met.get(requirement.key, True),
                        note=""
                        if met.get(requirement.key, True)
                        else "Forventes opfyldt ved næste revision.",
                    )
                )
        progress = year - 2023
        for index, (name, key) in enumerate(plan["actions"]):
            step = (
                progress
                + index % 3
                + (1 if plan["adopted"] and plan["adopted"].year == 2020 else 0)
            )
            status = [
                Action.Status.NOT_STARTED,
                Action.Status.STARTED,
                Action.Status.STARTED,
                Action.Status.COMPLETED,
            ][min(step, 3)]
            if index == 5 and year >= 2025:
                status = Action.Status.CANCELLED
            actions.append(
                Action(report=report, name=name, sector=sectors[key], status=status, note="")
            )
    EmissionFigure.objects.bulk_create(figures, batch_size=2000)
    ChecklistAnswer.objects.bulk_create(answers, batch_size=2000)
    Action.objects.bulk_create(actions, batch_size=2000)
    values = _indicator_values(municipalities)
    edition = _published_edition(rounds[2025])
    return [str(round) for round in rounds.values()] + [
        f"{len(reports)} reports",
        f"{values} indicator values (demo values)",
        *([f"{edition} (published by CONCITO's knowledge partner)"] if edition else []),
    ]


# The 2025 edition's text, by CONCITO's knowledge partner (demo text; the figures are tokens
# filled from the data, see monitoring/status_report/editorial.py).
DEMO_FOREWORD = (
    "Klimaalliancen samler kommuner, regioner og Realdania om at nå målene i kommunernes "
    "klimahandlingsplaner. Denne statusrapport er tredje udgave og bygger på de godkendte "
    "statusindberetninger fra {antal_godkendte_rapporter} af {antal_kommuner} kommuner.\n\n"
    "Udviklingen går den rigtige vej: de samlede territoriale udledninger er faldet "
    "{reduktion_siden_2018_pct} % siden 2018, men tempoet skal op, hvis 2030-målene skal nås. "
    "Rapporten viser, hvor vi er, og hvor indsatsen skal sættes ind. (Demotekst.)"
)
DEMO_KEY_MESSAGES = [
    "{antal_kommuner_med_plan} kommuner har en vedtaget eller revideret klimahandlingsplan.",
    "{kommuner_paa_sporet} kommuner er på sporet mod deres 2030-mål.",
    "De samlede udledninger var {udledning_seneste_aar} t CO2e i {seneste_aar}.",
    "{spor_i_gang} udviklingsspor er i gang, og {budget_bundet_pct} % af budgettet er brugt "
    "eller bundet.",
]
DEMO_CHAPTERS = {
    "summary": "Sammenfatningen viser de vigtigste tal for hele partnerskabet. (Demotekst.)",
    "tracks": "Udviklingssporene afprøver nye løsninger; {spor_i_gang} er i gang. (Demotekst.)",
    "budget": "Der er brugt {budget_forbrugt} af partnerskabets budget. (Demotekst.)",
}


def _published_edition(round: Round):
    """The 2025 edition's foreword, key messages and chapter texts, written and published by
    CONCITO's knowledge partner through the services (so audited like any other)."""
    from .services import edition_publish, edition_save

    author = User.objects.filter(username="videnspartner").first()
    if author is None:
        return None
    edition = edition_save(
        round=round,
        by=author,
        foreword=DEMO_FOREWORD,
        key_messages=DEMO_KEY_MESSAGES,
        chapters=DEMO_CHAPTERS,
    )
    return edition_publish(edition=edition, by=author)


INDICATOR_YEARS = range(2021, 2025)
DEMO_RELEASE = "demo"
DEMO_SOURCE = "Demo-værdier, ikke rigtige tal"


def _indicator_model(rng: random.Random, key: str, rural: float, population: int):
    """(value in 2021, yearly change as a function (value -> next value)) for one indicator
    in one municipality: invented to look plausible, labelled as demo values everywhere."""
    u = rng.uniform
    models = {
        "district_heating_share": (25 + 60 * (1 - rural) + u(-10, 10), lambda v: v + u(0, 1.2)),
        "oil_boilers": (population * (0.002 + 0.03 * rural) * u(0.7, 1.3), lambda v: v * 0.88),
        "gas_boilers": (population * u(0.01, 0.06), lambda v: v * u(0.88, 0.95)),
        "heat_pump_dwellings": (
            population * (0.01 + 0.05 * rural) * u(0.7, 1.3),
            lambda v: v * u(1.08, 1.2),
        ),
        "renewable_electricity_gwh": (
            population / 1000 * (1 + 8 * rural) * u(0.5, 1.5),
            lambda v: v * u(1.0, 1.15),
        ),
        "solar_capacity_mw": (2 + rural * 60 * u(0, 1), lambda v: v * u(1.1, 1.5)),
        "electric_car_share": (1.5 + 2.5 * (1 - rural) * u(0.6, 1.4), lambda v: v * u(1.4, 1.7)),
        "electric_new_car_share": (u(25, 45), lambda v: min(v + u(6, 14), 95)),
        "cars_per_1000": (380 + 180 * rural + u(-20, 20), lambda v: v + u(0, 6)),
        "lowland_soils_converted_ha": (rural * u(0, 300), lambda v: v + rural * u(0, 80)),
        "organic_farmland_share": (u(5, 20), lambda v: v + u(0, 1)),
        "new_forest_ha": (rural * u(0, 50), lambda _v: rural * u(0, 50)),
        "household_waste_recycling": (u(38, 55), lambda v: min(v + u(0, 3), 75)),
        "residual_waste_kg_per_inhabitant": (u(250, 350), lambda v: v - u(0, 12)),
        "wastewater_sludge_biogas": (rng.choice([0, 0, 35, 60, 100]), lambda v: v),
    }
    return models.get(key)


def _indicator_values(municipalities) -> int:
    """Demo values 2021–2024 for the catalogue's indicators; about a third of the
    municipalities still miss some 2024 values (so "what is due" has something to show)."""
    if IndicatorValue.objects.exists():
        return 0
    rng = random.Random(SEED + 1)  # noqa: S311 - demo data, not security
    indicators = list(Indicator.objects.filter(is_active=True))
    values, targets = [], []
    for municipality in municipalities:
        rural = _rurality(municipality)
        late = rng.random() < 0.35
        for indicator in indicators:
            model = _indicator_model(rng, indicator.key, rural, municipality.population)
            if model is None:
                continue
            value, step = model
            for year in INDICATOR_YEARS:
                clamped = Decimal(max(value, 0)).quantize(Decimal("0.1"))
                if indicator.maximum is not None:
                    clamped = min(clamped, indicator.maximum)
                if not (year == 2024 and late and rng.random() < 0.5):
                    values.append(
                        IndicatorValue(
                            indicator=indicator,
                            municipality=municipality,
                            year=year,
                            value=clamped,
                            data_release=DEMO_RELEASE,
                            data_source=DEMO_SOURCE,
                        )
                    )
                value = step(value)
            if indicator.key == "electric_car_share" and rng.random() < 0.4:
                targets.append(
                    IndicatorTarget(
                        indicator=indicator,
                        municipality=municipality,
                        year=2030,
                        value=Decimal(rng.choice([40, 50, 60])),
                    )
                )
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    IndicatorTarget.objects.bulk_create(targets, batch_size=2000)
    return len(values)
