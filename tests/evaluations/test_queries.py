"""The evaluation pages cost the same number of queries with ten times the evaluations and
follow-up actions."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations import services
from tests.factories import verify_mfa
from tests.test_query_scaling import MAX_QUERIES

from .factories import make_evaluation, reported

pytestmark = pytest.mark.django_db


def _data(people, scale: int) -> int:
    evaluation = reported(people)
    for n in range(3 * scale):
        make_evaluation(people.secretariat, title=f"Evaluering {n}")
        services.action_add(
            evaluation=evaluation,
            by=people.secretariat,
            recommendation=f"Anbefaling {n}",
            action=f"Handling {n}",
            owner=people.fu_member if n % 2 else people.aps,
            due_on=timezone.localdate() + datetime.timedelta(days=n),
        )
    return evaluation.pk


def _measure(client, people, scale: int) -> dict[str, int]:
    pk = _data(people, scale)
    pages = [
        (people.secretariat, reverse("evaluation-list")),
        (people.fu_member, reverse("evaluation-list")),
        (people.secretariat, reverse("evaluation-detail", args=[pk])),
        (people.aps, reverse("evaluation-detail", args=[pk])),
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


def test_evaluation_pages_do_not_grow_with_the_data(client, people):
    with transaction.atomic():
        small = _measure(client, people, 1)
        transaction.set_rollback(True)
    large = _measure(client, people, 10)
    assert list(large.values()) == list(small.values()), (small, large)
    assert max(large.values()) <= MAX_QUERIES, large
