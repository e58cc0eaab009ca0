"""The tracks and budget API, with the portal's permissions.

Tracks: every signed-in user reads submitted tracks; drafts only their proposers and the
secretariat (others get 404). Transitions are actions, e.g. `POST /api/tracks/<id>/submit/`:
200 with the track; 400 with one reason per failing principle (`reasons`); 403 with the reason
when the user may not take the step; 409 when the track is not in the state the step starts from.
Allocations: `POST /api/allocations/<id>/approve/` (or `refuse/`) for the pool's party approver.
Hourly rates: `GET/POST /api/hourly-rates/` (the secretariat sets a party's rate for a year).
Spending: `GET/POST /api/spending/` is the ledger (the secretariat books; every signed-in user
reads), `POST /api/spending/<id>/reverse/` corrects an entry by a reversing one. Refusals are
400 with the same reasons as the form, and nothing is booked.
"""

from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.urls import include, path
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from core.api import IdempotencyKeyMixin
from partners.models import Organisation

from . import selectors, services
from .models import (
    Allocation,
    BudgetLine,
    ClimateAssessment,
    HourlyRate,
    Spending,
    Track,
    TrackParticipant,
    TrackTransition,
)


class ParticipantSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.code", default=None)
    region = serializers.CharField(source="region.code", default=None)
    name = serializers.CharField(source="party.name", read_only=True)

    class Meta:
        model = TrackParticipant
        fields = ["name", "municipality", "region", "is_lead"]


class TransitionSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField(
        help_text="Who took the step; null for FU's decision unless the reader may see its votes"
    )
    outcome = serializers.SerializerMethodField(
        help_text='FU\'s outcome without voters ("Afvist af FU den …"), when `by` is hidden'
    )
    from_status = serializers.CharField(read_only=True, help_text="A track status, or empty")
    to_status = serializers.CharField(read_only=True, help_text="A track status")

    event = serializers.CharField(
        read_only=True, help_text="What happened: " + ", ".join(TrackTransition.Event.values)
    )
    description = serializers.CharField(
        read_only=True, help_text="What happened, in the language chosen with the language switch"
    )
    reason = serializers.CharField(read_only=True, help_text="What the person wrote, or empty")

    class Meta:
        model = TrackTransition
        fields = [
            *("from_status", "to_status", "event", "description", "by", "at", "reason"),
            *("decision", "outcome"),
        ]

    def _hidden(self, step: TrackTransition) -> bool:
        request = self.context.get("request")
        return selectors.hides_voter(request.user if request else AnonymousUser(), step)

    def get_by(self, step: TrackTransition) -> str | None:
        if step.by_id is None or self._hidden(step):
            return None
        return step.by.get_full_name()

    def get_outcome(self, step: TrackTransition) -> str:
        if step.decision_id is None or not self._hidden(step):
            return ""
        return step.decision.outcome_summary


TRACK_STATUSES = ", ".join(Track.Status.values)


class TrackSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=f"One of: {TRACK_STATUSES}")
    focus_area = serializers.CharField(source="focus_area.name_da", default=None)
    dgos = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    participants = ParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = Track
        fields = [
            "id",
            "title",
            "status",
            "focus_area",
            "dgos",
            "participants",
            "problem",
            "ambition",
            "development_element",
            "knowledge_sharing_plan",
            "evaluation_plan",
            "submitted_at",
            "created_at",
            "updated_at",
        ]


class TrackDetailSerializer(TrackSerializer):
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(TrackSerializer.Meta):
        fields = [*TrackSerializer.Meta.fields, "transitions"]


class TrackFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Track.Status.choices)
    dgo = filters.CharFilter(field_name="dgos__slug", label="DGO slug")
    municipality = filters.CharFilter(
        field_name="participants__municipality__code", label="Participating municipality code"
    )
    focus_area = filters.NumberFilter(field_name="focus_area_id", label="Focus area id")

    class Meta:
        model = Track
        fields = ["status", "dgo", "municipality", "focus_area"]


Reason = inline_serializer("TrackRefusal", {"detail": serializers.CharField()})
Reasons = inline_serializer(
    "TrackReasons",
    {
        "detail": serializers.CharField(),
        "reasons": serializers.ListField(child=serializers.DictField()),
    },
)
ReasonRequest = inline_serializer(
    "TrackReasonRequest", {"reason": serializers.CharField(required=False)}
)
TRANSITION_RESPONSES = {
    200: TrackDetailSerializer,
    400: OpenApiResponse(Reasons, description="Invalid: one reason per failing principle"),
    403: OpenApiResponse(
        Reason, description="The user may not take this step (the reason says why)"
    ),
    404: Reason,
    409: OpenApiResponse(Reason, description="The track is not in the state the step starts from"),
}


def _error_response(error: Exception) -> Response:
    if isinstance(error, PermissionDenied):
        return Response({"detail": str(error)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(error, services.Conflict):
        return Response({"detail": error.message}, status=status.HTTP_409_CONFLICT)
    reasons = (
        [
            {"code": item.code or "invalid", "message": message}
            for item in error.error_list
            for message in item.messages
        ]
        if not hasattr(error, "error_dict")
        else [
            {"code": name, "message": message}
            for name, items in error.error_dict.items()
            for item in items
            for message in item.messages
        ]
    )
    return Response(
        {"detail": _("The request does not meet the rules."), "reasons": reasons},
        status=status.HTTP_400_BAD_REQUEST,
    )


class TrackViewSet(IdempotencyKeyMixin, viewsets.ReadOnlyModelViewSet):
    """Development tracks the user may see."""

    filterset_class = TrackFilter

    def get_serializer_class(self):
        return TrackDetailSerializer if self.action != "list" else TrackSerializer

    def get_queryset(self):
        tracks = (
            selectors.tracks_for(self.request.user)
            .select_related("focus_area")
            .prefetch_related(
                "dgos",
                Prefetch(
                    "participants",
                    queryset=TrackParticipant.objects.select_related("municipality", "region"),
                ),
            )
            .order_by("-updated_at", "-pk")
        )
        if self.action != "list":
            tracks = tracks.prefetch_related(
                Prefetch(
                    "transitions",
                    queryset=TrackTransition.objects.select_related("by", "decision__body"),
                )
            )
        return tracks.distinct() if self.request.query_params else tracks

    def _transition(self, request, service) -> Response:
        track = self.get_object()  # 404 for a track the user may not see
        reason = request.data.get("reason", "") if hasattr(request.data, "get") else ""
        try:
            service(track=track, by=request.user, reason=str(reason or ""))
        except (PermissionDenied, services.Conflict, ValidationError) as error:
            return _error_response(error)
        track = self.get_queryset().get(pk=track.pk)
        return Response(TrackDetailSerializer(track).data)

    @extend_schema(request=ReasonRequest, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft to APS's long list; 400 lists each principle that fails."""
        return self._transition(request, services.track_submit)

    @extend_schema(request=ReasonRequest, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a track before FU approves it (a reason is required)."""
        return self._transition(request, services.track_withdraw)

    @extend_schema(request=ReasonRequest, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"], url_path="start-qualification")
    def start_qualification(self, request, pk=None):
        return self._transition(request, services.track_start_qualification)

    @extend_schema(request=ReasonRequest, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def recommend(self, request, pk=None):
        return self._transition(request, services.track_recommend)

    @extend_schema(request=ReasonRequest, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._transition(request, services.track_start)

    @extend_schema(request=ReasonRequest, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._transition(request, services.track_close)


class AssessmentSerializer(serializers.ModelSerializer):
    track = serializers.PrimaryKeyRelatedField(read_only=True)
    organisation = serializers.CharField(source="organisation.code")
    author = serializers.CharField(source="author.get_full_name")

    class Meta:
        model = ClimateAssessment
        fields = [
            "id",
            "track",
            "version",
            "conclusion",
            "text",
            "organisation",
            "author",
            "published_at",
        ]


class AssessmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Published climate assessments of the tracks the user may see (every version)."""

    serializer_class = AssessmentSerializer
    filterset_fields = ["track"]

    def get_queryset(self):
        return (
            ClimateAssessment.objects.filter(
                published_at__isnull=False, track__in=selectors.tracks_for(self.request.user)
            )
            .select_related("organisation", "author")
            .order_by("track_id", "version")
        )


class AllocationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        read_only=True, help_text="pending, approved (it counts) or refused"
    )
    pool = serializers.SlugRelatedField(slug_field="key", read_only=True)
    requested_by = serializers.CharField(source="requested_by.get_full_name")
    decided_by = serializers.CharField(source="decided_by.get_full_name", default=None)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "pool",
            "track",
            "year",
            "amount",
            "purpose",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
        ]


NoteRequest = inline_serializer(
    "AllocationNoteRequest", {"note": serializers.CharField(required=False)}
)
DECIDE_RESPONSES = {
    200: AllocationSerializer,
    400: OpenApiResponse(Reasons, description="E.g. the pool would be allocated beyond its size"),
    403: Reason,
    404: Reason,
    409: OpenApiResponse(Reason, description="Already decided"),
}


class AllocationViewSet(IdempotencyKeyMixin, viewsets.ReadOnlyModelViewSet):
    """Liquid-fund allocations to the tracks the user may see. Approved ones are what counts."""

    serializer_class = AllocationSerializer
    filterset_fields = ["status", "track"]

    def get_queryset(self):
        return (
            Allocation.objects.filter(track__in=selectors.tracks_for(self.request.user))
            .select_related("pool", "requested_by", "decided_by")
            .order_by("-requested_at", "-pk")
        )

    def _decide(self, request, service) -> Response:
        allocation = self.get_object()
        note = request.data.get("note", "") if hasattr(request.data, "get") else ""
        try:
            allocation = service(allocation=allocation, by=request.user, note=str(note or ""))
        except (PermissionDenied, services.Conflict, ValidationError) as error:
            return _error_response(error)
        return Response(AllocationSerializer(self.get_queryset().get(pk=allocation.pk)).data)

    @extend_schema(request=NoteRequest, responses=DECIDE_RESPONSES)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The pool's party approves: the pool is locked and re-summed, never overdrawn."""
        return self._decide(request, services.allocation_approve)

    @extend_schema(request=NoteRequest, responses=DECIDE_RESPONSES)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._decide(request, services.allocation_refuse)


class DanishDecimalField(serializers.DecimalField):
    """A decimal given as a JSON number, as "1500000.50", or as Danish text "1.500.000,50"
    (a comma marks the Danish form: its dots are thousand separators). Spaces between
    thousands are dropped ("1 500 000,50"), and text with more than one dot and no comma is
    Danish thousands ("1.500.000"). One dot and no comma is a decimal point, as in JSON."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            text = data.strip().replace(" ", "").replace("\xa0", "").replace("\u202f", "")
            if "," in text or text.count(".") > 1:
                text = text.replace(".", "").replace(",", ".")
            try:
                data = str(Decimal(text))
            except InvalidOperation:
                self.fail("invalid")
        return super().to_internal_value(data)


class SpendingSerializer(serializers.ModelSerializer):
    budget_line = serializers.PrimaryKeyRelatedField(
        queryset=BudgetLine.objects.all(),
        help_text="The budget line booked on (id). Required unless `allocation` is given",
        required=False,
    )
    allocation = serializers.PrimaryKeyRelatedField(
        queryset=Allocation.objects.all(),
        required=False,
        allow_null=True,
        help_text="For liquid funds: the approved allocation drawn on (id); its pool's line of "
        "the allocation's year is booked",
    )
    track = serializers.PrimaryKeyRelatedField(
        queryset=Track.objects.all(), required=False, allow_null=True, help_text="Track id"
    )
    amount = DanishDecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="DKK; for working hours leave it out: hours × the party's hourly rate for the "
        "line's year is booked",
    )
    hours = DanishDecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Hours used, for a contribution of working hours",
    )
    hourly_rate = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text="For working hours: the party's rate for the year the hours were booked at",
    )
    reverses = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The entry this one corrects, or null"
    )
    entered_by = serializers.CharField(source="entered_by.get_full_name", read_only=True)
    document_reference = serializers.CharField(max_length=100, help_text="Invoice or voucher")

    class Meta:
        model = Spending
        fields = [
            *("id", "budget_line", "allocation", "track", "date", "amount", "hours"),
            "hourly_rate",
            *("description", "document_reference", "reverses", "reason"),
            *("entered_by", "entered_at"),
        ]
        read_only_fields = ["reason", "entered_at"]


ReverseRequest = inline_serializer("SpendingReverseRequest", {"reason": serializers.CharField()})
SPENDING_RESPONSES = {
    400: OpenApiResponse(
        Reasons,
        description="Refused, nothing booked: e.g. beyond the line or the allocation, an "
        "allocation not approved, a future date or one outside the line's year",
    ),
    403: OpenApiResponse(Reason, description="Only the secretariat books spending"),
}


class SpendingFilter(filters.FilterSet):
    track = filters.NumberFilter(field_name="track_id", label="Track id")
    pool = filters.CharFilter(field_name="budget_line__contribution__pool__key", label="Pool key")
    party = filters.CharFilter(
        field_name="budget_line__contribution__contributor__code", label="Party code"
    )
    year = filters.NumberFilter(field_name="budget_line__year", label="Budget year")

    class Meta:
        model = Spending
        fields = ["track", "pool", "party", "year"]


class SpendingViewSet(
    IdempotencyKeyMixin,
    viewsets.mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The ledger: every booking and correction, newest first. Entries are never changed or
    deleted; a correction is a reversing entry (`POST …/reverse/`)."""

    serializer_class = SpendingSerializer
    filterset_class = SpendingFilter

    def get_queryset(self):
        return selectors.ledger()

    @extend_schema(responses={201: SpendingSerializer, **SPENDING_RESPONSES})
    def create(self, request, *args, **kwargs):
        """Book spending through the same rules as the form (§5.2, §11.2)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        allocation = data.get("allocation")
        line = data.get("budget_line")
        if line is None and allocation is not None:
            line = BudgetLine.objects.filter(
                contribution__pool=allocation.pool_id, year=allocation.year
            ).first()
        if line is None:
            return Response(
                {
                    "detail": _("The request does not meet the rules."),
                    "reasons": [
                        {"code": "budget_line", "message": _("Name the budget line booked on.")}
                    ],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            entry = services.spending_add(
                by=request.user,
                budget_line=line,
                allocation=allocation,
                track=data.get("track"),
                date=data["date"],
                amount=data.get("amount"),
                hours=data.get("hours"),
                description=data["description"],
                document_reference=data["document_reference"],
            )
        except (PermissionDenied, ValidationError) as error:
            return _error_response(error)
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(SpendingSerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReverseRequest,
        responses={
            201: SpendingSerializer,
            **SPENDING_RESPONSES,
            409: OpenApiResponse(Reason, description="The entry is already reversed"),
        },
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """Correct an entry by a reversing one with the reason; the entry itself stays."""
        entry = self.get_object()
        reason = request.data.get("reason", "") if hasattr(request.data, "get") else ""
        try:
            reversal = services.spending_reverse(
                spending=entry, by=request.user, reason=str(reason or "")
            )
        except (PermissionDenied, services.Conflict, ValidationError) as error:
            return _error_response(error)
        reversal = self.get_queryset().get(pk=reversal.pk)
        return Response(SpendingSerializer(reversal).data, status=status.HTTP_201_CREATED)


class HourlyRateSerializer(serializers.ModelSerializer):
    party = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.all(),
        help_text="The party's organisation code, e.g. kl",
    )
    rate = DanishDecimalField(
        max_digits=14, decimal_places=2, help_text='DKK an hour, e.g. 650.00 or "650,00"'
    )
    set_by = serializers.CharField(source="set_by.get_full_name", read_only=True, default=None)

    class Meta:
        model = HourlyRate
        fields = ["id", "party", "year", "rate", "note", "set_by", "set_at"]
        read_only_fields = ["set_at"]
        extra_kwargs = {
            "year": {"help_text": "The budget year the rate is for (2023–2027)"},
            "note": {"help_text": "Where the rate comes from, e.g. the party's own accounts"},
        }
        # The service decides: one rate per party and year is set (created or changed).
        validators = []


HOURLY_RATE_RESPONSES = {
    400: OpenApiResponse(
        Reasons,
        description="Refused, nothing written: e.g. a year outside the partnership or a rate "
        "hours are already booked at",
    ),
    403: OpenApiResponse(Reason, description="Only the secretariat sets hourly rates"),
}


class HourlyRateFilter(filters.FilterSet):
    party = filters.CharFilter(field_name="party__code", label="Party code")

    class Meta:
        model = HourlyRate
        fields = ["party", "year"]


class HourlyRateViewSet(
    IdempotencyKeyMixin,
    viewsets.mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The parties' hourly rates per year: hours × the rate is their DKK equivalent. Every
    signed-in user reads; the secretariat sets (`POST` creates the party's rate for the year
    or changes it)."""

    serializer_class = HourlyRateSerializer
    filterset_class = HourlyRateFilter

    def get_queryset(self):
        return selectors.hourly_rates()

    @extend_schema(responses={201: HourlyRateSerializer, **HOURLY_RATE_RESPONSES})
    def create(self, request, *args, **kwargs):
        """Set a party's rate for a year through the same rules as the page."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            rate = services.hourly_rate_set(
                by=request.user,
                party=data["party"],
                year=data["year"],
                rate=data["rate"],
                note=data.get("note", ""),
            )
        except (PermissionDenied, ValidationError) as error:
            return _error_response(error)
        rate = self.get_queryset().get(pk=rate.pk)
        return Response(HourlyRateSerializer(rate).data, status=status.HTTP_201_CREATED)


class FiguresSerializer(serializers.Serializer):
    budgeted = serializers.DecimalField(max_digits=14, decimal_places=2)
    allocated = serializers.DecimalField(max_digits=14, decimal_places=2)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2)


class BudgetOverviewView(APIView):
    """The budget per contributor and year; the total reconciles to the contributions."""

    @extend_schema(
        responses=inline_serializer(
            "BudgetOverview",
            {
                "contributed": serializers.DecimalField(max_digits=14, decimal_places=2),
                "total": FiguresSerializer(),
                "contributors": serializers.ListField(child=serializers.DictField()),
                "pools": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    def get(self, request):
        overview = selectors.budget_overview()

        def figures(value):
            return FiguresSerializer(value).data

        return Response(
            {
                "contributed": f"{overview.contributed:.2f}",
                "total": figures(overview.total),
                "contributors": [
                    {
                        "contributor": entry.contributor.code,
                        "name": entry.contributor.name,
                        "on_behalf_of": entry.on_behalf_of,
                        "contributed": f"{entry.contributed:.2f}",
                        "liquid": f"{entry.liquid:.2f}",
                        "total": figures(entry.total),
                        "years": {str(year): figures(f) for year, f in entry.years.items()},
                    }
                    for entry in overview.contributors
                ],
                "pools": [
                    {
                        "key": pool.key,
                        "name": pool.name,
                        "size": f"{pool.size:.2f}",
                        "approved": f"{pool.approved:.2f}",
                        "pending": f"{pool.pending:.2f}",
                        "left": f"{pool.left:.2f}",
                    }
                    for pool in selectors.pool_list()
                ],
            }
        )


router = SimpleRouter()
router.register("tracks", TrackViewSet, basename="api-track")
router.register("assessments", AssessmentViewSet, basename="api-assessment")
router.register("allocations", AllocationViewSet, basename="api-allocation")
router.register("spending", SpendingViewSet, basename="api-spending")
router.register("hourly-rates", HourlyRateViewSet, basename="api-hourly-rate")

urlpatterns = [
    path("", include(router.urls)),
    path("budget/", BudgetOverviewView.as_view(), name="api-budget-overview"),
]
