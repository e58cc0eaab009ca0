"""The governance API: bodies, memberships, meetings and decisions, with the portal's permissions.

Bodies, seats and published meetings: every signed-in user. Planned meetings and decisions:
the body's members and observers, its managers and the secretariat (others get 404).
Voting: `POST /api/decisions/<id>/vote/` with {"choice": "yes" | "no" | "abstain"}:
201 counted; 400 bad choice; 403 with a reason (observers, non-members, ended seats,
substitutes not called in); 409 closed decision or a seat that has already voted.
Seats: `POST /api/memberships/` adds one (an existing `person`, or a new person by `email`,
invited in the same step), `PATCH /api/memberships/<id>/` corrects one and
`POST /api/memberships/<id>/end/` ends one (today: at once) — the secretariat, and for a DGO's
groups its coordinators, through the body page's services: 400 with the reason (a composition
rule in its own words, an overlapping seat, an end before the start), 403, nothing written.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.urls import include, path
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api import IdempotencyKeyMixin
from partners.models import DGO, Organisation, User
from partners.services import audit_note

from . import selectors, services
from .models import Body, Decision, Meeting, Membership, SeatRole, Vote
from .permissions import (
    RECORD_VOTES_REFUSED,
    can_record_votes,
    can_see_votes,
)


class BodySerializer(serializers.ModelSerializer):
    dgo = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    seat_count = serializers.IntegerField(read_only=True)
    meetings_this_year = serializers.IntegerField(read_only=True)

    class Meta:
        model = Body
        fields = [
            "code",
            "short_name",
            "name",
            "kind",
            "dgo",
            "meetings_per_year",
            "meetings_this_year",
            "chair_rule",
            "seat_count",
        ]


class BodyViewSet(viewsets.ReadOnlyModelViewSet):
    """The partnership's bodies (§8). Every signed-in user may read them."""

    serializer_class = BodySerializer
    lookup_field = "code"
    pagination_class = None  # 13 bodies

    def get_queryset(self):
        return selectors.body_list().order_by("position", "name")


class MembershipSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="code", read_only=True)
    person = serializers.CharField(source="person.get_full_name", read_only=True)
    appointed_by = serializers.SlugRelatedField(slug_field="code", read_only=True)
    geography = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "body",
            "person",
            "seat_role",
            "substitute_for",
            "appointed_by",
            "geography",
            "capacity",
            "starts_on",
            "ends_on",
        ]


class MembershipFilter(filters.FilterSet):
    body = filters.CharFilter(field_name="body__code", label="Body code, e.g. fu")
    active = filters.BooleanFilter(method="filter_active", label="Only seats active today")

    class Meta:
        model = Membership
        fields = ["body", "seat_role"]

    def filter_active(self, queryset, name, value):
        return queryset.active() if value else queryset


Reason = inline_serializer("Reason", {"detail": serializers.CharField()})


class SeatWriteSerializer(serializers.Serializer):
    """A seat to add (POST) or change (PATCH). A new person is given by e-mail and name and is
    invited in the same step; `reason` goes to the audit trail."""

    body = serializers.SlugRelatedField(slug_field="code", queryset=Body.objects.all())
    person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    seat_role = serializers.ChoiceField(choices=SeatRole.choices)
    substitute_for = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects.all(), required=False, allow_null=True
    )
    appointed_by = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all()
    )
    geography = serializers.SlugRelatedField(
        slug_field="slug", queryset=DGO.objects.all(), required=False, allow_null=True
    )
    capacity = serializers.CharField(required=False, allow_blank=True, max_length=200)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)

    def validate(self, attrs):
        if self.partial:
            return attrs
        if not attrs.get("person") and not attrs.get("email"):
            raise serializers.ValidationError(
                {"person": _("Choose a person, or give a new person's e-mail address.")}
            )
        return attrs


class SeatEndRequest(serializers.Serializer):
    ends_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=300)


def _refusal(error: ValidationError) -> Response:
    if hasattr(error, "error_dict"):
        body = {
            ("detail" if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        body = {"detail": " ".join(error.messages)}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class MembershipViewSet(
    IdempotencyKeyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Who sits (and sat) in which body. Every signed-in user may read them; the secretariat
    (and for a DGO's groups its coordinators) add, change and end seats, through the same
    services and composition rules as the body page: 400 with the reason, 403, nothing written."""

    lookup_value_regex = "[0-9]+"  # a malformed id is a 404, not a server error
    http_method_names = ["get", "post", "patch", "head", "options"]

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter

    def get_queryset(self):
        return Membership.objects.select_related(
            "body", "person", "appointed_by", "geography"
        ).order_by("body__position", "starts_on", "pk")

    def _done(self, membership: Membership, code: int) -> Response:
        fresh = self.get_queryset().get(pk=membership.pk)
        return Response(MembershipSerializer(fresh).data, status=code)

    @extend_schema(
        request=SeatWriteSerializer,
        responses={201: MembershipSerializer, 400: Reason, 403: Reason},
    )
    def create(self, request):
        serializer = SeatWriteSerializer(data=request.data)
        if not serializer.is_valid():
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        data = dict(serializer.validated_data)
        body = data.pop("body")
        try:
            outcome = services.seat_appoint(body=body, by=request.user, **data)
        except PermissionDenied as denied:
            return Response({"detail": str(denied)}, status=status.HTTP_403_FORBIDDEN)
        except ValidationError as error:
            return _refusal(error)
        return self._done(outcome.membership, status.HTTP_201_CREATED)

    @extend_schema(
        request=SeatWriteSerializer,
        responses={200: MembershipSerializer, 400: Reason, 403: Reason},
    )
    def partial_update(self, request, pk=None):
        membership = self.get_object()
        serializer = SeatWriteSerializer(data=request.data, partial=True)
        if not serializer.is_valid():
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        unknown = set(data) - set(services.SEAT_FIELDS)
        if unknown:
            return Response(
                {name: [_("A seat's person and body stay as they are.")] for name in unknown},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            changed = services.membership_update(membership=membership, by=request.user, **data)
        except PermissionDenied as denied:
            return Response({"detail": str(denied)}, status=status.HTTP_403_FORBIDDEN)
        except ValidationError as error:
            return _refusal(error)
        audit_note(changed, by=request.user, reason=reason)
        return self._done(changed, status.HTTP_200_OK)

    @extend_schema(
        request=SeatEndRequest,
        responses={200: MembershipSerializer, 400: Reason, 403: Reason},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the seat: from `ends_on` (default today: at once) it no longer counts."""
        membership = self.get_object()
        serializer = SeatEndRequest(data=request.data)
        if not serializer.is_valid():
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            ended = services.seat_end_with_reason(
                membership=membership,
                by=request.user,
                reason=serializer.validated_data["reason"],
                ends_on=serializer.validated_data.get("ends_on"),
            )
        except PermissionDenied as denied:
            return Response({"detail": str(denied)}, status=status.HTTP_403_FORBIDDEN)
        except ValidationError as error:
            return _refusal(error)
        return self._done(ended, status.HTTP_200_OK)


class MeetingSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agenda = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "body",
            "title",
            "starts_at",
            "ends_at",
            "location",
            "video_url",
            "status",
            "agenda",
        ]

    def get_agenda(self, meeting) -> list[dict]:
        return [
            {"position": item.position, "title": item.title, "description": item.description}
            for item in meeting.agenda_items.all()
        ]


class MeetingFilter(filters.FilterSet):
    body = filters.CharFilter(field_name="body__code", label="Body code, e.g. fu")
    year = filters.NumberFilter(
        field_name="starts_at__year", label="Year", min_value=1900, max_value=2200, decimal_places=0
    )

    class Meta:
        model = Meeting
        fields = ["body", "status", "year"]


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]+"  # a malformed id is a 404, not a server error
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter

    def get_queryset(self):
        return (
            selectors.meetings_for(self.request.user)
            .select_related("body")
            .prefetch_related("agenda_items")
            .order_by("starts_at", "pk")
        )


class VoteSerializer(serializers.ModelSerializer):
    seat = serializers.IntegerField(source="seat_id", read_only=True)
    cast_by = serializers.CharField(source="cast_by.get_full_name", read_only=True)
    by_substitute = serializers.BooleanField(read_only=True)
    recorded_by = serializers.SerializerMethodField(
        help_text="Who put a vote cast in the room into the portal; null for a vote in the portal"
    )
    meeting = serializers.IntegerField(source="meeting_id", read_only=True, allow_null=True)

    class Meta:
        model = Vote
        fields = ["seat", "cast_by", "choice", "cast_at", "by_substitute", "recorded_by", "meeting"]

    def get_recorded_by(self, vote) -> str | None:
        return vote.recorded_by.get_full_name() if vote.recorded_by_id else None


class DecisionSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="code", read_only=True)
    subject = serializers.SerializerMethodField()
    votes = serializers.SerializerMethodField(
        help_text="Who voted what: for the body's members and observers and the secretariat; "
        "null for everyone else, who read `outcome`"
    )
    outcome = serializers.CharField(source="outcome_summary", read_only=True)
    corrections = serializers.SerializerMethodField(
        help_text="The decisions that correct this one (ids)"
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "body",
            "title",
            "text",
            "mode",
            "meeting",
            "deadline",
            "status",
            "subject",
            "opened_at",
            "closed_at",
            "outcome",
            "votes",
            "corrects",
            "corrections",
            "corrected_at",
        ]

    def get_corrections(self, decision) -> list[int]:
        return [correction.pk for correction in decision.corrections.all()]

    @extend_schema_field(VoteSerializer(many=True, allow_null=True))
    def get_votes(self, decision) -> list | None:
        request = self.context.get("request")
        if request is None or not can_see_votes(request.user, decision.body_id):
            return None
        return VoteSerializer(decision.votes.all(), many=True).data

    def get_subject(self, decision) -> dict | None:
        if decision.subject_content_type_id is None:
            return None
        content_type = decision.subject_content_type
        return {
            "type": f"{content_type.app_label}.{content_type.model}",
            "id": decision.subject_object_id,
        }


class DecisionFilter(filters.FilterSet):
    body = filters.CharFilter(field_name="body__code", label="Body code, e.g. fu")

    class Meta:
        model = Decision
        fields = ["status", "body"]


VoteRequest = inline_serializer(
    "VoteRequest", {"choice": serializers.ChoiceField(choices=Vote.Choice.choices)}
)


def _is_id(value) -> bool:
    """A primary key as JSON sends it: a positive integer PostgreSQL's integer column holds."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


RecordVotesRequest = inline_serializer(
    "RecordVotesRequest",
    {
        "meeting": serializers.IntegerField(),
        "votes": inline_serializer(
            "RecordedVote",
            {
                "seat": serializers.IntegerField(help_text="A membership id"),
                "choice": serializers.ChoiceField(choices=Vote.Choice.choices),
            },
            many=True,
        ),
    },
)


class DecisionViewSet(IdempotencyKeyMixin, viewsets.ReadOnlyModelViewSet):
    """Decisions of the bodies the user sits in (all for the secretariat)."""

    lookup_value_regex = "[0-9]+"  # a malformed id is a 404, not a server error

    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter

    def get_queryset(self):
        return (
            selectors.decisions_for(self.request.user)
            .select_related("body", "subject_content_type")
            .prefetch_related(
                Prefetch(
                    "votes",
                    queryset=Vote.objects.select_related("cast_by", "recorded_by").order_by("pk"),
                ),
                Prefetch("corrections", queryset=Decision.objects.only("pk", "corrects_id")),
            )
            .order_by("-opened_at", "-pk")
        )

    @extend_schema(
        request=VoteRequest,
        responses={
            201: VoteSerializer,
            400: Reason,
            403: OpenApiResponse(Reason, description="Not a voting seat (the reason says why)"),
            404: Reason,
            409: OpenApiResponse(Reason, description="Closed, or the seat has already voted"),
        },
    )
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        """Cast the signed-in user's vote. Observers and non-members get 403 with the reason."""
        # Not through get_object(): a non-member is told why they cannot vote (403), as the
        # issue asks, rather than a 404.
        decision = Decision.objects.select_related("body").filter(pk=pk).first()
        if decision is None:
            return Response({"detail": _("No such decision.")}, status=status.HTTP_404_NOT_FOUND)
        choice = request.data.get("choice") if hasattr(request.data, "get") else None
        try:
            services.vote_choice_check(choice)
        except ValidationError as error:
            return _refusal(error)  # {"choice": [the service's reason]}
        try:
            vote = services.vote_cast(decision=decision, by=request.user, choice=choice)
        except PermissionDenied as denied:
            return Response({"detail": str(denied)}, status=status.HTTP_403_FORBIDDEN)
        except services.Conflict as conflict:
            return Response({"detail": conflict.message}, status=status.HTTP_409_CONFLICT)
        except ValidationError as error:
            return Response({"detail": " ".join(error.messages)}, status=400)
        return Response(VoteSerializer(vote).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RecordVotesRequest,
        responses={
            201: VoteSerializer(many=True),
            400: Reason,
            403: OpenApiResponse(Reason, description="Not the secretariat or the body's chair"),
            404: Reason,
            409: OpenApiResponse(
                Reason, description="Closed, past the deadline, or a seat has already voted"
            ),
        },
    )
    @action(detail=True, methods=["post"], url_path="record-votes")
    def record_votes(self, request, pk=None):
        """Record votes cast in the room at a meeting, on behalf of the named seats."""
        decision = self.get_object()
        if not can_record_votes(request.user, decision.body):
            return Response(
                {"detail": str(RECORD_VOTES_REFUSED)},
                status=status.HTTP_403_FORBIDDEN,
            )
        data = request.data if hasattr(request.data, "get") else {}
        meeting_id = data.get("meeting")
        meeting = (
            Meeting.objects.filter(pk=meeting_id, body_id=decision.body_id).first()
            if _is_id(meeting_id)
            else None
        )
        if meeting is None:
            return Response(
                {"meeting": [_("Name one of the body's meetings.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        rows = data.get("votes")
        if not isinstance(rows, list) or not rows:
            return Response(
                {"votes": [_("Give at least one seat's vote.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        seat_ids = [row.get("seat") for row in rows if isinstance(row, dict)]
        if len(seat_ids) != len(rows) or not all(_is_id(pk) for pk in seat_ids):
            return Response(
                {"votes": [_("Each vote names a seat (a membership id) and a choice.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        seats = Membership.objects.select_related("person").in_bulk([int(pk) for pk in seat_ids])
        if len(seats) != len({int(pk) for pk in seat_ids}):
            return Response(
                {"votes": [_("No such seat in this body.")]}, status=status.HTTP_400_BAD_REQUEST
            )
        votes = [
            services.RecordedVote(seat=seats[int(row["seat"])], choice=str(row.get("choice", "")))
            for row in rows
        ]
        try:
            recorded = services.votes_record_at_meeting(
                decision=decision, meeting=meeting, by=request.user, votes=votes
            )
        except PermissionDenied as denied:
            return Response({"detail": str(denied)}, status=status.HTTP_403_FORBIDDEN)
        except services.Conflict as conflict:
            return Response({"detail": conflict.message}, status=status.HTTP_409_CONFLICT)
        except ValidationError as error:
            return Response({"detail": " ".join(error.messages)}, status=400)
        return Response(VoteSerializer(recorded, many=True).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("bodies", BodyViewSet, basename="api-body")
router.register("memberships", MembershipViewSet, basename="api-membership")
router.register("meetings", MeetingViewSet, basename="api-meeting")
router.register("decisions", DecisionViewSet, basename="api-decision")

urlpatterns = [path("", include(router.urls))]
