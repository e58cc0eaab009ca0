from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.notifications import unread_count
from core.portal_apps import portal_modules
from partners.demo import DEMO_USERS
from partners.oidc import providers
from partners.permissions import roles_of


def portal(request: HttpRequest) -> dict:
    """The signed-in user's roles for the header and navigation; the demo logins in DEBUG."""
    user = getattr(request, "user", None)
    context = {"demo_mode": settings.DEBUG}
    if settings.DEBUG:
        context["demo_users"] = [(user.username, user.description) for user in DEMO_USERS]
        context["mfa_demo_exempt"] = settings.MFA_EXEMPT_DEMO_USERS
    context["roles"] = roles_of(user) if user is not None else None
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name == "login":
        # "Log ind med <organisation>": only the configured identity providers, if any.
        context["oidc_providers"] = providers()
    if user is not None and user.is_authenticated:
        context["app_navigation"] = app_navigation(context["roles"])
        context["unread_notifications"] = SimpleLazyObject(lambda: unread_count(user))
    return context


def app_navigation(roles) -> list[tuple[str, str]]:
    """The menu items of the apps that bring their own (`<app>/navigation.py`, `items(roles)`
    returning (url name, label) pairs for the roles that use them), in PORTAL_APPS order."""
    return [item for _app, module in portal_modules("navigation") for item in module.items(roles)]
