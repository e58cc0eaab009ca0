"""Global search: each portal app contributes results from its `search.py`, already filtered to
what the user may see. PostgreSQL full-text search with the Danish configuration, plus a plain
substring match on names (so 'aar' finds Aarhus); SQLite gets the substring match alone."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractUser as User  # core knows no domain app
from django.db import connection
from django.db.models import Q, QuerySet

from .portal_apps import portal_modules

RESULTS_PER_KIND = 10


@dataclass(frozen=True)
class SearchResult:
    kind: str
    title: str
    url: str
    summary: str = ""


def text_search(
    queryset: QuerySet, *, query: str, names: list[str], texts: list[str] = ()
) -> QuerySet:
    """Rows whose names contain the query, or (on PostgreSQL) whose names and texts match it
    in Danish full-text search, best matches first."""
    contains = Q()
    for field in names:
        contains |= Q(**{f"{field}__icontains": query})
    if connection.vendor != "postgresql":
        return queryset.filter(contains)
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = SearchVector(*names, *texts, config="danish")
    search_query = SearchQuery(query, config="danish", search_type="websearch")
    return (
        queryset.annotate(search_rank=SearchRank(vector, search_query))
        .filter(contains | Q(search_rank__gt=0))
        .order_by("-search_rank")
    )


def search(*, user: User, query: str) -> list[SearchResult]:
    query = query.strip()[:100]
    if len(query) < 2:
        return []
    results: list[SearchResult] = []
    for _app, module in portal_modules("search"):
        results.extend(module.search(user=user, query=query, limit=RESULTS_PER_KIND))
    return results
