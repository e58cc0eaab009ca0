"""Error reports to Sentry, without the personal data of the partnership's people.

Sentry is a processor outside the partnership: an event may name the user only by their id,
and carries no e-mail addresses, names, CPR numbers, cookies, tokens or form contents. The SDK's
own `send_default_pii=False` already leaves out cookies, IP addresses and request bodies it
knows about; `scrub_event` also cleans what our code put into messages, exception values,
breadcrumbs and local variables.
"""

import re
from typing import Any

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
CPR = re.compile(r"\b\d{6}-?\d{4}\b")  # Danish personal identity numbers
PHONE = re.compile(r"(?<!\d)(\+45[ ]?)?(\d{2}[ ]?){3}\d{2}(?!\d)")
FILTERED = "[Filtered]"
SENSITIVE_KEYS = re.compile(
    r"pass|secret|token|key|auth|cookie|session|csrf|otp|email|e_mail|mail|name|phone|"
    r"cpr|address|remote_addr|^ip$",
    re.IGNORECASE,
)
SENSITIVE_HEADERS = {"authorization", "cookie", "x-csrftoken", "x-forwarded-for", "x-real-ip"}


def scrub_text(text: str) -> str:
    text = EMAIL.sub(FILTERED, text)
    text = CPR.sub(FILTERED, text)
    return PHONE.sub(FILTERED, text)


def _scrub(value: Any, depth: int = 0) -> Any:
    if depth > 20:
        return FILTERED
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            key: FILTERED
            if isinstance(key, str) and SENSITIVE_KEYS.search(key)
            else _scrub(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item, depth + 1) for item in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's before_send (and before_send_transaction): the event without personal data."""
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        request.pop("data", None)
        request.pop("env", None)
        if isinstance(request.get("headers"), dict):
            request["headers"] = {
                name: FILTERED if name.lower() in SENSITIVE_HEADERS else value
                for name, value in request["headers"].items()
            }
        if request.get("query_string"):
            request["query_string"] = FILTERED
        if isinstance(request.get("url"), str):
            request["url"] = scrub_text(request["url"])
    if isinstance(event.get("message"), str):
        event["message"] = scrub_text(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        for field in ("message", "formatted"):
            if isinstance(logentry.get(field), str):
                logentry[field] = scrub_text(logentry[field])
        if "params" in logentry:
            logentry["params"] = _scrub(logentry["params"])
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = scrub_text(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            if "vars" in frame:
                frame["vars"] = _scrub(frame["vars"])
    breadcrumbs = event.get("breadcrumbs")
    crumbs = breadcrumbs.get("values") if isinstance(breadcrumbs, dict) else breadcrumbs
    for crumb in crumbs or []:
        if isinstance(crumb.get("message"), str):
            crumb["message"] = scrub_text(crumb["message"])
        if "data" in crumb:
            crumb["data"] = _scrub(crumb["data"])
    if "extra" in event:
        event["extra"] = _scrub(event["extra"])
    return event


def init_sentry(dsn: str, *, environment: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=True,
        max_request_body_size="never",
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        traces_sample_rate=traces_sample_rate,
    )
