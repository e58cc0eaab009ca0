"""Global search over the project plans' activities, for those who read the plans (one
query: the search page asks every app)."""

from django.utils.translation import gettext as _

from core.search import SearchResult, text_search
from partners.models import User

from . import permissions as perms
from .models import Activity


def search(*, user: User, query: str, limit: int) -> list[SearchResult]:
    if not perms.can_view_planning(user):
        return []
    activities = text_search(
        Activity.objects.select_related("plan"),
        query=query,
        names=["title"],
        texts=["description"],
    )[:limit]
    return [
        SearchResult(_("Activity"), a.title, a.get_absolute_url(), a.plan.title) for a in activities
    ]
