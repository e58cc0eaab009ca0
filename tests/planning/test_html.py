"""The plans and risks pages, with data and with a rejected form, are valid HTML (the
portal-wide walk in tests/test_html_validity.py covers them too; this one runs alone)."""

import shutil

import pytest
from django.db import transaction
from django.urls import reverse

from tests.browser import ARTIFACTS
from tests.matrix import planning
from tests.test_html_validity import VNU_JAR, describe, vnu_errors

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not VNU_JAR.exists() or not shutil.which("java"), reason="vnu.jar or Java is missing"
    ),
]


def test_plans_and_risks_pages_are_valid_html(client_for, role_users, settings):
    directory = ARTIFACTS / "html-planning"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    client = client_for("secretariat")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    written = 0
    for n, case in enumerate(planning.CASES):
        if case.expect["secretariat"] not in (200, 400):
            continue
        # Each case in a savepoint rolled back: the next case makes the same year's plan.
        with transaction.atomic():
            kwargs = case.setup(role_users) if case.setup else case.kwargs
            url = reverse(case.name, kwargs=kwargs) + case.query
            response = getattr(client, case.method)(url, case.data or {})
            transaction.set_rollback(True)
        assert response.status_code == case.expect["secretariat"], (url, response.status_code)
        (directory / f"{n}-{case.name}.html").write_bytes(response.content)
        written += 1
    assert written >= 20
    errors = vnu_errors(directory)
    assert not errors, describe(errors, directory)
