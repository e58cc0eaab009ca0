import logging

import pytest
from django.test import Client, override_settings


@override_settings(ROOT_URLCONF="tests.urls_error", DEBUG=False)
def test_a_server_error_shows_our_page_without_traceback_and_is_logged(db, caplog, role_users):
    client = Client(raise_request_exception=False)
    client.force_login(role_users["coordinator_a"])
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "Der opstod en fejl" in content
    assert "Traceback" not in content and "RuntimeError" not in content
    assert any("boom" in record.getMessage() for record in caplog.records)


def test_denied_attempts_are_logged_with_the_user_id_only(client_for, role_users, caplog):
    client = client_for("coordinator_b")
    with caplog.at_level(logging.WARNING, logger="klimaalliancen.security"):
        response = client.get("/municipalities/751/edit/")
    assert response.status_code == 403
    user = role_users["coordinator_b"]
    lines = [r.getMessage() for r in caplog.records if r.name == "klimaalliancen.security"]
    assert lines == [f"access denied: user={user.pk} method=GET path=/municipalities/751/edit/"]
    assert user.username not in lines[0] and user.email not in lines[0]


@pytest.mark.parametrize("path", ["/api/municipalities/"])
def test_denied_api_requests_are_logged(client, db, caplog, path):
    with caplog.at_level(logging.WARNING, logger="klimaalliancen.security"):
        assert client.get(path).status_code == 401
    assert any("user=anonymous" in r.getMessage() for r in caplog.records)
