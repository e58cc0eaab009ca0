"""The open pages of the knowledge library: the public knowledge products, for everyone.
Tracks are named only when they are public themselves (library.selectors.public_track_ids)."""

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from library import selectors as library_selectors
from library.forms import LibraryFilterForm
from library.models import LibraryItem
from library.views import file_response

PAGE_SIZE = 25


@login_not_required
@require_GET
def library_list(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(request.GET or None, topics=library_selectors.topics())
    items = library_selectors.public_items(**form.filters())
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/library_list.html",
        {"form": form, "page": page, "visible_tracks": library_selectors.public_track_ids(page)},
    )


def _public_item(pk: int) -> LibraryItem:
    try:
        return library_selectors.public_item_get(pk=pk)
    except LibraryItem.DoesNotExist as exc:
        raise Http404(_("No such knowledge product.")) from exc


@login_not_required
@require_GET
def library_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _public_item(pk)
    return render(
        request,
        "public/library_detail.html",
        {"item": item, "visible_tracks": library_selectors.public_track_ids([item])},
    )


@login_not_required
@require_GET
def library_download(request: HttpRequest, pk: int) -> FileResponse:
    return file_response(_public_item(pk))
