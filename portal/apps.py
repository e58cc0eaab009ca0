from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Pages that read several apps: dashboard, search, open pages, audit, notifications."""

    name = "portal"
    verbose_name = "Klimaalliancen portal"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import SessionRefreshMiddleware

        user_logged_in.connect(SessionRefreshMiddleware.mark_fresh, dispatch_uid="session-fresh")
