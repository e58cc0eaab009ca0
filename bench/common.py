"""Shared by the benchmarks: a scratch PostgreSQL database and manage.py runs against it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


def database_url(name: str) -> str:
    return f"{PG}/{name}"


def env_for(name: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(
        {
            "DATABASE_URL": database_url(name),
            "REDIS_URL": REDIS_URL,
            "DJANGO_ENV": "production",
            "SECRET_KEY": "bench-only-secret-" + "b" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
            "BENCHMARK_FLOOR": "true",  # routes /_floor/ (klimaalliancen/urls.py)
        }
    )
    env.update(extra)
    return env


def manage(name: str, *args: str, **extra: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env_for(name, **extra),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result.stdout


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def has_database(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        return bool(
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )


def build_database(name: str, preset: str) -> str:
    """A fresh database `name` with the demo (`preset` "demo") or `seed_scale --preset`'s
    data; returns seed_scale's last line of output ("" for the demo)."""
    recreate_database(name)
    manage(name, "migrate", "-v0")
    manage(name, "load_reference_data")
    if preset == "demo":
        # Demo users need DEBUG for seeding only; the servers run without it.
        manage(name, "seed_demo", DJANGO_ENV="development", DEBUG="true")
        return ""
    return manage(name, "seed_scale", "--preset", preset).strip().splitlines()[-1]
