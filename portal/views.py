import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import search as search_module
from core.portal_apps import portal_modules
from partners import selectors as partner_selectors
from partners.permissions import roles_of

security_log = logging.getLogger("klimaalliancen.security")


def log_denied(request: HttpRequest) -> None:
    """Record a refused request: who (user id only, no other personal data), what, when."""
    user = getattr(request, "user", None)
    security_log.warning(
        "access denied: user=%s method=%s path=%s",
        user.pk if user is not None and user.is_authenticated else "anonymous",
        request.method,
        request.path,
    )


def dashboard(request: HttpRequest) -> HttpResponse:
    """The start page: each portal app contributes panels for the user's roles, and each panel
    its items of the to-do list at the top (a label, a count, where to go)."""
    panels = []
    for _app, module in portal_modules("dashboard"):
        panels.extend(module.panels(request.user))
    roles = roles_of(request.user)
    dgos = partner_selectors.dgo_list()
    # Only what waits for the user is a to-do: an item counting 0 ("decisions awaiting my
    # vote" for someone who never votes) is left out; the panels below still say "none".
    todo = [item for panel in panels for item in todo_items(panel) if item["count"]]
    return render(
        request,
        "dashboard.html",
        {
            "panels": panels,
            "todo": todo,
            "dgos": dgos,
            "my_dgos": [dgo for dgo in dgos if dgo.pk in roles.coordinated_dgo_ids],
        },
    )


def todo_items(panel: dict) -> list[dict]:
    """A panel's to-do items: its own `todo` list, or for the monitoring panel (reports to fill
    in and to review, see monitoring/dashboard.py) items made from its counts."""
    if "todo" in panel:
        return panel["todo"]
    items = []
    round = panel.get("round")
    if panel.get("to_fill"):
        items.append(
            {
                "key": "reports-to-fill",
                "label": _("Status reports to fill in"),
                "count": panel["to_fill"]["count"],
                "url": round.get_absolute_url(),
            }
        )
    if panel.get("to_review"):
        items.append(
            {
                "key": "reports-to-review",
                "label": _("Status reports to review"),
                "count": panel["to_review"]["count"],
                "url": round.get_absolute_url() + "?state=submitted",
            }
        )
    return items


@login_not_required
@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Logged by DeniedRequestLogMiddleware, as every 401/403.
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "errors/403.html", {"reason": reason}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused CSRF check gets our 403 page (and is logged like every refusal)."""
    return error_403(request)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and the compose healthcheck: is the database answering?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": False}, status=503)
    return JsonResponse({"status": "ok", "database": True})


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    results = search_module.search(user=request.user, query=query)
    groups: dict[str, list] = {}
    for result in results:
        groups.setdefault(result.kind, []).append(result)
    return render(request, "search.html", {"query": query, "groups": groups, "count": len(results)})
