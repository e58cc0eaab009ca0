from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    """The partnership's bodies (FU, PUG, APS, DGO steering groups), meetings and decisions."""

    name = "governance"
    verbose_name = _("Governance")
