"""Monitoring test data: rounds, reports with figures, checklist answers and actions."""

import datetime
import hashlib
from decimal import Decimal

from django.db import connection
from django.utils import timezone

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

State = StatusReport.State
MONITORING_TABLES = [
    Round,
    StatusReport,
    EmissionFigure,
    ChecklistAnswer,
    Action,
]


def make_round(year: int = 2026, *, closed: bool = False, emissions_year: int | None = None):
    return Round.objects.create(
        year=year,
        emissions_year=emissions_year or year - 2,
        opens_on=datetime.date(year, 9, 1),
        deadline=datetime.date(year, 12, 15),
        status=Round.Status.CLOSED if closed else Round.Status.OPEN,
        closed_at=timezone.now() if closed else None,
    )


def complete_fields(**overrides) -> dict:
    fields = {
        "plan_status": StatusReport.PlanStatus.ADOPTED,
        "plan_adopted_on": datetime.date(2021, 6, 1),
        "plan_revised_on": None,
        "recertified": False,
        "recertified_on": None,
        "baseline_year": 2018,
        "baseline_emissions": Decimal("1000000"),
        "target_2030_reduction_pct": Decimal("70"),
        "net_zero_year": 2050,
        "adaptation_risk_assessed": True,
        "adaptation_plan_status": StatusReport.AdaptationPlanStatus.ADOPTED,
        "adaptation_note": "",
        "data_release": "2026-1",
        "data_source": "Energistyrelsen",
    }
    fields.update(overrides)
    return fields


def make_report(
    round: Round,
    municipality: Municipality | str = "751",
    *,
    state: str = State.DRAFT,
    figures: bool = True,
    checklist: bool = True,
    actions: int = 2,
    **overrides,
) -> StatusReport:
    """A complete report (it could be submitted) in the given state, written directly."""
    if isinstance(municipality, str):
        municipality = Municipality.objects.get(code=municipality)
    fields = complete_fields(**overrides)
    now = timezone.now()
    report = StatusReport.objects.create(
        round=round,
        municipality=municipality,
        state=state,
        approved_at=now if state in (State.APPROVED, State.LOCKED) else None,
        submitted_at=now if state != State.DRAFT else None,
        **fields,
    )
    if figures:
        EmissionFigure.objects.bulk_create(
            EmissionFigure(
                municipality=municipality,
                year=round.emissions_year,
                sector=sector,
                tonnes_co2e=Decimal(1000 + index * 10),
                data_release=fields["data_release"],
                data_source=fields["data_source"],
                report=report,
            )
            # the finer sectors, as a coordinator reports them (groups have figures of their own
            # only where the split is unknown)
            for index, sector in enumerate(
                Sector.objects.filter(is_active=True, parent__isnull=False)
            )
        )
    if checklist:
        ChecklistAnswer.objects.bulk_create(
            ChecklistAnswer(report=report, requirement=requirement, met=True)
            for requirement in ChecklistRequirement.objects.all()
        )
    sector = Sector.objects.first()
    Action.objects.bulk_create(
        Action(report=report, name=f"Handling {n}", sector=sector) for n in range(actions)
    )
    return report


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MONITORING_TABLES}


def table_checksum() -> str:
    """A digest of every row of the monitoring tables, so any change at all shows."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for model in MONITORING_TABLES:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - our table names
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
    return digest.hexdigest()


def snapshot() -> tuple[dict, str]:
    return table_counts(), table_checksum()
