"""Is this process ready to serve? The checks behind /health/ready/ (readiness probes, compose
healthchecks, load balancers). Each check answers quickly and names only what failed, never a
host name or a credential: the endpoint is public."""

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

PROBE_NAME = ".health-probe"


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str = ""
    milliseconds: int = 0

    def as_dict(self) -> dict:
        result = {"ok": self.ok, "ms": self.milliseconds}
        if self.detail:
            result["detail"] = self.detail
        return result


class CheckFailed(Exception):
    pass


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        raise CheckFailed("the database does not answer") from exc
    return ""


def check_migrations() -> str:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise CheckFailed("the migrations table cannot be read") from exc
    if plan:
        raise CheckFailed(f"{len(plan)} migrations not applied")
    return "all applied"


def check_cache() -> str:
    """The cache holds the sign-in lockouts and rate limits; with Redis it is shared."""
    try:
        cache.set("health:probe", "1", timeout=10)
        if cache.get("health:probe") != "1":
            raise CheckFailed("the cache does not keep values")
    except CheckFailed:
        raise
    except Exception as exc:  # redis-py's errors have no common base with Django's
        raise CheckFailed("the cache does not answer") from exc
    return cache.__class__.__name__


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "tasks run in-process"
    from kombu import Connection

    url = settings.CELERY_BROKER_URL
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    if url.startswith("filesystem://"):
        for folder in {options.get("data_folder_in"), options.get("data_folder_out")} - {None}:
            if not os.access(folder, os.W_OK):
                raise CheckFailed("the task queue's folder is not writable")
        return "filesystem"
    try:
        with Connection(url, connect_timeout=2, transport_options=options) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises the transport's own errors
        raise CheckFailed("the broker does not answer") from exc
    return url.partition("://")[0]


def check_storage() -> str:
    """Both file storages answer (an S3 HEAD request, or a writable folder on disk)."""
    kinds = []
    for alias in ("default", "private"):
        storage = storages[alias]
        try:
            if isinstance(storage, FileSystemStorage):
                folder = storage.location
                while not os.path.exists(folder):  # created at the first upload
                    folder = os.path.dirname(folder)
                if not os.access(folder, os.W_OK):
                    raise CheckFailed(f"the {alias} storage's folder is not writable")
            elif getattr(storage, "bucket_name", None):
                # The bucket itself: a missing object answers 404 as happily as a missing bucket.
                storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
            else:
                storage.exists(PROBE_NAME)
        except CheckFailed:
            raise
        except Exception as exc:  # botocore's and the OS's errors
            raise CheckFailed(f"the {alias} storage does not answer") from exc
        kinds.append(f"{alias}: {storage.__class__.__name__}")
    return ", ".join(kinds)


READINESS_CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "migrations": check_migrations,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


def readiness() -> dict[str, CheckResult]:
    """Every check, in order; a database that is down fails the migrations check too."""
    results = {}
    for name, check in READINESS_CHECKS.items():
        started = time.monotonic()
        try:
            detail, ok = check(), True
        except CheckFailed as failed:
            detail, ok = str(failed), False
        results[name] = CheckResult(ok, detail, int((time.monotonic() - started) * 1000))
    return results
