"""Every refused request leaves one log line: who (the user id, or 'anonymous'), what (method
and path) and when (the log record's time), and no other personal data (issue 7).

Walks every case of the URL matrix (tests/matrix) and every role the matrix expects to be
refused with 401 or 403, so a new page or endpoint is covered by its matrix entry.
"""

import logging
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from .conftest import ROLES
from .matrix import all_cases, cases_by_app

LOGGER = "klimaalliancen.security"
REFUSING = [case for case in all_cases() if {401, 403} & set(case.expect.values())]


def denied_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == LOGGER]


# One test per app, each case in a savepoint that is rolled back.
@pytest.mark.parametrize("app_cases", cases_by_app(REFUSING), ids=lambda group: group[0])
def test_every_refusal_is_logged_with_the_user_id_only(
    app_cases, session_client_for, role_users, caplog
):
    failures = []
    for case in app_cases[1]:
        with transaction.atomic():
            failures.extend(refusals_not_logged(case, session_client_for, role_users, caplog))
            transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


def refusals_not_logged(case, client_for, role_users, caplog) -> list[str]:
    kwargs = case.setup(role_users) if case.setup else case.kwargs
    url = reverse(case.name, kwargs=kwargs) + case.query
    path = url.split("?")[0]
    failures = []
    for role in ROLES:
        if case.expect[role] not in (401, 403):
            continue
        client = client_for(role)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            response = getattr(client, case.method)(url, case.data or {})
        if response.status_code not in (401, 403):
            continue  # the URL matrix holds the expected statuses; this test, the log lines
        user = role_users[role]
        who = user.pk if user is not None else "anonymous"
        expected = f"access denied: user={who} method={case.method.upper()} path={path}"
        lines = [record.getMessage() for record in denied_lines(caplog)]
        if lines != [expected]:
            failures.append(f"{url} {role}: {lines!r}")
        # As words: the role "member" is no personal data in the path /api/memberships/.
        if user is not None and any(
            re.search(rf"\b{re.escape(user.username)}\b", line)
            or (user.email and user.email in line)
            for line in lines
        ):
            failures.append(f"{url} {role}: personal data in {lines!r}")
        assert all(record.created for record in denied_lines(caplog))  # when
    return failures


def test_a_refused_csrf_check_is_logged_too(role_users, caplog):
    client = Client(enforce_csrf_checks=True)
    client.force_login(role_users["coordinator_a"])
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        response = client.post("/municipalities/751/edit/", {"notes": "x"})
    assert response.status_code == 403
    user = role_users["coordinator_a"]
    lines = [record.getMessage() for record in denied_lines(caplog)]
    assert lines == [f"access denied: user={user.pk} method=POST path=/municipalities/751/edit/"]
