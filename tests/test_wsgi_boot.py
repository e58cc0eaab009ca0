"""The WSGI application boots with the production settings in a fresh interpreter.

gunicorn imports klimaalliancen.wsgi in a new process; the order in which a fresh process first
touches DRF's settings decides whether core.api (EXCEPTION_HANDLER, DEFAULT_PARSER_CLASSES) is
imported half-way through itself. Each test runs in its own interpreter, so nothing the test
process already imported hides a circular import.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INHERITED = {"DJANGO_SETTINGS_MODULE", "DJANGO_ENV", "SECRET_KEY", "PYTEST_XDIST_WORKER"}
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "wsgi-boot-test-" + "k7" * 30,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "BENCHMARK_FLOOR": "true",
}


def boot(code: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in INHERITED}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )


# What DRF resolves lazily; EXCEPTION_HANDLER first is the order that was circular.
DRF_SETTINGS = (
    "EXCEPTION_HANDLER",
    "DEFAULT_PARSER_CLASSES",
    "DEFAULT_AUTHENTICATION_CLASSES",
    "DEFAULT_PERMISSION_CLASSES",
    "DEFAULT_RENDERER_CLASSES",
    "DEFAULT_PAGINATION_CLASS",
)


@pytest.mark.parametrize("first", ["EXCEPTION_HANDLER", "DEFAULT_PARSER_CLASSES"])
def test_wsgi_app_imports_cleanly_whichever_drf_setting_is_read_first(first):
    code = (
        "import klimaalliancen.wsgi as w\n"
        "from rest_framework.settings import api_settings\n"
        f"getattr(api_settings, {first!r})\n"
        f"for name in {DRF_SETTINGS!r}: getattr(api_settings, name)\n"
        "from django.conf import settings\n"
        "from django.urls import get_resolver\n"
        "get_resolver().url_patterns\n"
        "import core.api\n"
        "assert api_settings.EXCEPTION_HANDLER is core.api.portal_exception_handler\n"
        "assert callable(w.application)\n"
        "print('booted', settings.SETTINGS_MODULE)\n"
    )
    result = boot(code)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "booted klimaalliancen.settings.production" in result.stdout


def test_wsgi_app_answers_its_first_request_in_a_fresh_interpreter():
    """The first request a fresh worker serves loads the URLconf and the API's settings."""
    code = (
        "import io, klimaalliancen.wsgi as w\n"
        "from rest_framework.settings import api_settings\n"
        "api_settings.EXCEPTION_HANDLER\n"
        "statuses = []\n"
        "environ = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/api/municipalities/',\n"
        "           'SERVER_NAME': '127.0.0.1', 'SERVER_PORT': '80', 'HTTP_HOST': '127.0.0.1',\n"
        "           'wsgi.url_scheme': 'http', 'wsgi.input': io.BytesIO(b''),\n"
        "           'wsgi.errors': io.StringIO(), 'QUERY_STRING': ''}\n"
        "body = b''.join(w.application(environ, lambda s, h, e=None: statuses.append(s)))\n"
        "print('status', statuses[0])\n"
    )
    result = boot(code)
    assert result.returncode == 0, result.stderr[-3000:]
    # Anonymous: the API refuses with 401 and a reason, through the portal's handler.
    assert "status 401" in result.stdout
