"""The data request pages cost the same number of queries with ten times the requests and
deliveries."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from data_requests import services
from partners.models import Municipality
from tests.factories import verify_mfa
from tests.test_query_scaling import MAX_QUERIES

from .factories import approve, make_request

pytestmark = pytest.mark.django_db


def _data(people, scale: int) -> int:
    first = approve(make_request(people.secretariat), people, ["municipality_code", "year"])
    municipalities = list(Municipality.objects.order_by("code")[: 3 * scale])
    first.municipalities.set(municipalities)
    for n in range(3 * scale):
        services.delivery_record(
            request=first,
            by=people.secretariat,
            format="csv",
            licence=f"Aftale {n}",
            permitted_use="Forskning",
            delete_by=timezone.localdate() + datetime.timedelta(days=30 + n),
        )
        make_request(people.secretariat, organisation=f"Firma {n}")
    return first.pk


def _measure(client, people, scale: int) -> dict[str, int]:
    pk = _data(people, scale)
    pages = [
        (people.secretariat, reverse("data-request-list")),
        (people.aps, reverse("data-request-list")),
        (people.secretariat, reverse("data-request-detail", args=[pk])),
        (people.aps_observer, reverse("data-request-detail", args=[pk])),
    ]
    counts = {}
    for index, (user, url) in enumerate(pages):
        client.force_login(user)
        verify_mfa(client, user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (user, url)
        counts[f"{index} {url}"] = len(queries)
    return counts


def test_data_request_pages_do_not_grow_with_the_data(client, people):
    with transaction.atomic():
        small = _measure(client, people, 1)
        transaction.set_rollback(True)
    large = _measure(client, people, 10)
    assert list(large.values()) == list(small.values()), (small, large)
    assert max(large.values()) <= MAX_QUERIES, large
