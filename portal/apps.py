from django.apps import AppConfig


class KlimaalliancenConfig(AppConfig):
    """Project-wide pieces: layout, template filters, middleware, shared tasks."""

    name = "klimaalliancen"
    verbose_name = "Klimaalliancen"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import SessionRefreshMiddleware

        user_logged_in.connect(SessionRefreshMiddleware.mark_fresh, dispatch_uid="session-fresh")
