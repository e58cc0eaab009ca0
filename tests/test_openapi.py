"""The OpenAPI schema documents every operation fully: what it answers on success and on
refusal (401, 403, 404, 400 with the error shape), a summary and a description, every
parameter and every field with a description (and its unit), the contact and the licence.
And the errors the API really gives are in the request's language."""

import pytest
import yaml
from django.urls import reverse

METHODS = ("get", "post", "put", "patch", "delete")
PAGING = {"page", "page_size"}
ERROR_SHAPES = {"#/components/schemas/Error", "#/components/schemas/ValidationError"}


@pytest.fixture
def schema(client_for) -> dict:
    response = client_for("secretariat").get(reverse("api-schema"))
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def refs(response: dict) -> set[str]:
    return {
        media.get("schema", {}).get("$ref", "")
        for media in (response.get("content") or {}).values()
    }


def test_every_operation_documents_its_answers(schema):
    problems = []
    count = 0
    for path, method, operation in operations(schema):
        count += 1
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        needed = {"401", "403"}
        if any(p["in"] == "path" for p in parameters):
            needed.add("404")
        filters = {p["name"] for p in parameters if p["in"] == "query"} - PAGING
        if filters or "requestBody" in operation:
            needed.add("400")
        problems += [f"{where}: no {status}" for status in sorted(needed - set(responses))]
        for status, response in responses.items():
            if not response.get("description", "").strip():
                problems.append(f"{where}: response {status} without a description")
            if status.startswith("4") and status in needed:
                shapes = refs(response)
                if not shapes:
                    problems.append(f"{where}: {status} without its error shape")
        if not operation.get("summary", "").strip():
            problems.append(f"{where}: no summary")
        if not operation.get("description", "").strip():
            problems.append(f"{where}: no description")
        for parameter in parameters:
            if not parameter.get("description", "").strip():
                problems.append(f"{where}: parameter {parameter['name']} undocumented")
    assert count >= 30, count
    assert not problems, "\n".join(problems)


def test_the_error_shapes_are_components(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["detail"]
    assert components["ValidationError"]["additionalProperties"]["type"] == "array"
    used = {
        ref
        for _path, _method, operation in operations(schema)
        for response in operation["responses"].values()
        for ref in refs(response)
    }
    assert used >= ERROR_SHAPES


def test_every_field_has_a_description_and_amounts_a_unit(schema):
    problems = []

    def walk(name, field, where):
        if "$ref" in field or "allOf" in field:
            return
        if not field.get("description", "").strip():
            problems.append(f"{where}.{name}")
        for child, child_schema in (field.get("properties") or {}).items():
            walk(child, child_schema, f"{where}.{name}")

    for component, component_schema in schema["components"]["schemas"].items():
        for name, field in (component_schema.get("properties") or {}).items():
            walk(name, field, component)
    assert not problems, problems
    times = [
        field
        for component_schema in schema["components"]["schemas"].values()
        for field in (component_schema.get("properties") or {}).values()
        if field.get("format") == "date-time"
    ]
    assert times and all("ISO 8601" in field["description"] for field in times)


def test_the_schema_names_its_contact_and_licence(schema):
    info = schema["info"]
    assert info["contact"]["email"] and info["contact"]["name"]
    assert info["license"]["name"] == "CC BY 4.0" and info["license"]["url"].startswith("https")


@pytest.mark.parametrize(
    ("language", "not_found", "bad_filter"),
    [
        ("da", "Ikke fundet", "Marker en gyldig valgmulighed"),
        ("en", "Not found", "Select a valid choice"),
    ],
)
def test_errors_are_in_the_requests_language(client_for, settings, language, not_found, bad_filter):
    client = client_for("secretariat")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    missing = client.get(reverse("api-meeting-detail", kwargs={"pk": 999_999}))
    assert missing.status_code == 404
    assert missing.json()["detail"].startswith(not_found)
    wrong = client.get(reverse("api-meeting-list"), {"status": "no-such-status"})
    assert wrong.status_code == 400
    assert bad_filter in str(wrong.json())
    client.cookies.clear()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    anonymous = client.get(reverse("api-meeting-list"))
    assert anonymous.status_code == 401 and anonymous.json()["detail"]
