"""Global search over the bodies, meetings and decisions, through the one visibility rule of each:
every signed-in user finds the bodies and published meetings; planned meetings and decisions
only the body's seats, its managers and the secretariat (`selectors.meetings_for`,
`selectors.decisions_for`). Minutes and papers are not searched: minutes show only once
approved, papers only to the body's seats."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.search import SearchResult, text_search
from partners.models import User

from .models import Body
from .selectors import decisions_for, meetings_for


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def search(*, user: User, query: str, limit: int) -> list[SearchResult]:
    if not user.is_authenticated or not user.is_active:
        return []
    bodies = text_search(
        Body.objects.all(), query=query, names=["name", "short_name"], texts=["remit"]
    )[:limit]
    meetings = text_search(
        meetings_for(user).select_related("body"), query=query, names=["title", "location"]
    )[:limit]
    decisions = text_search(
        decisions_for(user).select_related("body"), query=query, names=["title"], texts=["text"]
    )[:limit]
    return [
        *(SearchResult(_("Body"), b.name, b.get_absolute_url(), b.short_name) for b in bodies),
        *(
            SearchResult(
                _("Meeting"),
                m.title,
                m.get_absolute_url(),
                f"{m.body.short_name}, {_day(m.starts_at)} – {m.get_status_display()}",
            )
            for m in meetings
        ),
        *(
            SearchResult(
                _("Decision"),
                d.title,
                d.get_absolute_url(),
                f"{d.body.short_name} – {d.get_status_display()}",
            )
            for d in decisions
        ),
    ]
