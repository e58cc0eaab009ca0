from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared infrastructure that knows no domain: outbox e-mail and notifications, exports,
    uploads, bulk audit, plugin discovery, search protocol, layout template tags."""

    name = "core"
    verbose_name = "Klimaalliancen"
