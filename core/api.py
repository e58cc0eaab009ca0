"""Project-wide API pieces shared by every app's endpoints."""

import codecs
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from core import idempotency
from core.text import holds_nul, nul_refused_message

# Deeper than any of the API's own documents; far below Python's recursion limit.
JSON_MAX_DEPTH = 32


def _too_large() -> ParseError:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return ParseError(_("The request body is too large: at most %(mb)s MB.") % {"mb": limit})


def _depth_exceeds(value, limit: int) -> bool:
    """Whether parsed JSON nests deeper than limit (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in item)
    return False


class PortalJSONParser(JSONParser):
    """DRF's JSON parser, answering a malformed, too deep or too large body with a 400 whose
    reason is in the request's language (never a RecursionError's 500 or an HTML page)."""

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return {}
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            body = stream.read(limit + 1) if limit is not None else stream.read()
        except RequestDataTooBig as exc:
            raise _too_large() from exc
        if limit is not None and len(body) > limit:
            raise _too_large()
        try:
            data = json.loads(codecs.decode(body, encoding), parse_constant=_no_constant)
        except RecursionError as exc:
            raise ParseError(_("The JSON is nested too deeply.")) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(_("The request body is not valid JSON.")) from exc
        if _depth_exceeds(data, JSON_MAX_DEPTH):
            raise ParseError(_("The JSON is nested too deeply."))
        _refuse_nul(data)
        return data


def _refuse_nul(data) -> None:
    if holds_nul(data):
        raise _nul_error()


def _nul_error() -> ParseError:
    return ParseError(nul_refused_message())


def _no_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def portal_exception_handler(exc, context):
    """DRF's handler. Refusals (401/403) are logged by DeniedRequestLogMiddleware, like the
    pages' refusals. A body over DATA_UPLOAD_MAX_MEMORY_SIZE read elsewhere is a 400 too.

    A missing record answers in the request's language: get_object_or_404's own text ("No
    Meeting matches the given query.") is English and names the model's class."""
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": _too_large().detail}, status=400)
    if isinstance(exc, Http404):
        exc = NotFound(_("Not found: there is no such record, or it is not one you may see."))
    # Imported here, not at the top: rest_framework.views reads DEFAULT_PARSER_CLASSES (this
    # module's parser) while its classes are defined, so importing it while DRF's settings
    # resolve EXCEPTION_HANDLER (this module) found core.api half-initialised and the WSGI
    # app failed at its first API request (tests/test_wsgi_boot.py).
    from rest_framework.views import exception_handler

    return exception_handler(exc, context)


class PortalPagination(PageNumberPagination):
    """25 per page, as the portal's own lists; `?page_size=` up to 100 for scripts that want
    fewer round trips. A page of 50 tracks or decisions with their participants, seats and
    votes cost twice what a person reading the list needs (bench/README.md)."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class _Repeat(Exception):
    def __init__(self, answer: idempotency.ApiAnswer):
        self.answer = answer


class IdempotencyKeyMixin:
    """For every API view with unsafe methods (tests/test_api_idempotency.py checks that each
    has it): an `Idempotency-Key` header makes a repeat of the request harmless — the first
    answer again, nothing written twice (core.idempotency, in the forms' keys' cache).

    The key is claimed after authentication and the permission check (keys are per user)."""

    _idempotency_claim: idempotency.ApiClaim | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._idempotency_claim = None
        key = request.headers.get(idempotency.API_HEADER)
        if (
            key is None
            or request.method not in idempotency.UNSAFE_METHODS
            or not request.user.is_authenticated
        ):
            return
        try:
            body = request._request.body
        except RawPostDataException:  # already parsed by an earlier step
            body = json.dumps(request.data, sort_keys=True, default=str).encode()
        outcome = idempotency.api_claim(
            user=request.user,
            key=key,
            method=request.method,
            path=request.get_full_path(),
            body=body,
        )
        if isinstance(outcome, idempotency.ApiAnswer):
            raise _Repeat(outcome)
        self._idempotency_claim = outcome

    def handle_exception(self, exc):
        if isinstance(exc, _Repeat):
            response = Response(exc.answer.data, status=exc.answer.status)
            response["Idempotent-Replayed"] = "true"
            return response
        if isinstance(exc, idempotency.IdempotencyRefusal):
            return Response({"detail": exc.detail}, status=exc.status)
        try:
            return super().handle_exception(exc)
        except Exception:
            if self._idempotency_claim is not None:  # a server error: the key is free again
                self._idempotency_claim.release()
                self._idempotency_claim = None
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        claim, self._idempotency_claim = self._idempotency_claim, None
        if claim is not None:
            claim.remember(response.status_code, getattr(response, "data", None))
        return response
