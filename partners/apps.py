from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    """The partnership's organisations, DGOs, municipalities, people and their roles."""

    name = "partners"
    verbose_name = _("Partners and municipalities")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import (
            DGO,
            ApiToken,
            Invitation,
            Municipality,
            Organisation,
            RoleAssignment,
            User,
        )

        for model in (Organisation, DGO, Municipality, RoleAssignment):
            auditlog.register(model)
        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(Invitation, exclude_fields=["token_hash"])
        # last_used_at moves with every use (a queryset update, never logged anyway).
        auditlog.register(ApiToken, exclude_fields=["token_hash", "last_used_at"])
