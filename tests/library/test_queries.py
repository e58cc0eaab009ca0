"""The library's pages cost the same number of queries with ten times the products."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.models import Sector
from partners.models import DGO
from tests.test_query_scaling import MAX_QUERIES

from .factories import make_item, topic

pytestmark = pytest.mark.django_db


def _data(users, scale: int) -> int:
    from tests.public_data import public_track

    track = public_track(users)
    sectors = list(Sector.objects.all()[:3])
    dgos = list(DGO.objects.all())
    first = None
    for n in range(5 * scale):
        item = make_item(
            users["secretariat"],
            title=f"Notat {n}",
            topic=topic(f"Emne {n % 4}", f"emne-{n % 4}"),
            sector=sectors[n % 3],
            track=track if n % 2 else None,
            dgo=dgos[n % len(dgos)],
            with_file=bool(n % 3),
        )
        first = first or item
    return first.pk


def _measure(client_for, users, scale: int) -> dict[str, int]:
    pk = _data(users, scale)
    pages = [
        ("member", reverse("library-list")),
        ("secretariat", reverse("library-list") + "?sector=&kind=note"),
        ("member", reverse("library-detail", args=[pk])),
        ("anonymous", reverse("public-library-list")),
        ("anonymous", reverse("public-library-detail", args=[pk])),
    ]
    counts = {}
    for index, (role, url) in enumerate(pages):
        client = client_for(role)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (role, url)
        counts[f"{index} {role}"] = len(queries)
    return counts


def test_library_pages_do_not_grow_with_the_data(client_for, role_users):
    with transaction.atomic():
        small = _measure(client_for, role_users, 1)
        transaction.set_rollback(True)
    large = _measure(client_for, role_users, 10)
    assert large == small, (small, large)
    assert max(large.values()) <= MAX_QUERIES, large
