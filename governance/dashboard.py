"""The governance panel on the start page: decisions awaiting my vote, my bodies' meetings."""

import datetime

from django.utils import timezone

from partners.models import User

from . import selectors

SHOWN = 8


def panels(user: User) -> list[dict]:
    if not user.is_authenticated:
        return []
    now = timezone.localtime()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
    awaiting = selectors.decisions_awaiting_vote(user=user)
    meetings = selectors.meetings_of_my_bodies(user=user, start=month_start, end=next_month)
    # Four bounded queries: two counts and the first few rows of each.
    return [
        {
            "template": "governance/dashboard_panel.html",
            "awaiting": list(awaiting[:SHOWN]),
            "awaiting_count": awaiting.count(),
            "meetings": list(meetings[:SHOWN]),
            "meeting_count": meetings.count(),
            "month": month_start,
        }
    ]
