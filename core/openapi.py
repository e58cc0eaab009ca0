"""The OpenAPI schema says what every operation can answer, not only its success.

drf-spectacular documents what a view declares. Every operation of the API shares the same
refusals, so this postprocessing hook adds them in one place instead of on 38 views:

- 401 on every operation (each needs a token or a session), 403 (signed in, but not allowed),
  404 on every operation with a path parameter (no such record, or one the user may not see:
  a record a user may not see answers as if it did not exist) and on paginated lists (a page
  beyond the last), 400 on every operation that takes filters or a body — each with the
  error shape (`Error`: {"detail": …}, or `ValidationError`: field → messages);
- the `Idempotency-Key` header on every unsafe operation (core.idempotency: a repeat answers
  the first answer; the key used for another request is a 422, one still running a 409);
- a summary and a description for every operation that has none, a description for every
  response, parameter and field (from the field's label, with its unit where it has one).

The texts of the errors themselves are in the request's language (see core.api).
"""

import re

PAGING = {"page", "page_size"}

ERROR = {
    "type": "object",
    "description": (
        "A refusal or an error. `detail` says why, in the request's language (the portal's "
        "language cookie; Danish by default)."
    ),
    "properties": {
        "detail": {"type": "string", "description": "Why the request was refused."},
    },
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "What is wrong with the request: each parameter or field that is not valid, with its "
        "messages in the request's language; `non_field_errors` or `detail` for the request "
        "as a whole."
    ),
    "additionalProperties": {
        "type": "array",
        "items": {"type": "string"},
        "description": "The messages about one parameter or field.",
    },
}

# Field names and their units (the API's amounts, quantities and moments).
UNITS = [
    (
        re.compile(r"(amount|budget|spent|left|granted|requested|funds|allocated|kroner|dkk)"),
        "in Danish kroner (DKK)",
    ),
    (re.compile(r"(emission|co2|tonnes|reduction)"), "in tonnes CO2e per year"),
    (re.compile(r"population|inhabitants"), "number of inhabitants"),
    (re.compile(r"(percent|share|progress)"), "in percent"),
    (re.compile(r"(^|_)year(s)?$"), "calendar year"),
]
FORMATS = {
    "date-time": "ISO 8601 date and time with its UTC offset",
    "date": "ISO 8601 date (YYYY-MM-DD)",
    "uri": "absolute URL",
    "email": "e-mail address",
}


def _humane(name: str) -> str:
    text = name.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def _resource(path: str) -> str:
    """'/api/monitoring-reports/{key}/' -> 'monitoring reports'."""
    parts = [part for part in path.strip("/").split("/") if part and part != "api"]
    words = [part for part in parts if not part.startswith("{")]
    return words[0].replace("-", " ") if words else "records"


def _unit(name: str, schema: dict) -> str:
    for pattern, unit in UNITS:
        if pattern.search(name.lower()) and schema.get("type") in ("number", "integer", "string"):
            if schema.get("type") == "string" and schema.get("format") not in ("decimal", None):
                continue
            return unit
    return FORMATS.get(schema.get("format", ""), "")


def _describe_field(name: str, schema: dict) -> None:
    if "$ref" in schema or "allOf" in schema:
        return
    if not schema.get("description"):
        base = schema.get("title") or _humane(name)
        if name == "id":
            base = "The record's number (its id in the detail URL)"
        unit = _unit(name, schema)
        schema["description"] = f"{base} ({unit})." if unit else f"{base}."
    for child_name, child in (schema.get("properties") or {}).items():
        _describe_field(child_name, child)
    if isinstance(schema.get("items"), dict):
        _describe_field(name, schema["items"])


def _summary(method: str, path: str, has_id: bool) -> str:
    resource = _resource(path)
    last = path.strip("/").split("/")[-1]
    if method == "get":
        return f"One of the {resource}" if has_id else f"The {resource}"
    action = last.replace("-", " ") if not last.startswith("{") else method
    return f"{_humane(action)} ({resource})"


def _description(method: str, path: str, has_id: bool, paginated: bool) -> str:
    resource = _resource(path)
    if method == "get" and has_id:
        return (
            f"One of the {resource}, as the signed-in user may see it; a record the user may "
            "not see answers 404, as if it did not exist."
        )
    if method == "get":
        text = f"The {resource} the signed-in user may see."
        if paginated:
            text += " 25 per page (`page`), or up to 100 with `page_size`."
        return text
    return (
        f"A step on one of the {resource}, for users allowed to take it; the service checks "
        "the rule and the answer says why when it refuses."
    )


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": (
        "Optional: a key of your own for this request (e.g. a UUID), 1 to 255 visible ASCII "
        "characters. Sending the same request again with the same key — after a timeout, say "
        "— answers the first answer (status and body, with the header `Idempotent-Replayed: "
        "true`) and writes nothing again. Keys are per user and kept 24 hours; the same key "
        "with another address or body is refused with 422."
    ),
}
UNSAFE = ("post", "put", "patch", "delete")


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def postprocess(result: dict, generator, request, public) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            _document(path, method, operation)
    for name, schema in schemas.items():
        if name in ("Error", "ValidationError"):
            continue
        if not schema.get("description") and "enum" not in schema:
            schema["description"] = f"{_humane(name)}."
        for field_name, field_schema in (schema.get("properties") or {}).items():
            _describe_field(field_name, field_schema)
        if "enum" in schema and not schema.get("description"):
            schema["description"] = f"One of: {', '.join(map(str, schema['enum']))}."
    return result


def _document(path: str, method: str, operation: dict) -> None:
    parameters = operation.setdefault("parameters", [])
    has_id = any(p.get("in") == "path" for p in parameters)
    names = {p.get("name") for p in parameters if p.get("in") == "query"}
    paginated = "page" in names
    filters = names - PAGING
    resource = _resource(path)
    if not operation.get("summary"):
        operation["summary"] = _summary(method, path, has_id)
    if not operation.get("description"):
        operation["description"] = _description(method, path, has_id, paginated)
    for parameter in parameters:
        if not parameter.get("description"):
            name = parameter.get("name", "")
            if parameter.get("in") == "path":
                parameter["description"] = f"Which of the {resource}: its {name.replace('_', ' ')}."
            else:
                parameter["description"] = f"Only {resource} with this {name.replace('_', ' ')}."
    if method in UNSAFE and not any(p.get("name") == "Idempotency-Key" for p in parameters):
        parameters.append(dict(IDEMPOTENCY_KEY))
    responses = operation.setdefault("responses", {})
    for status, response in responses.items():
        if not response.get("description"):
            response["description"] = {
                "200": f"OK: the {resource} asked for.",
                "201": "Created: what was recorded.",
                "204": "Done; no content.",
                "404": "No such record, or one the user may not see.",
            }.get(status, "See the reason in the body.")
    responses.setdefault(
        "401",
        {
            "description": (
                "Not signed in: no valid token (`Authorization: Bearer …`) and no session; "
                "or the token is revoked, expired or its person deactivated (the reason says "
                "which)."
            ),
            "content": _json("Error"),
        },
    )
    responses.setdefault(
        "403",
        {
            "description": (
                "Signed in, but the user may not do this, or a read-only token asked to change "
                "something (the reason says why)."
            ),
            "content": _json("Error"),
        },
    )
    if has_id or paginated:
        responses.setdefault(
            "404",
            {
                "description": (
                    "No such record, or one the user may not see"
                    + ("; or a page beyond the last." if paginated else ".")
                ),
                "content": _json("Error"),
            },
        )
    if method in UNSAFE:
        responses.setdefault(
            "422",
            {
                "description": (
                    "The Idempotency-Key was already used for another request (another "
                    "address or body)."
                ),
                "content": _json("Error"),
            },
        )
        responses.setdefault(
            "409",
            {
                "description": (
                    "The first request with this Idempotency-Key is still being processed "
                    "(or the step conflicts with the record's state: the reason says which)."
                ),
                "content": _json("Error"),
            },
        )
    if filters or "requestBody" in operation or method in UNSAFE:
        responses.setdefault(
            "400",
            {
                "description": ("A parameter or field is not valid: each one with its messages."),
                "content": _json("ValidationError"),
            },
        )
