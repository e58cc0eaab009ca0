"""The personal iCalendar feed (RFC 5545) of the meetings of a person's bodies."""

import datetime
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from .models import Meeting

DEFAULT_LENGTH = datetime.timedelta(hours=2)


def render_feed(*, meetings: Iterable[Meeting], base_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Klimaalliancen//Portal//DA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Klimaalliancen")
    now = timezone.now()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@klimaalliancen")
        event.add("dtstamp", now)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH)
        event.add("summary", f"{meeting.body.short_name}: {meeting.title}")
        url = base_url + meeting.get_absolute_url()
        event.add("url", url)
        if meeting.location:
            event.add("location", meeting.location)
        description = [url]
        if meeting.video_url:
            description.insert(0, meeting.video_url)
        event.add("description", "\n".join(description))
        event.add("status", "CONFIRMED" if meeting.is_published else "TENTATIVE")
        calendar.add_component(event)
    return calendar.to_ical()
