"""Writes to monitoring. Views, admin, API, the import, commands and tasks call these.

Every workflow step locks the report row (`select_for_update`) before reading the state it
checks, so two requests cannot both pass a check that only one may pass. Saving a report is
guarded by its `version`: a save based on an older version raises ConflictError carrying the
values someone else saved in between, and nothing is overwritten.
"""

import copy
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.notifications import notify
from partners.models import DGO, Municipality, User

from . import notices, permissions
from .models import (
    Action,
    ChecklistAnswer,
    ChecklistRequirement,
    EmissionFigure,
    Round,
    Sector,
    StatusReport,
    StatusReportDocument,
)

State = StatusReport.State

# The report's own fields a coordinator fills in (the form, the import and the API use these).
REPORT_FIELDS = (
    "plan_status",
    "plan_adopted_on",
    "plan_revised_on",
    "recertified",
    "recertified_on",
    "baseline_year",
    "baseline_emissions",
    "target_2030_reduction_pct",
    "net_zero_year",
    "adaptation_risk_assessed",
    "adaptation_plan_status",
    "adaptation_note",
    "data_release",
    "data_source",
)
# Carried over from the municipality's previous report when a new round's report starts.
CARRIED_FORWARD = tuple(f for f in REPORT_FIELDS if f not in ("data_release", "data_source"))


@dataclass(frozen=True)
class EmissionInput:
    sector: Sector
    tonnes_co2e: Decimal | None


@dataclass(frozen=True)
class ChecklistInput:
    requirement: ChecklistRequirement
    met: bool | None
    note: str = ""


@dataclass(frozen=True)
class ActionInput:
    id: int | None
    name: str
    sector: Sector | None
    status: str
    note: str = ""
    delete: bool = False


@dataclass
class ConflictError(Exception):
    """Someone saved the report after the version this save was based on."""

    report: StatusReport
    differences: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    emissions_differ: bool = False
    checklist_differ: bool = False
    actions_differ: bool = False

    def __str__(self) -> str:
        return _("Someone else saved this report while you were editing it.")


# --- reading the current content (for conflicts, the import and copying forward) ------------


def report_field_values(report: StatusReport) -> dict[str, Any]:
    return {name: getattr(report, name) for name in REPORT_FIELDS}


def report_emission_values(report: StatusReport) -> dict[int, Decimal]:
    """This round's figures of the report's release, by sector id."""
    if not report.pk or not report.data_release:
        return {}
    return dict(
        EmissionFigure.objects.filter(
            municipality_id=report.municipality_id,
            year=report.round.emissions_year,
            data_release=report.data_release,
        ).values_list("sector_id", "tonnes_co2e")
    )


def report_checklist_values(report: StatusReport) -> dict[int, tuple[bool | None, str]]:
    if not report.pk:
        return {}
    return {
        answer.requirement_id: (answer.met, answer.note)
        for answer in ChecklistAnswer.objects.filter(report=report)
    }


def report_action_values(report: StatusReport) -> list[tuple]:
    if not report.pk:
        return []
    return sorted(
        (a.name, a.sector_id, a.status, a.note) for a in Action.objects.filter(report=report)
    )


def _differences(current: dict[str, Any], submitted: dict[str, Any]) -> dict[str, tuple]:
    return {
        name: (current.get(name), value)
        for name, value in submitted.items()
        if current.get(name) != value
    }


# --- entry -------------------------------------------------------------------------------


def _lock_report(*, round: Round, municipality: Municipality) -> StatusReport | None:
    return (
        StatusReport.objects.select_for_update(of=("self",))
        .select_related("round", "municipality")
        .filter(round=round, municipality=municipality)
        .first()
    )


def _check_editable(*, by: User, round: Round, municipality: Municipality, report) -> None:
    if not permissions.can_enter_for(by, municipality):
        raise PermissionDenied(_("You may only report for the municipalities of your own DGO."))
    if not round.is_open:
        raise PermissionDenied(_("The round is closed; its reports can no longer change."))
    if report is not None and report.state not in StatusReport.EDITABLE_STATES:
        raise PermissionDenied(
            _("The report is %(state)s and can no longer be edited.")
            % {"state": report.get_state_display().lower()}
        )


@transaction.atomic
def report_save(
    *,
    round: Round,
    municipality: Municipality,
    by: User,
    expected_version: int,
    fields: dict[str, Any],
    emissions: list[EmissionInput] | None = None,
    checklist: list[ChecklistInput] | None = None,
    actions: list[ActionInput] | None = None,
    indicators: list | None = None,
) -> StatusReport:
    """Save a municipality's report for a round, creating it on first save.

    `expected_version` is the version the user's form was based on (0 for a report not yet
    started). Locks the report row; raises ConflictError if it has moved on.
    """
    if not permissions.can_enter_for(by, municipality):
        raise PermissionDenied(_("You may only report for the municipalities of your own DGO."))
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    round = Round.objects.get(pk=round.pk)  # the round's status as of now
    report = _lock_report(round=round, municipality=municipality)
    _check_editable(by=by, round=round, municipality=municipality, report=report)
    if report is None:
        # First save: the unique constraint decides between two simultaneous first saves.
        try:
            with transaction.atomic():
                report = StatusReport.objects.create(
                    round=round, municipality=municipality, version=1, updated_by=by
                )
                created = True
        except IntegrityError:
            report = _lock_report(round=round, municipality=municipality)
            created = False
            _check_editable(by=by, round=round, municipality=municipality, report=report)
    else:
        created = False
    if not created and report.version != expected_version:
        raise _conflict(report, fields, emissions, checklist, actions)

    for name, value in fields.items():
        if isinstance(value, str):  # one kind of line ending, whatever the browser sent
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        setattr(report, name, value)
    entering_figures = emissions is not None and any(e.tonnes_co2e is not None for e in emissions)
    if entering_figures and not report.data_release:
        raise ValidationError(
            {"data_release": _("Give the data release the emission figures come from.")}
        )
    report.full_clean(exclude=["round", "municipality"], validate_unique=False)
    if not created:
        report.version += 1
    report.updated_at = timezone.now()
    report.updated_by = by
    report.save()
    if emissions is not None:
        _write_emissions(report=report, emissions=emissions, by=by)
    if checklist is not None:
        _write_checklist(report=report, checklist=checklist)
    if actions is not None:
        _write_actions(report=report, actions=actions)
    if indicators is not None:  # transition indicators of the round's year (monitoring.indicators)
        from monitoring.insight.indicators import write_report_values

        write_report_values(report=report, entries=indicators, by=by)
    return report


def _conflict(report, fields, emissions, checklist, actions) -> ConflictError:
    error = ConflictError(
        report=report, differences=_differences(report_field_values(report), fields)
    )
    if emissions is not None:
        current = report_emission_values(report)
        error.emissions_differ = current != {
            e.sector.pk: e.tonnes_co2e for e in emissions if e.tonnes_co2e is not None
        }
    if checklist is not None:
        current = report_checklist_values(report)
        error.checklist_differ = any(
            current.get(c.requirement.pk, (None, "")) != (c.met, c.note) for c in checklist
        )
    if actions is not None:
        submitted = sorted(
            (a.name, a.sector.pk if a.sector else None, a.status, a.note)
            for a in actions
            if not a.delete and a.name
        )
        error.actions_differ = submitted != report_action_values(report)
    return error


def _write_emissions(
    *,
    report: StatusReport,
    emissions: list[EmissionInput],
    by: User | None,
    delete_blank: bool = True,
) -> None:
    """This round's figures: one per sector in the report's data release. Figures this report
    entered under another release are dropped (they were never published); figures of other
    releases entered elsewhere stay as history."""
    year = report.round.emissions_year
    EmissionFigure.objects.filter(report=report, year=year).exclude(
        data_release=report.data_release
    ).delete()
    existing = {
        figure.sector_id: figure
        for figure in EmissionFigure.objects.filter(
            municipality_id=report.municipality_id, year=year, data_release=report.data_release
        )
    }
    now = timezone.now()
    for entry in emissions:
        figure = existing.get(entry.sector.pk)
        if entry.tonnes_co2e is None:
            if delete_blank and figure is not None and figure.report_id == report.pk:
                figure.delete()
            continue
        if figure is None:
            figure = EmissionFigure(
                municipality_id=report.municipality_id,
                year=year,
                sector=entry.sector,
                data_release=report.data_release,
            )
        elif (
            figure.tonnes_co2e == entry.tonnes_co2e
            and figure.data_source == report.data_source
            and figure.report_id == report.pk
        ):
            continue
        figure.tonnes_co2e = entry.tonnes_co2e
        figure.data_source = report.data_source
        figure.report = report
        figure.entered_by = by
        figure.entered_at = now
        figure.full_clean(validate_unique=False, validate_constraints=False)
        figure.save()


def _write_checklist(*, report: StatusReport, checklist: list[ChecklistInput]) -> None:
    existing = {a.requirement_id: a for a in ChecklistAnswer.objects.filter(report=report)}
    for entry in checklist:
        answer = existing.get(entry.requirement.pk)
        if answer is None:
            ChecklistAnswer.objects.create(
                report=report, requirement=entry.requirement, met=entry.met, note=entry.note
            )
        elif (answer.met, answer.note) != (entry.met, entry.note):
            answer.met, answer.note = entry.met, entry.note
            answer.save(update_fields=["met", "note"])


def _write_actions(*, report: StatusReport, actions: list[ActionInput]) -> None:
    """Update, add and remove the report's actions. A new row named like an existing action
    the form did not mention updates that action (e.g. a form filled in before a colleague
    added the same action), rather than failing on the duplicate name."""
    existing = {a.pk: a for a in Action.objects.filter(report=report)}
    for entry in actions:
        if entry.id is not None and entry.id not in existing:
            raise ValidationError(_("An action in the form does not belong to this report."))
    mentioned = {a.id for a in actions if a.id is not None}
    untouched = {a.name.casefold(): a for pk, a in existing.items() if pk not in mentioned}
    resolved = []
    for entry in actions:
        name = entry.name.strip()
        action = existing.get(entry.id) if entry.id is not None else None
        if action is None and name and not entry.delete:
            action = untouched.pop(name.casefold(), None)
        resolved.append((entry, name, action))
    kept = [name.casefold() for entry, name, _a in resolved if name and not entry.delete]
    names = kept + list(untouched)
    if len(names) != len(set(names)):
        raise ValidationError(_("Two actions have the same name; give each action its own name."))
    for entry, name, action in resolved:
        if entry.delete or not name:
            if action is not None:
                action.delete()
            continue
        values = {"name": name, "sector": entry.sector, "status": entry.status, "note": entry.note}
        if action is None:
            action = Action(report=report, **values)
        elif all(getattr(action, k) == v for k, v in values.items()):
            continue
        else:
            for key, value in values.items():
                setattr(action, key, value)
        action.full_clean(exclude=["report"], validate_unique=False, validate_constraints=False)
        action.save()


def report_initial(*, round: Round, municipality: Municipality) -> dict[str, Any]:
    """What a report not yet started begins with: the municipality's previous report."""
    previous = (
        StatusReport.objects.filter(municipality=municipality, round__year__lt=round.year)
        .order_by("-round__year")
        .first()
    )
    if previous is None:
        return {"fields": {}, "checklist": {}, "actions": [], "previous": None}
    return {
        "fields": {name: getattr(previous, name) for name in CARRIED_FORWARD},
        "checklist": report_checklist_values(previous),
        "actions": [
            {"name": a.name, "sector": a.sector_id, "status": a.status, "note": a.note}
            for a in previous.actions.all()
        ],
        "previous": previous,
    }


# --- workflow ----------------------------------------------------------------------------


def _locked(report: StatusReport) -> StatusReport:
    return (
        StatusReport.objects.select_for_update(of=("self",))
        .select_related("round", "municipality")
        .get(pk=report.pk)
    )


def report_check_complete(report: StatusReport) -> None:
    """What a report needs before it can be submitted."""
    errors = []
    sectors = Sector.objects.filter(is_active=True)
    figures = report_emission_values(report)
    missing = [s.name for s in sectors if s.pk not in figures]
    if missing:
        errors.append(
            _("Emissions are missing for: %(sectors)s.") % {"sectors": ", ".join(missing)}
        )
    if report.has_plan:
        if not report.plan_adopted_on:
            errors.append(_("Give the date the climate action plan was adopted."))
        answers = report_checklist_values(report)
        unanswered = [
            r.name
            for r in ChecklistRequirement.objects.filter(is_active=True)
            if answers.get(r.pk, (None, ""))[0] is None
        ]
        if unanswered:
            errors.append(
                _("Answer the checklist for: %(items)s.") % {"items": ", ".join(unanswered)}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def report_submit(*, report: StatusReport, by: User) -> StatusReport:
    """The coordinator hands the report to the secretariat for review."""
    report = _locked(report)
    _check_editable(by=by, round=report.round, municipality=report.municipality, report=report)
    report_check_complete(report)
    now = timezone.now()
    report.state = State.SUBMITTED
    report.submitted_at, report.submitted_by = now, by
    report.version += 1
    report.updated_at, report.updated_by = now, by
    report.save()
    return report


def _check_review(by: User, report: StatusReport, allowed: tuple[str, ...]) -> None:
    if not permissions.can_review(by):
        raise PermissionDenied(_("Only the secretariat reviews reports."))
    if not report.round.is_open:
        raise PermissionDenied(_("The round is closed; its reports can no longer change."))
    if report.state not in allowed:
        raise ValidationError(
            _("The report is %(state)s; this step is not possible now.")
            % {"state": report.get_state_display().lower()}
        )


@transaction.atomic
def report_request_changes(*, report: StatusReport, by: User, comment: str) -> StatusReport:
    """Send a submitted (or approved) report back to its coordinators with a comment."""
    report = _locked(report)
    _check_review(by, report, (State.SUBMITTED, State.APPROVED))
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say what should be changed.")})
    now = timezone.now()
    report.state = State.CHANGES_REQUESTED
    report.reviewed_at, report.reviewed_by = now, by
    report.review_comment = comment
    report.approved_at = None
    report.version += 1
    report.save()
    _mail_coordinators_about(report, comment=comment)
    return report


@transaction.atomic
def report_approve(*, report: StatusReport, by: User, comment: str = "") -> StatusReport:
    report = _locked(report)
    _check_review(by, report, (State.SUBMITTED,))
    now = timezone.now()
    report.state = State.APPROVED
    report.reviewed_at, report.reviewed_by = now, by
    report.review_comment = comment.strip()
    report.approved_at = now
    report.version += 1
    report.save()
    return report


def _mail_coordinators_about(report: StatusReport, *, comment: str) -> None:
    dgo_id = report.municipality.dgo_id
    values = {
        "municipality": report.municipality.name,
        "year": report.round.year,
        "comment": comment,
        "path": settings.PORTAL_BASE_URL + report.get_absolute_url(),
    }
    notify(
        kind=notices.CHANGES_REQUESTED,
        users=notices.coordinators([dgo_id]).get(dgo_id, []),
        subject=gettext_lazy("Changes requested: %(report)s"),
        subject_values={"report": report},
        context={
            "text": lambda: (
                _(
                    "The secretariat asks for changes to the status report of %(municipality)s "
                    "for %(year)s:\n\n%(comment)s\n\nOpen the report: %(path)s"
                )
                % values
            )
        },
        url=report.get_absolute_url(),
    )


# --- rounds ------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    by: User,
    year: int,
    emissions_year: int,
    opens_on: datetime.date,
    deadline: datetime.date,
) -> Round:
    if not permissions.can_manage_rounds(by):
        raise PermissionDenied(_("Only the secretariat opens monitoring rounds."))
    round = Round(year=year, emissions_year=emissions_year, opens_on=opens_on, deadline=deadline)
    errors = {}
    if emissions_year > year:
        errors["emissions_year"] = _("The emissions year cannot be after the round's year.")
    if deadline < opens_on:
        errors["deadline"] = _("The deadline cannot be before the round opens.")
    if errors:
        raise ValidationError(errors)
    round.full_clean()
    round.save()
    return round


@transaction.atomic
def round_close(*, round: Round, by: User) -> Round:
    """Close the round: every report in it is locked and the round becomes read-only."""
    if not permissions.can_manage_rounds(by):
        raise PermissionDenied(_("Only the secretariat closes monitoring rounds."))
    round = Round.objects.select_for_update().get(pk=round.pk)
    if not round.is_open:
        raise ValidationError(_("The round is already closed."))
    reports = (
        StatusReport.objects.select_for_update().filter(round=round).exclude(state=State.LOCKED)
    )
    for report in reports:  # one save each, so the audit trail records every lock
        report.state = State.LOCKED
        report.version += 1
        report.save(update_fields=["state", "version"])
    round.status = Round.Status.CLOSED
    round.closed_at = timezone.now()
    round.closed_by = by
    round.save(update_fields=["status", "closed_at", "closed_by"])
    return round


def round_missing_by_dgo(*, round: Round) -> dict[DGO, list[Municipality]]:
    """Municipalities whose report is not yet with the secretariat: not started, draft or
    changes requested."""
    done = StatusReport.objects.filter(
        round=round, state__in=[State.SUBMITTED, State.APPROVED, State.LOCKED]
    ).values("municipality_id")
    missing: dict[DGO, list[Municipality]] = {}
    for municipality in (
        Municipality.objects.exclude(pk__in=done).select_related("dgo").order_by("dgo", "name")
    ):
        missing.setdefault(municipality.dgo, []).append(municipality)
    return missing


@transaction.atomic
def round_request_reminders(*, round: Round, by: User) -> None:
    """Ask for reminders to be e-mailed (by a Celery task, once this transaction commits)."""
    if not permissions.can_manage_rounds(by):
        raise PermissionDenied(_("Only the secretariat sends reminders."))
    if not round.is_open:
        raise ValidationError(_("The round is closed; no reminders are sent."))
    from .tasks import send_round_reminders

    requested_at = timezone.now().isoformat()
    transaction.on_commit(
        lambda: send_round_reminders.delay(round_id=round.pk, requested_at=requested_at)
    )


@transaction.atomic
def round_send_reminders(*, round: Round, requested_at: datetime.datetime) -> int:
    """E-mail each DGO's coordinators the list of their municipalities' missing reports.

    Idempotent per request: a request already served (the round's reminders_sent_at is at or
    after it) sends nothing again. Returns the number of e-mails queued.
    """
    round = Round.objects.select_for_update().get(pk=round.pk)
    if not round.is_open or (round.reminders_sent_at and round.reminders_sent_at >= requested_at):
        return 0
    missing = round_missing_by_dgo(round=round)
    people = notices.coordinators([dgo.pk for dgo in missing])
    sent = 0
    for dgo, municipalities in missing.items():
        to = people.get(dgo.pk)
        if not to:
            continue
        values = {
            "year": round.year,
            "deadline": round.deadline,
            "dgo": dgo.name,
            "names": "\n".join(f"- {m.name}" for m in municipalities),
            "path": settings.PORTAL_BASE_URL + round.get_absolute_url(),
        }
        notify(
            kind=notices.ROUND_REMINDER,
            users=to,
            subject=gettext_lazy("Reminder: status reports for %(year)s"),
            subject_values={"year": round.year},
            context={
                "text": lambda values=values: (
                    _(
                        "The deadline for the monitoring round %(year)s is %(deadline)s. These "
                        "municipalities in %(dgo)s have not yet submitted their status report:\n\n"
                        "%(names)s\n\nThe round: %(path)s"
                    )
                    % {**values, "deadline": date_format(values["deadline"], "SHORT_DATE_FORMAT")}
                )
            },
            url=round.get_absolute_url(),
        )
        sent += 1
    round.reminders_sent_at = timezone.now()
    round.save(update_fields=["reminders_sent_at"])
    return sent


# --- spreadsheet import ------------------------------------------------------------------


@dataclass
class RowOutcome:
    number: int
    code: str
    name: str
    status: str  # new, changed, unchanged, error
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)
    changes: list[str] = field(default_factory=list)  # columns


@dataclass
class ImportResult:
    rows: list[RowOutcome] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not any(row.status == "error" for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("new", "changed", "unchanged", "error"), 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    def lines(self) -> list[str]:
        """The same row report as the web page, as text (for the command line)."""
        out = [_("File: %(error)s") % {"error": error} for error in self.file_errors]
        for row in self.rows:
            label = f"{row.number}: {row.code} {row.name}".rstrip()
            if row.status == "error":
                for column, reason in row.errors:
                    out.append(
                        _("Row %(row)s, column %(column)s: %(reason)s")
                        % {"row": label, "column": column or "–", "reason": reason}
                    )
            elif row.status == "changed":
                out.append(
                    _("Row %(row)s: changed (%(columns)s)")
                    % {"row": label, "columns": ", ".join(row.changes)}
                )
            else:
                out.append(
                    _("Row %(row)s: %(status)s") % {"row": label, "status": _status_label(row)}
                )
        counts = self.counts
        out.append(
            _("%(new)s new, %(changed)s changed, %(unchanged)s unchanged, %(error)s with errors.")
            % counts
        )
        return out


def _status_label(row: RowOutcome) -> str:
    return {"new": _("new"), "unchanged": _("unchanged")}.get(row.status, row.status)


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
    from . import spreadsheet as sheet

    if not (system and by is None) and not permissions.can_import(by):
        raise PermissionDenied(_("Only the secretariat and administrators import round data."))
    result = ImportResult()
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if not round.is_open:
            result.file_errors.append(
                _("The round %(year)s is closed; nothing can be imported into it.")
                % {"year": round.year}
            )
            return result
        try:
            table = sheet.read_table(content, filename)
        except sheet.SpreadsheetError as exc:
            result.file_errors.append(str(exc))
            return result
        sectors = list(Sector.objects.filter(is_active=True))
        requirements = list(ChecklistRequirement.objects.filter(is_active=True))
        spec = sheet.columns(sectors, requirements)
        if not table:
            result.file_errors.append(_("The file has no header row."))
            return result
        positions, header_errors = sheet.parse_header(table[0], spec)
        if header_errors:
            result.file_errors.extend(header_errors)
            return result
        planned = _plan_import(
            round=round,
            table=table,
            spec=spec,
            positions=positions,
            sectors=sectors,
            requirements=requirements,
        )
        result.rows = [row.outcome for row in planned]
        if not result.rows:
            result.file_errors.append(_("The file has no data rows."))
        if dry_run or not result.is_valid:
            return result
        _import_write(
            rows=[row for row in planned if row.outcome.status in ("new", "changed")],
            round=round,
            by=by,
            sectors={s.pk: s for s in sectors},
            requirements={r.pk: r for r in requirements},
        )
        result.written = True
    return result


def _plan_import(*, round, table, spec, positions, sectors, requirements) -> list[_PlannedRow]:
    from . import spreadsheet as sheet

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


# --- the annual status report (PDF) -------------------------------------------------------


class ReportQueueUnavailable(Exception):
    """The background queue (the Celery broker) cannot take the job; the view answers 503."""


def _enqueue_status_report(document_id: int) -> None:
    from core.broker import is_broker_error

    from .tasks import render_status_report

    try:
        render_status_report.delay(document_id)
    except Exception as error:  # the broker's errors vary by transport
        if not is_broker_error(error):
            raise
        StatusReportDocument.objects.filter(pk=document_id).update(
            status=StatusReportDocument.Status.FAILED,
            error=f"broker unavailable: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise ReportQueueUnavailable(
            _("The report cannot be started right now: the background queue is unavailable.")
        ) from error


def status_report_request(*, round: Round, language: str, by: User) -> StatusReportDocument:
    """Ask for the status report of a round in a language. The same round, language and
    unchanged data reuse the existing document (unless it failed: then it is tried again)."""
    from monitoring.status_report.rendering import data_snapshot_at

    if not permissions.can_request_status_report(by):
        raise PermissionDenied(_("Only the secretariat produces the status report."))
    if language not in StatusReportDocument.Language.values:
        raise ValidationError({"language": _("Choose Danish or English.")})
    Status = StatusReportDocument.Status
    with transaction.atomic():
        snapshot = data_snapshot_at(round)
        document, created = StatusReportDocument.objects.select_for_update().get_or_create(
            round=round,
            language=language,
            data_snapshot_at=snapshot,
            defaults={"requested_by": by},
        )
        if not created and document.status != Status.FAILED:
            return document
        if not created:  # a failed one starts again
            document.status, document.progress, document.step = Status.QUEUED, 0, ""
            document.error, document.finished_at = "", None
            document.requested_by, document.requested_at = by, timezone.now()
            document.save()
        transaction.on_commit(lambda: _enqueue_status_report(document.pk))
    return document


# --- publishing the status report on the open pages --------------------------------------


def status_report_publish(*, document: StatusReportDocument, by: User):
    """Publish a finished status report on the open pages (no sign-in). The secretariat only;
    a pending or failed document cannot be published. Publishing twice changes nothing."""
    from .models import StatusReportPublication

    if not permissions.can_request_status_report(by):
        raise PermissionDenied(_("Only the secretariat publishes the status report."))
    with transaction.atomic():
        document = StatusReportDocument.objects.select_for_update().get(pk=document.pk)
        if not document.is_done or not document.file:
            raise ValidationError(_("Only a finished status report can be published."))
        publication, _created = StatusReportPublication.objects.get_or_create(
            document=document, defaults={"published_by": by}
        )
    return publication


def status_report_unpublish(*, document: StatusReportDocument, by: User) -> None:
    """Take a status report off the open pages again (the secretariat)."""
    from .models import StatusReportPublication

    if not permissions.can_request_status_report(by):
        raise PermissionDenied(_("Only the secretariat publishes the status report."))
    StatusReportPublication.objects.filter(document=document).delete()
