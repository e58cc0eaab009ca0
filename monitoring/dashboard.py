"""The dashboard's monitoring panels: reports to fill in (coordinators), to review (secretariat),
and what is due (plan revisions, unapproved reports, missing indicator values; see due.py),
rendered with the page: fetched by htmx after it, they pushed the rest of the dashboard down
when they arrived (a layout shift of 0.46 measured by Lighthouse)."""

from monitoring.insight.due import can_see_due, due_for
from partners.models import User

from .selectors import dashboard_counts


def panels(user: User) -> list[dict]:
    result = []
    counts = dashboard_counts(user=user)
    if counts["round"] is not None and (
        counts["to_fill"] is not None or counts["to_review"] is not None
    ):
        result.append({"template": "monitoring/dashboard_panel.html", **counts})
    if can_see_due(user):
        result.append({"template": "monitoring/due_panel.html", "due": due_for(user)})
    return result
