from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracksConfig(AppConfig):
    """Development tracks (klimaudviklingsspor) and the budget that funds them."""

    name = "tracks"
    verbose_name = _("Development tracks and budget")
