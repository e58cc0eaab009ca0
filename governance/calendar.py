"""The personal iCalendar feed (RFC 5545) of the meetings of a person's bodies.

Every event's UID carries the portal's host (PORTAL_BASE_URL), so two portals' meetings never
collide in one calendar, and stays the same for the meeting's life. SEQUENCE counts the
meeting's changes and LAST-MODIFIED says when the last one was made (both from the audit
trail, see selectors.with_changes): a calendar program replaces the event it has when either
grows. REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL (Outlook, Google) ask it to fetch the
feed again every hour.

Higher apps add their own entries (an event a person registered for) through
`register_calendar_source`, called from their AppConfig.ready(): governance imports none of them.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vDuration

from .models import Meeting

DEFAULT_LENGTH = datetime.timedelta(hours=2)
REFRESH = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class CalendarEntry:
    """One event of another app in the feed. `uid_key` is unique within the portal (e.g.
    "event-12"); `path` is the portal page of the event."""

    uid_key: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    summary: str
    path: str
    location: str = ""
    link: str = ""
    confirmed: bool = True
    last_changed: datetime.datetime | None = None


CalendarSource = Callable[..., Iterable[CalendarEntry]]
_SOURCES: list[CalendarSource] = []


def register_calendar_source(source: CalendarSource) -> None:
    """`source(user=...)` returns the person's entries of another app (at most a fixed number
    of queries, whatever their count)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def unregister_calendar_source(source: CalendarSource) -> None:
    if source in _SOURCES:
        _SOURCES.remove(source)


def registered_entries(*, user) -> list[CalendarEntry]:
    return [entry for source in _SOURCES for entry in source(user=user)]


def portal_host(base_url: str | None = None) -> str:
    """The host part of the portal's address (no port): the domain of every event's UID."""
    return urlsplit(base_url or settings.PORTAL_BASE_URL).hostname or "localhost"


def meeting_uid(meeting: Meeting, *, host: str) -> str:
    return f"meeting-{meeting.pk}@{host}"


def webcal_url(url: str) -> str:
    """The subscribe link of a feed: calendar programs open webcal:// addresses as a
    subscription (they fetch it over http(s) and keep it up to date)."""
    return "webcal://" + url.split("://", 1)[-1]


def render_feed(
    *, meetings: Iterable[Meeting], base_url: str, entries: Iterable[CalendarEntry] = ()
) -> bytes:
    """`meetings` as from selectors.calendar_meetings (annotated with their changes);
    `entries` from the other apps' sources (registered_entries)."""
    host = portal_host(base_url)
    calendar = Calendar()
    calendar.add("prodid", "-//Klimaalliancen//Portal//DA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Klimaalliancen")
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    now = timezone.now()
    for meeting in meetings:
        event = Event()
        last_changed = getattr(meeting, "last_changed", None)
        event.add("uid", meeting_uid(meeting, host=host))
        # DTSTAMP: when this event's information was last revised (RFC 5545, 3.8.7.2).
        event.add("dtstamp", last_changed or now)
        if last_changed:
            event.add("last-modified", last_changed)
        event.add("sequence", getattr(meeting, "changes", None) or 0)
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
    for entry in entries:
        calendar.add_component(_entry_event(entry, host=host, base_url=base_url, now=now))
    return calendar.to_ical()


def _entry_event(entry: CalendarEntry, *, host: str, base_url: str, now) -> Event:
    event = Event()
    event.add("uid", f"{entry.uid_key}@{host}")
    event.add("dtstamp", entry.last_changed or now)
    event.add("dtstart", entry.starts_at)
    event.add("dtend", entry.ends_at)
    event.add("summary", entry.summary)
    url = base_url + entry.path
    event.add("url", url)
    if entry.location:
        event.add("location", entry.location)
    event.add("description", "\n".join(filter(None, (entry.link, url))))
    event.add("status", "CONFIRMED" if entry.confirmed else "TENTATIVE")
    return event
