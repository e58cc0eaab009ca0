"""Global search over the events the user may see (`selectors.events_for`)."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.search import SearchResult, text_search
from partners.models import User

from .selectors import events_for


def search(*, user: User, query: str, limit: int) -> list[SearchResult]:
    if not user.is_authenticated or not user.is_active:
        return []
    events = text_search(
        events_for(user).select_related("dgo"),
        query=query,
        names=["title", "location"],
        texts=["description"],
    )[:limit]
    return [
        SearchResult(
            _("Event"),
            event.title,
            event.get_absolute_url(),
            f"{date_format(timezone.localtime(event.starts_at), 'SHORT_DATE_FORMAT')} – "
            f"{event.get_status_display()}",
        )
        for event in events
    ]
