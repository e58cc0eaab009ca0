"""Malformed, too deep or too large JSON bodies: a 400 with a reason in the request's language."""

import pytest
from django.test import override_settings

from governance.models import SeatRole, Vote
from tests.governance.factories import open_decision, seat


@pytest.fixture
def vote_url(role_users):
    seat("fu", role=SeatRole.VICE_CHAIR, appointed_by="danske-regioner")
    decision = open_decision("fu", by=role_users["secretariat"])
    return f"/api/decisions/{decision.pk}/vote/"


def post(client, url, body: bytes | str, language: str = "da"):
    """The portal's language is the user's choice (the language cookie), Danish by default."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.post(url, body, content_type="application/json")


@pytest.mark.parametrize(
    "body, danish, english",
    [
        ('{"choice": "yes"', "ikke gyldig JSON", "not valid JSON"),
        ('{"choice": NaN}', "ikke gyldig JSON", "not valid JSON"),
        (b'{"choice": "\xff"}', "ikke gyldig JSON", "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "for dybt", "too deeply"),
        ('{"choice": ' + "[" * 50 + "]" * 50 + "}", "for dybt", "too deeply"),
        ('{"choice": "yes\\u0000"}', "NUL-tegn", "NUL character"),
        ('{"choice": "yes", "x\\u0000": 1}', "NUL-tegn", "NUL character"),
    ],
    ids=["truncated", "nan", "not-utf8", "recursion", "deep", "nul-value", "nul-key"],
)
def test_bad_json_is_a_400_with_a_reason(client_for, vote_url, body, danish, english):
    client = client_for("member")
    for language, text in (("da", danish), ("en", english)):
        response = post(client, vote_url, body, language)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("application/json")
        assert text in response.json()["detail"]
    assert not Vote.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_too_large_body_is_a_400_json_error(client_for, vote_url):
    client = client_for("member")
    body = '{"choice": "yes", "padding": "' + "x" * 2048 + '"}'
    for language, text in (("da", "for stort"), ("en", "too large")):
        response = post(client, vote_url, body, language)
        assert response.status_code == 400
        assert text in response.json()["detail"]
    assert not Vote.objects.exists()


def test_a_body_over_the_real_limit_is_a_400_json_error(client_for, vote_url):
    body = '{"choice": "yes", "padding": "' + "x" * (10 * 1024 * 1024 + 1) + '"}'
    response = post(client_for("member"), vote_url, body, "en")
    assert response.status_code == 400 and "too large" in response.json()["detail"]


def test_good_json_still_works(client_for, vote_url):
    response = post(client_for("member"), vote_url, '{"choice": "yes"}')
    assert response.status_code == 201


@pytest.mark.parametrize("encoding", ["form", "multipart"])
@pytest.mark.parametrize("where", ["value", "key"])
def test_a_nul_character_in_a_form_body_is_a_400_with_a_reason(client_for, encoding, where):
    """The fuzzer's find: a form-encoded seat whose body slug held a NUL reached PostgreSQL."""
    from urllib.parse import urlencode

    from django.conf import settings

    from governance.models import Membership

    client = client_for("secretariat")
    fields = {"body": "fu", "seat_role": "member", "person": "1"}
    if where == "value":
        fields["body"] = "f\x00u"
    else:
        fields["x\x00"] = "1"
    before = Membership.objects.count()
    for language, text in (("da", "NUL-tegn"), ("en", "NUL character")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if encoding == "form":
            response = client.post(
                "/api/memberships/",
                urlencode(fields),
                content_type="application/x-www-form-urlencoded",
            )
        else:
            response = client.post("/api/memberships/", fields)  # multipart by default
        assert response.status_code == 400, response.content[:300]
        assert text in response.json()["detail"]
    assert Membership.objects.count() == before
