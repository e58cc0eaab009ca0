"""Fault: the Celery worker is killed (SIGKILL) while it renders a part of the status report.

A real worker process (prefork, one child) consumes from the test Redis. The report is
rendered in parts (status_report.parts): the first task plans them and queues a task per
part, the last part to finish queues the joining. When progress shows "rendering", parts
are on their way; the whole worker (main process and pool child) is killed with SIGKILL, so
nothing gets the chance to acknowledge or reject the part's message: it stays in Redis'
"unacked" set. A new worker restores it once the visibility timeout has passed, renders
that part again and the rest, and joins the report once.

Why this works (klimaalliancen/settings/base.py):
- `task_acks_late`: the message is acknowledged only after the task returns, so a death mid-task
  leaves it unacknowledged; `task_reject_on_worker_lost` requeues at once when only the pool
  child dies and the main worker survives.
- Redis has no real acknowledgements: an unacknowledged message is restored after
  `visibility_timeout`. Production keeps one hour (longer than `task_time_limit`, so a slow but
  healthy render is never delivered twice); this test's worker uses 5 s with a 1 s restore
  sweep, so the re-delivery happens within the test.
- The tasks are idempotent: a part already in the cache is not rendered again, the joining
  runs under the document's row lock and leaves a done document alone, and the file name is
  fixed per document. With the test's short timeout the new worker may even be handed a
  message once more while it works; that delivery finds its part rendered or the document
  done and does nothing, which the test also checks: one join, one report file.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from monitoring import services
from monitoring.models import StatusReportDocument
from partners.models import RoleAssignment
from tests.factories import make_user, sign_in
from tests.monitoring.factories import make_report, make_round

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent
Status = StatusReportDocument.Status

WORKER = """
import os, sys
from klimaalliancen import configure_settings_module
configure_settings_module()
from django.conf import settings
# Files on disk, so the test (another process) can count them.
settings.STORAGES = {
    **settings.STORAGES,
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": os.environ["REPORT_FILES"]}},
}
import django
django.setup()
from klimaalliancen.celery import app
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "visibility_timeout": 5,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
app.worker_main(["worker", "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
                 "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "--hostname", sys.argv[1]])
"""


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_worker(name: str, files: Path, log: Path) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_ENV": "test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "REPORT_FILES": str(files),
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, f"{name}@%h"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL reaches the pool child too
    )


def kill_group(process: subprocess.Popen, sig=signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(30)


def wait_for(document: StatusReportDocument, statuses, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status in statuses:
            return document.status
        time.sleep(0.2)
    return document.status


@pytest.fixture
def empty_queue():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()  # this test's own Redis database (see settings.test)
    yield client
    client.flushdb()


def test_a_worker_killed_mid_render_is_replaced_and_the_report_finishes_once(
    reference_data, tmp_path, empty_queue, client
):
    round = make_round(year=2025)
    for code in ("751", "101", "461"):
        make_report(round, code, state="approved")
    sara = make_user(RoleAssignment.Role.SECRETARIAT, username="sara")
    files, log = tmp_path / "files", tmp_path / "worker.log"
    files.mkdir()

    first = start_worker("first", files, log)
    try:
        document = services.status_report_request(round=round, language="da", by=sara)
        reached = wait_for(document, {Status.RENDERING, Status.DONE, Status.FAILED}, 180)
        assert reached == Status.RENDERING, log.read_text()[-3000:]
        time.sleep(1.0)  # inside WeasyPrint now
        kill_group(first)
    finally:
        if first.poll() is None:
            kill_group(first)

    document.refresh_from_db()
    assert document.status == Status.RENDERING  # killed mid-render: nothing finished it
    assert len(document.render_plan["parts"]) > 5  # planned, in parts
    assert not list(files.glob("status-reports/*.pdf"))
    assert empty_queue.hlen("unacked") == 1  # the part's message waits, unacknowledged
    (unacked,) = empty_queue.hvals("unacked")
    assert b"render_status_report_part" in unacked
    killed_part = re.search(rb'"id": "([0-9a-f-]+)"', unacked).group(1).decode()
    first_log = len(log.read_text())

    second = start_worker("second", files, log)
    try:
        reached = wait_for(document, {Status.DONE, Status.FAILED}, 300)
        assert reached == Status.DONE, (document.error, log.read_text()[-3000:])
        # A copy restored during the render (see above) is consumed as a no-op.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            empty_queue.hlen("unacked") or empty_queue.llen("celery")
        ):
            time.sleep(0.5)
    finally:
        kill_group(second, signal.SIGTERM)

    pdfs = list(files.glob("status-reports/*.pdf"))
    assert len(pdfs) == 1 and pdfs[0].name == Path(document.file_name).name
    rendered = {p.stem for p in files.glob("status-report-parts/*.pdf")}
    assert {part["key"] for part in document.render_plan["parts"]} <= rendered
    assert document.file.name == document.file_name and document.page_count >= 98
    assert pdfs[0].read_bytes().startswith(b"%PDF")
    assert StatusReportDocument.objects.count() == 1
    assert empty_queue.hlen("unacked") == 0 and empty_queue.llen("celery") == 0
    # The user sees it done: the progress fragment the page polls now offers the download.
    sign_in(client, sara)
    status = client.get(f"/monitoring/report/{document.pk}/status/").content.decode()
    assert "hx-trigger" not in status and f"/monitoring/report/{document.pk}/download/" in status

    text = log.read_text()
    # The part being rendered when the first worker died went to the second.
    assert (
        "second@" in text
        and f"render_status_report_part[{killed_part}] received" in (text[first_log:])
    )
    assert text.count(f"status report {document.pk}: ") == 1  # joined once


def test_the_redelivery_settings_hold():
    from klimaalliancen.celery import app

    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
    # A healthy render is never delivered twice: it ends before Redis gives it away again.
    assert app.conf.task_time_limit < app.conf.broker_transport_options["visibility_timeout"]
