from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Annual monitoring of the municipalities' climate plans and the yearly status report."""

    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # Registers the Celery tasks in this process too: services enqueue them by name.
        from . import tasks  # noqa: F401
        from .models import (
            Action,
            ChecklistAnswer,
            ChecklistRequirement,
            DataRelease,
            EmissionFigure,
            Indicator,
            IndicatorTarget,
            IndicatorValue,
            ReportEdition,
            Round,
            Sector,
            StatusReport,
            StatusReportPublication,
        )

        for model in (
            Round,
            Sector,
            ChecklistRequirement,
            ChecklistAnswer,
            Action,
            DataRelease,
            EmissionFigure,
            Indicator,
            IndicatorValue,
            IndicatorTarget,
        ):
            auditlog.register(model)
        # The version counter changes on every save; the diff shows what the version guards.
        auditlog.register(StatusReport, exclude_fields=["version", "updated_at"])
        # Who put a status report on the open pages, or took it off again.
        auditlog.register(StatusReportPublication)
        # The knowledge partners' text: every save and the publication (its history).
        auditlog.register(ReportEdition)
