"""Global search over the knowledge library (every signed-in person reads it)."""

from django.utils.translation import gettext as _

from core.search import SearchResult, text_search
from partners.models import User

from .selectors import items_for


def search(*, user: User, query: str, limit: int) -> list[SearchResult]:
    if not user.is_authenticated or not user.is_active:
        return []
    items = text_search(
        items_for(user).select_related("topic", "author_organisation"),
        query=query,
        names=["title"],
        texts=["summary"],
    )[:limit]
    return [
        SearchResult(
            _("Knowledge product"),
            item.title,
            item.get_absolute_url(),
            f"{item.get_kind_display()} – {item.author_organisation.name} – {item.topic.name}",
        )
        for item in items
    ]
