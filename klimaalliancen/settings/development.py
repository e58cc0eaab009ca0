"""The embedded default for `make run`: SQLite, tasks in-process, e-mail on the console."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-development-only-never-in-production")
# The demo stays one command: demo users sign in without a second factor (the login page says so).
MFA_EXEMPT_DEMO_USERS = DEBUG
# Static files straight from the source folders (no collectstatic) while developing.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
