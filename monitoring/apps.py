from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Annual monitoring of the municipalities' climate plans and the yearly status report."""

    name = "monitoring"
    verbose_name = _("Monitoring")
