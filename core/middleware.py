"""Middleware of the kernel (no domain): refusals made before any view reads the request."""

from django.core.exceptions import SuspiciousOperation
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError

from core.text import holds_nul, nul_refused_message


class RefuseNulInApiForms:
    """Middleware: an API request whose form or multipart fields hold a NUL character is a 400
    with the reason in the request's language, as the JSON parser answers for JSON. Checked
    here, once, because a multipart body is parsed by Django before DRF's parsers see it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith("/api/")
            and request.method not in ("GET", "HEAD", "OPTIONS")
            and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            try:
                fields = [[key, *values] for key, values in request.POST.lists()]
            except (MultiPartParserError, SuspiciousOperation, OSError):  # the parser's to refuse
                fields = []
            if holds_nul(fields):
                return JsonResponse({"detail": nul_refused_message()}, status=400)
        return self.get_response(request)
