"""APS's and PUG's steps are their unanimous decisions (§8.3, §8.4), taken through the pages:
the secretariat puts the step to the body, the voting seats decide, and nothing moves on one
click; APS judges the §6 principles before it recommends."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from governance import services as governance_services
from governance.models import Decision, SeatRole
from tests.factories import sign_in
from tests.governance.factories import seat
from tracks import services
from tracks.models import FocusArea, Principle, Track

from .factories import advance, draft, focus_area

S = Track.Status


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_pug_adopts_a_focus_area_by_a_unanimous_decision(people, english):
    chair = seat("pug", role=SeatRole.CHAIR, appointed_by="kl").person
    member = seat("pug", appointed_by="danske-regioner").person
    area = services.focus_area_save(by=people.secretariat, year=2026, name_da="Klimatilpasning")
    assert area.status == FocusArea.Status.PROPOSED
    with pytest.raises(PermissionDenied):
        services.focus_area_put_to_pug(focus_area=area, by=member)
    decision = services.focus_area_put_to_pug(focus_area=area, by=chair)
    assert decision.body.code == "pug" and decision.subject == area
    with pytest.raises(services.Conflict):  # nothing changes while PUG decides
        services.focus_area_save(by=people.secretariat, focus_area=area, name_da="Andet")
    governance_services.vote_cast(decision=decision, by=chair, choice="yes")
    area.refresh_from_db()
    assert area.status == FocusArea.Status.PROPOSED  # one voting seat still to vote
    governance_services.vote_cast(decision=decision, by=member, choice="yes")
    area.refresh_from_db()
    assert area.is_adopted and area.adopted_by_decision == decision
    with pytest.raises(ValidationError, match="new proposal"):
        services.focus_area_save(by=people.secretariat, focus_area=area, name_da="Andet")


def test_a_rejected_focus_area_stays_a_proposal_and_frames_no_track(people, english):
    member = seat("pug", appointed_by="kl").person
    area = services.focus_area_save(by=people.secretariat, year=2026, name_da="Landbrug")
    decision = services.focus_area_put_to_pug(focus_area=area, by=people.secretariat)
    governance_services.vote_cast(decision=decision, by=member, choice="no")
    decision.refresh_from_db()
    area.refresh_from_db()
    assert decision.status == Decision.Status.REJECTED and not area.is_adopted
    track = draft(people.coordinator, focus_area=area)
    codes = {error.code for error in services.track_check_principles(track=track)}
    assert "focus_area" in codes
    with pytest.raises(ValidationError):
        services.track_submit(track=track, by=people.coordinator)


def test_the_principles_page_records_apss_judgement(people, client):
    track = advance(draft(people.coordinator), S.ASSESSED, people)
    url = reverse("track-principles", args=[track.pk])
    sign_in(client, people.aps_observer)
    assert client.get(url).status_code == 403
    sign_in(client, people.aps)
    data = {f"{p}_met": "yes" for p in Principle.values}
    data["development_met"] = "no"
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 400  # "not met" needs a note
    assert "Angiv, hvorfor princippet ikke er opfyldt" in response.content.decode()
    assert not track.judgements.exists()
    data["development_note"] = "Ruller kendte ladeløsninger ud."
    assert client.post(url, data).status_code == 302
    assert track.judgements.filter(met=True).count() == 4
    page = client.get(track.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Ruller kendte ladeløsninger ud." in page and "ikke opfyldt" in page
    # The recommendation is refused with the principle named, on the page too.
    sign_in(client, people.secretariat)
    response = client.post(
        reverse("track-recommend", args=[track.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="da"
    )
    assert "udviklings-, test- eller demonstrationselement" in response.content.decode()
    assert not Decision.objects.filter(body__code="aps", status="open").exists()


def test_the_qualification_button_opens_apss_decision_and_moves_nothing(people, client):
    track = advance(draft(people.coordinator), S.SUBMITTED, people)
    sign_in(client, people.secretariat)
    response = client.post(reverse("track-start-qualification", args=[track.pk]))
    assert response.status_code == 302
    track.refresh_from_db()
    assert track.status == S.SUBMITTED
    decision = Decision.objects.get(body__code="aps")
    governance_services.vote_cast(decision=decision, by=people.aps, choice="yes")
    track.refresh_from_db()
    assert track.status == S.IN_QUALIFICATION


def test_the_focus_area_list_puts_a_proposal_to_pug(people, client):
    seat("pug", appointed_by="kl")
    area = services.focus_area_save(by=people.secretariat, year=2026, name_da="Affald")
    adopted = focus_area(2026, "Tung transport")
    sign_in(client, people.coordinator)
    assert client.post(reverse("focus-area-put-to-pug", args=[area.pk])).status_code == 403
    assert not Decision.objects.exists()  # a coordinator does not put matters to PUG
    sign_in(client, people.secretariat)
    page = client.get(reverse("focus-area-list"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "foreslået til PUG" in page and "vedtaget af PUG" in page
    client.post(reverse("focus-area-put-to-pug", args=[area.pk]))
    assert Decision.objects.get().subject == area
    client.post(reverse("focus-area-put-to-pug", args=[adopted.pk]))
    assert Decision.objects.count() == 1  # an adopted focus area is not put again


def test_a_rejected_track_is_revised_for_a_new_round_with_its_history(people, client, english):
    from .factories import aps_decides, fu_adopts, judge_all_met

    track = advance(draft(people.coordinator), S.RECOMMENDED, people)
    fu_adopts(track, people, choice="no")
    track.refresh_from_db()
    assert track.status == S.REJECTED
    sign_in(client, people.other_coordinator)
    assert client.post(reverse("track-revise", args=[track.pk]), {"reason": "X"}).status_code == 403
    sign_in(client, people.coordinator)
    client.post(reverse("track-revise", args=[track.pk]), {"reason": ""})
    track.refresh_from_db()
    assert track.status == S.REJECTED  # a revision says what it changes
    client.post(reverse("track-revise", args=[track.pk]), {"reason": "Nyt demonstrationsforsøg."})
    track.refresh_from_db()
    assert (track.status, track.round) == (S.DRAFT, 2)
    assert track.judgements.filter(round=1).count() == 5  # the first round's judgements stay
    services.track_submit(track=track, by=people.coordinator)
    aps_decides(track, "qualification", people)
    services.assessment_publish(
        track=track, by=people.knowledge_partner, text="Ny vurdering.", conclusion="supported"
    )
    track.refresh_from_db()
    with translation.override("en"), pytest.raises(ValidationError, match="not yet judged met"):
        services.track_recommend(track=track, by=people.secretariat)  # judged anew
    judge_all_met(track, people)
    aps_decides(track, "recommendation", people)
    fu_adopts(track, people)
    track.refresh_from_db()
    assert track.status == S.APPROVED
    events = list(track.transitions.values_list("event", flat=True))
    assert events.count("fu_decided") == 2 and "revised" in events


def test_a_rejected_track_can_be_withdrawn(people):
    from .factories import fu_adopts

    track = advance(draft(people.coordinator), S.RECOMMENDED, people)
    fu_adopts(track, people, choice="no")
    services.track_withdraw(track=track, by=people.coordinator, reason="Droppes.")
    track.refresh_from_db()
    assert track.status == S.WITHDRAWN
