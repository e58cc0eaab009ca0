from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.notifications import unread_count
from partners.demo import DEMO_USERS
from partners.permissions import roles_of


def portal(request: HttpRequest) -> dict:
    """The signed-in user's roles for the header and navigation; the demo logins in DEBUG."""
    user = getattr(request, "user", None)
    context = {"demo_mode": settings.DEBUG}
    if settings.DEBUG:
        context["demo_users"] = [(user.username, user.description) for user in DEMO_USERS]
        context["mfa_demo_exempt"] = settings.MFA_EXEMPT_DEMO_USERS
    context["roles"] = roles_of(user) if user is not None else None
    if user is not None and user.is_authenticated:
        context["unread_notifications"] = SimpleLazyObject(lambda: unread_count(user))
    return context
