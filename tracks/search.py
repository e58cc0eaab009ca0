"""Global search over the development tracks, through `Track.objects.for_user`: a track that was
never submitted is found only by its proposers and the secretariat, like everywhere else."""

from django.utils.translation import gettext as _

from core.search import SearchResult, text_search
from partners.models import User

from .models import Track


def search(*, user: User, query: str, limit: int) -> list[SearchResult]:
    tracks = text_search(
        Track.objects.for_user(user).select_related("focus_area"),
        query=query,
        names=["title"],
        texts=["problem", "ambition", "development_element"],
    )[:limit]
    return [
        SearchResult(_("Development track"), t.title, t.get_absolute_url(), t.get_status_display())
        for t in tracks
    ]
