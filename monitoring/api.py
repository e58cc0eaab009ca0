"""Open data: read-only API for rounds and reports. Anyone signed in reads published reports
(approved, or locked after approval); the secretariat also reads drafts and submissions."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from partners.permissions import roles_of

from .models import Action, ChecklistAnswer, EmissionFigure, Round, StatusReport


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


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Status reports. `/api/monitoring-reports/{year}-{code}/` for one report."""

    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    lookup_value_regex = "[0-9]{4}-[0-9]{3,6}"
    lookup_url_kwarg = "key"

    def get_queryset(self):
        reports = StatusReport.objects.all()
        if not roles_of(self.request.user).secretariat:
            reports = reports.published()
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


router = SimpleRouter()
router.register("monitoring-rounds", RoundViewSet, basename="api-monitoring-round")
router.register("monitoring-reports", ReportViewSet, basename="api-monitoring-report")

urlpatterns = [path("", include(router.urls))]
