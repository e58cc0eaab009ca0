"""The plans and risks pages. Views read through selectors, write through services and show
the services' reasons; who may do what is asked of permissions.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_errors
from governance.services import Conflict

from . import permissions as perms
from . import selectors, services
from .forms import (
    ActivityForm,
    AgendaForm,
    CommentForm,
    CommunicationForm,
    PlanForm,
    PutToFuForm,
    RiskForm,
    RiskReviewForm,
    StatusForm,
)
from .models import Activity, Plan, Risk


def _require_reader(request: HttpRequest) -> None:
    if not perms.can_view_planning(request.user):
        raise PermissionDenied(_(perms.READERS_ONLY))


def _require_drafter(request: HttpRequest) -> None:
    if not perms.can_draft(request.user):
        raise PermissionDenied(_(perms.SECRETARIAT_ONLY))


def _plan(request: HttpRequest, pk: int) -> Plan:
    _require_reader(request)
    try:
        return selectors.plan_get(pk=pk)
    except Plan.DoesNotExist as exc:
        raise Http404(_("No such plan.")) from exc


def _risk(request: HttpRequest, pk: int) -> Risk:
    _require_reader(request)
    try:
        return selectors.risk_get(pk=pk)
    except Risk.DoesNotExist as exc:
        raise Http404(_("No such risk.")) from exc


def _activity(request: HttpRequest, pk: int) -> Activity:
    _require_reader(request)
    try:
        return Activity.objects.select_related("plan").get(pk=pk)
    except Activity.DoesNotExist as exc:
        raise Http404(_("No such activity.")) from exc


def _form_page(request, template: str, context: dict, form) -> HttpResponse:
    return render(request, template, {**context, "form": form}, status=400 if form.errors else 200)


# --- Plans -------------------------------------------------------------------------------------


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    return render(
        request,
        "planning/plan_list.html",
        {
            "plans": selectors.plan_list(user=request.user),
            "can_draft": perms.can_draft(request.user),
        },
    )


def plan_create(request: HttpRequest) -> HttpResponse:
    _require_drafter(request)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The plan is saved as a draft."))
            return redirect(plan)
    return _form_page(request, "planning/form.html", {"title": _("New plan")}, form)


def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    _require_drafter(request)
    if plan.is_locked:
        messages.error(request, _(perms.PLAN_LOCKED))
        return redirect(plan)
    form = PlanForm(request.POST or None, instance=plan)
    form.fields.pop("kind"), form.fields.pop("year")
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                plan=plan,
                by=request.user,
                expected_version=form.expected_version,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect(plan)
    return _form_page(
        request, "planning/form.html", {"title": _("Edit the plan"), "plan": plan}, form
    )


@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    user = request.user
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "activities": selectors.plan_activities(plan=plan),
            "comments": selectors.plan_comments(plan=plan),
            "communications": (
                selectors.communication_rows(plan=plan)
                if plan.kind == Plan.Kind.COMMUNICATION
                else []
            ),
            "can_edit": perms.can_edit_plan(user, plan),
            "can_draft": perms.can_draft(user),
            "can_comment": perms.can_comment(user, plan),
            "comment_form": CommentForm(),
            "put_form": PutToFuForm(),
        },
    )


@require_POST
def plan_comment(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not perms.can_comment(request.user, plan):
        raise PermissionDenied(_(perms.COMMENTERS_ONLY))
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.plan_comment_add(plan=plan, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your comment is added; the secretariat is told."))
            return redirect(plan)
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(plan)


def plan_put_to_fu(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    _require_drafter(request)
    form = PutToFuForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.plan_put_to_fu(
                plan=plan, by=request.user, deadline=form.cleaned_data["deadline"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except (PermissionDenied, Conflict) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The plan is put to FU; FU's members are asked to vote."))
            return redirect(decision)
    return _form_page(
        request, "planning/form.html", {"title": _("Put the plan to FU"), "plan": plan}, form
    )


@require_GET
def plan_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The activities' statuses, for APS (linked from its agenda)."""
    plan = _plan(request, pk)
    activities = list(selectors.plan_activities(plan=plan))
    counts = {status: 0 for status in Activity.Status.values}
    for activity in activities:
        counts[activity.status] += 1
    return render(
        request,
        "planning/plan_status.html",
        {
            "plan": plan,
            "activities": activities,
            "counts": [(label, counts[value]) for value, label in Activity.Status.choices],
            "can_draft": perms.can_draft(request.user),
            "agenda_form": AgendaForm(meetings=selectors.aps_meetings(upcoming=True)),
        },
    )


def _agenda(request: HttpRequest, what, back) -> HttpResponse:
    _require_drafter(request)
    form = AgendaForm(request.POST, meetings=selectors.aps_meetings(upcoming=True))
    if not form.is_valid():
        messages.error(request, _("Choose one of APS's coming meetings."))
        return redirect(back)
    meeting = form.cleaned_data["meeting"]
    try:
        services.aps_agenda_add(meeting=meeting, by=request.user, what=what)
    except (ValidationError, Conflict, PermissionDenied) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
        return redirect(back)
    messages.success(request, _("It is on the agenda of %(meeting)s.") % {"meeting": meeting})
    return redirect(meeting)


@require_POST
def plan_status_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return _agenda(request, plan, reverse("plan-status", kwargs={"pk": plan.pk}))


def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    _require_drafter(request)
    return _activity_form(request, plan, None)


def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    _require_drafter(request)
    return _activity_form(request, activity.plan, activity)


def _activity_form(request: HttpRequest, plan: Plan, activity: Activity | None) -> HttpResponse:
    if plan.is_locked or plan.kind != Plan.Kind.PROJECT:
        messages.error(request, _("Activities are added to a draft project plan only."))
        return redirect(plan)
    form = ActivityForm(request.POST or None, instance=activity, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_save(
                plan=plan,
                by=request.user,
                activity=activity,
                expected_version=form.expected_version,
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The activity is saved."))
            return redirect(plan)
    title = _("Edit the activity") if activity else _("New activity")
    return _form_page(request, "planning/form.html", {"title": title, "plan": plan}, form)


def activity_status(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    if not perms.can_update_status(request.user, activity):
        raise PermissionDenied(_(perms.STATUS_REFUSED))
    plan = activity.plan
    if plan.status != Plan.Status.APPROVED:
        messages.error(request, _(perms.STATUS_ON_APPROVED_ONLY))
        return redirect(plan)
    form = StatusForm(
        request.POST or None, initial={"status": activity.status, "note": activity.status_note}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_status_set(activity=activity, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The status is reported."))
            return redirect("plan-status", pk=plan.pk)
    return _form_page(
        request,
        "planning/form.html",
        {"title": _("Status of %(activity)s") % {"activity": activity.title}, "plan": plan},
        form,
    )


def communication_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    _require_drafter(request)
    if plan.kind != Plan.Kind.COMMUNICATION:
        messages.error(request, _(perms.COMMUNICATION_PLAN_ONLY))
        return redirect(plan)
    form = CommunicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.communication_record(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The communication is recorded."))
            return redirect(plan)
    return _form_page(
        request, "planning/form.html", {"title": _("Record a communication"), "plan": plan}, form
    )


# --- Risks -------------------------------------------------------------------------------------


@require_GET
def risk_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    show = request.GET.get("vis", "")
    status = "" if show == "alle" else Risk.Status.OPEN
    return render(
        request,
        "planning/risk_list.html",
        {
            "risks": selectors.risk_list(user=request.user, status=status),
            "show_all": show == "alle",
            "can_draft": perms.can_draft(request.user),
            "agenda_form": AgendaForm(meetings=selectors.aps_meetings(upcoming=True)),
        },
    )


def risk_create(request: HttpRequest) -> HttpResponse:
    _require_drafter(request)
    form = RiskForm(request.POST or None)
    form.fields.pop("status")  # a new risk is open; it is closed by editing it
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The risk is in the register."))
            return redirect(risk)
    return _form_page(request, "planning/form.html", {"title": _("New risk")}, form)


def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = _risk(request, pk)
    _require_drafter(request)
    form = RiskForm(request.POST or None, instance=risk)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_update(
                risk=risk,
                by=request.user,
                expected_version=form.expected_version,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The risk is saved."))
            return redirect(risk)
    return _form_page(
        request, "planning/form.html", {"title": _("Edit the risk"), "risk": risk}, form
    )


@require_GET
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    risk = _risk(request, pk)
    return render(
        request,
        "planning/risk_detail.html",
        {
            "risk": risk,
            "reviews": selectors.risk_reviews(risk=risk),
            "history": selectors.risk_history(risk=risk),
            "can_draft": perms.can_draft(request.user),
            "can_review": perms.can_review_risk(request.user),
        },
    )


def risk_review(request: HttpRequest, pk: int) -> HttpResponse:
    risk = _risk(request, pk)
    if not perms.can_review_risk(request.user):
        raise PermissionDenied(_(perms.REVIEW_REFUSED))
    form = RiskReviewForm(
        request.POST or None,
        meetings=selectors.aps_meetings(),
        initial={"likelihood": risk.likelihood, "impact": risk.impact},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_review(risk=risk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("APS's review is recorded."))
            return redirect(risk)
    return _form_page(
        request,
        "planning/form.html",
        {"title": _("Review at APS: %(risk)s") % {"risk": risk.title}, "risk": risk},
        form,
    )


@require_POST
def risk_agenda(request: HttpRequest) -> HttpResponse:
    return _agenda(request, "risks", "risk-list")
