"""Personal API tokens: made on the profile page and shown once, only a hash stored, Bearer on
the API with exactly the person's permissions, read-only, expiry, revocation, deactivation,
last use recorded cheaply, throttled per token, no CSRF for token requests."""

import datetime
import hashlib

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners import services
from partners.models import ApiToken

DUE = "/api/analysis/due/"  # the secretariat's and coordinators' only


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def make_token(user, **kwargs) -> str:
    return services.api_token_create(user=user, name="Script", **kwargs).secret


def test_a_person_makes_a_token_sees_it_once_and_only_its_hash_is_stored(client_for, role_users):
    client = client_for("coordinator_a")
    response = client.post(
        reverse("api-token-create"), {"name": "Kommunens ESG-system", "read_only": "on"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=role_users["coordinator_a"])
    secret = response.context["secret"]
    assert secret.startswith(token.prefix) and secret in response.content.decode()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.read_only and token.name == "Kommunens ESG-system"
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert secret not in stored
    profile = client.get(reverse("profile")).content.decode()
    assert "Kommunens ESG-system" in profile and token.prefix in profile
    assert secret not in profile
    created = LogEntry.objects.get_for_object(token).get()
    assert created.actor == role_users["coordinator_a"]
    assert "token_hash" not in (created.changes_dict or {})


def test_a_token_without_a_name_is_refused_on_the_form(client_for, role_users):
    response = client_for("member").post(reverse("api-token-create"), {"name": "  "})
    assert response.status_code == 200
    assert "Dette felt er påkrævet" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_bearer_acts_with_exactly_the_persons_permissions(client, role_users):
    assert client.get(DUE, **bearer(make_token(role_users["coordinator_a"]))).status_code == 200
    refused = client.get(DUE, **bearer(make_token(role_users["member"])))
    assert refused.status_code == 403
    anonymous = client.get(DUE)
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_401_with_a_reason(client, role_users):
    response = client.get(DUE, **bearer("ka_not-a-token"))
    assert response.status_code == 401
    assert response.json()["detail"] == "API-nøglen er ikke gyldig."


def test_a_read_only_token_reads_but_cannot_write(client, role_users):
    secret = make_token(role_users["secretariat"], read_only=True)
    assert client.get(DUE, **bearer(secret)).status_code == 200
    response = client.post("/api/monitoring-rounds/", {}, **bearer(secret))
    assert response.status_code == 403
    assert "kun læse" in response.json()["detail"]


def test_a_revoked_token_is_401_and_only_its_person_revokes_it(client_for, client, role_users):
    made = services.api_token_create(user=role_users["coordinator_a"], name="Script")
    other = client_for("coordinator_b").post(reverse("api-token-revoke", args=[made.token.pk]))
    assert other.status_code == 404
    owner = client_for("coordinator_a").post(reverse("api-token-revoke", args=[made.token.pk]))
    assert owner.status_code == 302
    made.token.refresh_from_db()
    assert made.token.revoked_at is not None
    client.logout()
    response = client.get(DUE, **bearer(made.secret))
    assert response.status_code == 401
    assert response.json()["detail"] == "API-nøglen er tilbagekaldt."
    revoked = LogEntry.objects.get_for_object(made.token).filter(action=LogEntry.Action.UPDATE)
    assert revoked.get().actor == role_users["coordinator_a"]


def test_an_expired_token_is_401(client, role_users):
    made = services.api_token_create(
        user=role_users["coordinator_a"],
        name="Script",
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    ApiToken.objects.filter(pk=made.token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = client.get(DUE, **bearer(made.secret))
    assert response.status_code == 401
    assert response.json()["detail"].startswith("API-nøglen udløb")


def test_tokens_die_with_deactivation(client, role_users):
    person = role_users["coordinator_a"]
    secret = make_token(person)
    services.user_deactivate(user=person, by=role_users["secretariat"], reason="Stoppet")
    assert ApiToken.objects.get(user=person).revoked_at is not None
    assert client.get(DUE, **bearer(secret)).status_code == 401
    # An inactive person's token that somehow escaped revocation is refused as well.
    ApiToken.objects.filter(user=person).update(revoked_at=None)
    response = client.get(DUE, **bearer(secret))
    assert response.status_code == 401
    assert "ikke længere aktiv" in response.json()["detail"]


def token_updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "partners_apitoken"')]


def test_every_use_records_the_last_use_in_at_most_one_update_a_minute(client, role_users):
    made = services.api_token_create(user=role_users["coordinator_a"], name="Script")
    with CaptureQueriesContext(connection) as first:
        client.get(DUE, **bearer(made.secret))
    assert len(token_updates(first.captured_queries)) == 1
    used = ApiToken.objects.get(pk=made.token.pk).last_used_at
    assert used is not None
    with CaptureQueriesContext(connection) as second:
        client.get(DUE, **bearer(made.secret))
    assert token_updates(second.captured_queries) == []
    earlier = used - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=made.token.pk).update(last_used_at=earlier)
    with CaptureQueriesContext(connection) as later:
        client.get(DUE, **bearer(made.secret))
    assert len(token_updates(later.captured_queries)) == 1
    assert ApiToken.objects.get(pk=made.token.pk).last_used_at > used


def test_throttling_is_per_token(client, role_users, settings):
    settings.API_TOKEN_THROTTLE_RATE = "3/minute"
    cache.clear()
    busy, calm = make_token(role_users["coordinator_a"]), make_token(role_users["coordinator_a"])
    assert [client.get(DUE, **bearer(busy)).status_code for _ in range(3)] == [200] * 3
    throttled = client.get(DUE, **bearer(busy))
    assert throttled.status_code == 429
    assert throttled.json()["detail"]
    assert client.get(DUE, **bearer(calm)).status_code == 200
    cache.clear()


@pytest.mark.parametrize("with_token", [True, False])
def test_token_requests_need_no_csrf_token_and_sessions_still_do(role_users, with_token):
    from tests.factories import verify_mfa

    strict = Client(enforce_csrf_checks=True)
    user = role_users["member"]
    if with_token:
        headers = bearer(make_token(user))
    else:
        strict.force_login(user)
        verify_mfa(strict, user)
        headers = {}
    response = strict.post("/api/monitoring-rounds/", {}, **headers)
    # The token passes the CSRF check (and is refused as a member: 403 or 405); the session
    # without the CSRF token is refused by the check itself.
    detail = str(response.json().get("detail", ""))
    assert ("CSRF" in detail) is (not with_token)


def test_a_persons_tokens_are_in_their_personal_data_without_secret_or_hash(role_users):
    person = role_users["member"]
    made = services.api_token_create(user=person, name="Script")
    exported = str(services.personal_data(user=person))
    assert "Script" in exported and made.token.prefix in exported
    assert made.secret not in exported and made.token.token_hash not in exported
