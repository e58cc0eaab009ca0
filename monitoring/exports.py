"""A round as a spreadsheet file: the export (its reports) and the template (every
municipality, prefilled). Reads only; a fixed number of queries however many rows."""

from django.db.models import Q

from core import spreadsheet as reader
from core.exports import neutralise
from monitoring.imports import indicators as indicator_imports
from monitoring.imports import spreadsheet
from monitoring.insight import indicators
from partners.models import Municipality

from .models import ChecklistAnswer, ChecklistRequirement, EmissionFigure, Round, Sector
from .models import StatusReport as Report
from .services import CARRIED_FORWARD, REPORT_FIELDS

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
MAX_UPLOAD = reader.MAX_BYTES


def _reference():
    sectors = list(Sector.objects.filter(is_active=True))
    requirements = list(ChecklistRequirement.objects.filter(is_active=True))
    return sectors, requirements, spreadsheet.columns(sectors, requirements)


def _rows_for(reports, *, emissions_year, sectors, requirements, fields=REPORT_FIELDS):
    reports = list(reports)
    figures: dict[tuple, dict] = {}
    wanted = Q(pk__in=[])
    for report in reports:
        if report.data_release:
            wanted |= Q(municipality_id=report.municipality_id, data_release=report.data_release)
    if reports:
        for figure in EmissionFigure.objects.filter(wanted, year=emissions_year):
            key = (figure.municipality_id, figure.data_release)
            figures.setdefault(key, {})[figure.sector_id] = figure.tonnes_co2e
    answers: dict[int, dict] = {}
    for answer in ChecklistAnswer.objects.filter(report__in=[r.pk for r in reports]):
        answers.setdefault(answer.report_id, {})[answer.requirement_id] = answer.met
    return {
        report.municipality_id: spreadsheet.report_row(
            municipality=report.municipality,
            emissions_year=emissions_year,
            report_fields={name: getattr(report, name) for name in fields},
            emissions=figures.get((report.municipality_id, report.data_release), {})
            if report.round.emissions_year == emissions_year
            else {},
            checklist=answers.get(report.pk, {}),
            sectors=sectors,
            requirements=requirements,
        )
        for report in reports
    }


def round_rows(*, round: Round) -> tuple[list, list[dict]]:
    """One row per report of the round, ordered by municipality code."""
    sectors, requirements, spec = _reference()
    reports = Report.objects.filter(round=round).select_related("municipality", "round")
    rows = _rows_for(
        reports, emissions_year=round.emissions_year, sectors=sectors, requirements=requirements
    )
    return spec, sorted(rows.values(), key=lambda row: row["municipality_code"])


def template_rows(*, round: Round) -> tuple[list, list[dict]]:
    """Every municipality: its report in this round if started, else what its previous
    report said (plan, targets, adaptation, checklist), with the emission columns empty."""
    sectors, requirements, spec = _reference()
    current = _rows_for(
        Report.objects.filter(round=round).select_related("municipality", "round"),
        emissions_year=round.emissions_year,
        sectors=sectors,
        requirements=requirements,
    )
    previous_round = Round.objects.filter(year__lt=round.year).order_by("-year").first()
    earlier = {}
    if previous_round is not None:
        earlier = _rows_for(
            Report.objects.filter(round=previous_round).select_related("municipality", "round"),
            emissions_year=round.emissions_year,
            sectors=sectors,
            requirements=requirements,
            fields=CARRIED_FORWARD,
        )
    rows = []
    for municipality in Municipality.objects.order_by("code"):
        row = current.get(municipality.pk) or earlier.get(municipality.pk)
        if row is None:
            row = spreadsheet.report_row(
                municipality=municipality,
                emissions_year=round.emissions_year,
                report_fields={"plan_status": "none", "adaptation_plan_status": "none"},
                emissions={},
                checklist={},
                sectors=sectors,
                requirements=requirements,
            )
        rows.append(row)
    return spec, rows


def _file(spec, rows, file_format: str) -> bytes:
    data = spreadsheet.dataset(spec, rows)
    guide = spreadsheet.guide_dataset(spec) if file_format == "xlsx" else None
    return spreadsheet.render(data, file_format, guide)


def round_export_file(*, round: Round, file_format: str) -> bytes:
    spec, rows = round_rows(round=round)
    return _file(spec, rows, file_format)


def round_template_file(*, round: Round, file_format: str) -> bytes:
    spec, rows = template_rows(round=round)
    return _file(spec, rows, file_format)


def indicator_template_file(*, round: Round, user, file_format: str) -> bytes:
    """The indicator values import's template (see indicator_imports.template_rows); the xlsx guide
    explains the columns and lists the catalogue's indicators with their units and limits."""
    spec = indicator_imports.import_columns()
    data = spreadsheet.dataset(spec, indicator_imports.template_rows(round=round, user=user))
    data.title = "values"
    guide = None
    if file_format == "xlsx":
        guide = spreadsheet.guide_dataset(spec)
        guide.append(["", ""])
        for indicator in indicators.indicator_list(active_only=True):
            limits = " – ".join(
                "" if limit is None else f"{limit.normalize():f}"
                for limit in (indicator.minimum, indicator.maximum)
            )
            text = f"{indicator.name} ({indicator.unit}; {limits}). {indicator.definition}"
            guide.append([indicator.key, neutralise(text)])
    return spreadsheet.render(data, file_format, guide)
