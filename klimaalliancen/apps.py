from django.apps import AppConfig


class KlimaalliancenConfig(AppConfig):
    """Project-wide pieces: layout, template filters, middleware, shared tasks."""

    name = "klimaalliancen"
    verbose_name = "Klimaalliancen"
