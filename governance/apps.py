from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    """The partnership's bodies (FU, PUG, APS, DGO steering groups), meetings and decisions."""

    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import (
            Absence,
            AgendaItem,
            Body,
            Decision,
            DecisionComment,
            Meeting,
            Membership,
            Paper,
            SeatRule,
            SubstituteCall,
            Vote,
        )

        for model in (
            Body,
            SeatRule,
            Membership,
            Meeting,
            AgendaItem,
            Paper,
            Decision,
            Vote,
            Absence,
            SubstituteCall,
            DecisionComment,
        ):
            auditlog.register(model)
