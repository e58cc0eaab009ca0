from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from . import services
from .models import DGO, ApiToken, Invitation, Municipality, Organisation, RoleAssignment, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "is_party", "is_funder", "is_secretariat"]
    list_filter = ["kind", "is_party", "is_funder", "is_secretariat", "is_knowledge_partner"]
    search_fields = ["name", "short_name", "code"]


@admin.register(DGO)
class DGOAdmin(GuardedModelAdmin):
    list_display = ["name", "region_code", "region", "kkr"]
    search_fields = ["name"]
    list_select_related = ["region", "kkr"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "dgo", "population", "population_year", "dk2020_pilot"]
    list_filter = ["dgo", "dk2020_pilot"]
    search_fields = ["name", "code"]
    list_select_related = ["dgo"]
    readonly_fields = ["code", "updated_at"]


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["is_active", "is_staff", "organisation", "role_assignments__role"]
    list_select_related = ["organisation"]
    search_fields = ["username", "email", "first_name", "last_name"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("organisation", "municipality", "title")}),
    )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "dgo", "municipality", "organisation", "starts_on", "ends_on"]
    list_filter = ["role", "dgo"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    list_select_related = ["user", "dgo", "municipality", "organisation"]
    autocomplete_fields = ["user", "dgo", "municipality", "organisation"]
    readonly_fields = ["granted_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # Once granted, only the end date may change: history is kept, not rewritten.
        if obj is None:
            return self.readonly_fields
        return [
            *self.readonly_fields,
            "user",
            "role",
            "dgo",
            "municipality",
            "organisation",
            "starts_on",
        ]

    def save_model(self, request, obj, form, change):
        # Through the services, so the DGO object permission follows the role.
        if not change:
            granted = services.role_grant(
                user=obj.user,
                role=obj.role,
                by=request.user,
                reason=obj.reason,
                dgo=obj.dgo,
                municipality=obj.municipality,
                organisation=obj.organisation,
                starts_on=obj.starts_on,
            )
            obj.pk = granted.pk
        elif "ends_on" in form.changed_data and obj.ends_on:
            services.role_revoke(assignment=obj, by=request.user, ends_on=obj.ends_on)
        else:
            super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read only: invitations are sent from the portal's people pages (partners.people_views)."""

    list_display = ["email", "roles", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["accepted_at", "revoked_at"]
    search_fields = ["email", "roles"]
    list_select_related = ["user"]
    exclude = ["token_hash"]
    readonly_fields = [
        "user",
        "email",
        "roles",
        "created_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read only: a person makes and revokes their tokens on the profile page; deactivating
    the person revokes them all (partners.services)."""

    list_display = [
        "name",
        "user",
        "prefix",
        "read_only",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["read_only", "revoked_at"]
    search_fields = ["name", "prefix", "user__username", "user__email"]
    list_select_related = ["user"]
    exclude = ["token_hash"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "read_only",
        "expires_at",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
