"""The governance panel on the start page: decisions awaiting my vote, my bodies' meetings.
Both are items of the start page's to-do list, with their counts."""

import datetime

from django.db.models import Count, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import User

from . import selectors

SHOWN = 8


def panels(user: User) -> list[dict]:
    if not user.is_authenticated:
        return []
    now = timezone.localtime()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
    awaiting, awaiting_count = first_and_count(selectors.decisions_awaiting_vote(user=user))
    meetings, meeting_count = first_and_count(
        selectors.meetings_of_my_bodies(user=user, start=month_start, end=next_month)
    )
    return [
        {
            "template": "governance/dashboard_panel.html",
            "awaiting": awaiting,
            "awaiting_count": awaiting_count,
            "meetings": meetings,
            "meeting_count": meeting_count,
            "month": month_start,
            "todo": [
                {
                    "key": "votes",
                    "label": _("Decisions awaiting my vote"),
                    "count": awaiting_count,
                    "url": awaiting[0].get_absolute_url()
                    if awaiting_count == 1
                    else reverse("decision-list") + "?status=open",
                },
                {
                    "key": "meetings",
                    "label": _("My bodies' meetings this month"),
                    "count": meeting_count,
                    "url": meetings[0].get_absolute_url()
                    if meeting_count == 1
                    else reverse("body-list"),
                },
            ],
        }
    ]


def first_and_count(queryset) -> tuple[list, int]:
    """The first SHOWN rows and how many there are, in one query: the window count is taken
    over all matching rows before the LIMIT applies."""
    rows = list(queryset.annotate(total_count=Window(Count("pk")))[:SHOWN])
    return rows, rows[0].total_count if rows else 0
