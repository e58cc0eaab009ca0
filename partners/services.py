"""Writes to the partners app. Views, admin, API and commands call these, never the ORM."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from klimaalliancen.portal_apps import portal_modules

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
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    for assignment in RoleAssignment.objects.active().filter(user=user):
        role_revoke(assignment=assignment, by=by, reason=reason or _("Deactivated"))
    transaction.on_commit(lambda: sessions_end(user=user))
    return user


@transaction.atomic
def user_reactivate(*, user: User, by: User | None) -> User:
    if user.anonymised_at:
        raise ValidationError(_("An anonymised person cannot be reactivated."))
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    return user


@transaction.atomic
def user_anonymise(*, user: User, by: User | None) -> User:
    """Erase a person who has left (GDPR), keeping what they did: votes, decisions and authored
    records still point at the same, now nameless, user. Their audit entries lose the personal
    values too; who-did-what stays as the user id."""
    from auditlog.models import LogEntry

    if user.is_active:
        raise ValidationError(_("Deactivate the person before anonymising them."))
    if user.anonymised_at:
        return user
    label = f"anonymised-{user.pk}"
    user.username = label
    user.first_name = user.last_name = user.email = user.title = ""
    user.municipality = None
    user.set_unusable_password()
    user.anonymised_at = timezone.now()
    user.save()
    LogEntry.objects.get_for_object(user).update(object_repr=label, changes=None, changes_text="")
    for _app, module in portal_modules("privacy"):
        anonymise = getattr(module, "anonymise", None)
        if anonymise is not None:
            anonymise(user)
    return user


def users_anonymise_expired(*, now=None) -> int:
    """Anonymise everyone deactivated longer ago than the retention period (a daily job)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    expired = User.objects.filter(
        is_active=False, anonymised_at__isnull=True, deactivated_at__lt=cutoff
    )
    count = 0
    for user in expired:
        user_anonymise(user=user, by=None)
        count += 1
    return count


def personal_data(*, user: User) -> dict:
    """Everything the portal holds about a person, for a GDPR access request."""
    data: dict = {}
    for _app, module in portal_modules("privacy"):
        data.update(module.personal_data(user))
    return data
