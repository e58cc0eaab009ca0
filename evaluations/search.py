"""Global search over the partnership's evaluations, for those who read them (one query: the
search page asks every app)."""

from django.utils.translation import gettext as _

from core.search import SearchResult, text_search
from partners.models import User

from . import permissions as perms
from .models import Evaluation


def search(*, user: User, query: str, limit: int) -> list[SearchResult]:
    if not perms.can_view_evaluations(user):
        return []
    evaluations = text_search(
        Evaluation.objects.all(),
        query=query,
        names=["title"],
        texts=["terms_of_reference"],
    )[:limit]
    return [
        SearchResult(
            _("Evaluation"),
            evaluation.title,
            evaluation.get_absolute_url(),
            f"{evaluation.get_kind_display()} – {evaluation.get_status_display()}",
        )
        for evaluation in evaluations
    ]
