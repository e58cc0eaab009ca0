"""Who may do what with plans and risks: the one place these rules live.

- The plans and the risk register are read by those who take part in the partnership's work:
  the secretariat, the knowledge partners, the DGO coordinators and everyone with a seat in a
  body (FU, PUG, APS and the DGO groups). Others (e.g. an administrator without a seat) are
  refused.
- The secretariat drafts the plans (§8.6), records communications (§9) and keeps the risk
  register; the knowledge partners comment on a plan until FU has approved it.
- APS reviews the risks at its meetings (§8.6 "risikohåndtering"): the secretariat or one of
  APS's members (a voting seat; observers and substitutes do not) records the review.
- FU approves a plan by a decision (governance applies the unanimity rule); an approved plan is
  locked, and only its activities' statuses change: by the secretariat or the activity's owner.
"""

from collections.abc import Set as AbstractSet

from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_noop

from governance.permissions import seat_body_codes, voting_seat_body_codes
from partners.models import User
from partners.permissions import Roles, roles_of

from .models import Activity, Plan

READERS_ONLY = gettext_noop(
    "The plans and the risk register are for the secretariat, the knowledge partners, "
    "the DGO coordinators and the members of the partnership's bodies."
)
SECRETARIAT_ONLY = gettext_noop("Only the secretariat drafts plans and keeps the risk register.")
COMMENTERS_ONLY = gettext_noop("The knowledge partners and the secretariat comment on plans.")
REVIEW_REFUSED = gettext_noop(
    "Only APS's members and the secretariat record APS's review of a risk."
)
STATUS_REFUSED = gettext_noop("Only the secretariat and the activity's owner update its status.")
# Said by a page before it offers its form and by the service that checks again.
STATUS_ON_APPROVED_ONLY = gettext_noop("Statuses are reported on a plan FU has approved.")
PLAN_LOCKED = gettext_noop(
    "The plan is locked: it is with FU or approved. Only activity statuses change."
)
COMMUNICATION_PLAN_ONLY = gettext_noop("Communications are recorded under a communication plan.")


def can_view_planning(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return reads_planning(roles_of(user), SimpleLazyObject(lambda: seat_body_codes(user)))


def reads_planning(roles: Roles, body_codes: AbstractSet[str]) -> bool:
    """The rule on roles and the codes of the bodies someone sits in (the main menu passes
    them lazily: the roles are asked first, so the seats are read only when they decide)."""
    return roles.secretariat or roles.knowledge_partner or roles.coordinator or bool(body_codes)


def can_draft(user: User | AnonymousUser) -> bool:
    """Create plans and activities, record communications, keep the risk register."""
    return roles_of(user).secretariat


def can_edit_plan(user: User | AnonymousUser, plan: Plan) -> bool:
    return can_draft(user) and not plan.is_locked


def can_review_risk(user: User | AnonymousUser) -> bool:
    """Record APS's review of a risk at one of its meetings."""
    if not user.is_authenticated or not user.is_active:
        return False
    return roles_of(user).secretariat or "aps" in voting_seat_body_codes(user)


def can_comment(user: User | AnonymousUser, plan: Plan) -> bool:
    roles = roles_of(user)
    return (roles.secretariat or roles.knowledge_partner) and plan.status != Plan.Status.APPROVED


def can_update_status(user: User | AnonymousUser, activity: Activity) -> bool:
    if not user.is_authenticated:
        return False
    return roles_of(user).secretariat or activity.owner_person_id == user.pk
