from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared infrastructure that knows no domain: outbox e-mail and notifications, exports,
    uploads, bulk audit, plugin discovery, search protocol, layout template tags."""

    name = "core"
    verbose_name = "Klimaalliancen"

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import pre_save

        from core.text import clean_names_in_bulk_writes, clean_names_on_save

        pre_save.connect(clean_names_on_save, dispatch_uid="core.clean_names_on_save")
        for model in apps.get_models():
            clean_names_in_bulk_writes(model)

        from auditlog.registry import auditlog

        from . import beat  # noqa: F401  (registers the reminder and digest tasks)
        from .models import NotificationPreference, NotificationSettings

        auditlog.register(NotificationPreference)
        auditlog.register(NotificationSettings)
