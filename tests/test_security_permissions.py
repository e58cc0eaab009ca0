"""Nobody but superusers holds a model-wide permission on the portal's models (issue 7).

Reach is given per object (django-guardian: `partners.coordinate_dgo` on a DGO,
`governance.view_body_content` / `governance.chair_body` on a body) and by dated role
assignments, never by a model-wide (global) permission that would reach every DGO or body.
Checked for every user the role fixtures, the demo and a track's life needs, for
every group, and for every place in the code that grants a permission.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from guardian.shortcuts import get_perms

from partners.models import DGO, User

from .test_security_escaping import PORTAL_APPS

ROOT = Path(__file__).resolve().parent.parent
# The object permissions the code may grant, each only ever on an object.
OBJECT_PERMISSIONS = {
    "partners.coordinate_dgo",
    "governance.view_body_content",
    "governance.chair_body",
}


def portal_permissions() -> set[str]:
    apps.get_app_config("partners")  # the registry is ready
    rows = Permission.objects.filter(content_type__app_label__in=PORTAL_APPS)
    return {
        f"{app}.{code}" for app, code in rows.values_list("content_type__app_label", "codename")
    }


def test_no_user_or_group_holds_a_model_wide_portal_permission(demo_data, db, request):
    # The demo's users and seats: approvers, APS, FU's chair and every role a track needs.
    role_users = request.getfixturevalue("role_users")  # the eight roles of the URL matrix
    portal = portal_permissions()
    assert portal >= OBJECT_PERMISSIONS

    users = User.objects.filter(is_superuser=False)
    assert users.count() >= 25
    for user in users:
        user = User.objects.get(pk=user.pk)  # no cached permissions
        model_wide = user.get_all_permissions() & portal  # ModelBackend: user and group perms
        assert not model_wide, (user.username, model_wide)
    for group in Group.objects.all():
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert not held & portal, (group.name, held & portal)

    # The object permissions exist, on objects: the coordinators reach their own DGO only.
    coordinator = role_users["coordinator_a"]
    assert get_perms(coordinator, DGO.objects.get(slug="midtjylland")) == ["coordinate_dgo"]
    assert get_perms(coordinator, DGO.objects.get(slug="hovedstaden")) == []
    assert not coordinator.has_perm("partners.coordinate_dgo")  # not model-wide


def test_the_code_grants_permissions_only_on_objects():
    """Every assign_perm call names an object (a third argument); nothing adds to a user's or
    group's model-wide permissions."""
    problems = []
    for app in PORTAL_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "assign_perm" and len(node.args) + len(node.keywords) < 3:
                    problems.append(f"{path}:{node.lineno}: assign_perm without an object")
                if name in ("add", "set") and isinstance(node.func, ast.Attribute):
                    target = node.func.value
                    owner = getattr(target, "attr", None)
                    if owner in ("user_permissions", "permissions"):
                        problems.append(f"{path}:{node.lineno}: model-wide permission granted")
    assert not problems, problems
