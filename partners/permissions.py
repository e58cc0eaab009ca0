"""Who may do what with the partners app's objects: the one place these rules live.

Roles come from active RoleAssignments; a DGO coordinator's reach is the django-guardian
object permission `partners.coordinate_dgo` on the DGO, kept in step with the assignment by
partners.services.role_grant/role_revoke.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import (
    DGO,
    DGOGroupObjectPermission,
    DGOUserObjectPermission,
    Municipality,
    RoleAssignment,
    User,
)

Role = RoleAssignment.Role

# Said by the page that refuses and by the service that refuses again: one wording per rule.
MUNICIPALITY_EDIT_REFUSED = gettext_lazy("You may only edit the municipalities of your own DGO.")
ROLE_REVOKE_REFUSED = gettext_lazy("You may not revoke this role.")


@dataclass(frozen=True)
class Roles:
    secretariat: bool = False
    administrator: bool = False
    coordinated_dgo_ids: frozenset[int] = field(default_factory=frozenset)
    knowledge_partner_org_ids: frozenset[int] = field(default_factory=frozenset)
    approver_org_ids: frozenset[int] = field(default_factory=frozenset)
    contact_municipality_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def coordinator(self) -> bool:
        return bool(self.coordinated_dgo_ids)

    @property
    def knowledge_partner(self) -> bool:
        return bool(self.knowledge_partner_org_ids)

    @property
    def approver(self) -> bool:
        return bool(self.approver_org_ids)


NO_ROLES = Roles()


def roles_of(user: User | AnonymousUser) -> Roles:
    """The user's roles today, computed once per user object (i.e. once per request)."""
    if not user.is_authenticated or not user.is_active:
        return NO_ROLES
    cached = getattr(user, "_portal_roles", None)
    if cached is not None:
        return cached
    # One query for every request's role set: the object permission that grants a coordinator
    # their reach is read in the same statement (guardian's user and group permissions, as
    # get_objects_for_user(..., accept_global_perms=False) reads them), not in a second one.
    active = _role_rows(user)
    held = {role for role, *_ in active}
    # The object permission is what grants the reach; the assignment dates bound it. A
    # superuser holds every object permission (guardian's with_superuser).
    coordinator_dgos = {
        dgo
        for role, dgo, _, _, permitted in active
        if role == Role.DGO_COORDINATOR and dgo is not None and (permitted or user.is_superuser)
    }
    roles = Roles(
        secretariat=user.is_superuser or Role.SECRETARIAT in held,
        administrator=user.is_superuser or Role.ADMINISTRATOR in held,
        coordinated_dgo_ids=frozenset(coordinator_dgos),
        knowledge_partner_org_ids=frozenset(
            org for role, _, org, *_ in active if role == Role.KNOWLEDGE_PARTNER
        ),
        approver_org_ids=frozenset(
            org for role, _, org, *_ in active if role == Role.PARTY_APPROVER
        ),
        contact_municipality_ids=frozenset(
            m for role, _, _, m, _ in active if role == Role.MUNICIPAL_CONTACT
        ),
    )
    user._portal_roles = roles
    return roles


# The role set's statement, compiled once per process: it is read on every signed-in request,
# and building and compiling the queryset cost several times running it (bench/README.md).
# Compiled with stand-ins for the user and the day, which each request's values replace.
_STAND_IN_USER = -1
_STAND_IN_DAY = datetime.date(1, 1, 2)
_role_statement: tuple[str, tuple] | None = None


def _role_rows(user: User) -> list[tuple]:
    """(role, dgo_id, organisation_id, municipality_id, holds coordinate_dgo on the DGO) for
    each of the user's active assignments."""
    global _role_statement
    if _role_statement is None:
        _role_statement = (
            RoleAssignment.objects.active(on=_STAND_IN_DAY)
            .filter(user_id=_STAND_IN_USER)
            .annotate(permitted=_coordinate_permission(_STAND_IN_USER))
            .values_list("role", "dgo_id", "organisation_id", "municipality_id", "permitted")
            .query.sql_with_params()
        )
    sql, stand_in_params = _role_statement
    connection = connections[RoleAssignment.objects.db]
    params = bind_role_params(
        stand_in_params, user_id=user.pk, today=timezone.localdate(), ops=connection.ops
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def bind_role_params(stand_in_params: tuple, *, user_id: int, today: datetime.date, ops) -> list:
    """The compiled statement's parameters with the user and the day put in. A backend may
    have adapted the stand-in day already (SQLite compiles dates to ISO strings), so the day
    is matched in both forms and put in the form the backend compiled it to."""
    adapted_day = ops.adapt_datefield_value(_STAND_IN_DAY)
    params = []
    for value in stand_in_params:
        if value == _STAND_IN_USER:
            params.append(user_id)
        elif value == _STAND_IN_DAY:
            params.append(today)
        elif value == adapted_day:
            params.append(ops.adapt_datefield_value(today))
        else:
            params.append(value)
    return params


def _coordinate_permission(user_id: int) -> Q:
    """Whether the user holds partners.coordinate_dgo on the assignment's DGO, themselves or
    through one of their groups."""
    permission = Q(
        permission__codename="coordinate_dgo", permission__content_type__app_label="partners"
    )
    own = DGOUserObjectPermission.objects.filter(
        permission, user_id=user_id, content_object=OuterRef("dgo_id")
    )
    through_group = DGOGroupObjectPermission.objects.filter(
        permission, group__user__id=user_id, content_object=OuterRef("dgo_id")
    )
    return Q(Exists(own)) | Q(Exists(through_group))


def forget_roles(user: User) -> None:
    """Drop the per-request cache after a role change."""
    if hasattr(user, "_portal_roles"):
        del user._portal_roles


def is_secretariat(user: User | AnonymousUser) -> bool:
    return roles_of(user).secretariat


def can_manage_people(user: User | AnonymousUser) -> bool:
    roles = roles_of(user)
    return roles.secretariat or roles.administrator


def can_coordinate_dgo(user: User | AnonymousUser, dgo: DGO) -> bool:
    roles = roles_of(user)
    return roles.secretariat or dgo.pk in roles.coordinated_dgo_ids


def can_edit_municipality(user: User | AnonymousUser, municipality: Municipality) -> bool:
    """Secretariat everywhere; a DGO coordinator for the municipalities of their own DGO."""
    roles = roles_of(user)
    return roles.secretariat or municipality.dgo_id in roles.coordinated_dgo_ids


def editable_municipalities(user: User | AnonymousUser):
    roles = roles_of(user)
    if roles.secretariat:
        return Municipality.objects.all()
    return Municipality.objects.filter(dgo_id__in=roles.coordinated_dgo_ids)


# --- People and access -------------------------------------------------------------------


def can_view_people_of_dgo(user: User | AnonymousUser, dgo: DGO) -> bool:
    """The people page of a DGO (and of its municipalities): people managers and its
    coordinators."""
    roles = roles_of(user)
    return roles.secretariat or roles.administrator or dgo.pk in roles.coordinated_dgo_ids


def can_view_people_of_municipality(user: User | AnonymousUser, municipality: Municipality) -> bool:
    roles = roles_of(user)
    return (
        roles.secretariat or roles.administrator or municipality.dgo_id in roles.coordinated_dgo_ids
    )


def can_invite(
    user: User | AnonymousUser,
    role: str,
    *,
    dgo: DGO | None = None,
    municipality: Municipality | None = None,
    body=None,
) -> bool:
    """Who may invite (or grant) which role.

    The secretariat and administrators: every role except body seats, which the secretariat
    records (governance.permissions.can_appoint). A DGO coordinator: contact persons of their own
    DGO's municipalities and seats in their own DGO's steering groups, nothing else.
    """
    from .models import BODY_INVITE_ROLES, InviteRole

    roles = roles_of(user)
    if role in BODY_INVITE_ROLES:
        if body is None:
            return roles.secretariat or roles.coordinator
        return roles.secretariat or (
            body.dgo_id is not None and body.dgo_id in roles.coordinated_dgo_ids
        )
    if roles.secretariat or roles.administrator:
        return True
    if role == InviteRole.MUNICIPAL_CONTACT:
        if municipality is None:
            return roles.coordinator
        return municipality.dgo_id in roles.coordinated_dgo_ids
    return False


def can_revoke_role(user: User | AnonymousUser, assignment: RoleAssignment) -> bool:
    if can_manage_people(user):
        return True
    roles = roles_of(user)
    return (
        assignment.role == Role.MUNICIPAL_CONTACT
        and assignment.municipality is not None
        and assignment.municipality.dgo_id in roles.coordinated_dgo_ids
    )


def can_import_people(user: User | AnonymousUser) -> bool:
    return can_manage_people(user)


def can_deactivate_person(user: User | AnonymousUser, person: User) -> bool:
    """On the person page (people managers only): anyone but yourself."""
    return person.pk != user.pk


def can_reset_authenticators(user: User | AnonymousUser) -> bool:
    """Who removes a person's lost second factor: an administrator."""
    return roles_of(user).administrator or user.is_superuser


def can_reset_authenticator_of(user: User | AnonymousUser, person: User) -> bool:
    """The person page offers the reset to administrators, for anyone but themselves (another
    administrator resets theirs)."""
    return can_reset_authenticators(user) and person.pk != user.pk
