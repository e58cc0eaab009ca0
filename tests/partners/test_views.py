import pytest
from django.urls import reverse

from partners.models import Municipality


@pytest.fixture
def coordinator_client(client_for):
    return client_for("coordinator_a")


def test_municipality_list_filters_searches_and_sorts(coordinator_client):
    url = reverse("municipality-list")
    page = coordinator_client.get(url, {"dgo": "nordjylland"})
    assert page.context["page"].paginator.count == 11

    page = coordinator_client.get(url, {"q": "aar"})
    names = [m.name for m in page.context["page"].object_list]
    assert "Aarhus" in names and "Aabenraa" not in names

    page = coordinator_client.get(url, {"q": "751"})
    assert [m.name for m in page.context["page"].object_list] == ["Aarhus"]

    page = coordinator_client.get(url, {"sort": "-population"})
    assert page.context["page"].object_list[0].name == "København"

    page = coordinator_client.get(url, {"sort": "no-such-order", "dgo": "no-such-dgo"})
    assert page.status_code == 200  # bad filter input is ignored, never a 500


def test_list_is_paginated(coordinator_client):
    page = coordinator_client.get(reverse("municipality-list"))
    assert len(page.context["page"].object_list) == 50
    assert page.context["page"].paginator.num_pages == 2
    second = coordinator_client.get(reverse("municipality-list"), {"page": 2})
    assert len(second.context["page"].object_list) == 48


def test_municipality_page_shows_aarhus(coordinator_client):
    response = coordinator_client.get("/municipalities/751/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Aarhus" in content and "DGO Midtjylland" in content
    assert "349.433" in content  # population in Danish number format
    assert reverse("municipality-edit", args=["751"]) in content


def test_unknown_municipality_is_404(coordinator_client):
    assert coordinator_client.get("/municipalities/999/").status_code == 404
    assert coordinator_client.get("/municipalities/abc/").status_code == 404


def test_coordinator_of_other_dgo_sees_no_edit_link(client_for):
    response = client_for("coordinator_b").get("/municipalities/751/")
    assert reverse("municipality-edit", args=["751"]) not in response.content.decode()


def test_edit_saves_and_bad_input_rerenders_with_errors(coordinator_client):
    url = reverse("municipality-edit", args=["751"])
    response = coordinator_client.post(url, {"website": "not a url at all", "notes": "x"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert Municipality.objects.get(code="751").notes == ""

    response = coordinator_client.post(url, {"website": "aarhus.dk", "notes": "Kontakt: klima"})
    assert response.status_code == 302
    aarhus = Municipality.objects.get(code="751")
    assert aarhus.website == "https://aarhus.dk"
    assert aarhus.notes == "Kontakt: klima"


def test_forbidden_edit_changes_nothing(client_for):
    response = client_for("coordinator_b").post(
        reverse("municipality-edit", args=["751"]), {"website": "", "notes": "hacked"}
    )
    assert response.status_code == 403
    assert "hacked" not in Municipality.objects.get(code="751").notes


def test_danish_by_default_and_english_remembered(coordinator_client):
    response = coordinator_client.get(reverse("municipality-list"))
    assert '<html lang="da">' in response.content.decode()
    assert "Kommuner" in response.content.decode()

    coordinator_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = coordinator_client.get(reverse("municipality-list"), HTTP_ACCEPT_LANGUAGE="da")
    content = response.content.decode()
    assert '<html lang="en">' in content and "Municipalities" in content

    response = coordinator_client.get("/municipalities/751/")
    assert "349,433" in response.content.decode()


def test_browser_language_does_not_override_danish(client_for):
    response = client_for("secretariat").get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="da">' in response.content.decode()


def test_dashboard_greets_coordinator_with_their_municipalities(coordinator_client):
    content = coordinator_client.get("/").content.decode()
    assert "Mine kommuner" in content
    assert "19 kommuner" in content


def test_dashboard_for_secretariat_has_no_my_municipalities(client_for):
    content = client_for("secretariat").get("/").content.decode()
    assert "Mine kommuner" not in content
    assert "DGO Hovedstaden" in content


def test_authenticated_pages_are_not_cached(coordinator_client):
    response = coordinator_client.get("/")
    assert "no-store" in response["Cache-Control"]


def test_security_headers(coordinator_client):
    response = coordinator_client.get("/")
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
