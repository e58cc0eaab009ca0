"""The settings package: embedded default, production checks and the refusal without a secret."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "x7!kq2p" * 10
INHERITED_SETTINGS = {
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DJANGO_ENV",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "PYTEST_XDIST_WORKER",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_check_deploy_has_no_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="portal.example.dk",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_real_secret():
    for secret in ("", "short", "django-insecure-" + "a" * 60):
        result = manage("check", DJANGO_ENV="production", SECRET_KEY=secret)
        assert result.returncode != 0
        assert "SECRET_KEY must be set" in result.stderr


def test_embedded_default_is_sqlite_with_a_filesystem_task_queue():
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER,"
        " settings.DEBUG)"
    )
    result = manage("shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    # Not eager: `make run` starts a real worker on kombu's filesystem transport
    # (tests/test_demo_worker.py).
    assert result.stdout.split() == ["django.db.backends.sqlite3", "False", "True"]


def test_settings_are_read_from_the_environment():
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL,"
        " settings.ALLOWED_HOSTS, settings.DEBUG)"
    )
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DATABASE_URL="postgres://u@db.example:5432/k",
        REDIS_URL="redis://cache.example:6379/1",
        ALLOWED_HOSTS="a.example,b.example",
        DEBUG="false",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://cache.example:6379/1",
        "['a.example',",
        "'b.example']",
        "False",
    ]


def test_passwords_are_hashed_with_argon2():
    from django.conf import settings

    base_hashers = __import__("klimaalliancen.settings.base", fromlist=["x"]).PASSWORD_HASHERS
    assert base_hashers[0].endswith("Argon2PasswordHasher")
    assert settings.AUTH_USER_MODEL == "partners.User"


def test_hsts_on_https_in_production(client, settings, db):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


SQLITE_TWO_WRITERS = """
import threading, time
from django.db import connection, transaction
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE clicks (n integer)")
    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
errors = []
def click():
    try:
        with transaction.atomic():  # a view's transaction: reads first, writes later
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM clicks")
                time.sleep(0.3)
                cursor.execute("INSERT INTO clicks VALUES (1)")
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()
clicks = [threading.Thread(target=click) for _ in range(2)]
[c.start() for c in clicks]
[c.join() for c in clicks]
with connection.cursor() as cursor:
    rows = cursor.execute("SELECT count(*) FROM clicks").fetchone()[0]
print(mode, rows, errors)
"""


def test_embedded_sqlite_takes_two_quick_writers_without_database_is_locked(tmp_path):
    """Two requests writing at once on `make run`'s SQLite: the second waits for the first
    (immediate transactions, busy timeout, WAL) rather than failing with "database is locked"."""
    database = tmp_path / "demo.sqlite3"
    result = manage(
        "shell", "--no-imports", "-c", SQLITE_TWO_WRITERS, DATABASE_URL=f"sqlite:///{database}"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split(maxsplit=2) == ["wal", "2", "[]"], result.stdout
