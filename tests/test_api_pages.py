"""API lists come in pages of 25, as the portal's own lists; a script may ask for up to 100."""

from partners.models import Municipality


def test_api_lists_are_paged_by_25_up_to_100(client_for):
    client = client_for("secretariat")
    first = client.get("/api/municipalities/").json()
    assert first["count"] == Municipality.objects.count() == 98
    assert len(first["results"]) == 25 and "page=2" in first["next"]
    assert len(client.get("/api/municipalities/?page_size=60").json()["results"]) == 60
    assert len(client.get("/api/municipalities/?page_size=100").json()["results"]) == 98
    tracks = client.get("/api/tracks/?page_size=1000")
    assert tracks.status_code == 200  # a page size above 100 is capped, not refused
