"""The dashboard's monitoring panels: reports to fill in (coordinators), to review (secretariat),
and what is due (plan revisions, unapproved reports, missing indicator values; see due.py)."""

from partners.models import User

from .due import due_for
from .selectors import dashboard_counts


def panels(user: User) -> list[dict]:
    result = []
    counts = dashboard_counts(user=user)
    if counts["round"] is not None and (
        counts["to_fill"] is not None or counts["to_review"] is not None
    ):
        result.append({"template": "monitoring/dashboard_panel.html", **counts})
    due = due_for(user)
    if due is not None:
        result.append({"template": "monitoring/due_panel.html", "due": due})
    return result
