"""Reads for the data request pages: one queryset per page, a fixed number of queries."""

from django.db.models import Count, Prefetch, QuerySet

from partners.models import Municipality

from .models import DataDelivery, DataRequest


def request_list() -> QuerySet[DataRequest]:
    """Every request with its deliveries counted (the caller checked the reader)."""
    return DataRequest.objects.annotate(delivery_count=Count("deliveries")).order_by(
        "-received_on", "-pk"
    )


def request_get(*, pk: int) -> DataRequest:
    return (
        DataRequest.objects.select_related("recorded_by", "decision__body")
        .prefetch_related(
            Prefetch("municipalities", queryset=Municipality.objects.order_by("name")),
            "dgos",
            Prefetch(
                "deliveries",
                queryset=DataDelivery.objects.select_related("delivered_by").order_by(
                    "-delivered_at", "-pk"
                ),
            ),
        )
        .get(pk=pk)
    )


def delivery_get(*, request: DataRequest, pk: int) -> DataDelivery:
    return DataDelivery.objects.get(pk=pk, request=request)
