from django.contrib import admin

from .models import Event, Material, Registration


class ReadOnlyAdmin(admin.ModelAdmin):
    """Events change through the pages (and their services): the admin shows, for support."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ("person", "status", "registered_at", "cancelled_at", "attended")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "dgo", "starts_at", "status", "capacity")
    list_filter = ("status", "kind", "dgo")
    search_fields = ("title", "location")
    date_hierarchy = "starts_at"
    inlines = [RegistrationInline]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ("event", "person", "status", "registered_at", "attended")
    list_filter = ("status",)
    search_fields = ("event__title", "person__username", "person__last_name")
    list_select_related = ("event", "person")


@admin.register(Material)
class MaterialAdmin(ReadOnlyAdmin):
    list_display = ("title", "event", "original_name", "added_at")
    search_fields = ("title", "event__title")
    list_select_related = ("event",)
