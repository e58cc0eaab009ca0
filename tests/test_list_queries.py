"""The list pages added or changed for filtering and export (decisions, meetings) and the
exported files issue the same number of queries with ten times the rows."""

import pytest

from partners.models import Municipality
from tests.flat import count_queries as count
from tests.governance.factories import open_decision, plan_meeting
from tests.matrix.tracks import _track
from tests.monitoring.factories import make_report, make_round


def grow(users: dict, n: int) -> None:
    for _ in range(n):
        open_decision("fu", by=users["secretariat"])
        plan_meeting("fu", by=users["secretariat"], items=1)
        _track(users, "submitted")


@pytest.mark.parametrize(
    "url",
    [
        "/decisions/",
        "/decisions/?body=fu&sort=deadline",
        "/decisions/?export=csv",
        "/decisions/?export=xlsx",
        "/meetings/",
        "/meetings/?status=planned&sort=title",
        "/meetings/?export=csv",
        "/tracks/?export=csv",
        "/tracks/?export=xlsx",
    ],
)
def test_list_and_export_query_counts_are_flat(url, client_for, role_users):
    client = client_for("secretariat")
    grow(role_users, 2)
    small = count(client, url)
    grow(role_users, 18)
    assert count(client, url) == small


def test_round_export_query_count_is_flat(client_for):
    round = make_round(2026)
    codes = list(Municipality.objects.order_by("code").values_list("code", flat=True))
    for code in codes[:3]:
        make_report(round, code, state="approved", checklist=False)
    client = client_for("coordinator_a")
    small = count(client, "/monitoring/2026/?export=csv")
    for code in codes[3:40]:
        make_report(round, code, state="draft", checklist=False)
    assert count(client, "/monitoring/2026/?export=csv") == small
