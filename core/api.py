"""Project-wide API pieces shared by every app's endpoints."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler


def portal_exception_handler(exc, context):
    """DRF's handler. Refusals (401/403) are logged by DeniedRequestLogMiddleware, like the
    pages' refusals."""
    return exception_handler(exc, context)


class PortalPagination(PageNumberPagination):
    """25 per page, as the portal's own lists; `?page_size=` up to 100 for scripts that want
    fewer round trips. A page of 50 tracks or decisions with their participants, seats and
    votes cost twice what a person reading the list needs (bench/README.md)."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
