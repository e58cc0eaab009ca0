"""PostgreSQL restarted under a running portal: at most the in-flight requests fail.

Runs a private PostgreSQL cluster (initdb in a temporary folder, as the postgres user) and
the portal under gunicorn with production settings and persistent connections, restarts the
cluster, and checks that the portal recovers without being restarted (CONN_HEALTH_CHECKS).
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = (
    sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    if glob.glob("/usr/lib/postgresql/*/bin")
    else ""
)

pytestmark = pytest.mark.skipif(
    not PG_BIN or os.geteuid() != 0 or not shutil.which("runuser"),
    reason="needs PostgreSQL's binaries and root (to run them as the postgres user)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(*args: str) -> None:
    subprocess.run(
        ["runuser", "-u", "postgres", "--", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own http URL
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def test_portal_survives_a_postgres_restart():
    # Not pytest's tmp_path: the postgres user cannot enter root's private pytest folder.
    tmp_path = Path(tempfile.mkdtemp(prefix="klima-pg-"))
    data = tmp_path / "pgdata"
    data.mkdir()
    shutil.chown(tmp_path, "postgres")
    shutil.chown(data, "postgres")
    pg_port, web_port = free_port(), free_port()
    as_postgres(f"{PG_BIN}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
    pg_ctl = [
        f"{PG_BIN}/pg_ctl",
        "-D",
        str(data),
        "-w",
        "-o",
        f"-p {pg_port} -k {tmp_path} -c listen_addresses=127.0.0.1",
    ]
    as_postgres(*pg_ctl, "-l", str(tmp_path / "pg.log"), "start")
    gunicorn = None
    try:
        as_postgres(f"{PG_BIN}/createdb", "-h", "127.0.0.1", "-p", str(pg_port), "portal")
        env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
            "DJANGO_ENV": "production",
            "SECRET_KEY": "fault-test-" + "k" * 60,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/portal",
            "DATABASE_CONN_MAX_AGE": "600",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "klimaalliancen.wsgi:application",
                "--bind",
                f"127.0.0.1:{web_port}",
                "--workers",
                "1",
                "--threads",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        health = f"http://127.0.0.1:{web_port}/health/"
        for _ in range(100):
            if get(health) == 200:
                break
            time.sleep(0.2)
        assert get(health) == 200

        as_postgres(*pg_ctl, "-m", "fast", "restart")

        statuses = [get(health) for _ in range(5)]
        # The first request may find its persistent connection dead; the next ones reconnect.
        assert statuses[1:] == [200, 200, 200, 200], statuses
        assert statuses[0] in (200, 503), statuses
        assert gunicorn.poll() is None  # the same portal process, not restarted
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(10)
        as_postgres(*pg_ctl, "-m", "immediate", "stop")
        shutil.rmtree(tmp_path, ignore_errors=True)
