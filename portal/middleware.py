import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme


class LanguageMiddleware:
    """Danish unless the user chose otherwise with the language switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, which makes an
    English-language browser show English to a Danish civil servant: the portal is Danish first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        try:
            language = translation.get_supported_language_variant(chosen)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class PublicGZipMiddleware(GZipMiddleware):
    """Compresses what anyone may read: the open pages, the sign-in page, open data.

    BREACH guesses a secret in a compressed response from its length, with text it makes the
    page reflect. Responses to a signed-in user (a calendar address, a two-factor secret, the
    session's CSRF token beside a reflected search) are therefore never compressed. The
    anonymous pages carry no secret but the CSRF token of the language form, which Django
    masks anew for every response; and Django's GZipMiddleware adds random bytes to each
    gzip header (its documented "Heal the BREACH" mitigation, Django 4.2+). Static files are
    compressed ahead by WhiteNoise (CompressedManifestStaticFilesStorage in production).
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return response
        return super().process_response(request, response)


class PrivateCacheMiddleware:
    """Pages for a signed-in user must never be stored by a browser or proxy cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs sign-in, except views marked @login_not_required.

    The API authenticates on its own (session or token) and answers 401/403 with a reason
    rather than redirecting a program to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class SessionRefreshMiddleware:
    """The idle timeout: a signed-in session's expiry moves forward as the user works.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) costs a database write per
    page; refreshing at most once a minute keeps the timeout within a minute of exact.
    """

    REFRESH_KEY = "_refreshed_at"
    INTERVAL_SECONDS = 60

    @classmethod
    def mark_fresh(cls, sender, request, user, **kwargs) -> None:
        """At sign-in the session was just saved: no refresh is due for a minute."""
        if hasattr(request, "session"):
            request.session[cls.REFRESH_KEY] = int(time.time())

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(self.REFRESH_KEY, 0) >= self.INTERVAL_SECONDS:
                session[self.REFRESH_KEY] = now
        return response


class DeniedRequestLogMiddleware:
    """Every refused request (401 or 403, however the view or middleware refused it: a raised
    PermissionDenied, a DRF refusal, a service's reason answered as 403, the MFA gate, a failed
    CSRF check) leaves one log line with the user id only (portal.views.log_denied)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in (401, 403):
            from .views import log_denied

            log_denied(request)
        return response


class HtmxSignInMiddleware:
    """An htmx request whose session expired gets no sign-in page swapped into the page: the
    redirect to sign-in becomes `HX-Redirect`, so the browser goes there as a whole, and
    back to the page (not the fragment) afterwards. 401, since the session is not valid."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or response.status_code not in (301, 302):
            return response
        target = urlsplit(response.get("Location", ""))
        if target.path != resolve_url(settings.LOGIN_URL):
            return response
        page = request.headers.get("HX-Current-URL", "")
        page_path = urlsplit(page)
        if page and url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()}):
            next_url = page_path.path + (f"?{page_path.query}" if page_path.query else "")
        else:
            next_url = "/"
        answer = HttpResponse(status=401)
        answer["HX-Redirect"] = f"{target.path}?{urlencode({'next': next_url})}"
        return answer
