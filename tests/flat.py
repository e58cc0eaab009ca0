"""Query counts that must not grow with the data: every page is measured on a small data set,
the data is grown once, and every page is measured again (building the data is the expensive
part, so it is done once per module, not once per page)."""

from collections.abc import Callable, Iterable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# 15 before vote privacy: the track timeline asks for the viewer's seats (body_access).
MAX_QUERIES = 16


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def measure(sign_in: Callable[[str], Client], roles: Iterable[str], urls: list[str]) -> dict:
    """{(role, url): queries} for each role (`sign_in(role)` gives its client) and url."""
    counts = {}
    for role in roles:
        client = sign_in(role)
        for url in urls:
            counts[(role, url)] = count_queries(client, url)
    return counts


def assert_flat(small: dict, large: dict, limit: int = MAX_QUERIES) -> None:
    grows = {key: (small[key], large[key]) for key in small if large[key] > small[key]}
    too_many = {key: count for key, count in small.items() if count > limit}
    assert not grows, f"query count grows with the data (small, large): {grows}"
    assert not too_many, f"more than {limit} queries: {too_many}"
