"""The open pages of the partnership's events: published and held events, for everyone. The
"Tilmeld" button leads to the event's page in the portal, where registration needs sign-in
(an anonymous visitor is sent to sign in first and comes back to the event)."""

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from events import selectors as event_selectors
from events.models import Event

PAGE_SIZE = 25


@login_not_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    events = event_selectors.public_events(when=when)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "public/event_list.html", {"page": page, "when": when})


@login_not_required
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        event = event_selectors.public_event_get(pk=pk)
    except Event.DoesNotExist as exc:
        raise Http404(_("No such event.")) from exc
    return render(request, "public/event_detail.html", {"event": event})
