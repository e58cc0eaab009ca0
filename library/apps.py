from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    """The knowledge library: the partnership's knowledge products in one place (§8.7)."""

    name = "library"
    verbose_name = _("Knowledge library")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (models.Topic, models.LibraryItem):
            auditlog.register(model)
