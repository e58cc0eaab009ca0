"""Who may do what with the partnership's evaluations: the one place these rules live.

The evaluation concerns the whole partnership's steering (§10.1): the secretariat runs it, and
APS and FU (the two bodies that decide on its terms of reference) read it, seats of observers
included. A follow-up action's owner reports its status; the secretariat changes all of them.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_noop

from governance.models import Body
from governance.permissions import body_access
from partners.models import User
from partners.permissions import roles_of

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


def sits_in_aps_or_fu(user: User | AnonymousUser) -> bool:
    """A seat in APS or FU today (one query per request, after governance's own)."""
    if not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_evaluation_reader", None)
    if cached is None:
        seats = body_access(user).seat_body_ids
        cached = bool(seats) and Body.objects.filter(pk__in=seats, code__in=READING_BODIES).exists()
        user._evaluation_reader = cached
    return cached


def can_view_evaluations(user: User | AnonymousUser) -> bool:
    return roles_of(user).secretariat or sits_in_aps_or_fu(user)


def can_manage_evaluations(user: User | AnonymousUser) -> bool:
    return roles_of(user).secretariat


def can_edit_terms(user: User | AnonymousUser, evaluation: Evaluation) -> bool:
    return can_manage_evaluations(user) and evaluation.is_editable


def can_update_action(user: User | AnonymousUser, action: FollowUpAction) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return roles_of(user).secretariat or (action.owner_id == user.pk and can_view_evaluations(user))
