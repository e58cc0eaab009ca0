from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core import notifications

PAGE_SIZE = 30


def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications.notifications_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (`id`) or all as read; then follow its link if it has one."""
    raw_id = request.POST.get("id", "")
    notification_id = int(raw_id) if raw_id.isdigit() else None
    notifications.notifications_mark_read(user=request.user, notification_id=notification_id)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notification-list")
