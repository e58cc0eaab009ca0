from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    """The partnership's organisations, DGOs, municipalities, people and their roles."""

    name = "partners"
    verbose_name = _("Partners and municipalities")

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.core import checks

        checks.register(oidc_configuration_check)

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


def oidc_configuration_check(app_configs=None, **kwargs):
    """OIDC_PROVIDERS as the README describes it: https, a secret, openid and email scopes."""
    from django.core import checks

    from .oidc import configuration_problems, configuration_warnings

    problems = configuration_problems()
    if problems:
        return [checks.Error(problem, id="partners.E001") for problem in problems]
    return [checks.Warning(warning, id="partners.W001") for warning in configuration_warnings()]
