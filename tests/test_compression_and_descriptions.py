"""Open pages say what they are to search engines (<meta name="description">) and travel
compressed; pages for a signed-in user are never compressed (BREACH, see
portal.middleware.PublicGZipMiddleware)."""

import gzip
import re

import pytest
from django.urls import reverse

from tests.matrix import open_pages

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]+)">')


def open_page_paths() -> list[str]:
    paths = []
    for case in open_pages.CASES:
        if case.method == "get" and case.expect.get("anonymous") == 200 and case.setup is None:
            path = reverse(case.name, kwargs=case.kwargs) + case.query
            if "download" not in case.name and "file" not in case.name:
                paths.append(path)
    return paths


@pytest.mark.django_db
def test_every_open_page_describes_itself(client):
    descriptions = {}
    paths = open_page_paths()
    assert len(paths) >= 5, paths
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        if not response["Content-Type"].startswith("text/html"):
            continue  # the open data files (csv, json, xlsx) are data, not pages
        found = DESCRIPTION.search(response.content.decode())
        assert found, f"{path} has no <meta name=description>"
        assert 50 <= len(found.group(1)) <= 200, (path, found.group(1))
        descriptions[path] = found.group(1)
    # Each list page says what is on it (the detail pages name their record).
    assert len(set(descriptions.values())) == len(descriptions), descriptions


@pytest.mark.django_db
def test_open_pages_are_compressed(client):
    response = client.get(reverse("public-home"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert DESCRIPTION.search(html)
    assert len(response.content) < len(html.encode()) / 2


@pytest.mark.django_db
def test_signed_in_pages_are_not_compressed(client_for):
    client = client_for("secretariat")
    for name in ("dashboard", "profile", "public-home"):
        response = client.get(reverse(name), HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, name
        assert not response.has_header("Content-Encoding"), name
