"""Project-wide API pieces shared by every app's endpoints."""

from rest_framework.views import exception_handler


def portal_exception_handler(exc, context):
    """DRF's handler. Refusals (401/403) are logged by DeniedRequestLogMiddleware, like the
    pages' refusals."""
    return exception_handler(exc, context)
