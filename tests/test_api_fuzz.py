"""The API fuzzed with schemathesis from its own OpenAPI schema: no 5xx, for anyone.

A bounded number of generated requests per operation (FUZZ_EXAMPLES, default 10) keeps the
suite fast; raise it locally for a deeper run: `FUZZ_EXAMPLES=500 make test`.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from klimaalliancen.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))


@pytest.fixture(autouse=True)
def keep_the_test_transaction():
    """Requests go straight to the WSGI app, which closes the database connection at the end
    of each request; Django's own test client turns that off, and so do we."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def auth_headers(request, role_users):
    from rest_framework.authtoken.models import Token

    user = role_users[request.param]
    if user is None:
        return {}
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@pytest.mark.django_db
@pytest.mark.parametrize("auth_headers", ["anonymous", "coordinator_a"], indirect=True)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_error(case, auth_headers):
    case.call_and_validate(
        headers={"Host": "localhost", **auth_headers}, checks=[not_a_server_error]
    )


@pytest.fixture
def aarhus_draft_token(role_users):
    """A draft the coordinator may change, and the coordinator's personal token: the fuzzer's
    bodies reach the form checks and the services, not only the 404 of a missing round."""
    from partners import services
    from tests.monitoring.factories import make_report, make_round

    make_report(make_round(), "751")
    secret = services.api_token_create(user=role_users["coordinator_a"], name="Fuzz").secret
    return {"Authorization": f"Bearer {secret}", "If-Match": "*"}


@pytest.mark.django_db
@schema.include(path_regex="monitoring-drafts").parametrize()
@settings(
    max_examples=EXAMPLES * 3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_a_real_draft_takes_any_body_without_a_server_error(case, aarhus_draft_token):
    case.path_parameters = {"year": 2026, "code": "751"}
    case.call_and_validate(
        headers={"Host": "localhost", **aarhus_draft_token}, checks=[not_a_server_error]
    )
