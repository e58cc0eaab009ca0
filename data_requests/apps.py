from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataRequestsConfig(AppConfig):
    """External data requests: decided by APS, delivered with their terms (§8.7)."""

    name = "data_requests"
    verbose_name = _("External data requests")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from governance.services import register_decision_outcome_handler

        from . import models, services

        register_decision_outcome_handler("data_requests.datarequest", services.on_decision_closed)
        auditlog.register(models.DataRequest, m2m_fields={"municipalities", "dgos"})
        auditlog.register(models.DataDelivery)
