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
            AgendaChange,
            AgendaItem,
            Attendance,
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
            AgendaChange,
            Attendance,
            Paper,
            Decision,
            Vote,
            Absence,
            SubstituteCall,
            DecisionComment,
        ):
            auditlog.register(model)

        from . import services

        services.register_decision_outcome_handler(
            "governance.Meeting", services.approve_minutes_on_adoption
        )
