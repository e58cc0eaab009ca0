from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    """The partnership's organisations, DGOs, municipalities, people and their roles."""

    name = "partners"
    verbose_name = _("Partners and municipalities")
