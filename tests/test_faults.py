"""Faults with real services: a Redis of our own is stopped and started under the portal."""

import shutil
import socket
import subprocess
import time

import pytest
import redis

from klimaalliancen.models import OutboxEmail
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
print(page.status_code, reset.status_code, round(time.monotonic() - started, 2))
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
    return result.stdout.split()[-3:]


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_redis_down_pages_work_mail_waits_then_flows_again(reference_data, private_redis):
    port, start = private_redis
    UserFactory(username="mette", email="mette@example.dk")

    # Redis is not running: pages answer, the reset request succeeds, the e-mail waits.
    page, reset, seconds = run_probe(port)
    assert (page, reset) == ("200", "302")
    assert float(seconds) < 5  # the broker's connection timeout and retry policy bound this
    waiting = OutboxEmail.objects.get()
    assert waiting.sent_at is None and "mette@example.dk" in waiting.to

    # Redis is back: the next e-mail is queued on the broker at once.
    process = start()
    try:
        page, reset, _ = run_probe(port)
        assert (page, reset) == ("200", "302")
        assert redis.Redis(port=port).llen("celery") == 1
    finally:
        process.terminate()
        process.wait(10)

    # The periodic task sends what waited.
    from django.core import mail

    from klimaalliancen.tasks import deliver_pending_emails

    OutboxEmail.objects.update(created_at=waiting.created_at.replace(year=2000))
    assert deliver_pending_emails() == 2
    assert {tuple(m.to) for m in mail.outbox} == {("mette@example.dk",)}
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()
