from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from . import services
from .models import (
    Absence,
    AgendaChange,
    AgendaItem,
    Attendance,
    Body,
    CalendarFeed,
    Decision,
    DecisionComment,
    Meeting,
    Membership,
    Paper,
    SeatRule,
    SubstituteCall,
    Vote,
)


class SeatRuleInline(admin.TabularInline):
    model = SeatRule
    fk_name = "body"
    extra = 0
    fields = [
        "position",
        "key",
        "label",
        "seat",
        "appointed_by",
        "appointed_by_kinds",
        "per_geography",
        "must_sit_in",
        "min_count",
        "max_count",
    ]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "kind", "dgo", "meetings_per_year", "minutes_approval"]
    list_filter = ["kind", "dgo"]
    search_fields = ["name", "short_name", "code"]
    list_select_related = ["dgo"]
    inlines = [SeatRuleInline]


class MembershipAdminForm(forms.ModelForm):
    """A new seat is checked as the seat form checks it (composition rules included) while the
    admin can still show the errors on the form; save_model repeats it under the lock."""

    class Meta:
        model = Membership
        fields = [
            "person",
            "body",
            "seat_role",
            "substitute_for",
            "appointed_by",
            "geography",
            "capacity",
            "starts_on",
            "ends_on",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def _post_clean(self):
        if self.instance.pk is not None:
            return super()._post_clean()
        data = self.cleaned_data
        required = ("body", "person", "seat_role", "appointed_by")
        if self.errors or any(not data.get(name) for name in required):
            return super()._post_clean()
        try:
            services.membership_check_add(
                body=data["body"],
                person=data["person"],
                seat_role=data["seat_role"],
                appointed_by=data["appointed_by"],
                geography=data.get("geography"),
                substitute_for=data.get("substitute_for"),
                capacity=data.get("capacity") or "",
                starts_on=data.get("starts_on"),
                ends_on=data.get("ends_on"),
                by=self.request.user if self.request else None,
                check_rules=True,
            )
        except ValidationError as error:
            self._update_errors(error)
        except PermissionDenied as denied:
            self.add_error(None, str(denied))
        else:
            # Fits: the model form builds the instance that save_model hands to the service.
            super()._post_clean()
        return None


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Seats are added and ended through the services, so the body permissions follow; a new
    seat is under the composition rules, as on the body page."""

    form = MembershipAdminForm

    list_display = [
        "person",
        "body",
        "seat_role",
        "appointed_by",
        "geography",
        "starts_on",
        "ends_on",
    ]
    list_filter = ["body", "seat_role", "appointed_by"]
    search_fields = ["person__username", "person__first_name", "person__last_name", "body__code"]
    list_select_related = ["person", "body", "appointed_by", "geography"]
    autocomplete_fields = ["person", "substitute_for"]
    readonly_fields = ["created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # Once seated, only the end date may change: history is kept, not rewritten.
        return [
            *self.readonly_fields,
            "person",
            "body",
            "seat_role",
            "substitute_for",
            "appointed_by",
            "geography",
            "capacity",
            "starts_on",
        ]

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.membership_add(
                body=obj.body,
                person=obj.person,
                seat_role=obj.seat_role,
                appointed_by=obj.appointed_by,
                geography=obj.geography,
                substitute_for=obj.substitute_for,
                capacity=obj.capacity,
                starts_on=obj.starts_on,
                ends_on=obj.ends_on,
                by=request.user,
                check_rules=True,
            )
            obj.pk = created.pk
        elif "ends_on" in form.changed_data and obj.ends_on:
            services.membership_end(membership=obj, by=request.user, ends_on=obj.ends_on)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class WithRequest(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return WithRequest

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AgendaChangeInline(ReadOnlyInline):
    """Written with the agenda change on the meeting page (services.agenda_item_*)."""

    model = AgendaChange
    fields = ["note", "changed_by", "changed_at"]
    readonly_fields = fields


class AttendanceInline(ReadOnlyInline):
    """Recorded on the meeting page (services.attendance_record), which keeps the absences."""

    model = Attendance
    fk_name = "meeting"
    fields = ["membership", "status", "substitute", "recorded_by", "recorded_at"]
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "starts_at", "status"]
    list_filter = ["status", "body"]
    search_fields = ["title", "body__name"]
    list_select_related = ["body"]
    date_hierarchy = "starts_at"
    inlines = [AgendaItemInline, AgendaChangeInline, AttendanceInline]
    readonly_fields = ["status", "agenda_published_at", "minutes_approved_at", "created_by"]


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    """Papers are uploaded on the meeting page, where their type and size are checked."""

    list_display = ["original_name", "agenda_item", "content_type", "size", "uploaded_at"]
    search_fields = ["original_name", "agenda_item__title"]
    list_select_related = ["agenda_item"]
    readonly_fields = [
        "agenda_item",
        "file",
        "original_name",
        "size",
        "content_type",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


class VoteInline(ReadOnlyInline):
    model = Vote
    fk_name = "decision"
    fields = ["seat", "cast_through", "cast_by", "choice", "cast_at", "recorded_by", "meeting"]
    readonly_fields = fields


class SubstituteCallInline(ReadOnlyInline):
    model = SubstituteCall
    fields = ["substitute", "for_member", "reason", "called_by", "called_at"]
    readonly_fields = fields


class AbsenceInline(ReadOnlyInline):
    model = Absence
    fk_name = "decision"
    fields = ["membership", "recorded_by", "recorded_at"]
    readonly_fields = fields


class CommentInline(ReadOnlyInline):
    model = DecisionComment
    fields = ["author", "text", "created_at"]
    readonly_fields = fields


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """Read-only: decisions are opened, voted and closed on their pages, through the services,
    and a closed decision is never changed (a correction is a new decision)."""

    list_display = ["title", "body", "mode", "status", "deadline", "opened_at", "closed_at"]
    list_filter = ["status", "mode", "body"]
    search_fields = ["title", "text"]
    list_select_related = ["body"]
    inlines = [VoteInline, AbsenceInline, SubstituteCallInline, CommentInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SeatRule)
class SeatRuleAdmin(admin.ModelAdmin):
    list_display = ["body", "label", "seat", "min_count", "max_count", "per_geography"]
    list_filter = ["body", "seat"]
    search_fields = ["label", "key"]
    list_select_related = ["body"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Who has a calendar feed; the secret itself is never shown (revoke from the profile)."""

    list_display = ["user", "created_at"]
    search_fields = ["user__username", "user__email"]
    fields = ["user", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False
