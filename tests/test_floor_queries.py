"""The floor (/_floor/: middleware, session, sign-in, the MFA gate, no page work) costs a fixed,
small number of queries: the session is read from the cache, the user and the role set once,
the second factor's device only for people who must use two factors, and nothing is written.
"""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import RoleAssignment
from tests.factories import make_user, sign_in

Role = RoleAssignment.Role


def floor_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/_floor/")
    assert response.status_code == 200, response
    return [query["sql"] for query in captured.captured_queries]


def reads(queries: list[str], expected: list[str]) -> bool:
    """The queries are these tables' SELECTs, one each, in this order."""
    return len(queries) == len(expected) and all(
        sql.startswith("SELECT") and f"FROM {table} " in sql
        for sql, table in zip(queries, expected, strict=True)
    )


@pytest.mark.parametrize(
    ("role", "dgo", "expected"),
    [
        # The user, and the role set with the coordinator's object permission in one statement.
        (Role.DGO_COORDINATOR, "midtjylland", ['"partners_user"', '"partners_roleassignment"']),
        (None, None, ['"partners_user"', '"partners_roleassignment"']),
        # Two factors required: the session's device is read too, once.
        (
            Role.SECRETARIAT,
            None,
            ['"partners_user"', '"partners_roleassignment"', '"otp_totp_totpdevice"'],
        ),
    ],
)
def test_floor_reads_user_roles_and_device_once_and_writes_nothing(
    client, reference_data, role, dgo, expected
):
    user = make_user(role, dgo_slug=dgo)
    sign_in(client, user)
    floor_queries(client)  # the first request may fill the session cache from PostgreSQL
    queries = floor_queries(client)
    assert reads(queries, expected), queries


def test_floor_session_comes_from_the_cache_and_an_ended_session_leaves_it(client, reference_data):
    from partners import services

    user = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland")
    sign_in(client, user)
    floor_queries(client)
    assert not [sql for sql in floor_queries(client) if "django_session" in sql]

    assert services.sessions_end(user=user) == 1
    assert not Session.objects.exists()
    # Not served from a stale cache entry: the session is gone, so sign-in is asked for again.
    assert client.get("/").status_code == 302


def test_coordinator_reach_still_needs_the_object_permission(reference_data):
    """The role set's single query keeps guardian's rule: the assignment alone grants no DGO."""
    from guardian.shortcuts import remove_perm

    from partners.models import DGO
    from partners.permissions import forget_roles, roles_of

    user = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland")
    dgo = DGO.objects.get(slug="midtjylland")
    assert roles_of(user).coordinated_dgo_ids == {dgo.pk}
    remove_perm("partners.coordinate_dgo", user, dgo)
    forget_roles(user)
    assert roles_of(user).coordinated_dgo_ids == frozenset()


def test_the_role_statement_binds_the_day_in_the_form_the_backend_compiled_it():
    """SQLite compiles a date parameter to an ISO string, PostgreSQL keeps the date: the day
    is put in either way (else `make run`'s SQLite saw every role as ended)."""
    import datetime

    from django.db.backends.postgresql import base as postgresql
    from django.db.backends.sqlite3 import base as sqlite3

    from partners.permissions import _STAND_IN_DAY, _STAND_IN_USER, bind_role_params

    today = datetime.date(2026, 12, 3)
    sqlite = sqlite3.DatabaseOperations(connection=None)
    assert bind_role_params(
        (_STAND_IN_USER, "dgo_coordinator", _STAND_IN_DAY.isoformat()),
        user_id=7,
        today=today,
        ops=sqlite,
    ) == [7, "dgo_coordinator", "2026-12-03"]
    assert bind_role_params(
        (_STAND_IN_DAY, _STAND_IN_USER),
        user_id=7,
        today=today,
        ops=postgresql.DatabaseOperations(connection=None),
    ) == [today, 7]
