import pytest
from django.urls import reverse

from core.models import Notification, OutboxEmail
from partners.models import DGO, Municipality, Organisation, RoleAssignment, User

CHANGELISTS = [Organisation, DGO, Municipality, User, RoleAssignment, OutboxEmail, Notification]


@pytest.mark.parametrize("model", CHANGELISTS, ids=lambda m: m.__name__)
def test_admin_changelists_and_search(model, admin_client):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "Aarhus"}).status_code == 200


def test_admin_is_for_staff_only(client_for):
    for role in ("secretariat", "coordinator_a", "observer"):
        response = client_for(role).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_granting_a_role_in_admin_goes_through_the_service(admin_client, role_users):
    person = role_users["observer"]
    midt = DGO.objects.get(slug="midtjylland")
    response = admin_client.post(
        reverse("admin:partners_roleassignment_add"),
        {
            "user": person.pk,
            "role": "dgo_coordinator",
            "dgo": midt.pk,
            "starts_on": "2026-01-01",
            "reason": "Ny koordinator",
        },
    )
    assert response.status_code == 302
    assert person.has_perm("partners.coordinate_dgo", midt)


def test_tracks_admin_is_read_only_where_rules_matter(admin_client):
    from tracks.models import Allocation, BudgetLine, ClimateAssessment, FocusArea, Track

    for model in (Track, ClimateAssessment, Allocation, BudgetLine, FocusArea):
        url = reverse(f"admin:tracks_{model._meta.model_name}_changelist")
        assert admin_client.get(url, {"q": "x"}).status_code == 200
    for model in (Track, ClimateAssessment, Allocation, BudgetLine):
        assert (
            admin_client.get(reverse(f"admin:tracks_{model._meta.model_name}_add")).status_code
            == 403
        )


def test_every_portal_model_is_in_the_admin():
    from django.apps import apps
    from django.conf import settings
    from django.contrib import admin as django_admin

    shown = set(django_admin.site._registry)
    for model_admin in django_admin.site._registry.values():
        shown |= {inline.model for inline in model_admin.inlines}
    unregistered = [
        model._meta.label
        for app in [*settings.PORTAL_APPS, "core"]
        for model in apps.get_app_config(app).get_models()
        if model not in shown
        and not model._meta.object_name.endswith(("UserObjectPermission", "GroupObjectPermission"))
    ]
    assert not unregistered, unregistered
