"""Project-wide API pieces shared by every app's endpoints."""

from rest_framework import exceptions
from rest_framework.views import exception_handler

from .views import log_denied


def portal_exception_handler(exc, context):
    """DRF's handler, plus the log line every refused request leaves (as the pages do)."""
    if isinstance(exc, exceptions.PermissionDenied | exceptions.NotAuthenticated):
        log_denied(context["request"])
    return exception_handler(exc, context)
