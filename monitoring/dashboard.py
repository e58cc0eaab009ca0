"""The dashboard's monitoring panels: reports to fill in (coordinators), to review (secretariat),
and what is due (plan revisions, unapproved reports, missing indicator values; see due.py),
whose lists are fetched by htmx from the "what is due" page once the dashboard is shown.

The lazy panel sits last on the dashboard ("lazy": True) in a box of reserved height, so its
lists arriving push nothing the reader already sees (Lighthouse measured a layout shift of
0.46 when it sat between the other panels). Rendering it with the page would cost the
dashboard the due list's queries on every visit."""

from monitoring.permissions import can_see_due
from partners.models import User

from .selectors import dashboard_counts


def panels(user: User) -> list[dict]:
    result = []
    counts = dashboard_counts(user=user)
    if counts["round"] is not None and (
        counts["to_fill"] is not None or counts["to_review"] is not None
    ):
        result.append({"template": "monitoring/dashboard_panel.html", **counts})
    if can_see_due(user):  # the lists load after the page (htmx), keeping the dashboard light
        result.append({"template": "monitoring/due_panel.html", "lazy": True})
    return result
