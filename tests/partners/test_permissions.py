import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from guardian.shortcuts import get_perms

from partners import services
from partners.models import DGO, Municipality, RoleAssignment
from partners.permissions import can_edit_municipality, editable_municipalities, roles_of
from tests.factories import UserFactory, make_user

Role = RoleAssignment.Role


@pytest.fixture
def aarhus(db):
    return Municipality.objects.get(code="751")


@pytest.fixture
def copenhagen(db):
    return Municipality.objects.get(code="101")


def test_coordinator_edits_only_own_dgo(aarhus, copenhagen):
    coordinator = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland")
    assert can_edit_municipality(coordinator, aarhus)
    assert not can_edit_municipality(coordinator, copenhagen)
    assert set(editable_municipalities(coordinator).values_list("dgo__slug", flat=True)) == {
        "midtjylland"
    }
    with pytest.raises(PermissionDenied):
        services.municipality_update(municipality=copenhagen, by=coordinator, notes="x")
    services.municipality_update(municipality=aarhus, by=coordinator, notes="Mødes månedligt")
    aarhus.refresh_from_db()
    assert aarhus.notes == "Mødes månedligt"


def test_granting_coordinator_sets_the_guardian_permission(db):
    midt = DGO.objects.get(slug="midtjylland")
    coordinator = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland")
    assert get_perms(coordinator, midt) == ["coordinate_dgo"]
    assert roles_of(coordinator).coordinated_dgo_ids == {midt.pk}


def test_revoking_takes_effect_immediately(aarhus):
    coordinator = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland")
    assignment = coordinator.role_assignments.get()
    assert can_edit_municipality(coordinator, aarhus)

    services.role_revoke(assignment=assignment, by=None, reason="Left the DGO")

    # The role ends from today: the object permission is gone at once.
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)
    assert get_perms(coordinator, aarhus.dgo) == []
    assert not can_edit_municipality(coordinator, aarhus)
    assert RoleAssignment.objects.get(pk=assignment.pk).ends_on == timezone.localdate()


def test_an_ended_role_grants_nothing_even_with_a_stale_permission(aarhus):
    coordinator = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland")
    RoleAssignment.objects.filter(user=coordinator).update(
        starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2021, 1, 1)
    )
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)
    assert not can_edit_municipality(coordinator, aarhus)


def test_secretariat_edits_everywhere(aarhus, copenhagen):
    secretariat = make_user(Role.SECRETARIAT)
    assert can_edit_municipality(secretariat, aarhus)
    assert can_edit_municipality(secretariat, copenhagen)


def test_inactive_or_plain_users_have_no_roles(aarhus):
    user = make_user(Role.SECRETARIAT)
    user.is_active = False
    assert not roles_of(user).secretariat
    assert not can_edit_municipality(UserFactory(), aarhus)


def test_nobody_but_superusers_holds_model_wide_change_permissions(db):
    make_user(Role.SECRETARIAT)
    make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland")
    from partners.models import User

    for user in User.objects.filter(is_superuser=False):
        assert not any(
            perm.startswith(("partners.change", "partners.coordinate"))
            for perm in user.get_all_permissions()
        ), user
