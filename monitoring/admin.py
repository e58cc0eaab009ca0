from django.contrib import admin

from .models import (
    Action,
    ChecklistAnswer,
    ChecklistRequirement,
    DataRelease,
    DigestPreference,
    EmissionFigure,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    ReportEdition,
    Round,
    Sector,
    StatusReport,
    StatusReportDocument,
    StatusReportPublication,
)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["key", "name_da", "parent", "group", "may_be_negative", "position", "is_active"]
    list_filter = ["group", "parent", "may_be_negative", "is_active"]
    search_fields = ["key", "name_da", "name_en"]
    list_editable = ["position", "is_active"]


@admin.register(ChecklistRequirement)
class ChecklistRequirementAdmin(admin.ModelAdmin):
    list_display = ["key", "name_da", "name_en", "position", "is_active"]
    search_fields = ["key", "name_da", "name_en"]
    list_editable = ["position", "is_active"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    """Read-only here: rounds are opened and closed in the portal, through the services."""

    list_display = ["year", "emissions_year", "opens_on", "deadline", "status", "closed_at"]
    list_filter = ["status"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ChecklistInline(ReadOnlyInline):
    model = ChecklistAnswer
    fields = ["requirement", "met", "note"]


class ActionInline(ReadOnlyInline):
    model = Action
    fields = ["name", "sector", "status", "note"]


@admin.register(StatusReport)
class StatusReportAdmin(admin.ModelAdmin):
    """For looking things up. Reports change only through the portal's workflow (services),
    where permissions, the round's state and optimistic locking are enforced."""

    list_display = ["municipality", "round", "state", "plan_status", "updated_at", "updated_by"]
    list_filter = ["round", "state", "plan_status", "municipality__dgo"]
    search_fields = ["municipality__name", "municipality__code"]
    list_select_related = ["municipality", "round", "updated_by"]
    inlines = [ChecklistInline, ActionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EmissionFigure)
class EmissionFigureAdmin(admin.ModelAdmin):
    list_display = ["municipality", "year", "sector", "tonnes_co2e", "data_release", "entered_at"]
    list_filter = ["year", "data_release", "sector", "municipality__dgo"]
    search_fields = ["municipality__name", "municipality__code"]
    list_select_related = ["municipality", "sector"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StatusReportDocument)
class StatusReportDocumentAdmin(admin.ModelAdmin):
    """Rendered status reports: written by the report task, only looked at here."""

    list_display = [
        "round",
        "language",
        "status",
        "progress",
        "page_count",
        "requested_by",
        "requested_at",
        "finished_at",
    ]
    list_filter = ["status", "language", "round"]
    list_select_related = ["round", "requested_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """The catalogue is edited on its pages (insight.indicators.indicator_save); here too."""

    list_display = ["key", "name_da", "group", "unit_da", "direction", "is_active"]
    list_filter = ["group", "direction", "is_active"]
    search_fields = ["key", "name_da", "name_en"]


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Values are entered with the status report or imported, where they are validated."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IndicatorValue)
class IndicatorValueAdmin(_ReadOnlyAdmin):
    list_display = ["indicator", "municipality", "year", "value", "data_release", "entered_at"]
    list_filter = ["year", "indicator", "municipality__dgo"]
    search_fields = ["municipality__name", "municipality__code", "indicator__key"]
    list_select_related = ["indicator", "municipality"]


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(_ReadOnlyAdmin):
    list_display = ["indicator", "municipality", "year", "value"]
    list_filter = ["year", "indicator"]
    search_fields = ["municipality__name", "municipality__code"]
    list_select_related = ["indicator", "municipality"]


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "weekly_digest", "updated_at"]
    list_filter = ["weekly_digest"]
    search_fields = ["user__username", "user__email"]


@admin.register(StatusReportPublication)
class StatusReportPublicationAdmin(admin.ModelAdmin):
    """Status reports on the open pages: published and withdrawn by the secretariat at
    /aaben/rapporter/udgiv/ (through the services), only looked at here."""

    list_display = ["document", "published_at", "published_by"]
    list_select_related = ["document__round", "published_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DataRelease)
class DataReleaseAdmin(_ReadOnlyAdmin):
    """Read-only: a release is written by the national accounts import, never edited."""

    list_display = ["name", "source", "imported_at", "imported_by"]
    search_fields = ["name", "source"]


@admin.register(ReportEdition)
class ReportEditionAdmin(_ReadOnlyAdmin):
    """Read-only: the knowledge partners write and publish the text in the portal."""

    list_display = ["round", "state", "organisation", "updated_at", "updated_by", "published_at"]
    list_filter = ["state"]
    list_select_related = ["round", "organisation", "updated_by"]
