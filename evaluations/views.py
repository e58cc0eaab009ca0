"""The evaluation pages: read through selectors, write through services.

Forms on the evaluation's page (put to a body, attach the report, add a follow-up action)
come back on that page with their errors (400) when the input is wrong; nothing is written.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_errors

from . import permissions as perms
from . import selectors, services
from .forms import (
    ActionStatusForm,
    EvaluationForm,
    FollowUpActionForm,
    PutToBodyForm,
    ReportForm,
)
from .models import Evaluation, FollowUpAction


def _require_reader(request: HttpRequest) -> None:
    if not perms.can_view_evaluations(request.user):
        raise PermissionDenied(_("The evaluations are for APS, FU and the secretariat."))


def _require_manager(request: HttpRequest) -> None:
    if not perms.can_manage_evaluations(request.user):
        raise PermissionDenied(_(perms.SECRETARIAT_ONLY))


def _evaluation(request: HttpRequest, pk: int) -> Evaluation:
    _require_reader(request)
    try:
        return selectors.evaluation_get(pk=pk)
    except Evaluation.DoesNotExist as exc:
        raise Http404(_("No such evaluation.")) from exc


@require_GET
def evaluation_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    return render(
        request,
        "evaluations/evaluation_list.html",
        {
            "evaluations": selectors.evaluation_list(),
            "can_manage": perms.can_manage_evaluations(request.user),
        },
    )


def _detail(request: HttpRequest, evaluation: Evaluation, status: int = 200, **forms):
    manager = perms.can_manage_evaluations(request.user)
    actions = list(selectors.evaluation_actions(evaluation=evaluation))
    for action in actions:
        action.may_update = perms.can_update_action(request.user, action)
    context = {
        "evaluation": evaluation,
        "actions": actions,
        "manager": manager,
        "put_form": forms.get("put_form") or PutToBodyForm(),
        "report_form": forms.get("report_form") or ReportForm(),
        "action_form": forms.get("action_form")
        or (FollowUpActionForm(owners=selectors.possible_owners()) if manager else None),
        "status_choices": FollowUpAction.Status.choices,
    }
    return render(request, "evaluations/evaluation_detail.html", context, status=status)


@require_GET
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _evaluation(request, pk))


def _form_page(request, form, evaluation=None, title=""):
    return render(
        request,
        "evaluations/evaluation_form.html",
        {"form": form, "evaluation": evaluation, "title": title},
        status=400 if form.errors else 200,
    )


def evaluation_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.evaluation_create(by=request.user, **form.evaluation_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The evaluation is created with its draft terms."))
            return redirect(evaluation)
    return _form_page(request, form, title=_("New evaluation"))


def evaluation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk)
    _require_manager(request)
    form = EvaluationForm(request.POST or None, instance=evaluation)
    if not evaluation.is_editable:
        messages.error(request, _(perms.TERMS_LOCKED))
        return redirect(evaluation)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_update(
                evaluation=evaluation,
                by=request.user,
                expected_version=form.expected_version,
                **form.evaluation_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The terms of reference are saved."))
            return redirect(evaluation)
    return _form_page(request, form, evaluation=evaluation, title=_("Edit the terms of reference"))


def _put(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:
    evaluation = _evaluation(request, pk)
    _require_manager(request)
    form = PutToBodyForm(request.POST)
    if form.is_valid():
        try:
            service(evaluation=evaluation, by=request.user, deadline=form.cleaned_data["deadline"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(evaluation)
    return _detail(request, evaluation, status=400, put_form=form)


@require_POST
def evaluation_to_aps(request: HttpRequest, pk: int) -> HttpResponse:
    return _put(
        request,
        pk,
        services.terms_put_to_aps,
        _("The terms of reference are put to APS; its voting members are told."),
    )


@require_POST
def evaluation_to_fu(request: HttpRequest, pk: int) -> HttpResponse:
    return _put(
        request,
        pk,
        services.terms_put_to_fu,
        _("The terms of reference are put to FU; its voting members are told."),
    )


@require_POST
def evaluation_report(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk)
    _require_manager(request)
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.report_attach(
                evaluation=evaluation, by=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, _("The evaluation report is attached."))
            return redirect(evaluation)
    return _detail(request, evaluation, status=400, report_form=form)


@require_GET
def evaluation_report_download(request: HttpRequest, pk: int) -> FileResponse:
    evaluation = _evaluation(request, pk)
    if not evaluation.report:
        raise Http404(_("The file is missing."))
    try:
        handle = evaluation.report.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing.")) from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evaluation.report_name,
        content_type=evaluation.report_type,
    )


@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk)
    _require_manager(request)
    form = FollowUpActionForm(request.POST, owners=selectors.possible_owners())
    if form.is_valid():
        try:
            services.action_add(evaluation=evaluation, by=request.user, **form.action_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The follow-up action is added; its owner is told."))
            return redirect(evaluation)
    return _detail(request, evaluation, status=400, action_form=form)


@require_POST
def action_status(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk)
    try:
        action = selectors.action_get(evaluation=evaluation, pk=action_pk)
    except FollowUpAction.DoesNotExist as exc:
        raise Http404(_("No such follow-up action.")) from exc
    if not perms.can_update_action(request.user, action):
        raise PermissionDenied(_(perms.OWNER_OR_SECRETARIAT))
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the statuses."))
        return redirect(evaluation)
    try:
        services.action_set_status(action=action, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The follow-up action's status is saved."))
    return redirect(evaluation)
