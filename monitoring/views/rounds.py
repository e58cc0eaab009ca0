from dataclasses import asdict
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import MinValueValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import uploads
from core.exports import Column, export_list, list_export, requested_export
from monitoring import exports, permissions, selectors, services
from monitoring.forms import (
    ActionFormSet,
    ChecklistFormSet,
    CloseForm,
    EmissionFormSet,
    ImportForm,
    IndicatorFormSet,
    ReopenForm,
    ReportForm,
    ReviewForm,
    RoundFilterForm,
    RoundForm,
    YearForm,
)
from monitoring.imports import rounds as rounds_import
from monitoring.insight import indicators as indicators_module
from monitoring.models import Round, StatusReport
from partners import selectors as partner_selectors
from partners.models import DGO, Municipality

PAGE_SIZE = 50
IMPORT_SESSION_KEY = "monitoring_import"

ROUND_COLUMNS = [
    Column(gettext_lazy("Round"), lambda r: r.year),
    Column(gettext_lazy("Emissions year"), lambda r: r.emissions_year),
    Column(gettext_lazy("Opens"), lambda r: r.opens_on),
    Column(gettext_lazy("Deadline"), lambda r: r.deadline),
    Column(gettext_lazy("Status"), lambda r: r.get_status_display()),
]


def _state_label(row) -> str:
    if not row.report_state:
        return _("Not started")
    if row.report_state == StatusReport.State.LOCKED:
        return _("Approved and locked") if row.report_approved_at else _("Locked without approval")
    return str(StatusReport.State(row.report_state).label)


def _report_value(name: str):
    """A report field, only where the user may read the report (else empty)."""
    return lambda row: getattr(row.visible_report, name) if row.visible_report else None


REPORT_ROW_COLUMNS = [
    Column(gettext_lazy("Municipality code"), lambda row: row.code),
    Column(gettext_lazy("Municipality"), lambda row: row.name),
    Column(gettext_lazy("DGO"), lambda row: row.dgo.name),
    Column(gettext_lazy("Report"), _state_label),
    Column(
        gettext_lazy("Last changed"),
        lambda row: row.report_updated_at and timezone.localtime(row.report_updated_at),
    ),
    Column(
        gettext_lazy("Climate action plan"),
        lambda row: row.visible_report.get_plan_status_display() if row.visible_report else "",
    ),
    Column(gettext_lazy("Plan adopted"), _report_value("plan_adopted_on")),
    Column(gettext_lazy("Plan revised"), _report_value("plan_revised_on")),
    Column(gettext_lazy("Baseline year"), _report_value("baseline_year")),
    Column(gettext_lazy("Baseline emissions (t CO2e)"), _report_value("baseline_emissions")),
    Column(gettext_lazy("2030 reduction target (%)"), _report_value("target_2030_reduction_pct")),
    Column(gettext_lazy("Net zero year"), _report_value("net_zero_year")),
]


def _export_rows(rows, *, round: Round, user):
    """The round's rows with the report data attached where the user may read the report
    (`permissions.visible_reports`, the page's rule): one more query for all of them."""
    rows = list(rows)
    selectors.annotate_visibility(rows, user)
    reports = {
        report.municipality_id: report
        for report in permissions.visible_reports(user).filter(round=round)
    }
    for row in rows:
        row.visible_report = reports.get(row.pk) if row.can_view else None
    return rows


def _round(year: int) -> Round:
    try:
        return selectors.round_get(year=year)
    except Round.DoesNotExist as exc:
        raise Http404(_("There is no monitoring round for %(year)s.") % {"year": year}) from exc


def _municipality(code: str) -> Municipality:
    try:
        return partner_selectors.municipality_get(code=code)
    except Municipality.DoesNotExist as exc:
        raise Http404(_("No municipality has the code %(code)s.") % {"code": code}) from exc


def _require(allowed: bool, reason: str) -> None:
    if not allowed:
        raise PermissionDenied(reason)


# --- rounds ------------------------------------------------------------------------------


def round_list(request: HttpRequest) -> HttpResponse:
    rounds = selectors.round_list()
    if export := export_list(
        request, name="runder", title=_("Monitoring rounds"), columns=ROUND_COLUMNS, objects=rounds
    ):
        return export
    return render(
        request,
        "monitoring/round_list.html",
        {
            "rounds": rounds,
            "dgos": DGO.objects.order_by("name"),
            "can_manage": permissions.can_manage_rounds(request.user),
        },
    )


def round_create(request: HttpRequest) -> HttpResponse:
    _require(
        permissions.can_manage_rounds(request.user),
        str(permissions.ROUND_OPEN_REFUSED),
    )
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round = services.round_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The round %(year)s is open.") % {"year": round.year})
            return redirect(round)
    return render(request, "monitoring/round_form.html", {"form": form})


def round_detail(request: HttpRequest, year: int) -> HttpResponse:
    round = _round(year)
    form = RoundFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.round_rows(
        round=round,
        user=request.user,
        dgo=filters.get("dgo"),
        state=filters.get("state") or "",
        search=filters.get("q") or "",
    )
    if fmt := requested_export(request):
        return list_export(
            fmt,
            name=f"overvaagning-{round.year}",
            title=str(round),
            columns=REPORT_ROW_COLUMNS,
            objects=_export_rows(rows, round=round, user=request.user),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.annotate_visibility(page.object_list, request.user)
    progress = selectors.round_progress_by_dgo(round=round)
    return render(
        request,
        "monitoring/round_detail.html",
        {
            "round": round,
            "form": form,
            "page": page,
            "progress": progress,
            "totals": _sum_progress(progress),
            "can_manage": permissions.can_manage_rounds(request.user) and round.is_open,
            "can_reopen": permissions.can_reopen_round(request.user, round),
            "can_import": permissions.can_import(request.user) and round.is_open,
            "can_export": permissions.can_export(request.user),
        },
    )


def _sum_progress(progress) -> dict:
    keys = ("total", "not_started", "draft", "changes_requested", "submitted", "approved")
    return {key: sum(getattr(row, key) for row in progress) for key in (*keys, "locked")}


def round_close(request: HttpRequest, year: int) -> HttpResponse:
    """Closing asks first: the page shows how many reports will be locked unapproved, by
    state, and the round closes only when its box is ticked (services.round_close)."""
    round = _round(year)
    _require(
        permissions.can_manage_rounds(request.user),
        str(permissions.ROUND_CLOSE_REFUSED),
    )
    try:
        services.round_check_closable(round=round)
    except ValidationError as exc:
        messages.info(request, exc.messages[0])
        return redirect(round)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_close(
                round=round, by=request.user, confirmed=form.cleaned_data["confirm"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The round is closed and its reports are locked."))
            return redirect(round)
    return render(
        request,
        "monitoring/round_close.html",
        {"round": round, "form": form, "preview": selectors.round_close_preview(round=round)},
    )


def round_reopen(request: HttpRequest, year: int) -> HttpResponse:
    """The secretariat reopens a closed round for a correction, saying why."""
    round = _round(year)
    _require(
        permissions.can_manage_rounds(request.user),
        str(permissions.ROUND_REOPEN_REFUSED),
    )
    try:
        services.round_check_reopenable(round=round)
    except ValidationError as exc:
        messages.info(request, exc.messages[0])
        return redirect(round)
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_reopen(round=round, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("The round is open again for the correction; close it again when done."),
            )
            return redirect(round)
    return render(request, "monitoring/round_reopen.html", {"round": round, "form": form})


@require_POST
def round_reminders(request: HttpRequest, year: int) -> HttpResponse:
    round = _round(year)
    try:
        services.round_request_reminders(round=round, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Reminders are being sent to the coordinators of DGOs with missing reports."),
        )
    return redirect(round)


# --- import and export -------------------------------------------------------------------


def round_export(request: HttpRequest, year: int) -> HttpResponse:
    round = _round(year)
    _require(permissions.can_export(request.user), _("Only the secretariat exports rounds."))
    return _download(request, round, exports.round_export_file, "monitoring-{year}")


def round_template(request: HttpRequest, year: int) -> HttpResponse:
    round = _round(year)
    _require(permissions.can_import(request.user), permissions.IMPORT_REFUSED)
    return _download(request, round, exports.round_template_file, "monitoring-{year}-template")


def _download(request, round, build, name) -> HttpResponse:
    file_format = request.GET.get("format", "xlsx")
    if file_format not in exports.CONTENT_TYPES:
        return HttpResponse(_("Choose the format xlsx or csv."), status=400)
    content = build(round=round, file_format=file_format)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[file_format])
    filename = name.format(year=round.year) + "." + file_format
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def round_import(request: HttpRequest, year: int) -> HttpResponse:
    """Upload → dry run (nothing written) → confirm (core.uploads)."""
    round = _round(year)
    _require(permissions.can_import(request.user), permissions.IMPORT_REFUSED)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = token = None
    if request.method == "POST" and form.is_valid():
        result, token = uploads.check(
            request,
            key=IMPORT_SESSION_KEY,
            upload=form.cleaned_data["file"],
            max_bytes=exports.MAX_UPLOAD,
            run=partial(rounds_import.round_import, round=round, by=request.user),
            scope=round.year,
        )
    return render(
        request,
        "monitoring/round_import.html",
        {"round": round, "form": form, "result": result, "token": token},
    )


@require_POST
def round_import_confirm(request: HttpRequest, year: int) -> HttpResponse:
    round = _round(year)
    _require(permissions.can_import(request.user), permissions.IMPORT_REFUSED)
    result = uploads.confirm(
        request,
        key=IMPORT_SESSION_KEY,
        run=partial(rounds_import.round_import, round=round, by=request.user),
        scope=round.year,
    )
    if result is None:
        messages.error(request, _("The checked file has expired; upload it again."))
        return redirect("monitoring-round-import", year=round.year)
    if result.written:
        counts = result.counts
        messages.success(
            request,
            _("Imported: %(new)s new and %(changed)s changed reports, %(unchanged)s unchanged.")
            % counts,
        )
        return redirect(round)
    return render(
        request,
        "monitoring/round_import.html",
        {"round": round, "form": ImportForm(), "result": result, "token": None},
    )


# --- one report --------------------------------------------------------------------------


def report_detail(request: HttpRequest, year: int, code: str) -> HttpResponse:
    try:
        report = selectors.report_get(year=year, code=code, user=request.user)
    except StatusReport.DoesNotExist as exc:
        raise Http404(_("No such report, or it is not published yet.")) from exc
    user = request.user
    return render(
        request,
        "monitoring/report_detail.html",
        {
            "report": report,
            "emissions": selectors.report_emissions(report=report),
            "history": selectors.report_history(report=report),
            "can_edit": permissions.can_submit_report(user, report),
            "can_withdraw": permissions.can_withdraw_report(user, report),
            "can_review": permissions.can_review_report(user, report),
            "can_approve": permissions.can_review_report(user, report)
            and report.state == StatusReport.State.SUBMITTED,
            "review_form": ReviewForm(),
        },
    )


def _report_forms(request, *, report, round, municipality, sectors, requirements):
    data = request.POST if request.method == "POST" else None
    if report is not None:
        initial_fields = services.report_field_values(report)
        emissions = services.report_emission_values(report)
        checklist = services.report_checklist_values(report)
        actions = [
            {"id": a.pk, "name": a.name, "sector": a.sector_id, "status": a.status, "note": a.note}
            for a in report.actions.all()
        ]
        version = report.version
        instance = report
    else:
        start = services.report_initial(round=round, municipality=municipality)
        initial_fields, checklist, actions = start["fields"], start["checklist"], start["actions"]
        # The latest release of the national accounts, where there is one, to start from.
        emissions, version = start["emissions"], 0
        instance = StatusReport(round=round, municipality=municipality)
    form = ReportForm(data, instance=instance, initial={**initial_fields, "version": version})
    emission_forms = EmissionFormSet(
        data,
        prefix="emissions",
        rows=sectors,
        initial=[{"tonnes_co2e": emissions.get(s.pk)} for s in sectors],
    )
    checklist_forms = ChecklistFormSet(
        data,
        prefix="checklist",
        rows=requirements,
        initial=[
            {
                "met": {True: "yes", False: "no"}.get(checklist.get(r.pk, (None, ""))[0], ""),
                "note": checklist.get(r.pk, (None, ""))[1],
            }
            for r in requirements
        ],
    )
    action_forms = ActionFormSet(data, prefix="actions", initial=actions)
    rows = indicators_module.report_indicator_rows(
        municipality_id=municipality.pk, year=round.emissions_year
    )
    indicators = [indicator for indicator, _initial in rows]
    indicator_forms = IndicatorFormSet(
        data, prefix="indicators", rows=indicators, initial=[initial for _i, initial in rows]
    )
    for sub, row in zip(indicator_forms, indicators, strict=True):
        sub.indicator = row
        sub.fields["value"].label = row.name
    sector_choices = [("", "---------"), *((s.pk, s.name) for s in sectors)]
    for sub in action_forms:
        sub.fields["sector"].choices = sector_choices  # one query for all rows, not one each
    for sub, row in zip(emission_forms, sectors, strict=True):
        sub.fields["tonnes_co2e"].label = row.name
        if not row.may_be_negative:  # only land use may be a net removal (Sector)
            sub.fields["tonnes_co2e"].validators.append(MinValueValidator(0))
            sub.fields["tonnes_co2e"].widget.attrs["min"] = "0"
    for sub, row in zip(checklist_forms, requirements, strict=True):
        sub.fields["met"].label = row.name
    return form, emission_forms, checklist_forms, action_forms, indicator_forms


def report_edit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    round = _round(year)
    municipality = _municipality(code)
    user = request.user
    report = selectors.report_find(round=round, municipality=municipality)
    if refusal := permissions.report_edit_refusal(
        user, round=round, municipality=municipality, report=report
    ):
        raise PermissionDenied(refusal)
    sectors = selectors.sector_list()
    requirements = selectors.requirement_list()
    form, emission_forms, checklist_forms, action_forms, indicator_forms = _report_forms(
        request,
        report=report,
        round=round,
        municipality=municipality,
        sectors=sectors,
        requirements=requirements,
    )
    conflict = None
    tables = (emission_forms, checklist_forms, action_forms, indicator_forms)
    if request.method == "POST" and all(f.is_valid() for f in (form, *tables)):
        try:
            saved = services.report_save(
                round=round,
                municipality=municipality,
                by=user,
                expected_version=form.cleaned_data["version"],
                fields={name: form.cleaned_data[name] for name in services.REPORT_FIELDS},
                emissions=[
                    services.EmissionInput(sector, sub.cleaned_data.get("tonnes_co2e"))
                    for sub, sector in zip(emission_forms, sectors, strict=True)
                ],
                checklist=[
                    services.ChecklistInput(
                        requirement, sub.cleaned_data.get("met"), sub.cleaned_data.get("note", "")
                    )
                    for sub, requirement in zip(checklist_forms, requirements, strict=True)
                ],
                actions=[
                    services.ActionInput(
                        id=sub.cleaned_data.get("id"),
                        name=sub.cleaned_data.get("name", ""),
                        sector=sub.cleaned_data.get("sector"),
                        status=sub.cleaned_data.get("status") or "not_started",
                        note=sub.cleaned_data.get("note", ""),
                        delete=sub.cleaned_data.get("DELETE", False),
                    )
                    for sub in action_forms
                    if sub.cleaned_data.get("name") or sub.cleaned_data.get("id")
                ],
                indicators=[
                    indicators_module.IndicatorInput(
                        sub.indicator,
                        sub.cleaned_data.get("value"),
                        sub.cleaned_data.get("data_release") or "",
                        sub.cleaned_data.get("target_2030"),
                    )
                    for sub in indicator_forms
                ],
            )
        except services.ConflictError as exc:
            conflict = _conflict_context(exc, form)
            # Offer to save again on top of the newer version, deliberately.
            form.data = form.data.copy()
            form.data["version"] = exc.report.version
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if "submit" in request.POST:
                try:
                    services.report_submit(report=saved, by=user)
                except ValidationError as exc:
                    messages.warning(request, _("The report is saved but not submitted:"))
                    for message in exc.messages:
                        messages.error(request, message)
                    return redirect("monitoring-report-edit", year=year, code=code)
                messages.success(request, _("The report is submitted to the secretariat."))
            else:
                messages.success(request, _("The report is saved."))
            return redirect(saved)
    return render(
        request,
        "monitoring/report_edit.html",
        {
            "round": round,
            "municipality": municipality,
            "report": report,
            "form": form,
            "emission_forms": emission_forms,
            "checklist_forms": checklist_forms,
            "action_forms": action_forms,
            "emission_rows": list(zip(sectors, emission_forms, strict=True)),
            "checklist_rows": list(zip(requirements, checklist_forms, strict=True)),
            "indicator_forms": indicator_forms,
            "indicator_rows": [(sub.indicator, sub) for sub in indicator_forms],
            "conflict": conflict,
        },
    )


def _conflict_context(exc: services.ConflictError, form: ReportForm) -> dict:
    report = exc.report
    differences = []
    for name, (theirs, yours) in exc.differences.items():
        field = form.fields[name]
        differences.append(
            {
                "label": field.label,
                "theirs": _display(field, theirs),
                "yours": _display(field, yours),
            }
        )
    return {
        "by": report.updated_by,
        "at": report.updated_at,
        "differences": differences,
        **{k: v for k, v in asdict(exc).items() if k.endswith("_differ")},
    }


def _display(field, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    choices = dict(getattr(field, "choices", []) or [])
    return str(choices.get(value, value))


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_POST
def report_submit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    report = _report_for_action(year, code)
    try:
        services.report_submit(report=report, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The report is submitted to the secretariat."))
    return redirect(report)


@require_POST
def report_withdraw(request: HttpRequest, year: int, code: str) -> HttpResponse:
    report = _report_for_action(year, code)
    try:
        services.report_withdraw(report=report, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The report is withdrawn and a draft again; submit it when it is ready.")
        )
    return redirect(report)


@require_POST
def report_approve(request: HttpRequest, year: int, code: str) -> HttpResponse:
    report = _report_for_action(year, code)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.report_approve(report=report, by=request.user, comment=comment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The report is approved."))
    return redirect(report)


@require_POST
def report_request_changes(request: HttpRequest, year: int, code: str) -> HttpResponse:
    report = _report_for_action(year, code)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.report_request_changes(report=report, by=request.user, comment=comment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The coordinators are asked to change the report."))
    return redirect(report)


def _report_for_action(year: int, code: str) -> StatusReport:
    """The report a workflow step is about. Writes answer 403 to those who may not take the
    step (the round overview shows every report's state, so its existence is no secret)."""
    report = (
        StatusReport.objects.select_related("round", "municipality")
        .filter(round__year=year, municipality__code=code)
        .first()
    )
    if report is None:
        raise Http404(_("No such report, or it is not published yet."))
    return report


# --- emissions history and aggregate pages -------------------------------------------------


def municipality_emissions(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(code)
    return render(
        request,
        "monitoring/municipality_emissions.html",
        {
            "municipality": municipality,
            "changes": selectors.municipality_emission_history(
                municipality=municipality, user=request.user
            ),
        },
    )


def _aggregate_page(request, *, dgo_slug: str | None) -> HttpResponse:
    dgos = list(DGO.objects.order_by("name"))
    dgo = None
    if dgo_slug is not None:
        dgo = next((d for d in dgos if d.slug == dgo_slug), None)
        if dgo is None:
            raise Http404(_("No such DGO."))
    rounds = list(Round.objects.order_by("-year"))
    years = [r.year for r in rounds]
    form = YearForm(request.GET or None, years=years)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    if not year:
        # By default the newest closed round: its reports are complete and published.
        closed = [r.year for r in rounds if not r.is_open]
        year = closed[0] if closed else (years[0] if years else None)
        form = YearForm(initial={"year": year}, years=years)
    round = next((r for r in rounds if r.year == year), None)
    return render(
        request,
        "monitoring/aggregates.html",
        {
            "dgo": dgo,
            "form": form,
            "round": round,
            "figures": selectors.aggregates(round=round, dgo=dgo),
            "dgos": dgos,
            "may_download_pack": dgo is not None
            and permissions.can_download_dgo_pack(request.user, dgo),
        },
    )


def national(request: HttpRequest) -> HttpResponse:
    return _aggregate_page(request, dgo_slug=None)


def dgo_aggregates(request: HttpRequest, slug: str) -> HttpResponse:
    return _aggregate_page(request, dgo_slug=slug)
