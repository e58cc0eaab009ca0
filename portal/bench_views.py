from django.http import HttpRequest, HttpResponse


def floor(request: HttpRequest) -> HttpResponse:
    """The load benchmark's floor: the same middleware and sign-in check, no page work."""
    return HttpResponse("ok", content_type="text/plain")
