"""GDPR: the secretariat exports a person's data and anonymises people who have left."""

import csv
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exports import neutralise

from . import services
from .models import User
from .permissions import can_manage_people


def _person(request: HttpRequest, pk: int) -> User:
    if not can_manage_people(request.user):
        raise PermissionDenied(_("Only the secretariat and administrators handle personal data."))
    return get_object_or_404(User, pk=pk)


def flatten(data: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    for section, content in data.items():
        items = content if isinstance(content, list) else [content]
        for index, item in enumerate(items, start=1):
            for field, value in item.items():
                rows.append((section, str(index), field, "" if value is None else str(value)))
    return rows


def personal_data_export(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    data = services.personal_data(user=person)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="personal-data-{person.pk}.csv"'
        writer = csv.writer(response)
        writer.writerow(["section", "item", "field", "value"])
        for row in flatten(data):
            writer.writerow([neutralise(cell) for cell in row])
        return response
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="personal-data-{person.pk}.json"'
    return response


@require_POST
def person_anonymise(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    try:
        services.user_anonymise(user=person, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The person is anonymised; their votes and records remain."))
    return redirect("dashboard")
