"""The API's double-submit key: an `Idempotency-Key` header on an unsafe method makes a repeat
harmless (core.idempotency, core.api.IdempotencyKeyMixin) — the first answer again, nothing
written twice; the same key for another request is a 422; keys are per user and expire."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import get_resolver, reverse
from rest_framework.test import APIClient
from rest_framework.views import APIView

from core import idempotency
from core.api import IdempotencyKeyMixin
from governance.models import SeatRole, Vote
from tests.governance.factories import open_decision, seat
from tracks.models import BudgetLine, Spending


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def booking():
    return {
        "budget_line": BudgetLine.objects.get(key="kl-kkr-2026").pk,
        "date": "2026-01-15",
        "amount": "1000",
        "description": "Mødeforplejning",
        "document_reference": "F-1",
    }


def test_a_repeated_spending_booking_answers_the_first_answer_and_books_once(role_users, booking):
    api = api_as(role_users["secretariat"])
    url = reverse("api-spending-list")
    first = api.post(url, booking, format="json", HTTP_IDEMPOTENCY_KEY="booking-1")
    assert first.status_code == 201, first.content
    again = api.post(url, booking, format="json", HTTP_IDEMPOTENCY_KEY="booking-1")
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert Spending.objects.count() == 1
    # A new key is a new booking; no key at all behaves as before.
    assert (
        api.post(url, booking, format="json", HTTP_IDEMPOTENCY_KEY="booking-2").status_code == 201
    )
    assert api.post(url, booking, format="json").status_code == 201
    assert Spending.objects.count() == 3


def test_the_same_key_with_another_body_is_a_422_and_writes_nothing(role_users, booking):
    api = api_as(role_users["secretariat"])
    url = reverse("api-spending-list")
    assert api.post(url, booking, format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    changed = {**booking, "amount": "2000"}
    response = api.post(url, changed, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert list(Spending.objects.values_list("amount", flat=True)) == [1000]


def test_a_refusal_is_remembered_too_and_a_malformed_key_is_a_400(role_users, booking):
    api = api_as(role_users["secretariat"])
    url = reverse("api-spending-list")
    bad = {**booking, "date": "2027-01-15"}
    first = api.post(url, bad, format="json", HTTP_IDEMPOTENCY_KEY="k-bad")
    assert first.status_code == 400
    again = api.post(url, bad, format="json", HTTP_IDEMPOTENCY_KEY="k-bad")
    assert (again.status_code, again.content) == (400, first.content)
    for key in ("", "x" * 256, "mit nøgle"):
        response = api.post(url, booking, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 400, key
        assert "Idempotency-Key" in response.json()["detail"]
    assert not Spending.objects.exists()


def test_a_repeated_vote_answers_the_first_vote_and_votes_once(role_users):
    seat("fu", role=SeatRole.VICE_CHAIR, appointed_by="danske-regioner")
    decision = open_decision("fu", by=role_users["secretariat"])
    url = f"/api/decisions/{decision.pk}/vote/"
    api = api_as(role_users["member"])
    first = api.post(url, {"choice": "yes"}, format="json", HTTP_IDEMPOTENCY_KEY="vote-1")
    assert first.status_code == 201, first.content
    again = api.post(url, {"choice": "yes"}, format="json", HTTP_IDEMPOTENCY_KEY="vote-1")
    assert (again.status_code, again.content) == (201, first.content)
    assert Vote.objects.filter(decision=decision).count() == 1
    other = api.post(url, {"choice": "no"}, format="json", HTTP_IDEMPOTENCY_KEY="vote-1")
    assert other.status_code == 422
    assert list(Vote.objects.values_list("choice", flat=True)) == ["yes"]


def test_keys_are_per_user(role_users, booking):
    """Another user's request with the same key is their own request, not a replay."""
    from partners.models import RoleAssignment

    Role = RoleAssignment.Role
    from tests.factories import make_user

    url = reverse("api-spending-list")
    other = make_user(Role.SECRETARIAT, username="secretariat-2")
    first = api_as(role_users["secretariat"]).post(
        url, booking, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    second = api_as(other).post(url, booking, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second
    assert Spending.objects.count() == 2


def test_a_key_expires_after_24_hours(role_users, booking, monkeypatch):
    """The answer is stored with a 24-hour timeout in the forms' cache; once it is gone the
    key is new again."""
    stored = {}
    real_set = cache.set

    def spy(key, value, timeout=None, **kwargs):
        if key.startswith("api-idempotency:"):
            stored[key] = timeout
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    api = api_as(role_users["secretariat"])
    url = reverse("api-spending-list")
    assert api.post(url, booking, format="json", HTTP_IDEMPOTENCY_KEY="day").status_code == 201
    assert list(stored.values()) == [datetime.timedelta(hours=24).total_seconds()]
    cache.delete(next(iter(stored)))  # what the expiry does
    again = api.post(url, booking, format="json", HTTP_IDEMPOTENCY_KEY="day")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Spending.objects.count() == 2


def test_a_repeat_while_the_first_still_runs_is_a_409(role_users, booking, monkeypatch):
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.1)
    user = role_users["secretariat"]
    url = reverse("api-spending-list")
    claim = idempotency.api_claim(user=user, key="slow", method="POST", path=url, body=b'{"a": 1}')
    assert isinstance(claim, idempotency.ApiClaim)
    again = idempotency.api_claim
    with pytest.raises(idempotency.IdempotencyRefusal) as refused:
        again(user=user, key="slow", method="POST", path=url, body=b'{"a": 1}')
    assert refused.value.status == 409


def _api_views():
    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            else:
                yield pattern

    for pattern in walk(get_resolver().url_patterns):
        cls = getattr(pattern.callback, "cls", None)
        if cls is not None and issubclass(cls, APIView) and str(pattern.pattern).startswith(""):
            actions = getattr(pattern.callback, "actions", None) or {}
            methods = set(actions) if actions else set(cls.http_method_names)
            if actions or any(hasattr(cls, m) for m in ("post", "put", "patch", "delete")):
                yield pattern, cls, methods


def test_every_api_view_with_an_unsafe_method_honours_the_key():
    unsafe = {"post", "put", "patch", "delete"}
    missing = sorted(
        {
            cls.__qualname__
            for pattern, cls, methods in _api_views()
            if cls.__module__.split(".")[0] in {"partners", "governance", "tracks", "monitoring"}
            and methods & unsafe
            and not issubclass(cls, IdempotencyKeyMixin)
        }
    )
    assert not missing, missing
    assert any(issubclass(cls, IdempotencyKeyMixin) for _, cls, _ in _api_views())


def test_the_schema_documents_the_header(client_for):
    import yaml

    schema = yaml.safe_load(client_for("secretariat").get(reverse("api-schema")).content)
    booking = schema["paths"]["/api/spending/"]["post"]
    names = [p["name"] for p in booking["parameters"] if p["in"] == "header"]
    assert names == ["Idempotency-Key"]
    assert "422" in booking["responses"]
    listing = schema["paths"]["/api/spending/"]["get"]
    assert "Idempotency-Key" not in [p["name"] for p in listing.get("parameters", [])]
