"""Double submits are harmless: every POST form carries a one-time submission key.

`{% csrf_token %}` (core.templatetags.submission, a template builtin) writes a fresh random key
beside the CSRF token, so every form of the portal carries one without touching its template.
SubmissionKeyMiddleware claims the key for the user (an atomic cache `add`) before the view
runs and remembers the view's answer under it. The same key posted again — a double click, a
reload of the POST, a second tab — is answered with that first answer (usually the redirect
after a save) and the view does not run again, so no second row. A repeat arriving while the
first request still runs waits for its answer.

An answer the user must act on (a form with errors) renders a new key, so correcting the form
and sending it again is a new submission. A server error releases the key.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

FIELD = "submission_key"
_KEY_FORMAT = re.compile(r"^[0-9a-f]{32}$")
# A claim outlives the slowest request (a crashed one frees its key after this).
PENDING_SECONDS = 120
REMEMBER_SECONDS = 60 * 60
# How long a repeat waits for the first request's answer before it says so.
WAIT_SECONDS = 15.0
POLL_SECONDS = 0.05
# Larger answers (exports) are not kept: a repeat of such a POST is then told to wait instead.
MAX_REMEMBERED_BYTES = 512 * 1024
_PENDING = "pending"


@dataclass(frozen=True)
class Answer:
    status: int
    location: str = ""
    content: bytes = b""
    content_type: str = ""

    def response(self) -> HttpResponse:
        if self.location:
            response = HttpResponseRedirect(self.location, status=self.status)
        else:
            response = HttpResponse(
                self.content, status=self.status, content_type=self.content_type or None
            )
        response["X-Repeated-Submission"] = "1"
        return response


def _owner(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        return f"session:{session.session_key}"
    return None


def cache_key(request: HttpRequest, key: str) -> str | None:
    owner = _owner(request)
    return f"submission:{owner}:{key}" if owner else None


def _answer_of(response: HttpResponse) -> Answer | None:
    if response.status_code >= 500 or getattr(response, "streaming", False):
        return None
    location = response.get("Location", "") if 300 <= response.status_code < 400 else ""
    if location:
        return Answer(response.status_code, location=location)
    if len(response.content) > MAX_REMEMBERED_BYTES:
        return None
    return Answer(
        response.status_code, content=response.content, content_type=response["Content-Type"]
    )


def _wait_for_answer(key: str) -> Answer | None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = cache.get(key)
        if isinstance(value, Answer):
            return value
        if value is None:  # the first request failed and let go of the key
            return None
        time.sleep(POLL_SECONDS)
    return None


def _still_running() -> HttpResponse:
    return HttpResponse(
        _("Your first submission of this form is still being processed. Reload the page soon."),
        status=409,
        content_type="text/plain; charset=utf-8",
    )


class SubmissionKeyMiddleware:
    """Answers a repeated submission key with the first answer (see the module docstring).

    The claim is made in process_view, after the CSRF check, so only a request that passed it
    can claim or replay a key; the key is also scoped to the signed-in user (or the session).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        claimed = getattr(request, "_submission_claim", None)
        if claimed:
            answer = _answer_of(response)
            if answer is None:
                cache.delete(claimed)
            else:
                cache.set(claimed, answer, REMEMBER_SECONDS)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST":
            return None
        submitted = request.POST.get(FIELD, "")
        if not _KEY_FORMAT.match(submitted):
            return None
        key = cache_key(request, submitted)
        if key is None:
            return None
        if cache.add(key, _PENDING, PENDING_SECONDS):
            request._submission_claim = key
            return None
        answer = _wait_for_answer(key)
        if answer is None:
            if cache.add(key, _PENDING, PENDING_SECONDS):  # the first one failed: this one runs
                request._submission_claim = key
                return None
            return _still_running()
        return answer.response()


# --- the API: the `Idempotency-Key` request header -------------------------------------------
#
# A script cannot carry a form's hidden key, so the API honours the header of the IETF draft
# (draft-ietf-httpapi-idempotency-key-header) on its unsafe methods, in the same cache as the
# forms' keys: the first request with a key claims it for the signed-in user and the answer
# (status and body) is kept for a day; a repeat with the same key and the same request is
# answered with it and nothing runs again; the same key with another method, path or body is
# refused (422), and a repeat arriving while the first still runs waits for it, then 409.

API_HEADER = "Idempotency-Key"
API_REMEMBER_SECONDS = 24 * 60 * 60
API_KEY_MAX_LENGTH = 255
_API_KEY_FORMAT = re.compile(r"^[\x21-\x7e]{1,255}$")  # API_KEY_MAX_LENGTH
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class ApiPending:
    fingerprint: str


@dataclass(frozen=True)
class ApiAnswer:
    fingerprint: str
    status: int
    data: object


class IdempotencyRefusal(Exception):
    """A request whose key cannot be used: `status` and a `detail` in the request's language."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


class ApiClaim:
    """One unsafe API request's use of its Idempotency-Key (see the section comment)."""

    def __init__(self, cache_key: str, fingerprint: str):
        self.cache_key, self.fingerprint = cache_key, fingerprint

    def remember(self, status: int, data: object) -> None:
        if status >= 500:  # a server error lets go of the key: the client may try again
            cache.delete(self.cache_key)
        else:
            answer = ApiAnswer(self.fingerprint, status, data)
            cache.set(self.cache_key, answer, API_REMEMBER_SECONDS)

    def release(self) -> None:
        cache.delete(self.cache_key)


def api_claim(*, user, key: str, method: str, path: str, body: bytes) -> ApiClaim | ApiAnswer:
    """Claim `key` for this request of `user`: the claim to remember the answer with, or the
    first request's answer to give again. Raises IdempotencyRefusal for a malformed key, a
    key used for another request, or a first request still running after WAIT_SECONDS."""
    import hashlib

    if not _API_KEY_FORMAT.match(key):
        raise IdempotencyRefusal(
            400,
            _(
                "The Idempotency-Key header must be 1 to %(max)s visible ASCII characters, "
                "e.g. a UUID."
            )
            % {"max": API_KEY_MAX_LENGTH},
        )
    digest = hashlib.sha256(key.encode()).hexdigest()
    cache_key = f"api-idempotency:user:{user.pk}:{digest}"
    fingerprint = hashlib.sha256(b"%s %s\n%s" % (method.encode(), path.encode(), body)).hexdigest()
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        if cache.add(cache_key, ApiPending(fingerprint), PENDING_SECONDS):
            return ApiClaim(cache_key, fingerprint)
        value = cache.get(cache_key)
        if value is not None and value.fingerprint != fingerprint:
            raise IdempotencyRefusal(
                422,
                _(
                    "This Idempotency-Key was already used for another request (another "
                    "address or body). Use a new key for a new request."
                ),
            )
        if isinstance(value, ApiAnswer):
            return value
        if time.monotonic() >= deadline:
            raise IdempotencyRefusal(
                409,
                _(
                    "The first request with this Idempotency-Key is still being processed. "
                    "Send it again soon."
                ),
            )
        time.sleep(POLL_SECONDS)
