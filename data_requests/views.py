"""The data request pages: read through selectors, write through services.

Forms on the request's page (put to APS, deliver) come back on it with their errors (400) when
the input is wrong; nothing is written.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_errors

from . import permissions as perms
from . import selectors, services
from .forms import DataRequestForm, DeliveryForm, PutToApsForm
from .models import DataDelivery, DataRequest


def _require_reader(request: HttpRequest) -> None:
    if not perms.can_view_requests(request.user):
        raise PermissionDenied(_(perms.READERS_ONLY))


def _require_manager(request: HttpRequest) -> None:
    if not perms.can_manage_requests(request.user):
        raise PermissionDenied(_(perms.SECRETARIAT_ONLY))


def _data_request(request: HttpRequest, pk: int) -> DataRequest:
    _require_reader(request)
    try:
        return selectors.request_get(pk=pk)
    except DataRequest.DoesNotExist as exc:
        raise Http404(_("No such data request.")) from exc


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    return render(
        request,
        "data_requests/request_list.html",
        {
            "data_requests": selectors.request_list(),
            "can_manage": perms.can_manage_requests(request.user),
        },
    )


def request_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = DataRequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            data_request = services.request_record(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The data request is recorded."))
            return redirect(data_request)
    return render(
        request,
        "data_requests/request_form.html",
        {"form": form, "title": _("Record an external data request")},
        status=400 if form.errors else 200,
    )


def _detail(request: HttpRequest, data_request: DataRequest, status: int = 200, **forms):
    spec = data_request.dataset_spec
    context = {
        "data_request": data_request,
        "manager": perms.can_manage_requests(request.user),
        "requested": data_request.labels(data_request.requested_fields),
        "proposed": data_request.labels(data_request.proposed_fields),
        "approved": data_request.labels(data_request.approved_fields),
        "not_approved": [
            str(f.label)
            for f in spec.fields
            if f.key in data_request.requested_fields and f.key not in data_request.approved_fields
        ],
        "deliveries": list(data_request.deliveries.all()),
        "put_form": forms.get("put_form") or PutToApsForm(request=data_request),
        "delivery_form": forms.get("delivery_form") or DeliveryForm(),
    }
    return render(request, "data_requests/request_detail.html", context, status=status)


@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _data_request(request, pk))


@require_POST
def request_to_aps(request: HttpRequest, pk: int) -> HttpResponse:
    data_request = _data_request(request, pk)
    _require_manager(request)
    form = PutToApsForm(request.POST, request=data_request)
    if form.is_valid():
        try:
            services.request_put_to_aps(
                request=data_request,
                by=request.user,
                fields=form.cleaned_data["fields"],
                deadline=form.cleaned_data["deadline"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The request is put to APS; its voting members are told."))
            return redirect(data_request)
    return _detail(request, data_request, status=400, put_form=form)


@require_POST
def request_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    data_request = _data_request(request, pk)
    _require_manager(request)
    form = DeliveryForm(request.POST)
    if form.is_valid():
        try:
            services.delivery_record(request=data_request, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The delivery is recorded; download the file and send it."))
            return redirect(data_request)
    return _detail(request, data_request, status=400, delivery_form=form)


@require_GET
def delivery_download(request: HttpRequest, pk: int, delivery_pk: int) -> FileResponse:
    """The file exactly as delivered (its checksum is on the request's page): secretariat only,
    since it is the data handed over."""
    data_request = _data_request(request, pk)
    _require_manager(request)
    try:
        delivery = selectors.delivery_get(request=data_request, pk=delivery_pk)
        handle = delivery.file.open("rb")
    except (DataDelivery.DoesNotExist, FileNotFoundError) as exc:
        raise Http404(_("No such delivery.")) from exc
    content_type = (
        "text/csv; charset=utf-8"
        if delivery.format == DataDelivery.Format.CSV
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(
        handle, as_attachment=True, filename=delivery.file_name, content_type=content_type
    )
