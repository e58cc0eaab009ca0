from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    """The annual project plan, the communication plan and the risk register (§8.6, §9)."""

    name = "planning"
    verbose_name = _("Plans and risks")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from governance.services import register_decision_outcome_handler

        from . import models, services

        # A plan is approved only here: when FU closes a decision whose subject is the plan.
        register_decision_outcome_handler("planning.plan", services.on_fu_decision_closed)
        for model in (models.Plan, models.PlanComment, models.Risk, models.RiskReview):
            auditlog.register(model)
        # What an activity concerns and whom a communication names are history too.
        auditlog.register(models.Activity, m2m_fields={"tracks", "dgos"})
        auditlog.register(models.Communication, m2m_fields={"named_parties"})
