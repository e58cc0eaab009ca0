"""Sentry gets errors without the personal data of the partnership's people."""

import copy

from klimaalliancen.sentry import FILTERED, scrub_event
from tests.test_settings import GOOD_SECRET, manage

EVENT = {
    "message": "Kunne ikke sende til mette.hansen@aarhus.dk (CPR 010190-1234)",
    "user": {
        "id": 42,
        "email": "mette.hansen@aarhus.dk",
        "username": "mette",
        "ip_address": "1.2.3.4",
    },
    "request": {
        "url": "https://portal.example.dk/people/?email=mette.hansen@aarhus.dk",
        "query_string": "email=mette.hansen@aarhus.dk",
        "cookies": {"sessionid": "abc", "csrftoken": "def"},
        "data": {"password": "hemmeligt1234", "first_name": "Mette"},
        "headers": {
            "Authorization": "Token 0123456789abcdef",
            "Cookie": "sessionid=abc",
            "X-Forwarded-For": "1.2.3.4",
            "User-Agent": "Firefox",
        },
        "env": {"REMOTE_ADDR": "1.2.3.4"},
    },
    "exception": {
        "values": [
            {
                "type": "ValueError",
                "value": "no organisation for jens@kk.dk, phone +45 12 34 56 78",
                "stacktrace": {
                    "frames": [
                        {
                            "function": "person_invite",
                            "vars": {
                                "email": "'jens@kk.dk'",
                                "user": {"full_name": "Jens Jensen", "pk": 7},
                                "note": "ring til 12345678",
                                "count": 3,
                            },
                        }
                    ]
                },
            }
        ]
    },
    "breadcrumbs": {
        "values": [
            {"message": "SELECT ... WHERE email = 'jens@kk.dk'", "data": {"token": "x"}},
        ]
    },
    "extra": {"recipient_email": "a@b.dk", "rows": 98},
}


def test_the_scrubber_removes_personal_data_and_keeps_what_helps_debugging():
    event = scrub_event(copy.deepcopy(EVENT), {})
    text = repr(event)
    for personal in (
        "mette",
        "aarhus.dk",
        "jens@kk.dk",
        "010190-1234",
        "1.2.3.4",
        "Jens Jensen",
        "hemmeligt",
        "0123456789abcdef",
        "sessionid=abc",
        "12 34 56 78",
        "12345678",
    ):
        assert personal not in text, personal
    assert event["user"] == {"id": 42}  # the id is what the secretariat needs to follow up
    assert "cookies" not in event["request"] and "data" not in event["request"]
    assert event["request"]["headers"]["User-Agent"] == "Firefox"
    assert event["request"]["headers"]["Authorization"] == FILTERED
    frame = event["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert frame["function"] == "person_invite" and frame["vars"]["count"] == 3
    assert frame["vars"]["user"]["pk"] == 7 and frame["vars"]["user"]["full_name"] == FILTERED
    assert event["exception"]["values"][0]["type"] == "ValueError"
    assert event["extra"] == {"recipient_email": FILTERED, "rows": 98}
    assert event["breadcrumbs"]["values"][0]["data"] == {"token": FILTERED}


def test_sentry_starts_only_with_a_dsn_and_then_with_the_scrubber():
    code = (
        "import sentry_sdk;"
        "client = sentry_sdk.get_client();"
        "print(client.is_active(), client.options.get('send_default_pii'),"
        " getattr(client.options.get('before_send'), '__name__', None))"
    )
    env = {"DJANGO_ENV": "production", "SECRET_KEY": GOOD_SECRET}
    without = manage("shell", "--no-imports", "-c", code, **env)
    assert without.returncode == 0, without.stderr
    assert without.stdout.split()[0] == "False"
    dsn = "http://public@127.0.0.1:9/1"  # a closed port: nothing is sent anywhere
    with_dsn = manage("shell", "--no-imports", "-c", code, SENTRY_DSN=dsn, **env)
    assert with_dsn.returncode == 0, with_dsn.stderr
    assert with_dsn.stdout.split() == ["True", "False", "scrub_event"]
