"""Writes to monitoring. Views, admin, API, the import, commands and tasks call these.

Every workflow step locks the report row (`select_for_update`) before reading the state it
checks, so two requests cannot both pass a check that only one may pass. Saving a report is
guarded by its `version`: a save based on an older version raises ConflictError carrying the
values someone else saved in between, and nothing is overwritten.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from celery import Task, current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.locking import EditConflict, is_stale
from core.notifications import notify
from partners.models import DGO, Municipality, User

from . import notices, permissions
from .models import (
    Action,
    ChecklistAnswer,
    ChecklistRequirement,
    DataRelease,
    EmissionFigure,
    Round,
    Sector,
    StatusReport,
    StatusReportDocument,
)

State = StatusReport.State
# An edition with no text is neither published nor previewed (said here and by its page, which
# also says it when no text was ever saved).
EDITION_EMPTY = gettext_lazy("Write a foreword, key messages or a chapter text first.")


def _task(name: str) -> Task:
    """A task of monitoring/tasks.py, found by its Celery name: the tasks call these services,
    so the services do not import the tasks (MonitoringConfig.ready registers them)."""
    return current_app.tasks[f"monitoring.tasks.{name}"]


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
class ConflictError(EditConflict):
    """Someone saved the report after the version this save was based on (the kernel's
    optimistic locking, core.locking, with the differences for the report's conflict page)."""

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
    refusal = permissions.report_edit_refusal(
        by, round=round, municipality=municipality, report=report
    )
    if refusal:
        raise PermissionDenied(refusal)


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
    if not created and is_stale(report, expected_version):
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
    if (
        indicators is not None
    ):  # transition indicators of the round's year (monitoring.insight.indicators)
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
    official_release = DataRelease.objects.filter(name=report.data_release).exists()
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
        elif figure.report_id is None and official_release:
            # An official figure of the accounts (the report's starting value): it stays
            # published as it is; a different value needs a release of the report's own.
            if figure.tonnes_co2e == entry.tonnes_co2e:
                continue
            raise ValidationError(
                _(
                    "%(sector)s: the release %(release)s of the national accounts says "
                    "%(official)s; give your own data release for another figure."
                )
                % {
                    "sector": entry.sector.name,
                    "release": report.data_release,
                    "official": figure.tonnes_co2e,
                }
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


def official_starting_figures(*, year: int, municipality: Municipality) -> dict[str, Any]:
    """The latest release of the national accounts for the municipality and year, as a new
    report's starting values: {"emissions": {sector id: t CO2e}, "fields": release, source}."""
    figures = list(
        EmissionFigure.objects.latest_releases(
            Q(report__isnull=True, municipality=municipality, year=year)
        ).values_list("sector_id", "tonnes_co2e", "data_release", "data_source")
    )
    if not figures:
        return {"emissions": {}, "fields": {}}
    newest = max(figures, key=lambda f: f[2])
    return {
        "emissions": {sector_id: tonnes for sector_id, tonnes, _r, _s in figures},
        "fields": {"data_release": newest[2], "data_source": newest[3]},
    }


def report_initial(*, round: Round, municipality: Municipality) -> dict[str, Any]:
    """What a report not yet started begins with: the municipality's previous report."""
    previous = (
        StatusReport.objects.filter(municipality=municipality, round__year__lt=round.year)
        .order_by("-round__year")
        .first()
    )
    official = official_starting_figures(year=round.emissions_year, municipality=municipality)
    if previous is None:
        return {
            "fields": official["fields"],
            "checklist": {},
            "actions": [],
            "previous": None,
            "emissions": official["emissions"],
        }
    return {
        "emissions": official["emissions"],
        "fields": {name: getattr(previous, name) for name in CARRIED_FORWARD} | official["fields"],
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
    sectors = list(Sector.objects.filter(is_active=True))
    figures = report_emission_values(report)
    # A group is complete with its own figure (the accounts' level), or with all its parts.
    missing = []
    for group in (s for s in sectors if s.parent_id is None):
        if group.pk in figures:
            continue
        parts = [s for s in sectors if s.parent_id == group.pk]
        missing += [p.name for p in parts if p.pk not in figures] if parts else [group.name]
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


@transaction.atomic
def report_withdraw(*, report: StatusReport, by: User) -> StatusReport:
    """The coordinator takes a submitted report back before the secretariat has reviewed it:
    a draft again, the version counted up (the audit trail records the change), and the
    reviewers (the secretariat) are told. A reviewed report (approved, sent back, locked)
    cannot be withdrawn. The report row is locked, so a review at the same moment waits."""
    report = _locked(report)
    refusal = permissions.report_withdraw_refusal(by, report)
    if refusal is not None:
        if not permissions.can_enter_for(by, report.municipality) or not report.round.is_open:
            raise PermissionDenied(refusal)
        raise ValidationError(refusal)
    now = timezone.now()
    report.state = State.DRAFT
    report.submitted_at, report.submitted_by = None, None
    report.version += 1
    report.updated_at, report.updated_by = now, by
    report.save()
    _tell_reviewers_withdrawn(report, by=by)
    return report


def _tell_reviewers_withdrawn(report: StatusReport, *, by: User) -> None:
    values = {
        "municipality": report.municipality.name,
        "year": report.round.year,
        "by": by.get_full_name() or by.get_username(),
        "path": settings.PORTAL_BASE_URL + report.get_absolute_url(),
    }
    notify(
        kind=notices.REPORT_WITHDRAWN,
        users=notices.reviewers(),
        subject=gettext_lazy("Withdrawn before review: %(report)s"),
        subject_values={"report": report},
        context={
            "text": lambda: (
                _(
                    "%(by)s has withdrawn the status report of %(municipality)s for %(year)s "
                    "before review; it is a draft again and will be submitted anew.\n\n"
                    "The report: %(path)s"
                )
                % values
            )
        },
        url=report.get_absolute_url(),
    )


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
        raise PermissionDenied(str(permissions.ROUND_OPEN_REFUSED))
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


def round_check_closable(*, round: Round) -> None:
    """Only an open round is closed (the close page asks before its form; round_close asks
    again under the round's row lock)."""
    if not round.is_open:
        raise ValidationError(_("The round is already closed."))


def round_check_reopenable(*, round: Round) -> None:
    """Only a closed round is reopened (the page asks first; round_reopen under the lock)."""
    if round.is_open:
        raise ValidationError(_("The round is open; only a closed round can be reopened."))


@transaction.atomic
def round_close(*, round: Round, by: User, confirmed: bool) -> Round:
    """Close the round: every report in it is locked and the round becomes read-only. The
    caller must have shown what will be locked unapproved (selectors.round_close_preview) and
    pass `confirmed=True`; the page passes whether its confirmation box was ticked. Each
    report keeps the state it was locked from, for a reopening."""
    if not permissions.can_manage_rounds(by):
        raise PermissionDenied(str(permissions.ROUND_CLOSE_REFUSED))
    if not confirmed:
        raise ValidationError(_("Tick the box to confirm that the round is to be closed."))
    round = Round.objects.select_for_update().get(pk=round.pk)
    round_check_closable(round=round)
    reports = (
        StatusReport.objects.select_for_update().filter(round=round).exclude(state=State.LOCKED)
    )
    for report in reports:  # one save each, so the audit trail records every lock
        report.locked_from = report.state
        report.state = State.LOCKED
        report.version += 1
        report.save(update_fields=["state", "locked_from", "version"])
    round.status = Round.Status.CLOSED
    round.closed_at = timezone.now()
    round.closed_by = by
    round.save(update_fields=["status", "closed_at", "closed_by"])
    return round


REOPEN_REASON_MAX = 2000


@transaction.atomic
def round_reopen(*, round: Round, by: User, reason: str) -> Round:
    """Reopen a closed round for a correction (the secretariat, with a reason). Each locked
    report gets back the state it was locked from (one locked before that was recorded: an
    approved one is approved again, any other a draft), so the secretariat can send the report
    to correct back for changes; closing the round again locks them all again. The reason,
    who and when are kept on the round and, like every report's change, in the audit trail."""
    if not permissions.can_manage_rounds(by):
        raise PermissionDenied(str(permissions.ROUND_REOPEN_REFUSED))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is to be corrected.")})
    if len(reason) > REOPEN_REASON_MAX:
        raise ValidationError(
            {"reason": _("At most %(limit)s characters.") % {"limit": REOPEN_REASON_MAX}}
        )
    round = Round.objects.select_for_update().get(pk=round.pk)
    round_check_reopenable(round=round)
    for report in StatusReport.objects.select_for_update().filter(round=round, state=State.LOCKED):
        fallback = State.APPROVED if report.approved_at else State.DRAFT
        report.state = report.locked_from or fallback
        report.locked_from = ""
        report.version += 1
        report.save(update_fields=["state", "locked_from", "version"])
    round.status = Round.Status.OPEN
    round.closed_at, round.closed_by = None, None
    round.reopened_at, round.reopened_by, round.reopen_reason = timezone.now(), by, reason
    round.save(
        update_fields=[
            "status",
            "closed_at",
            "closed_by",
            "reopened_at",
            "reopened_by",
            "reopen_reason",
        ]
    )
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
    requested_at = timezone.now().isoformat()
    transaction.on_commit(
        lambda: _task("send_round_reminders").delay(round_id=round.pk, requested_at=requested_at)
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


# --- the annual status report (PDF) -------------------------------------------------------


class ReportQueueUnavailable(Exception):
    """The background queue (the Celery broker) cannot take the job; the view answers 503."""


def _enqueue_status_report(document_id: int) -> None:
    from core.broker import is_broker_error

    try:
        _task("render_status_report").delay(document_id)
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
        raise PermissionDenied(str(permissions.STATUS_REPORT_REFUSED))
    if language not in StatusReportDocument.Language.values:
        raise ValidationError({"language": _("Choose Danish or English.")})
    Status = StatusReportDocument.Status
    with transaction.atomic():
        snapshot = data_snapshot_at(round)
        document, created = StatusReportDocument.objects.select_for_update().get_or_create(
            round=round,
            language=language,
            data_snapshot_at=snapshot,
            is_preview=False,
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
        if not document.is_done or not document.file or document.is_preview:
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


# --- the knowledge partners' text of the status report ------------------------------------


def _edition_errors(*, foreword: str, key_messages: list[str], chapters: dict[str, str]) -> dict:
    """Each field's unknown key-figure tokens as a Danish (the user's language) message."""
    from monitoring.status_report.editorial import unknown_tokens, unknown_tokens_message

    errors: dict[str, str] = {}
    if names := unknown_tokens(foreword):
        errors["foreword"] = unknown_tokens_message(names)
    if names := unknown_tokens("\n".join(key_messages)):
        errors["key_messages"] = unknown_tokens_message(names)
    for key, text in chapters.items():
        if names := unknown_tokens(text):
            errors[f"chapter_{key}"] = unknown_tokens_message(names)
    return errors


def edition_save(
    *,
    round: Round,
    by: User,
    foreword: str,
    key_messages: list[str],
    chapters: dict[str, str],
    expected_version: Any = None,
):
    """Save the draft of a round's status report text (foreword, key messages in their order,
    a narrative per chapter key). The knowledge partners only, while it is not published; the
    row is locked and a save based on an older version is refused (StaleEdit). Unknown
    key-figure tokens are refused per field and nothing is written."""
    from core.locking import StaleEdit, edit_version
    from monitoring.status_report.editorial import chapter_list

    from .models import ReportEdition

    if refusal := permissions.edition_edit_refusal(by, None):
        raise PermissionDenied(refusal)
    known = {key for key, _title in chapter_list()}
    chapters = {k: v.strip() for k, v in chapters.items() if k in known and v.strip()}
    key_messages = [m.strip() for m in key_messages if m.strip()]
    if errors := _edition_errors(foreword=foreword, key_messages=key_messages, chapters=chapters):
        raise ValidationError(errors)
    with transaction.atomic():
        # The row is locked when it exists; the first save creates it (one audit entry).
        edition = ReportEdition.objects.select_for_update().filter(round=round).first()
        if edition is None:
            edition = ReportEdition(round=round, version=0)
        elif is_stale(edition, expected_version):
            raise StaleEdit(edit_version(edition))
        if refusal := permissions.edition_edit_refusal(by, edition):
            raise ValidationError(refusal)
        edition.foreword = foreword.strip()
        edition.key_messages = key_messages
        edition.chapters = chapters
        edition.organisation_id = min(permissions.roles_of(by).knowledge_partner_org_ids)
        edition.updated_by, edition.updated_at = by, timezone.now()
        edition.version += 1
        edition.full_clean(validate_unique=False)
        try:
            with transaction.atomic():  # two first saves at once: the second is told so
                edition.save()
        except IntegrityError:
            current = ReportEdition.objects.get(round=round)
            raise StaleEdit(edit_version(current)) from None
    return edition


def edition_publish(*, edition, by: User, expected_version: Any = None):
    """Publish the text: from now on it is locked and goes into the status report and onto
    the report's page. The knowledge partners only; an empty text is not published."""
    from core.locking import lock_for_edit

    if refusal := permissions.edition_edit_refusal(by, None):
        raise PermissionDenied(refusal)
    with transaction.atomic():
        edition = lock_for_edit(edition, expected_version)
        if refusal := permissions.edition_edit_refusal(by, edition):
            raise ValidationError(refusal)
        if edition.is_empty:
            raise ValidationError(str(EDITION_EMPTY))
        edition.state = edition.State.PUBLISHED
        edition.published_at, edition.published_by = timezone.now(), by
        edition.version += 1
        edition.save()
    return edition


def edition_request_preview(*, edition, language: str, by: User) -> StatusReportDocument:
    """Render the status report with the draft text (in the background, like the report): for
    the knowledge partners and the secretariat. The same draft and data reuse the preview."""
    from monitoring.status_report.rendering import data_snapshot_at

    if not permissions.can_read_edition_draft(by):
        raise PermissionDenied(
            _("Only the knowledge partners and the secretariat preview the text.")
        )
    if language not in StatusReportDocument.Language.values:
        raise ValidationError({"language": _("Choose Danish or English.")})
    Status = StatusReportDocument.Status
    with transaction.atomic():
        snapshot = max(data_snapshot_at(edition.round), edition.updated_at)
        document, created = StatusReportDocument.objects.select_for_update().get_or_create(
            round=edition.round,
            language=language,
            data_snapshot_at=snapshot,
            is_preview=True,
            defaults={"requested_by": by},
        )
        if not created and document.status != Status.FAILED:
            return document
        if not created:
            document.status, document.progress, document.step = Status.QUEUED, 0, ""
            document.error, document.finished_at = "", None
            document.requested_by, document.requested_at = by, timezone.now()
            document.save()
        transaction.on_commit(lambda: _enqueue_status_report(document.pk))
    return document
