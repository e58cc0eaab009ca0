"""Personal API tokens on the API: `Authorization: Bearer <token>` (partners.ApiToken).

A token acts as its person, with exactly their permissions: the views ask the same
permission predicates as for a session. What a token adds is refused here, once for every
endpoint: a revoked or expired token, or one whose person is deactivated, is a 401 with the
reason; a read-only token's unsafe request (POST, PUT, PATCH, DELETE) is a 403 with the reason
(TokenScope, a default permission class).

Token requests need no CSRF token (no cookie is involved); session requests keep DRF's CSRF
check (SessionAuthentication). A token is made on the profile page by a person signed in with
their second factor where they need one, so a token request is not asked for it again.
"""

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import SimpleRateThrottle

from . import selectors, services
from .models import ApiToken

KEYWORD = b"bearer"


def _audit_as(user) -> None:
    """The audit trail's actor for this request: django-auditlog's middleware ran before DRF
    authenticated the token, so it saw an anonymous user; its context is updated in place."""
    from auditlog.context import auditlog_value

    try:
        context = auditlog_value.get()
    except LookupError:  # outside the middleware (a test calling a view directly)
        return
    context["actor"] = user


def token_refusal(token: ApiToken | None) -> str | None:
    """Why this token cannot be used now (in the request's language), or None."""
    if token is None:
        return _("The API token is not valid.")
    if token.revoked_at is not None:
        return _("This API token has been revoked.")
    if token.is_expired():
        return _("This API token expired on %(date)s.") % {
            "date": formats.date_format(token.expires_at, "DATETIME_FORMAT")
        }
    if not token.user.is_active:
        return _("The person this API token belongs to is no longer active.")
    return None


class PersonalTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` with a personal API token."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token after the word Bearer, with no spaces in it.")
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The API token is not valid.")) from None
        token = selectors.api_token_find(secret=secret)
        if refusal := token_refusal(token):
            raise exceptions.AuthenticationFailed(refusal)
        services.api_token_touch(token=token)
        _audit_as(token.user)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class TokenScope(BasePermission):
    """A read-only token may not change anything: its unsafe requests (POST, PUT, PATCH,
    DELETE) are a 403 with the reason, on every endpoint (a default permission class)."""

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and token.read_only and request.method not in SAFE_METHODS:
            self.message = _("This API token is read only: it may read, but not change anything.")
            return False
        return True


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per personal token (settings.API_TOKEN_THROTTLE_RATE, e.g. "120/minute"),
    counted in the cache by token id, so one runaway script slows only itself."""

    scope = "api_token"

    def get_rate(self) -> str | None:
        return settings.API_TOKEN_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema: HTTP bearer."""

    target_class = "partners.api_auth.PersonalTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token from your profile page: `Authorization: Bearer ka_…`. "
                "It acts as you, with your permissions; a read-only token may only read."
            ),
        }
