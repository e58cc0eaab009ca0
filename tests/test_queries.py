"""List and detail pages issue the same number of queries however much data there is."""

import pytest

from partners.models import DGO, Municipality
from tests.flat import count_queries


def grow_municipalities(total: int) -> None:
    dgos = list(DGO.objects.all())
    existing = set(Municipality.objects.values_list("code", flat=True))
    codes = (f"{n:04d}" for n in range(1000, 100_000) if f"{n:04d}" not in existing)
    missing = total - Municipality.objects.count()
    Municipality.objects.bulk_create(
        Municipality(
            code=next(codes),
            name=f"Skalakommune {i}",
            dgo=dgos[i % len(dgos)],
            population=1000 + i,
            population_year=2020,
        )
        for i in range(missing)
    )


@pytest.mark.parametrize(
    "url",
    [
        "/municipalities/",
        "/municipalities/?dgo=midtjylland&sort=-population",
        "/municipalities/751/",
        "/dgo/",
        "/dgo/midtjylland/",
        "/",
        "/api/municipalities/",
        "/api/municipalities/751/",
    ],
)
def test_query_count_is_flat(url, client_for, django_assert_max_num_queries):
    client = client_for("coordinator_a")
    small = count_queries(client, url)
    grow_municipalities(1000)
    assert Municipality.objects.count() == 1000
    with django_assert_max_num_queries(small):
        client.get(url)
    assert small <= 15
