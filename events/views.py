"""The events pages. Views read through selectors, write through services and show the
services' reasons; who may do what is asked of permissions.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_errors
from partners.models import DGO

from . import permissions as perms
from . import selectors, services
from .forms import AttendanceForm, CancelForm, EventFilterForm, EventForm, MaterialForm
from .models import Event, Material, Registration

PAGE_SIZE = 25


def _event(request: HttpRequest, pk: int) -> Event:
    try:
        return selectors.event_get(user=request.user, pk=pk)
    except Event.DoesNotExist as exc:
        raise Http404(_("No such event.")) from exc


def _require_manager(request: HttpRequest, event: Event) -> None:
    if not perms.can_manage_event(request.user, event):
        raise PermissionDenied(_(perms.MANAGERS_ONLY))


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    dgos = list(DGO.objects.order_by("name"))
    form = EventFilterForm(request.GET or None, dgos=dgos)
    filters = form.filters()
    events = selectors.event_list(user=request.user, **filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "events/event_list.html",
        {
            "form": form,
            "page": page,
            "when": filters["when"],
            "can_create": perms.can_create_event(request.user),
        },
    )


def _form_kwargs(request: HttpRequest) -> dict:
    return {
        "dgos": perms.manageable_dgos(request.user),
        "national": perms.can_create_national_event(request.user),
    }


def event_create(request: HttpRequest) -> HttpResponse:
    if not perms.can_create_event(request.user):
        raise PermissionDenied(_(perms.MANAGERS_ONLY))
    form = EventForm(request.POST or None, **_form_kwargs(request))
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as denied:
            form.add_error("dgo", str(denied))
        else:
            messages.success(request, _("The event is saved as a draft. Publish it to invite."))
            return redirect(event)
    return render(
        request,
        "events/event_form.html",
        {"form": form, "title": _("New event")},
        status=400 if form.errors else 200,
    )


def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    _require_manager(request, event)
    try:
        services.event_check_editable(event=event)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(event)
    form = EventForm(request.POST or None, instance=event, **_form_kwargs(request))
    if not perms.can_create_national_event(request.user):
        form.fields["dgo"].queryset = perms.manageable_dgos(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                event=event,
                by=request.user,
                expected_version=form.expected_version,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as denied:
            form.add_error("dgo", str(denied))
        else:
            messages.success(request, _("The event is saved."))
            return redirect(event)
    return render(
        request,
        "events/event_form.html",
        {"form": form, "event": event, "title": _("Edit the event")},
        status=400 if form.errors else 200,
    )


@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    registration = selectors.registration_of(event=event, user=request.user)
    manager = perms.can_manage_event(request.user, event)
    position = None
    if registration is not None and registration.status == Registration.Status.WAITING:
        position = selectors.waiting_position(registration=registration)
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "registration": registration,
            "waiting_position": position,
            "can_register": perms.can_register(request.user, event),
            "manager": manager,
            "participants": list(selectors.participants(event=event)) if manager else [],
            "cancel_form": CancelForm(),
        },
    )


EVENT_ACTIONS = {
    "publish": (services.event_publish, _("The event is published and the invitations sent.")),
    "held": (services.event_mark_held, _("The event is marked as held.")),
}


def _run(request: HttpRequest, event: Event, action, done: str, **kwargs) -> HttpResponse:
    try:
        action(event=event, by=request.user, **kwargs)
    except PermissionDenied as denied:
        raise PermissionDenied(str(denied)) from denied
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(event)


@require_POST
def event_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    event = _event(request, pk)
    _require_manager(request, event)
    service, done = EVENT_ACTIONS[action]
    return _run(request, event, service, done)


@require_POST
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    _require_manager(request, event)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", [])))
        return redirect(event)
    return _run(
        request,
        event,
        services.event_cancel,
        _("The event is cancelled; those registered are told."),
        reason=form.cleaned_data["reason"],
    )


@require_POST
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    try:
        registration = services.registration_create(event=event, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if registration.status == Registration.Status.REGISTERED:
            messages.success(request, _("You are registered."))
        else:
            messages.success(
                request,
                _(
                    "The event is full: you are on the waiting list, and we tell you if a "
                    "seat becomes free."
                ),
            )
    return redirect(event)


@require_POST
def event_unregister(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    try:
        services.registration_cancel(event=event, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect(event)


def event_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    _require_manager(request, event)
    registrations = [r for r in selectors.participants(event=event) if r.is_registered]
    form = AttendanceForm(request.POST or None, registrations=registrations)
    if request.method == "POST" and form.is_valid():
        try:
            came = services.attendance_record(
                event=event, by=request.user, attended=form.attended_ids()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Attendance is recorded: %(count)s came.") % {"count": came}
            )
            return redirect(event)
    if not form.errors:
        try:
            services.attendance_check_open(event=event)
        except ValidationError as exc:
            messages.info(request, exc.messages[0])
            return redirect(event)
    return render(
        request,
        "events/event_subform.html",
        {"event": event, "form": form, "title": _("Record attendance")},
        status=400 if form.errors else 200,
    )


def material_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    _require_manager(request, event)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.material_add(
                event=event,
                by=request.user,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The material is added."))
            return redirect(event)
    return render(
        request,
        "events/event_subform.html",
        {"event": event, "form": form, "title": _("Add material"), "multipart": True},
        status=400 if form.errors else 200,
    )


@require_GET
def material_download(request: HttpRequest, pk: int) -> FileResponse:
    """Materials are served only here, to those who may see the event."""
    try:
        material = selectors.material_get(user=request.user, pk=pk)
    except Material.DoesNotExist as exc:
        raise Http404(_("No such material.")) from exc
    try:
        handle = material.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing.")) from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=material.original_name,
        content_type=material.content_type,
    )
