from django.contrib import admin

from .models import Evaluation, FollowUpAction


class FollowUpActionInline(admin.TabularInline):
    model = FollowUpAction
    extra = 0
    fields = ("action", "owner", "due_on", "status")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    """Evaluations change through their pages (and the services, with the decisions behind
    them): shown for support."""

    list_display = ("title", "kind", "arranged_by", "status", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("title",)
    list_select_related = ("arranged_by",)
    inlines = [FollowUpActionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
