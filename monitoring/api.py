"""Open data: read-only API for rounds and reports. Anyone signed in reads published reports
(approved, or locked after approval); the secretariat also reads drafts and submissions."""

import logging
from decimal import Decimal

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from redis.exceptions import RedisError
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from core.api import PortalPagination
from monitoring import permissions, public, selectors
from monitoring.figures import analysis
from monitoring.insight import due, peers
from partners.models import Municipality

from .models import (
    Action,
    ChecklistAnswer,
    EmissionFigure,
    Indicator,
    IndicatorValue,
    Round,
    StatusReport,
)

logger = logging.getLogger(__name__)


class RoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Round
        fields = ["year", "emissions_year", "opens_on", "deadline", "status", "closed_at"]


class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RoundSerializer
    lookup_field = "year"
    lookup_value_regex = "[0-9]{4}"

    def get_queryset(self):
        return Round.objects.order_by("-year")


class EmissionSerializer(serializers.ModelSerializer):
    sector = serializers.CharField(source="sector.key")

    class Meta:
        model = EmissionFigure
        fields = ["sector", "year", "tonnes_co2e", "data_release", "data_source"]


class ChecklistSerializer(serializers.ModelSerializer):
    requirement = serializers.CharField(source="requirement.key")

    class Meta:
        model = ChecklistAnswer
        fields = ["requirement", "met", "note"]


class ActionSerializer(serializers.ModelSerializer):
    sector = serializers.CharField(source="sector.key", allow_null=True, default=None)

    class Meta:
        model = Action
        fields = ["name", "sector", "status", "note"]


class ReportSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="round.year")
    municipality_code = serializers.CharField(source="municipality.code")
    municipality = serializers.CharField(source="municipality.name")
    dgo = serializers.CharField(source="municipality.dgo.slug")
    next_revision_due = serializers.DateField(read_only=True)
    emissions = serializers.SerializerMethodField()
    checklist = ChecklistSerializer(source="checklist_answers", many=True)
    actions = ActionSerializer(many=True)

    class Meta:
        model = StatusReport
        fields = [
            "year",
            "municipality_code",
            "municipality",
            "dgo",
            "state",
            "approved_at",
            "plan_status",
            "plan_adopted_on",
            "plan_revised_on",
            "next_revision_due",
            "recertified",
            "recertified_on",
            "baseline_year",
            "baseline_emissions",
            "target_2030_reduction_pct",
            "net_zero_year",
            "adaptation_risk_assessed",
            "adaptation_plan_status",
            "adaptation_note",
            "emissions",
            "checklist",
            "actions",
        ]

    def get_emissions(self, report) -> list[dict]:
        figures = [
            f
            for f in report.emission_figures.all()
            if f.year == report.round.emissions_year and f.data_release == report.data_release
        ]
        return EmissionSerializer(figures, many=True).data


class ReportFilter(filters.FilterSet):
    year = filters.NumberFilter(field_name="round__year", label="Round year")
    municipality = filters.CharFilter(field_name="municipality__code", label="Municipality code")
    dgo = filters.CharFilter(field_name="municipality__dgo__slug", label="DGO slug")
    state = filters.ChoiceFilter(choices=StatusReport.State.choices)

    class Meta:
        model = StatusReport
        fields = ["year", "municipality", "dgo", "state"]


class ReportPages(PageNumberPagination):
    """A report carries its emissions, checklist and some 60 actions: ten per page keeps a page
    at a few hundred rows (`?page_size=` up to 50)."""

    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 50


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Status reports. `/api/monitoring-reports/{year}-{code}/` for one report."""

    serializer_class = ReportSerializer
    pagination_class = ReportPages
    filterset_class = ReportFilter
    lookup_value_regex = "[0-9]{4}-[0-9]{3,6}"
    lookup_url_kwarg = "key"

    def get_queryset(self):
        reports = StatusReport.objects.filter(permissions.api_reports_q(self.request.user))
        reports = reports.select_related("round", "municipality", "municipality__dgo")
        return reports.prefetch_related(
            Prefetch("emission_figures", queryset=EmissionFigure.objects.select_related("sector")),
            Prefetch(
                "checklist_answers", queryset=ChecklistAnswer.objects.select_related("requirement")
            ),
            Prefetch("actions", queryset=Action.objects.select_related("sector").order_by("pk")),
        ).order_by("-round__year", "municipality__code")

    def get_object(self):
        year, code = self.kwargs["key"].split("-", 1)
        queryset = self.filter_queryset(self.get_queryset())
        report = get_object_or_404(queryset, round__year=int(year), municipality__code=code)
        self.check_object_permissions(self.request, report)
        return report


class PointSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    tonnes_co2e = serializers.DecimalField(max_digits=16, decimal_places=2)


class OnTrackSerializer(serializers.Serializer):
    """One municipality's on-track analysis, from approved data only."""

    municipality = serializers.CharField(source="municipality.code")
    status = serializers.ChoiceField(choices=analysis.Status.choices, source="analysis.status")
    reason = serializers.CharField(source="analysis.reason")
    target_2030 = serializers.DecimalField(
        max_digits=16, decimal_places=2, source="analysis.target", allow_null=True
    )
    projected_2030 = serializers.DecimalField(
        max_digits=16, decimal_places=2, source="analysis.projected", allow_null=True
    )
    reported_2030 = serializers.BooleanField(source="analysis.reported_2030")
    slope_per_year = serializers.DecimalField(
        max_digits=16, decimal_places=2, source="analysis.slope", allow_null=True
    )
    gap = serializers.DecimalField(
        max_digits=16, decimal_places=2, source="analysis.gap", allow_null=True
    )
    gap_per_inhabitant = serializers.DecimalField(
        max_digits=16, decimal_places=4, source="analysis.gap_per_inhabitant", allow_null=True
    )
    at_risk_limit = serializers.DecimalField(
        max_digits=16, decimal_places=2, source="analysis.at_risk_limit", allow_null=True
    )
    population = serializers.IntegerField(source="analysis.population")
    target_path = PointSerializer(many=True, source="path")
    reported = PointSerializer(many=True, source="reported_points")
    fitted_years = serializers.ListField(
        child=serializers.IntegerField(), source="analysis.fitted_years"
    )
    report_year = serializers.IntegerField(source="on_track.report_year", allow_null=True)
    data_releases = serializers.ListField(child=serializers.CharField(), source="on_track.releases")
    thresholds = serializers.DictField(source="on_track.thresholds")


class OnTrackView(APIView):
    """GET /api/analysis/municipalities/<code>/: readable by anyone signed in (approved data)."""

    serializer_class = OnTrackSerializer

    def get(self, request, code: str):
        municipality = get_object_or_404(Municipality, code=code)
        on_track = selectors.municipality_on_track(municipality=municipality)
        data = {
            "municipality": municipality,
            "analysis": on_track.analysis,
            "on_track": on_track,
            "path": [{"year": y, "tonnes_co2e": v} for y, v in on_track.analysis.path],
            "reported_points": [{"year": y, "tonnes_co2e": v} for y, v in on_track.points],
        }
        return Response(OnTrackSerializer(data).data)


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "key",
            "name_da",
            "name_en",
            "unit_da",
            "unit_en",
            "group",
            "direction",
            "source",
            "source_url",
            "definition_da",
            "definition_en",
            "minimum",
            "maximum",
            "is_active",
        ]


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """The transition indicator catalogue: readable by anyone signed in."""

    serializer_class = IndicatorSerializer
    lookup_field = "key"

    def get_queryset(self):
        return Indicator.objects.all()


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.key")
    municipality = serializers.CharField(source="municipality.code")

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "municipality", "year", "value", "data_release", "data_source"]


class IndicatorValueFilter(filters.FilterSet):
    indicator = filters.CharFilter(field_name="indicator__key", label="Indicator key")
    municipality = filters.CharFilter(field_name="municipality__code", label="Municipality code")
    dgo = filters.CharFilter(field_name="municipality__dgo__slug", label="DGO slug")
    year = filters.NumberFilter(field_name="year")

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "municipality", "dgo", "year"]


class IndicatorValueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Indicator values: the published ones for everyone signed in; a coordinator also their
    DGO's unapproved ones, the secretariat all (monitoring.permissions.visible_values_q)."""

    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter

    def get_queryset(self):
        return (
            IndicatorValue.objects.filter(permissions.visible_values_q(self.request.user))
            .select_related("indicator", "municipality")
            .order_by("indicator__key", "municipality__code", "year")
        )


def _peer_row(row) -> dict:
    return {
        "municipality": row.municipality.code,
        "name": row.municipality.name,
        "population": row.municipality.population,
        "is_self": row.is_self,
        "tonnes_co2e": row.total,
        "per_inhabitant": row.per_inhabitant,
        "rank": row.rank,
        "shares_pct": row.shares,
        "profile_distance_pp": row.distance,
    }


@extend_schema(responses=OpenApiTypes.OBJECT)
class PeersView(APIView):
    """GET /api/analysis/municipalities/<code>/peers/?kind=profile|population|dgo: the peer
    comparison of the page, from published data; readable by anyone signed in."""

    def get(self, request, code: str):
        municipality = get_object_or_404(Municipality, code=code)
        kind = request.query_params.get("kind", "profile")
        if kind not in dict(peers.KINDS):
            return Response(
                {"kind": [f"Choose one of: {', '.join(dict(peers.KINDS))}."]}, status=400
            )
        comparison = peers.peer_comparison(municipality=municipality, kind=kind)
        data = {
            "municipality": municipality.code,
            "kind": comparison.kind,
            "year": comparison.year,
            "population_band": comparison.band_label,
            "data_releases": comparison.releases,
            "peers": [_peer_row(row) for row in comparison.rows],
            "indicators": [
                {
                    "indicator": item.indicator.key,
                    "year": item.year,
                    "data_releases": item.releases,
                    "values": [
                        {"municipality": row.municipality.code, "value": value, "rank": rank}
                        for row, value, rank in item.rows(comparison.rows)
                    ],
                }
                for item in comparison.indicators
            ],
        }
        return Response(_plain(data))


def _plain(value):
    """Decimals as strings with two decimals (as the serializers write them)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return value


@extend_schema(responses=OpenApiTypes.OBJECT)
class DueView(APIView):
    """GET /api/analysis/due/: what is due in the caller's scope (secretariat: everything;
    coordinators: their DGOs); 403 for everyone else."""

    def get(self, request):
        result = due.due_for(request.user)
        if result is None:
            raise PermissionDenied("What is due is for the secretariat and the DGO coordinators.")

        def revisions(items):
            return [
                {
                    "municipality": i.municipality.code,
                    "due_on": i.due_on,
                    "report_year": i.report_year,
                }
                for i in items
            ]

        return Response(
            {
                "today": result.today,
                "revisions_overdue": revisions(result.overdue),
                "revisions_within_12_months": revisions(result.within_12),
                "revisions_within_24_months": revisions(result.within_24),
                "rounds": [
                    {
                        "year": r.round.year,
                        "not_started": [m.code for m in r.not_started],
                        "not_approved": [
                            {"municipality": m.code, "state": state} for m, state in r.unapproved
                        ],
                    }
                    for r in result.rounds
                ],
                "indicator_year": result.indicator_year,
                "indicators_missing": [
                    {
                        "indicator": row.indicator.key,
                        "missing": row.missing,
                        "of": row.municipalities,
                    }
                    for row in result.indicators
                ],
            }
        )


# --- open data per municipality: anonymous, read-only, throttled ---------------------------


class OpenDataThrottle(AnonRateThrottle):
    """Anonymous readers of the open data, per IP address (`open_data` in
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]). Signed-in users are not counted: they are
    known, and the files under /aaben/data/ serve bulk downloads."""

    scope = "open_data"

    def allow_request(self, request, view) -> bool:
        """Open data stays readable when the cache (Redis) is down: unthrottled, logged."""
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError):
            logger.warning("open data throttle: cache unavailable, request not throttled")
            return True


class MunicipalEmissionSerializer(serializers.Serializer):
    """One row of the open data per municipality (the same as kommuner-emissioner.csv)."""

    municipality_code = serializers.CharField(
        help_text="The municipality's code, four digits with the leading zero (0101)."
    )
    municipality = serializers.CharField(help_text="Name of the municipality.")
    year = serializers.IntegerField(help_text="Calendar year of the emissions.")
    sector = serializers.CharField(help_text="Code of the sector (a sector group or a part).")
    sector_name = serializers.CharField(help_text="Danish name of the sector.")
    sector_group = serializers.CharField(help_text="Code of the sector group of the sector.")
    tonnes_co2e = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        help_text="Emissions in tonnes CO2e (t CO2e); negative for a net removal (land use).",
    )
    release = serializers.CharField(help_text="The data release (vintage), e.g. 2024-1.")
    source = serializers.CharField(help_text="Where the figure comes from.")
    origin = serializers.ChoiceField(
        choices=[public.ORIGIN_ACCOUNTS, public.ORIGIN_REPORT],
        help_text="A release of the national accounts, or an approved status report.",
    )


class MunicipalEmissionQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1990, max_value=2100)
    municipality_code = serializers.RegexField(r"^[0-9]{3,4}$", required=False)
    sector = serializers.SlugField(required=False, max_length=40)


class OpenMunicipalEmissionsView(generics.GenericAPIView):
    """GET /api/open/municipal-emissions/: the open data per municipality, for anyone."""

    permission_classes = [AllowAny]
    throttle_classes = [OpenDataThrottle]
    serializer_class = MunicipalEmissionSerializer
    queryset = EmissionFigure.objects.none()  # the schema's model; the rows come from the selector
    pagination_class = PortalPagination

    @extend_schema(
        summary="Emissions per municipality, year and sector (open data)",
        description=(
            "The open data per municipality, without sign-in: the data releases of the "
            "national energy and CO2 accounts and approved status reports only, the latest "
            "release of each municipality, year and sector (the rows of "
            "/aaben/data/kommuner-emissioner.csv, described by /aaben/data/datapackage.json; "
            "CC BY 4.0). Emissions in tonnes CO2e. 25 rows per page (`page`), up to 100 with "
            "`page_size`. Anonymous requests are throttled per IP address (429 with "
            "Retry-After when exceeded); download the csv for everything at once."
        ),
        parameters=[
            OpenApiParameter("year", int, description="Only this calendar year."),
            OpenApiParameter(
                "municipality_code",
                str,
                description="Only this municipality (its code, with or without the leading zero).",
            ),
            OpenApiParameter("sector", str, description="Only this sector (its code)."),
        ],
        responses={
            200: MunicipalEmissionSerializer(many=True),
            429: OpenApiResponse(
                description=(
                    "Too many anonymous requests from this IP address (API_OPEN_DATA_RATE, "
                    "120 a minute by default); `Retry-After` says how many seconds to wait."
                )
            ),
        },
    )
    def get(self, request):
        query = MunicipalEmissionQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.open_municipal_emissions(**query.validated_data)
        page = self.paginate_queryset(rows)
        data = MunicipalEmissionSerializer(list(public.municipal_emission_rows(page)), many=True)
        return self.get_paginated_response(data.data)


router = SimpleRouter()
router.register("monitoring-rounds", RoundViewSet, basename="api-monitoring-round")
router.register("monitoring-reports", ReportViewSet, basename="api-monitoring-report")
router.register("indicators", IndicatorViewSet, basename="api-indicator")
router.register("indicator-values", IndicatorValueViewSet, basename="api-indicator-value")

urlpatterns = [
    path("", include(router.urls)),
    path(
        "analysis/municipalities/<str:code>/",
        OnTrackView.as_view(),
        name="api-analysis-municipality",
    ),
    path(
        "analysis/municipalities/<str:code>/peers/",
        PeersView.as_view(),
        name="api-analysis-peers",
    ),
    path("analysis/due/", DueView.as_view(), name="api-analysis-due"),
    path(
        "open/municipal-emissions/",
        OpenMunicipalEmissionsView.as_view(),
        name="api-open-municipal-emissions",
    ),
]
