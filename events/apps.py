from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Events: workshops, conferences and network meetings, with registration (§5.4, §8.5-8.6)."""

    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from governance.calendar import register_calendar_source

        from . import feed, models

        register_calendar_source(feed.calendar_entries)
        for model in (models.Event, models.Registration, models.Material):
            auditlog.register(model)
