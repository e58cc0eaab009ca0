"""Global search over the external data requests, for APS's seats and the secretariat (one
query: the search page asks every app)."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.search import SearchResult, text_search
from partners.models import User

from . import permissions as perms
from .models import DataRequest


def search(*, user: User, query: str, limit: int) -> list[SearchResult]:
    if not perms.can_view_requests(user):
        return []
    requests = text_search(
        DataRequest.objects.all(),
        query=query,
        names=["organisation", "contact_name"],
        texts=["purpose"],
    )[:limit]
    return [
        SearchResult(
            _("External data request"),
            str(request),
            request.get_absolute_url(),
            f"{request.get_status_display()} – "
            f"{date_format(request.received_on, 'SHORT_DATE_FORMAT')}",
        )
        for request in requests
    ]
