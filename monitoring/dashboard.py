"""The dashboard's monitoring panel: reports to fill in (coordinators), to review (secretariat)."""

from partners.models import User

from .selectors import dashboard_counts


def panels(user: User) -> list[dict]:
    counts = dashboard_counts(user=user)
    if counts["round"] is None or (counts["to_fill"] is None and counts["to_review"] is None):
        return []
    return [{"template": "monitoring/dashboard_panel.html", **counts}]
