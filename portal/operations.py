"""Endpoints for the platform rather than for people: liveness, readiness and metrics.

/health/live/ only says the process answers (a liveness probe restarts a hung process, so it
must not fail when the database is down: restarting would not help). /health/ready/ checks what
a request needs (core.health) and answers 503 while any of it is missing, so the load balancer
sends no traffic to this process. /metrics/ is Prometheus' text format, for the internal network
or a bearer token only: request counts per view reveal how the portal is used.
"""

import hmac
import ipaddress
import os

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from core import health


@login_not_required
@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks = health.readiness()
    ok = all(result.ok for result in checks.values())
    return JsonResponse(
        {
            "status": "ok" if ok else "unavailable",
            "checks": {name: result.as_dict() for name, result in checks.items()},
        },
        status=200 if ok else 503,
    )


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


@login_not_required
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse(
            _("The metrics are only for the monitoring system."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Several gunicorn workers: each writes its numbers to the shared folder.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class PlatformEndpointsMiddleware:
    """Answers the probes and the metrics scraper before the host check and HTTPS redirect.

    Kubernetes probes and Prometheus address a pod by its IP (`Host: 10.42.0.7:8000`), which is
    rightly not in ALLOWED_HOSTS; these three endpoints build no URL from the Host header, so
    they may answer it. Every other path still goes through the whole middleware stack.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.views = {"/health/live/": live, "/health/ready/": ready, "/metrics/": metrics}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = self.views.get(request.path_info)
        if view is None:
            return self.get_response(request)
        response = view(request)
        # The headers the rest of the stack would have set (JSON and text: nothing may run).
        for header, value in self.HEADERS.items():
            response.headers.setdefault(header, value)
        return response

    HEADERS = {
        "Content-Security-Policy": "default-src 'none'; script-src 'none'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
