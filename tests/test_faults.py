"""Faults with real services: a Redis of our own is stopped and started under the portal."""

import shutil
import socket
import subprocess
import time

import pytest
import redis

from core.models import OutboxEmail
from tests.factories import UserFactory
from tests.test_settings import manage

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]

PROBE = """
import time
from django.test import Client
from partners.models import User
client = Client(HTTP_HOST="localhost")
client.force_login(User.objects.get(username="mette"))
page = client.get("/municipalities/751/")
started = time.monotonic()
anonymous = Client(HTTP_HOST="localhost")
reset = anonymous.post("/accounts/password_reset/", {"email": "mette@example.dk"})
reset_seconds = round(time.monotonic() - started, 2)
from tests.factories import verify_mfa
secretariat = Client(HTTP_HOST="localhost")
sara = User.objects.get(username="sara")
secretariat.force_login(sara)
verify_mfa(secretariat, sara)
started = time.monotonic()
report = secretariat.post("/monitoring/2026/report/", {"language": "da"})
print(page.status_code, reset.status_code, reset_seconds, report.status_code,
      round(time.monotonic() - started, 2))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def private_redis():
    port = free_port()

    def start():
        process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=port)
        for _ in range(50):
            try:
                client.ping()
                return process
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    yield port, start


def run_probe(port: int) -> list[str]:
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        PROBE,
        DJANGO_ENV="test",
        DATABASE_URL=_database_url(),
        REDIS_URL=f"redis://127.0.0.1:{port}/0",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.split()[-5:]


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_redis_down_pages_work_mail_waits_then_flows_again(reference_data, private_redis):
    from monitoring.models import StatusReportDocument
    from partners.models import RoleAssignment
    from tests.factories import make_user
    from tests.monitoring.factories import make_round

    port, start = private_redis
    UserFactory(username="mette", email="mette@example.dk")
    make_user(RoleAssignment.Role.SECRETARIAT, username="sara", email="sara@example.dk")
    make_round()

    # Redis is not running: pages answer, the reset request succeeds, the e-mail waits;
    # starting the status report answers 503 with a clear message within 5 s.
    page, reset, seconds, report, report_seconds = run_probe(port)
    assert (page, reset, report) == ("200", "302", "503")
    assert float(seconds) < 5  # the broker's connection timeout and retry policy bound this
    assert float(report_seconds) < 5
    failed = StatusReportDocument.objects.get()
    assert failed.status == StatusReportDocument.Status.FAILED  # nothing half-started is left
    waiting = OutboxEmail.objects.get()
    assert waiting.sent_at is None and "mette@example.dk" in waiting.to

    # Redis is back: the next e-mail is queued on the broker at once.
    process = start()
    try:
        page, reset, _, report, _ = run_probe(port)
        assert (page, reset, report) == ("200", "302", "302")
        # The e-mail and the report job are queued on the broker at once.
        assert redis.Redis(port=port).llen("celery") == 2
    finally:
        process.terminate()
        process.wait(10)

    # The periodic task sends what waited.
    from django.core import mail

    from core.tasks import deliver_pending_emails

    OutboxEmail.objects.update(created_at=waiting.created_at.replace(year=2000))
    assert deliver_pending_emails() == 2
    assert {tuple(m.to) for m in mail.outbox} == {("mette@example.dk",)}
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()
