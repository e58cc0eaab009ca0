"""The tracks panels on the start page, each only for the roles it concerns:
allocations awaiting my party's approval (approvers), assessments to write (knowledge partners),
tracks awaiting qualification (APS members and the secretariat). Bounded: a count and a few rows
per panel, and for a DGO coordinator no query at all."""

from django.urls import reverse
from django.utils.translation import gettext as _

from partners.models import User

from . import permissions as perms
from . import selectors

SHOWN = 6


def panels(user: User) -> list[dict]:
    if not user.is_authenticated:
        return []
    cards = []
    if perms.awaits_allocation_decisions(user):
        pending = selectors.allocations_awaiting(user=user)
        cards.append(
            {
                "kind": "allocations",
                "rows": list(pending[:SHOWN]),
                "count": pending.count(),
            }
        )
    if perms.writes_assessments(user):
        tracks = selectors.assessments_to_write(user=user)
        cards.append({"kind": "assessments", "rows": list(tracks[:SHOWN]), "count": tracks.count()})
    if perms.follows_qualification(user):
        tracks = selectors.tracks_awaiting_qualification(user=user)
        cards.append(
            {"kind": "qualification", "rows": list(tracks[:SHOWN]), "count": tracks.count()}
        )
    if not cards:
        return []
    todos = [todo(card) for card in cards]
    return [{"template": "tracks/dashboard_panel.html", "cards": cards, "todo": todos}]


def todo(card: dict) -> dict:
    """A panel card as an item of the start page's to-do list: what, how many, where to go."""
    count, rows = card["count"], card["rows"]
    if card["kind"] == "allocations":
        label, url = _("Allocations awaiting my party's approval"), reverse("allocation-approvals")
    elif card["kind"] == "assessments":
        label = _("Assessments to write")
        url = (
            reverse("assessment-write", args=[rows[0].pk])
            if count == 1
            else reverse("track-list") + "?status=in_qualification"
        )
    else:
        label, url = _("Tracks awaiting qualification"), reverse("track-list") + "?status=submitted"
    return {"key": card["kind"], "label": label, "count": count, "url": url}
