"""Global search over tracks, bodies, meetings and decisions respects who may see what."""

import pytest
from django.db import connection

from tests.governance.factories import open_decision, plan_meeting, seat
from tests.matrix.tracks import _track
from tracks.models import Track


def found(client_for, role: str, query: str) -> dict[str, list[str]]:
    response = client_for(role).get("/search/", {"q": query})
    assert response.status_code == 200
    return {
        str(kind): [r.title for r in results]
        for kind, results in response.context["groups"].items()
    }


def titles(client_for, role: str, query: str) -> list[str]:
    return [title for group in found(client_for, role, query).values() for title in group]


def test_a_draft_track_is_found_only_by_its_proposers_and_the_secretariat(client_for, role_users):
    draft = _track(role_users, "draft")
    Track.objects.filter(pk=draft.pk).update(title="Kladdesporet Biogas")
    for role in ("coordinator_a", "secretariat"):
        assert "Kladdesporet Biogas" in titles(client_for, role, "kladdesporet"), role
    for role in ("observer", "member", "coordinator_b", "knowledge_partner", "administrator"):
        assert "Kladdesporet Biogas" not in titles(client_for, role, "kladdesporet"), role


def test_a_submitted_track_is_found_by_every_signed_in_user(client_for, role_users):
    track = _track(role_users, "submitted")
    Track.objects.filter(pk=track.pk).update(title="Langlistesporet")
    for role in ("observer", "coordinator_b", "knowledge_partner"):
        assert "Langlistesporet" in titles(client_for, role, "langlistesporet"), role


def test_decisions_are_found_only_by_the_bodys_seats_and_managers(client_for, role_users):
    open_decision("fu", title="Godkendelse af årsplanen")
    seat("aps", appointed_by="kl")
    open_decision("aps", title="Godkendelse af APS-budgettet")
    # member: FU voting seat; observer: FU and PUG observer seat.
    for role in ("member", "observer", "secretariat"):
        assert "Godkendelse af årsplanen" in titles(client_for, role, "årsplanen"), role
    for role in ("coordinator_a", "coordinator_b", "knowledge_partner", "administrator"):
        assert "Godkendelse af årsplanen" not in titles(client_for, role, "årsplanen"), role
    assert "Godkendelse af APS-budgettet" not in titles(client_for, "member", "budgettet")
    assert "Godkendelse af APS-budgettet" in titles(client_for, "secretariat", "budgettet")


def test_planned_meetings_only_for_the_body_published_for_everyone(client_for, role_users):
    planned = plan_meeting("aps")
    planned.__class__.objects.filter(pk=planned.pk).update(title="Hemmeligt planlægningsmøde")
    published = plan_meeting("pug", publish=True)
    published.__class__.objects.filter(pk=published.pk).update(title="Offentliggjort temamøde")
    assert "Offentliggjort temamøde" in titles(client_for, "coordinator_b", "temamøde")
    assert "Hemmeligt planlægningsmøde" not in titles(client_for, "observer", "planlægningsmøde")
    assert "Hemmeligt planlægningsmøde" in titles(client_for, "secretariat", "planlægningsmøde")


def test_bodies_are_found_by_name_and_short_name(client_for):
    assert "Forretningsudvalget" in titles(client_for, "observer", "forretning")
    assert any(
        "APS" in t or "projektstyregruppe" in t for t in titles(client_for, "observer", "APS")
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Danish full-text search")
def test_danish_stemming_finds_inflected_words_in_a_tracks_texts(client_for, role_users):
    track = _track(role_users, "submitted")
    Track.objects.filter(pk=track.pk).update(
        title="Tung transport", problem="Kommunernes lastbiler udleder meget."
    )
    assert "Tung transport" in titles(client_for, "observer", "lastbil")
    assert "Tung transport" in titles(client_for, "observer", "kommune")


def test_search_needs_sign_in(client):
    response = client.get("/search/", {"q": "fu"})
    assert response.status_code == 302
