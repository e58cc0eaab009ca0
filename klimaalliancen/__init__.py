import os


def configure_settings_module() -> None:
    """Pick the settings module from DJANGO_ENV (development, test or production)."""
    env = os.environ.get("DJANGO_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"klimaalliancen.settings.{env}")


configure_settings_module()

from .celery import app as celery_app  # noqa: E402

__all__ = ["celery_app", "configure_settings_module"]
