from collections.abc import Set as AbstractSet

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.notifications import unread_count
from core.portal_apps import portal_modules
from governance.permissions import seat_body_codes
from partners.demo import DEMO_USERS
from partners.oidc import providers
from partners.permissions import Roles, roles_of


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
        # Lazy twice over: the menu is built only where a page renders it, and the user's
        # seats are read (once, shared with body_access) only when an app's item is not
        # already decided by the roles, e.g. for FU and APS members without a portal role.
        roles = context["roles"]
        body_codes = SimpleLazyObject(lambda: seat_body_codes(user))
        context["app_navigation"] = SimpleLazyObject(lambda: app_navigation(roles, body_codes))
        context["unread_notifications"] = SimpleLazyObject(lambda: unread_count(user))
    return context


def app_navigation(roles: Roles, body_codes: AbstractSet[str]) -> list[tuple[str, str]]:
    """The menu items of the apps that bring their own (`<app>/navigation.py`,
    `items(roles, body_codes)` returning (url name, label) pairs for the roles and the seats, by
    body code, that use them), in PORTAL_APPS order."""
    return [
        item
        for _app, module in portal_modules("navigation")
        for item in module.items(roles, body_codes)
    ]
