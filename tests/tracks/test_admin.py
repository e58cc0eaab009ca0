from django.urls import reverse

from .factories import draft


def test_track_change_page_shows_its_parts_read_only(admin_client, people):
    track = draft(people.secretariat)
    response = admin_client.get(reverse("admin:tracks_track_change", args=[track.pk]))
    assert response.status_code == 200
    assert "Aarhus" in response.content.decode()  # a participant, shown inline
