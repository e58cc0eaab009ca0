from django.contrib import admin

from .models import DataDelivery, DataRequest


class DataDeliveryInline(admin.TabularInline):
    model = DataDelivery
    extra = 0
    fields = ("delivered_at", "delivered_by", "licence", "delete_by", "row_count", "sha256")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    """Requests are decided by APS and delivered through their pages (and the services):
    shown for support, never changed here, so a delivery always matches its decision."""

    list_display = ("organisation", "dataset", "received_on", "status")
    list_filter = ("dataset", "status")
    search_fields = ("organisation", "contact_name")
    inlines = [DataDeliveryInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
