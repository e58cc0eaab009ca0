"""The round import: a monitoring round's spreadsheet (one row per municipality, see
spreadsheet.py) into its status reports, emission figures and checklist answers."""

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from auditlog.context import disable_auditlog
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring import permissions
from monitoring.models import (
    Action,
    ChecklistAnswer,
    ChecklistRequirement,
    EmissionFigure,
    Round,
    Sector,
    StatusReport,
)
from monitoring.services import REPORT_FIELDS, report_field_values
from partners.models import Municipality, User

from . import spreadsheet as sheet
from .base import FileRefused, Import, ImportResult, RowOutcome, run

State = StatusReport.State


@dataclass
class _PlannedRow:
    outcome: RowOutcome
    municipality: Municipality | None = None
    report: StatusReport | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    emissions: dict[int, Decimal] = field(default_factory=dict)
    checklist: dict[int, bool | None] = field(default_factory=dict)


def round_import(
    *,
    round: Round,
    by: User | None,
    content: bytes,
    filename: str,
    dry_run: bool,
    system: bool = False,
) -> ImportResult:
    """Validate a whole round file, then (unless a dry run or anything is wrong) write it all
    in one transaction: one bad row means nothing is written.

    Holds a lock on the round and on its reports while it validates and writes, so nobody
    changes them in between and two imports of a round run one after the other.
    `system=True` (the management command, run with shell access) imports without a user.
    """
    if not (system and by is None) and not permissions.can_import(by):
        raise PermissionDenied(permissions.IMPORT_REFUSED)
    return run(RoundImport(round=round, by=by), content=content, filename=filename, dry_run=dry_run)


class RoundImport(Import):
    def __init__(self, *, round: Round, by: User | None):
        self.round, self.by = round, by
        self.planned: list[_PlannedRow] = []

    def prepare(self) -> None:
        self.round = Round.objects.select_for_update().get(pk=self.round.pk)
        if not self.round.is_open:
            raise FileRefused(
                _("The round %(year)s is closed; nothing can be imported into it.")
                % {"year": self.round.year}
            )

    def plan(self, table: list[list[Any]]) -> list[RowOutcome]:
        self.sectors = list(Sector.objects.filter(is_active=True))
        self.requirements = list(ChecklistRequirement.objects.filter(is_active=True))
        spec = sheet.columns(self.sectors, self.requirements)
        positions, header_errors = sheet.parse_header(table[0], spec)
        if header_errors:
            raise FileRefused(*header_errors)
        self.planned = _plan_import(
            round=self.round,
            table=table,
            spec=spec,
            positions=positions,
            sectors=self.sectors,
            requirements=self.requirements,
        )
        return [row.outcome for row in self.planned]

    def write(self) -> None:
        _import_write(
            rows=[row for row in self.planned if row.outcome.status in ("new", "changed")],
            round=self.round,
            by=self.by,
            sectors={s.pk: s for s in self.sectors},
            requirements={r.pk: r for r in self.requirements},
        )


def _plan_import(*, round, table, spec, positions, sectors, requirements) -> list[_PlannedRow]:

    municipalities = {m.code: m for m in Municipality.objects.all()}
    reports = {
        r.municipality_id: r for r in StatusReport.objects.select_for_update().filter(round=round)
    }
    figures = {
        (f.municipality_id, f.data_release, f.sector_id): f
        for f in EmissionFigure.objects.filter(year=round.emissions_year)
    }
    answers = {
        (a.report_id, a.requirement_id): a
        for a in ChecklistAnswer.objects.filter(report__round=round)
    }
    sector_by_key = {f"{sheet.SECTOR_PREFIX}{s.key}": s for s in sectors}
    requirement_by_key = {f"{sheet.CHECKLIST_PREFIX}{r.key}": r for r in requirements}
    field_columns = {c.field: c.key for c in spec if c.field}
    seen: dict[str, int] = {}
    planned = []
    for number, cells in enumerate(table[1:], start=2):
        if all(sheet.is_blank(value) for value in cells):
            continue
        outcome = RowOutcome(number=number, code="", name="", status="error")
        row = _PlannedRow(outcome=outcome)
        planned.append(row)
        values = {}
        for column in spec:
            index = positions[column.key]
            raw = cells[index] if index < len(cells) else None
            try:
                values[column.key] = sheet.parse_cell(column, raw)
            except sheet.CellError as exc:
                outcome.errors.append((column.key, str(exc)))
        code = values.get("municipality_code")
        if code:
            outcome.code = code
            municipality = municipalities.get(code)
            if municipality is None:
                reason = _("No municipality has the code %(code)s.") % {"code": code}
                outcome.errors.append(("municipality_code", reason))
            elif code in seen:
                outcome.errors.append(
                    (
                        "municipality_code",
                        _("The municipality appears twice in the file (first in row %(row)s).")
                        % {"row": seen[code]},
                    )
                )
            else:
                seen[code] = number
                row.municipality = municipality
                outcome.name = municipality.name
        year = values.get("emissions_year")
        if year is not None and year != round.emissions_year:
            outcome.errors.append(
                (
                    "emissions_year",
                    _("This round collects the emissions of %(year)s.")
                    % {"year": round.emissions_year},
                )
            )
        row.fields = {c.field: values.get(c.key) for c in spec if c.field and c.key in values}
        row.emissions = {
            sector.pk: values[key]
            for key, sector in sector_by_key.items()
            if values.get(key) is not None
        }
        row.checklist = {
            requirement.pk: values.get(key)
            for key, requirement in requirement_by_key.items()
            if key in values
        }
        if row.emissions and not row.fields.get("data_release"):
            outcome.errors.append(
                ("data_release", _("Give the data release the emission figures come from."))
            )
        if len(row.fields) == len(field_columns):
            candidate = StatusReport(**row.fields)
            try:
                candidate.full_clean(
                    exclude=["round", "municipality"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        outcome.errors.append((field_columns.get(name, ""), message))
        if outcome.errors or row.municipality is None:
            if not outcome.errors:
                outcome.errors.append(("municipality_code", _("Required.")))
            continue
        row.report = reports.get(row.municipality.pk)
        _compare(
            row,
            figures=figures,
            answers=answers,
            field_columns=field_columns,
            sector_columns={s.pk: key for key, s in sector_by_key.items()},
            requirement_columns={r.pk: key for key, r in requirement_by_key.items()},
        )
    return planned


def _compare(
    row: _PlannedRow, *, figures, answers, field_columns, sector_columns, requirement_columns
) -> None:
    outcome, report = row.outcome, row.report
    if report is None:
        outcome.status = "new"
        return
    current = report_field_values(report)
    changes = [field_columns[name] for name, value in row.fields.items() if current[name] != value]
    release, source = row.fields["data_release"], row.fields["data_source"]
    for sector_id, tonnes in row.emissions.items():
        figure = figures.get((report.municipality_id, release, sector_id))
        if figure is None or figure.tonnes_co2e != tonnes or figure.data_source != source:
            changes.append(sector_columns[sector_id])
    for requirement_id, met in row.checklist.items():
        answer = answers.get((report.pk, requirement_id))
        if (answer.met if answer else None) != met:
            changes.append(requirement_columns[requirement_id])
    if not changes:
        outcome.status = "unchanged"
        return
    if report.state not in (State.DRAFT, State.CHANGES_REQUESTED, State.SUBMITTED):
        outcome.status = "error"
        outcome.errors.append(
            (
                "",
                _("The report is %(state)s; request changes before importing new values.")
                % {"state": report.get_state_display().lower()},
            )
        )
        return
    outcome.status = "changed"
    outcome.changes = changes


# Rows per INSERT/UPDATE statement of the import's bulk writes. A round within the default
# limits (500 rows: ~30,000 carried-forward actions, ~40,000 audit entries) is written with one
# statement per table; only files beyond them (MONITORING_IMPORT_MAX_ROWS raised) are split, to
# keep each statement's size bounded.
IMPORT_WRITE_BATCH = 50_000


def _import_write(
    *, rows: list[_PlannedRow], round: Round, by: User | None, sectors, requirements
) -> None:
    """Write the new and changed rows of a validated import: each table with a fixed number
    of statements whatever the number of rows, and one audit entry per row written.

    The same rules as a report saved row by row: version + 1, updated_by/updated_at; a new
    report carries its municipality's previous report's actions forward (the spreadsheet has
    none); figures are upserted in the report's release and the report's figures of other
    releases dropped, but a blank cell deletes nothing; checklist notes are kept. The caller
    holds the round's and its reports' row locks, inside the import's transaction.
    """
    from core.bulk_audit import BulkAuditTrail

    now = timezone.now()
    trail = BulkAuditTrail(actor=by)
    with disable_auditlog():  # the trail below records each row; no per-row signal entries
        created, changed = _import_write_reports(
            rows=rows, round=round, by=by, now=now, trail=trail
        )
        _import_write_emissions(
            rows=rows, round=round, by=by, sectors=sectors, now=now, trail=trail, changed=changed
        )
        _import_write_checklist(rows=rows, requirements=requirements, trail=trail, changed=changed)
        _import_carry_forward_actions(round=round, created=created, trail=trail)
        trail.write()


def _import_write_reports(
    *, rows: list[_PlannedRow], round: Round, by: User | None, now, trail
) -> tuple[list[StatusReport], list[StatusReport]]:
    created, changed, before = [], [], {}
    for row in rows:
        report = row.report
        if report is None:
            report = StatusReport(
                round=round, municipality=row.municipality, version=1, created_at=now
            )
            created.append(report)
        else:
            report.round, report.municipality = round, row.municipality  # for the entry's repr
            before[report.pk] = copy.copy(report)
            report.version += 1
            changed.append(report)
        for name, value in row.fields.items():
            setattr(report, name, value)
        report.updated_at, report.updated_by = now, by
        row.report = report
    StatusReport.objects.bulk_create(created, batch_size=IMPORT_WRITE_BATCH)
    StatusReport.objects.bulk_update(
        changed,
        [*REPORT_FIELDS, "version", "updated_at", "updated_by"],
        batch_size=IMPORT_WRITE_BATCH,
    )
    for report in created:
        trail.created(report)
    for report in changed:
        trail.changed(before[report.pk], report)
    return created, changed


def _import_write_emissions(
    *, rows: list[_PlannedRow], round: Round, by: User | None, sectors, now, trail, changed
) -> None:
    """As _write_emissions(delete_blank=False) for every row at once."""
    year = round.emissions_year
    reports = {row.report.pk: row.report for row in rows}
    figures = EmissionFigure.objects.filter(year=year).select_related("sector")
    figures = figures.filter(
        Q(municipality_id__in=[row.municipality.pk for row in rows])
        | Q(report_id__in=[report.pk for report in changed])
    )
    dropped, existing = [], {}
    for figure in figures:
        report = reports.get(figure.report_id)
        if report is not None and figure.data_release != report.data_release:
            # entered by this report under a release it no longer has: never published
            dropped.append(figure)
        else:
            existing[(figure.municipality_id, figure.data_release, figure.sector_id)] = figure
    if dropped:
        for figure in dropped:
            trail.deleted(figure)
        # One DELETE (a queryset's delete() collects them and deletes 100 at a time, for the
        # signals it sends); no row refers to an emission figure, so nothing cascades.
        doomed = EmissionFigure.objects.filter(pk__in=[figure.pk for figure in dropped])
        doomed._raw_delete(doomed.db)
    new, updated, before = [], [], {}
    for row in rows:
        report = row.report
        for sector_id, tonnes in row.emissions.items():
            figure = existing.get((report.municipality_id, report.data_release, sector_id))
            if figure is None:
                figure = EmissionFigure(
                    municipality_id=report.municipality_id,
                    year=year,
                    sector=sectors[sector_id],
                    data_release=report.data_release,
                )
                new.append(figure)
            elif (
                figure.tonnes_co2e == tonnes
                and figure.data_source == report.data_source
                and figure.report_id == report.pk
            ):
                continue
            else:
                before[figure.pk] = copy.copy(figure)
                updated.append(figure)
            figure.tonnes_co2e = tonnes
            figure.data_source = report.data_source
            figure.report = report
            figure.entered_by = by
            figure.entered_at = now
            # The foreign keys are ours (one query each to check them is what made this slow).
            figure.full_clean(
                exclude=["municipality", "sector", "report", "entered_by"],
                validate_unique=False,
                validate_constraints=False,
            )
    EmissionFigure.objects.bulk_create(new, batch_size=IMPORT_WRITE_BATCH)
    EmissionFigure.objects.bulk_update(
        updated,
        ["tonnes_co2e", "data_source", "report", "entered_by", "entered_at"],
        batch_size=IMPORT_WRITE_BATCH,
    )
    for figure in new:
        trail.created(figure)
    for figure in updated:
        trail.changed(before[figure.pk], figure)


def _import_write_checklist(*, rows: list[_PlannedRow], requirements, trail, changed) -> None:
    """As _write_checklist for every row at once; the file has no notes, so an answer's note
    stays as it was."""
    existing = {
        (answer.report_id, answer.requirement_id): answer
        for answer in ChecklistAnswer.objects.filter(
            report_id__in=[report.pk for report in changed]
        ).select_related("requirement")
    }
    new, updated, before = [], [], {}
    for row in rows:
        for requirement_id, met in row.checklist.items():
            answer = existing.get((row.report.pk, requirement_id))
            if answer is None:
                new.append(
                    ChecklistAnswer(
                        report=row.report, requirement=requirements[requirement_id], met=met
                    )
                )
            elif answer.met != met:
                before[answer.pk] = copy.copy(answer)
                answer.met = met
                updated.append(answer)
    ChecklistAnswer.objects.bulk_create(new, batch_size=IMPORT_WRITE_BATCH)
    ChecklistAnswer.objects.bulk_update(updated, ["met"], batch_size=IMPORT_WRITE_BATCH)
    for answer in new:
        trail.created(answer)
    for answer in updated:
        trail.changed(before[answer.pk], answer, fields=["met", "note"])


def _import_carry_forward_actions(*, round: Round, created: list[StatusReport], trail) -> None:
    """A new report starts with the actions of its municipality's latest earlier report (the
    spreadsheet holds no actions), in their order there."""
    if not created:
        return
    latest_earlier = (
        StatusReport.objects.filter(municipality=OuterRef("pk"), round__year__lt=round.year)
        .order_by("-round__year")
        .values("pk")[:1]
    )
    previous_reports = (
        Municipality.objects.filter(pk__in=[report.municipality_id for report in created])
        .annotate(previous=Subquery(latest_earlier))
        .values("previous")
    )
    report_by_municipality = {report.municipality_id: report.pk for report in created}
    actions = [
        Action(
            report_id=report_by_municipality[earlier["report__municipality_id"]],
            name=earlier["name"],
            sector_id=earlier["sector_id"],
            status=earlier["status"],
            note=earlier["note"],
        )
        for earlier in Action.objects.filter(report_id__in=previous_reports)
        .order_by("report_id", "pk")
        .values("report__municipality_id", "name", "sector_id", "status", "note")
    ]
    Action.objects.bulk_create(actions, batch_size=IMPORT_WRITE_BATCH)
    for action in actions:
        trail.created(action)
