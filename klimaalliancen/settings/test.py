"""Tests run against the real PostgreSQL and Redis (see Makefile and .ci/run)."""

import dj_database_url

from .base import *  # noqa: F403
from .base import S3_BUCKET
from .env import env_str

SECRET_KEY = "test-secret-key-not-used-anywhere-else-0123456789abcdefghijklmnop"  # noqa: S105
DEBUG = False
BENCHMARK_FLOOR = True  # the URL matrix walks /_floor/ too
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/klimaalliancen"),
        conn_max_age=0,
    )
}
# A test database needs no durability: commits (transactional tests, flushes) do not wait for
# the write-ahead log to reach the disk.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/15")
# Parallel test processes (pytest-xdist) each get a Redis database of their own, so a Celery
# worker started by one test never takes another process's tasks.
_worker = env_str("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and _worker[2:].isdigit():
    _base, _, _db = REDIS_URL.rpartition("/")
    REDIS_URL = f"{_base}/{(int(_db) - int(_worker[2:])) % 16}"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "test",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
# Every test client builds the middleware again, and WhiteNoise would list the collected
# static files each time (about 1,100 files, ~0.1 s per client); looked up per request instead.
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; Argon2 is tested
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Files in memory, unless a test process is pointed at an S3 server (tests/test_object_storage.py
# starts moto's and runs the portal against it).
if not S3_BUCKET:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if env_str("PRIVATE_MEDIA_ROOT"):  # tests across processes (backup and restore) share a folder
        STORAGES["private"] = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": env_str("PRIVATE_MEDIA_ROOT"), "base_url": "/no-public-url/"},
        }
# No identity provider unless a test configures one (tests/partners/test_oidc.py starts a real one).
OIDC_PROVIDERS = []
