"""The embedded default for `make run`: SQLite, e-mail on the console, and a real Celery worker
beside runserver with no service to install (kombu's filesystem transport, results in files)."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, REDIS_URL
from .env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-development-only-never-in-production")
# The demo stays one command: demo users sign in without a second factor (the login page says so).
MFA_EXEMPT_DEMO_USERS = DEBUG
# Static files straight from the source folders (no collectstatic) while developing.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # runserver and the worker write to the same file: wait for the other's lock instead of
    # failing, and take the write lock at the start of a transaction (no deadlocking upgrade).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )

if not REDIS_URL:
    # Tasks go through a queue in files that `make run`'s worker reads, as they would go through
    # Redis in production: progress bars, retries and scheduled jobs behave the same.
    # CELERY_EAGER=true runs them in-process instead (e.g. runserver alone, without the worker).
    CELERY_QUEUE_DIR = Path(env_str("CELERY_QUEUE_DIR", str(BASE_DIR / ".celery")))
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_EAGER", False)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_QUEUE_DIR / 'results'}"
    CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_QUEUE_DIR / "beat-schedule")
    for _folder in ("queue", "processed", "results"):
        (CELERY_QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)
