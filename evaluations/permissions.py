"""Who may do what with the partnership's evaluations: the one place these rules live.

The evaluation concerns the whole partnership's steering (§10.1): the secretariat runs it, and
APS and FU (the two bodies that decide on its terms of reference) read it, seats of observers
included. A follow-up action's owner reports its status; the secretariat changes all of them.
"""

from collections.abc import Set as AbstractSet

from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_noop

from governance.permissions import seat_body_codes
from partners.models import User
from partners.permissions import Roles, roles_of

from .models import Evaluation, FollowUpAction

READING_BODIES = ("aps", "fu")
SECRETARIAT_ONLY = gettext_noop("Only the secretariat runs the partnership's evaluations.")
OWNER_OR_SECRETARIAT = gettext_noop(
    "Only the action's owner and the secretariat change its status."
)
# Said by the edit page before it offers its form and by services.evaluation_update.
TERMS_LOCKED = gettext_noop(
    "The terms of reference are before APS or FU, or decided: they no longer change."
)


def can_view_evaluations(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return reads_evaluations(roles_of(user), SimpleLazyObject(lambda: seat_body_codes(user)))


def reads_evaluations(roles: Roles, body_codes: AbstractSet[str]) -> bool:
    """The rule on roles and the codes of the bodies someone sits in today (the main menu
    passes them lazily: the seats are read only when the roles do not decide)."""
    return roles.secretariat or any(code in body_codes for code in READING_BODIES)


def can_manage_evaluations(user: User | AnonymousUser) -> bool:
    return roles_of(user).secretariat


def can_edit_terms(user: User | AnonymousUser, evaluation: Evaluation) -> bool:
    return can_manage_evaluations(user) and evaluation.is_editable


def can_update_action(user: User | AnonymousUser, action: FollowUpAction) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return roles_of(user).secretariat or (action.owner_id == user.pk and can_view_evaluations(user))
