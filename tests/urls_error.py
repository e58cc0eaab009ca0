"""A URL configuration for the error-page tests: the portal's own URLs plus one that fails."""

from django.urls import path

from klimaalliancen.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("forced failure for the 500-page test")


urlpatterns = [*urlpatterns, path("boom/", boom, name="boom")]
