"""The Celery app: broker and result backend from REDIS_URL (see settings.base)."""

from celery import Celery

app = Celery("klimaalliancen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
