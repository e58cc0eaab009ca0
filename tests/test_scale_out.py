"""The web process keeps no local state: two web replicas (real gunicorn processes on two ports)
share one PostgreSQL, one Redis and one S3-compatible store (moto's server, a real process).

A user signs in on one replica and carries on on the other; a private paper stored in the
bucket reaches its readers through the permission-checked view of either replica, and nobody
else; the replicas' readiness names each check; the metrics need the token. docker compose's
`deploy.replicas: 2` behind the proxy (docker-compose.yml) is this setup with containers; no
container engine runs here, so this test is the proof that it works.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from governance.models import Paper
from tests.governance.factories import plan_meeting
from tests.s3 import free_port, moto_server

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long test passphrase"  # tests.factories.UserFactory's
METRICS_TOKEN = "metrics-token-for-the-test-0123456789"
PDF = b"%PDF-1.7\n% a paper in the bucket\n"

pytestmark = pytest.mark.django_db(transaction=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Browser:
    """A client that keeps its cookies across hosts, as one browser behind one proxy would."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, url: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = OPENER.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, dict(response.headers), response.read()

    def sign_in(self, base: str, username: str) -> int:
        self.request(f"{base}/accounts/login/")
        status, _headers, _body = self.request(
            f"{base}/accounts/login/",
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
            },
            headers={"Referer": f"{base}/accounts/login/"},
        )
        return status


def wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(log.read_text()[-3000:])
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"not ready: {url}\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def s3():
    with moto_server() as server:
        yield server


@pytest.fixture(scope="module")
def bucket(s3):
    return s3.new_bucket()


@pytest.fixture(scope="module")
def portal_env(django_db_setup, django_db_blocker, s3, bucket):
    db = connection.settings_dict
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "AWS_")) and k != "DJANGO_SETTINGS_MODULE"
    }
    return {
        **clean,
        # The test settings (tests share their database), with everything a replica shares
        # in services: sessions in PostgreSQL, cache and broker in Redis, files in S3.
        "DJANGO_ENV": "test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "METRICS_TOKEN": METRICS_TOKEN,
        "METRICS_ALLOWED_NETWORKS": "192.0.2.1/32",  # not loopback: the token is needed
        **s3.env(bucket),
    }


@pytest.fixture(scope="module")
def replicas(portal_env, tmp_path_factory):
    folder = tmp_path_factory.mktemp("replicas")
    processes, bases = [], []
    try:
        for number in (1, 2):
            port, log = free_port(), folder / f"web{number}.log"
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "klimaalliancen.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                        "--threads",
                        "2",
                    ],
                    cwd=ROOT,
                    env=portal_env,
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
            wait_ready(f"{bases[-1]}/health/live/", processes[-1], log)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)


def test_signed_in_on_one_replica_the_session_continues_on_the_other(
    reference_data, replicas, role_users
):
    first, second = replicas
    browser = Browser()
    assert browser.sign_in(first, "member") == 302
    assert "sessionid" in browser.cookies

    status, _headers, body = browser.request(f"{second}/")
    assert status == 200, body[:500]
    assert b'name="username"' not in body  # the dashboard, not the login page

    # Signing out on the second replica ends the session on the first as well.
    status, _headers, _body = browser.request(
        f"{second}/accounts/logout/", {"csrfmiddlewaretoken": browser.cookies["csrftoken"]}
    )
    assert status == 302
    status, headers, _body = browser.request(f"{first}/")
    assert status == 302 and "/accounts/login/" in headers["Location"]


def test_a_private_paper_in_the_bucket_reaches_only_its_readers(
    reference_data, replicas, role_users, s3, bucket, portal_env
):
    first, second = replicas
    # Stored by the portal's own storage in a third process, as the upload view stores it.
    name = f"papers/{uuid.uuid4().hex}.pdf"
    store = (
        "from django.core.files.base import ContentFile;"
        "from django.core.files.storage import storages;"
        f"print(storages['private'].save({name!r}, ContentFile({PDF!r})))"
    )
    saved = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", store],
        cwd=ROOT,
        env=portal_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout.strip().splitlines()[-1] == name
    objects = s3.keys(bucket)
    assert objects[f"private/{name}"] == PDF
    grants = s3.client().get_object_acl(Bucket=bucket, Key=f"private/{name}")["Grants"]
    assert not [g for g in grants if "AllUsers" in str(g.get("Grantee", {}).get("URI", ""))]

    meeting = plan_meeting("fu", by=role_users["secretariat"], publish=True)
    paper = Paper.objects.create(
        agenda_item=meeting.agenda_items.first(),
        file=name,
        original_name="Indstilling.pdf",
        size=len(PDF),
        content_type="application/pdf",
    )
    url = paper.get_absolute_url()

    member = Browser()
    assert member.sign_in(first, "member") == 302
    for base in (first, second):
        status, headers, body = member.request(f"{base}{url}")
        assert status == 200
        assert body == PDF  # streamed from the bucket by the view
        assert headers["Content-Type"] == "application/pdf"
        assert "Indstilling.pdf" in headers["Content-Disposition"]

    outsider = Browser()
    assert outsider.sign_in(second, "coord-a") == 302
    assert outsider.request(f"{first}{url}")[0] == 404
    status, headers, _body = Browser().request(f"{second}{url}")
    assert status == 302 and "/accounts/login/" in headers["Location"]


def test_readiness_names_each_check_and_metrics_need_the_token(replicas):
    for base in replicas:
        status, _headers, body = Browser().request(f"{base}/health/ready/")
        assert status == 200, body
        checks = json.loads(body)["checks"]
        assert set(checks) == {"database", "migrations", "cache", "broker", "storage"}
        assert all(check["ok"] for check in checks.values()), checks
        assert checks["storage"]["detail"] == "default: S3Storage, private: S3Storage"
        assert checks["broker"]["detail"] == "redis"

        Browser().request(f"{base}/accounts/login/")
        assert Browser().request(f"{base}/metrics/")[0] == 403
        wrong = {"Authorization": "Bearer not-the-token"}
        assert Browser().request(f"{base}/metrics/", headers=wrong)[0] == 403
        right = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        status, headers, body = Browser().request(f"{base}/metrics/", headers=right)
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        assert b"django_http_requests_total_by_view_transport_method_total" in body
        assert b'view="login"' in body
