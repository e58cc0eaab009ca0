"""The admin for tracks and the budget. Track states, assessments, allocations and spending
change only through the services (the portal's pages): here they are read-only, so no rule
(FU's approval, the pool's size, a published assessment) can be bypassed by editing a field."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Allocation,
    BudgetChange,
    BudgetLine,
    ClimateAssessment,
    Contribution,
    Evaluation,
    ExternalFunding,
    FocusArea,
    FundingRequest,
    HourlyRate,
    KnowledgeProduct,
    LiquidPool,
    PrincipleJudgement,
    Spending,
    StatusUpdate,
    Track,
    TrackContact,
    TrackParticipant,
    TrackTransition,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TransitionInline(admin.TabularInline):
    model = TrackTransition
    extra = 0
    fields = ["at", "from_status", "to_status", "what_happened", "by", "reason", "decision"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("what happened"))
    def what_happened(self, transition: TrackTransition) -> str:
        return transition.description


class ReadOnlyTrackInline(admin.TabularInline):
    """What a track consists of, shown with it; changed only through the track's services."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ParticipantInline(ReadOnlyTrackInline):
    model = TrackParticipant


class ContactInline(ReadOnlyTrackInline):
    model = TrackContact


class FundingRequestInline(ReadOnlyTrackInline):
    model = FundingRequest


class ExternalFundingInline(ReadOnlyTrackInline):
    model = ExternalFunding


class EvaluationInline(ReadOnlyTrackInline):
    model = Evaluation


@admin.register(Track)
class TrackAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "focus_area", "proposed_by", "submitted_at", "updated_at"]
    list_filter = ["status", "focus_area", "dgos"]
    search_fields = ["title", "problem", "ambition"]
    list_select_related = ["focus_area", "proposed_by"]
    inlines = [
        ParticipantInline,
        ContactInline,
        FundingRequestInline,
        ExternalFundingInline,
        EvaluationInline,
        TransitionInline,
    ]


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["name_da", "name_en", "year", "position", "status"]
    list_filter = ["year", "status"]
    # Adoption is PUG's decision (tracks.services.focus_area_put_to_pug), never an edit.
    readonly_fields = ["status", "adopted_by_decision"]
    search_fields = ["name_da", "name_en"]

    def save_model(self, request, obj, form, change):
        # Through the service: only the secretariat or PUG's chair records focus areas.
        services.focus_area_save(
            by=request.user,
            focus_area=obj if change else None,
            **{name: form.cleaned_data[name] for name in services.FOCUS_AREA_FIELDS},
        )


@admin.register(ClimateAssessment)
class ClimateAssessmentAdmin(ReadOnlyAdmin):
    """Read-only, drafts included: the knowledge partners write assessments in the portal, and a
    published version never changes (§8.7: their assessments are independent)."""

    list_display = ["track", "version", "organisation", "conclusion", "published_at"]
    list_filter = ["organisation", "conclusion"]
    search_fields = ["track__title", "text"]
    list_select_related = ["track", "organisation"]


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ReadOnlyAdmin):
    list_display = ["track", "date", "author"]
    search_fields = ["track__title", "progress"]
    list_select_related = ["track", "author"]


@admin.register(KnowledgeProduct)
class KnowledgeProductAdmin(ReadOnlyAdmin):
    list_display = ["title", "track", "kind", "published_at"]
    list_filter = ["kind"]
    search_fields = ["title", "track__title"]
    list_select_related = ["track"]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["name", "contributor", "kind", "amount", "year_from", "year_to", "earmark"]
    list_filter = ["contributor", "kind"]
    search_fields = ["name", "key", "earmark"]
    list_select_related = ["contributor"]
    readonly_fields = ["key", "amount"]  # the agreement's amounts, restored by the loader

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LiquidPool)
class LiquidPoolAdmin(admin.ModelAdmin):
    list_display = ["name", "size", "year_from", "year_to"]
    search_fields = ["name", "key"]
    readonly_fields = ["key", "contribution", "size"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["track", "pool", "year", "amount", "status", "decided_by", "decided_at"]
    list_filter = ["status", "pool", "year"]
    search_fields = ["track__title", "purpose"]
    list_select_related = ["track", "pool", "decided_by"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ["purpose", "contribution", "year", "amount"]
    list_filter = ["year", "contribution__contributor"]
    search_fields = ["purpose", "key"]
    list_select_related = ["contribution"]


@admin.register(BudgetChange)
class BudgetChangeAdmin(ReadOnlyAdmin):
    list_display = ["from_line", "line", "amount", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["reason"]
    list_select_related = ["from_line", "line", "decided_by"]


@admin.register(Spending)
class SpendingAdmin(ReadOnlyAdmin):
    list_display = ["date", "description", "amount", "budget_line", "track", "document_reference"]
    list_filter = ["budget_line__year", "budget_line__contribution__contributor"]
    search_fields = ["description", "document_reference", "track__title"]
    list_select_related = ["budget_line", "track"]


@admin.register(PrincipleJudgement)
class PrincipleJudgementAdmin(ReadOnlyAdmin):
    """Read-only: APS records its judgements on the track's page (tracks.services)."""

    list_display = ["track", "round", "principle", "met", "judged_by", "judged_at"]
    list_filter = ["principle", "met"]


@admin.register(HourlyRate)
class HourlyRateAdmin(ReadOnlyAdmin):
    """Rates change on /budget/hourly-rates/ (tracks.services.hourly_rate_set, which keeps a
    rate fixed once hours are booked at it); the admin shows them for support."""

    list_display = ("party", "year", "rate", "set_by", "set_at")
    list_filter = ("year",)
