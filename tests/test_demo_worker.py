"""`make run`'s demo as production in miniature: a real Celery worker beside runserver, with no
service to install (kombu's filesystem transport, results in files, SQLite).

Starts `manage.py rundemo` (what `make run` runs) with the development settings on a fresh
SQLite file, requests the annual status report as the secretariat would, and follows the
document's progress as the page's progress bar does: it moves through the worker's steps to
done. Then Ctrl+C (SIGINT) stops runserver, the worker and beat together.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

REQUEST_AND_FOLLOW = """
import json, time
from monitoring import services
from monitoring.models import StatusReportDocument
from partners.models import Municipality, RoleAssignment
from tests.factories import make_user
from tests.monitoring.factories import make_report, make_round

# One municipality per DGO: the worker's path and progress are the same for 5 as for 98, and
# a report of 98 fact pages takes minutes to write.
Municipality.objects.exclude(code__in=("751", "101", "461", "851", "259")).delete()
round = make_round(year=2025)
for code in ("751", "101"):
    make_report(round, code, state="approved")
sara = make_user(RoleAssignment.Role.SECRETARIAT, username="sara")
document = services.status_report_request(round=round, language="da", by=sara)
seen = []
deadline = time.monotonic() + 400
while time.monotonic() < deadline:
    document.refresh_from_db()
    if not seen or seen[-1] != [document.status, document.progress]:
        seen.append([document.status, document.progress])
    if document.status in ("done", "failed"):
        break
    time.sleep(0.1)
print(json.dumps({"seen": seen, "file": document.file.name, "error": document.error}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own URL
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except (OSError, ValueError):
        return 0, {}


def alive_in(group: int) -> list[int]:
    """The processes of a process group that still run (a zombie whose parent is gone and that
    nobody reaps in a container does not count: it has ended)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def demo_env(tmp_path: Path) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL", "S3_BUCKET"}
        and not k.startswith("PYTEST")
    }
    return {
        **clean,
        "DJANGO_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "CELERY_QUEUE_DIR": str(tmp_path / "celery"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private-media"),
    }


def test_settings_of_the_demo_use_the_filesystem_queue_not_eager_tasks(tmp_path):
    code = (
        "from django.conf import settings;"
        "print(settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL,"
        " settings.CELERY_RESULT_BACKEND.split(':')[0])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=demo_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "filesystem://", "file"]
    assert (tmp_path / "celery" / "queue").is_dir()


def test_make_run_renders_the_status_report_in_a_real_worker_with_progress(tmp_path):
    env = demo_env(tmp_path)

    def manage(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    for command in (["migrate", "-v0"], ["load_reference_data"]):
        done = manage(*command)
        assert done.returncode == 0, done.stderr[-3000:]

    port = free_port()
    log = tmp_path / "rundemo.log"
    demo = subprocess.Popen(
        [sys.executable, "manage.py", "rundemo", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        ready = f"http://127.0.0.1:{port}/health/ready/"
        deadline = time.monotonic() + 120
        while get_json(ready)[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        status, body = get_json(ready)
        assert status == 200, (body, log.read_text()[-3000:])
        assert body["checks"]["broker"] == {
            "ok": True,
            "ms": body["checks"]["broker"]["ms"],
            "detail": "filesystem",
        }

        followed = manage("shell", "--no-imports", "-c", REQUEST_AND_FOLLOW, timeout=500)
        assert followed.returncode == 0, followed.stderr[-3000:]
        result = json.loads(followed.stdout.strip().splitlines()[-1])
        seen = result["seen"]
        assert seen[-1] == ["done", 100], (result, log.read_text()[-3000:])
        # Not done in the request: the worker moved the document through its steps.
        assert seen[0][0] == "queued"
        assert any(0 < progress < 100 for _status, progress in seen), seen
        assert "rendering" in {status for status, _progress in seen}, seen
        assert result["file"].endswith(".pdf")
        text = log.read_text()
        assert "monitoring.tasks.render_status_report" in text  # received by the worker
        assert "beat: Starting..." in text
    finally:
        demo.send_signal(signal.SIGINT)  # Ctrl+C
        try:
            demo.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            raise
    # runserver (with its autoreloader's child), the worker and beat went with it: each was
    # started in a process group of its own, and none of those groups has a process left.
    groups = [int(pid) for pid in re.findall(r"\w+ started \(pid (\d+)\)", log.read_text())]
    assert len(groups) == 3, log.read_text()[-2000:]
    deadline = time.monotonic() + 15
    while any(alive_in(group) for group in groups) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [pid for group in groups for pid in alive_in(group)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "a process of `make run` outlived it"
    assert get_json(f"http://127.0.0.1:{port}/health/live/")[0] == 0


def test_make_run_starts_the_worker_and_beat_through_rundemo():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py rundemo $(HOST):$(PORT)" in recipe
    assert "runserver" not in recipe  # rundemo starts it, beside the worker and beat
