from django.urls import include, path
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from . import selectors
from .models import DGO, Municipality


class DGOSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = DGO
        fields = ["slug", "name"]


class MunicipalitySerializer(serializers.ModelSerializer):
    region_code = serializers.IntegerField(source="dgo.region_code", read_only=True)
    region = serializers.CharField(source="dgo.region.name", read_only=True)
    dgo = DGOSummarySerializer(read_only=True)

    class Meta:
        model = Municipality
        fields = [
            "code",
            "name",
            "region_code",
            "region",
            "dgo",
            "population",
            "population_year",
            "dk2020_pilot",
        ]


class MunicipalityFilter(filters.FilterSet):
    region = filters.NumberFilter(field_name="dgo__region_code", label="Region code (1081–1085)")
    dgo = filters.CharFilter(field_name="dgo__slug", label="DGO slug")

    class Meta:
        model = Municipality
        fields = ["region", "dgo"]


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    """The 98 municipalities. Every signed-in member of the partnership may read them."""

    serializer_class = MunicipalitySerializer
    filterset_class = MunicipalityFilter
    lookup_field = "code"
    lookup_value_regex = "[0-9]{3,6}"

    def get_queryset(self):
        return selectors.municipality_list()


class DGOSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name", read_only=True)
    kkr = serializers.CharField(source="kkr.name", read_only=True)
    municipality_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = DGO
        fields = ["slug", "name", "region_code", "region", "kkr", "municipality_count"]


class DGOViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DGOSerializer
    lookup_field = "slug"
    pagination_class = None  # five rows, always

    def get_queryset(self):
        return selectors.dgo_list().order_by("name")


router = SimpleRouter()
router.register("municipalities", MunicipalityViewSet, basename="api-municipality")
router.register("dgos", DGOViewSet, basename="api-dgo")

urlpatterns = [path("", include(router.urls))]
