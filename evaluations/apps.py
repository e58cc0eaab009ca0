from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    """The partnership's evaluation (§10): terms of reference, report, follow-up actions."""

    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from governance.services import register_decision_outcome_handler

        from . import models, services

        # APS recommends the terms of reference, FU approves them (§10.1): both by decisions.
        register_decision_outcome_handler("evaluations.evaluation", services.on_decision_closed)
        for model in (models.Evaluation, models.FollowUpAction):
            auditlog.register(model)
