from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracksConfig(AppConfig):
    """Development tracks (klimaudviklingsspor) and the budget that funds them."""

    name = "tracks"
    verbose_name = _("Development tracks and budget")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from governance.services import register_decision_outcome_handler

        from . import models, services

        # Approval happens only here: when FU closes a decision whose subject is a track.
        register_decision_outcome_handler("tracks.track", services.on_fu_decision_closed)
        # APS's steps (long list and qualification, recommendation) likewise, by APS decisions.
        register_decision_outcome_handler("tracks.track", services.on_aps_decision_closed)
        # PUG adopts its focus areas by decisions (§8.3).
        register_decision_outcome_handler("tracks.focusarea", services.on_pug_decision_closed)
        for model in (
            models.FocusArea,
            models.Track,
            models.TrackParticipant,
            models.TrackContact,
            models.TrackTransition,
            models.ClimateAssessment,
            models.PrincipleJudgement,
            models.StatusUpdate,
            models.KnowledgeProduct,
            models.Evaluation,
            models.Contribution,
            models.HourlyRate,
            models.LiquidPool,
            models.FundingRequest,
            models.ExternalFunding,
            models.Allocation,
            models.BudgetLine,
            models.BudgetChange,
            models.Spending,
        ):
            auditlog.register(model)
