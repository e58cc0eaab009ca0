"""The person's events in their personal calendar feed (governance.calendar's hook)."""

from django.db.models import F

from core.links import web_url
from governance.calendar import CalendarEntry
from partners.models import User

from .models import Registration
from .selectors import calendar_events


def calendar_entries(*, user: User) -> list[CalendarEntry]:
    """The events the person is registered for (confirmed) or waits for (tentative): one query."""
    events = calendar_events(user=user).annotate(my_status=F("registrations__status"))
    return [
        CalendarEntry(
            uid_key=f"event-{event.pk}",
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            summary=event.title,
            path=event.get_absolute_url(),
            location=event.location,
            link=web_url(event.online_url),
            confirmed=event.my_status == Registration.Status.REGISTERED
            and event.status != event.Status.CANCELLED,
        )
        for event in events
    ]
