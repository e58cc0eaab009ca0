from django.contrib import admin

from .models import Activity, Communication, Plan, PlanComment, Risk, RiskReview


class ReadOnlyAdmin(admin.ModelAdmin):
    """Plans and risks change through the pages (and their services): the admin shows, for
    support."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ("title", "owner_person", "owner_organisation", "starts_on", "ends_on", "status")
    readonly_fields = fields
    can_delete = False


class CommentInline(admin.TabularInline):
    model = PlanComment
    extra = 0
    fields = ("author", "text", "created_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "year", "status")
    list_filter = ("kind", "status")
    inlines = [ActivityInline, CommentInline]


@admin.register(Communication)
class CommunicationAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "published_on", "plan")


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = ("title", "likelihood", "impact", "owner", "review_on", "status")
    list_filter = ("status",)


@admin.register(RiskReview)
class RiskReviewAdmin(ReadOnlyAdmin):
    list_display = ("risk", "meeting", "likelihood", "impact", "reviewed_at")
