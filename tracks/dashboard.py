"""The tracks panels on the start page, each only for the roles it concerns:
allocations awaiting my party's approval (approvers), assessments to write (knowledge partners),
tracks awaiting qualification (APS members and the secretariat). Bounded: a count and a few rows
per panel, and for a DGO coordinator no query at all."""

from partners.models import User
from partners.permissions import roles_of

from . import permissions as perms
from . import selectors

SHOWN = 6


def panels(user: User) -> list[dict]:
    if not user.is_authenticated:
        return []
    roles = roles_of(user)
    cards = []
    if roles.approver:
        pending = selectors.allocations_awaiting(user=user)
        cards.append(
            {
                "kind": "allocations",
                "rows": list(pending[:SHOWN]),
                "count": pending.count(),
            }
        )
    if roles.knowledge_partner and perms.is_knowledge_partner(user):
        tracks = selectors.assessments_to_write(user=user)
        cards.append({"kind": "assessments", "rows": list(tracks[:SHOWN]), "count": tracks.count()})
    # APS members sit centrally for KL, the regions and Realdania (§8.4); DGO coordinators are
    # the DGOs' staff and follow their proposals on the track list. So the APS seat is looked
    # up only for people without a coordinator role, which keeps their start page within
    # its query budget.
    if roles.secretariat or (not roles.coordinator and perms.is_qualifier(user)):
        tracks = selectors.tracks_awaiting_qualification(user=user)
        cards.append(
            {"kind": "qualification", "rows": list(tracks[:SHOWN]), "count": tracks.count()}
        )
    if not cards:
        return []
    return [{"template": "tracks/dashboard_panel.html", "cards": cards}]
