"""The knowledge library's pages: read through selectors, write through services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.forms import add_service_errors
from tracks.models import Track

from . import permissions as perms
from . import selectors, services
from .forms import LibraryFilterForm, LibraryItemForm
from .models import LibraryItem

PAGE_SIZE = 25


def _item(request: HttpRequest, pk: int) -> LibraryItem:
    try:
        return selectors.item_get(user=request.user, pk=pk)
    except LibraryItem.DoesNotExist as exc:
        raise Http404(_("No such knowledge product.")) from exc


@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(
        request.GET or None,
        topics=selectors.topics(),
        tracks=selectors.filter_tracks(user=request.user),
    )
    items = selectors.item_list(user=request.user, **form.filters())
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "library/item_list.html",
        {
            "form": form,
            "page": page,
            "visible_tracks": selectors.visible_track_ids(user=request.user, items=page),
            "can_add": perms.can_add_item(request.user),
        },
    )


@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    return render(
        request,
        "library/item_detail.html",
        {
            "item": item,
            "visible_tracks": selectors.visible_track_ids(user=request.user, items=[item]),
            "can_edit": perms.can_edit_item(request.user, item),
        },
    )


def _form(request: HttpRequest, item: LibraryItem | None = None) -> LibraryItemForm:
    return LibraryItemForm(
        request.POST or None,
        request.FILES or None,
        instance=item,
        organisations=perms.author_organisations(request.user),
        tracks=Track.objects.for_user(request.user).order_by("title"),
    )


def item_create(request: HttpRequest) -> HttpResponse:
    if not perms.can_add_item(request.user):
        raise PermissionDenied(_(perms.ADDERS_ONLY))
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(
                by=request.user, upload=form.cleaned_data["file"], **form.item_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as denied:
            form.add_error("author_organisation", str(denied))
        else:
            messages.success(request, _("The knowledge product is added to the library."))
            return redirect(item)
    return render(
        request,
        "library/item_form.html",
        {"form": form, "title": _("Add a knowledge product to the library")},
        status=400 if form.errors else 200,
    )


def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    if not perms.can_edit_item(request.user, item):
        raise PermissionDenied(_(perms.ADDERS_ONLY))
    form = _form(request, item)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(
                item=item,
                by=request.user,
                upload=form.cleaned_data["file"],
                expected_version=form.expected_version,
                **form.item_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as denied:
            form.add_error("author_organisation", str(denied))
        else:
            messages.success(request, _("The knowledge product is saved."))
            return redirect(item)
    return render(
        request,
        "library/item_form.html",
        {"form": form, "item": item, "title": _("Edit the knowledge product")},
        status=400 if form.errors else 200,
    )


def file_response(item: LibraryItem) -> FileResponse:
    if not item.file:
        raise Http404(_("The file is missing."))
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing.")) from exc
    return FileResponse(
        handle, as_attachment=True, filename=item.original_name, content_type=item.content_type
    )


@require_GET
def item_download(request: HttpRequest, pk: int) -> FileResponse:
    return file_response(_item(request, pk))
