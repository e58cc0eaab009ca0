"""Writes to the partners app. Views, admin, API and commands call these, never the ORM."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from .models import DGO, Municipality, Organisation, RoleAssignment, User
from .permissions import can_edit_municipality, forget_roles

Role = RoleAssignment.Role
MUNICIPALITY_EDITABLE_FIELDS = ("website", "notes")


def municipality_update(*, municipality: Municipality, by: User, **changes: str) -> Municipality:
    """Change the portal's own facts about a municipality (not the official reference data)."""
    if not can_edit_municipality(by, municipality):
        raise PermissionDenied(_("You may only edit the municipalities of your own DGO."))
    unknown = set(changes) - set(MUNICIPALITY_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(municipality, name, value)
    municipality.updated_at = timezone.now()
    municipality.full_clean()
    municipality.save(update_fields=[*changes, "updated_at"])
    return municipality


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: str,
    by: User | None,
    reason: str = "",
    dgo: DGO | None = None,
    municipality: Municipality | None = None,
    organisation: Organisation | None = None,
    starts_on: datetime.date | None = None,
) -> RoleAssignment:
    """Give a person a role; a coordinator also gets the object permission on the DGO."""
    assignment = RoleAssignment(
        user=user,
        role=role,
        dgo=dgo,
        municipality=municipality,
        organisation=organisation,
        starts_on=starts_on or timezone.localdate(),
        granted_by=by,
        reason=reason,
    )
    assignment.full_clean()
    if role == Role.DGO_COORDINATOR and dgo is None:
        raise ValidationError({"dgo": _("A DGO coordinator needs a DGO.")})
    assignment.save()
    if role == Role.DGO_COORDINATOR:
        assign_perm("partners.coordinate_dgo", user, dgo)
    forget_roles(user)
    return assignment


@transaction.atomic
def role_revoke(
    *, assignment: RoleAssignment, by: User | None, reason: str = "", ends_on=None
) -> RoleAssignment:
    """End a role from `ends_on` (default: now); history is kept, the row is not deleted."""
    ends_on = ends_on or timezone.localdate()
    assignment.ends_on = max(ends_on, assignment.starts_on)
    assignment.reason = (assignment.reason + "\n" if assignment.reason else "") + reason
    assignment.save(update_fields=["ends_on", "reason"])
    if assignment.role == Role.DGO_COORDINATOR:
        still_coordinating = (
            RoleAssignment.objects.active()
            .filter(user=assignment.user, role=Role.DGO_COORDINATOR, dgo=assignment.dgo)
            .exclude(pk=assignment.pk)
            .exists()
        )
        if not still_coordinating:
            remove_perm("partners.coordinate_dgo", assignment.user, assignment.dgo)
    forget_roles(assignment.user)
    return assignment


def sessions_end(*, user: User) -> int:
    """End every session of a user, server-side. Returns how many were ended.

    Sessions are signed blobs keyed by a random id, so finding a user's sessions means reading
    the live ones; at the portal's size (hundreds of users) that is a small scan, and it runs
    only when someone is deactivated.
    """
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


@transaction.atomic
def user_deactivate(*, user: User, by: User | None, reason: str = "") -> User:
    """Someone leaves: no more sign-in, sessions ended, roles closed; their records stay."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    for assignment in RoleAssignment.objects.active().filter(user=user):
        role_revoke(assignment=assignment, by=by, reason=reason or _("Deactivated"))
    transaction.on_commit(lambda: sessions_end(user=user))
    return user


@transaction.atomic
def user_reactivate(*, user: User, by: User | None) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user
