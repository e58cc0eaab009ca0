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
    """End a role; history is kept (the assignment gets an end date, it is not deleted)."""
    ends_on = ends_on or timezone.localdate()
    assignment.ends_on = max(ends_on, assignment.starts_on)
    assignment.reason = (assignment.reason + "\n" if assignment.reason else "") + reason
    assignment.save(update_fields=["ends_on", "reason"])
    if assignment.role == Role.DGO_COORDINATOR:
        still_coordinating = (
            RoleAssignment.objects.filter(
                user=assignment.user, role=Role.DGO_COORDINATOR, dgo=assignment.dgo
            )
            .exclude(pk=assignment.pk)
            .exclude(ends_on__lt=timezone.localdate())
            .exists()
        )
        if not still_coordinating:
            remove_perm("partners.coordinate_dgo", assignment.user, assignment.dgo)
    forget_roles(assignment.user)
    return assignment
