"""A track's timeline is stored as events and put into words in the reader's language: a step
taken by someone working in English reads in Danish to a Danish reader, and the other way round.
Rows written before (a sentence in `reason`) are turned into events by migration 0003."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from governance.models import Decision
from tests.factories import sign_in
from tracks import services
from tracks.models import Track, TrackTransition

from .factories import advance, draft, fu_adopts

pytestmark = pytest.mark.django_db
S = Track.Status
E = TrackTransition.Event

DANISH = [
    "Forslaget er påbegyndt.",
    "Indsendt til APS&#x27; bruttoliste.",
    "Forelagt APS til beslutning.",  # APS's steps are its decisions: the title follows
    "CONCITO offentliggjorde den klimafaglige vurdering (version 1).",
    "Forelagt FU til beslutning.",
    "Sporet er startet.",
]
ENGLISH = [
    "Proposal started.",
    "Submitted to APS&#x27;s long list.",
    "Put to APS for decision.",
    "CONCITO published the climate assessment (version 1).",
    "Put to FU for decision.",
    "The track has started.",
]


def running_track_taken_in(language: str, people) -> Track:
    with translation.override(language):
        track = advance(draft(people.coordinator), S.RECOMMENDED, people)
        fu_adopts(track, people)
        services.track_start(track=track, by=people.coordinator)
    return track


@pytest.mark.parametrize("written_in", ["en", "da"])
def test_the_timeline_reads_in_the_readers_language(people, client, written_in):
    track = running_track_taken_in(written_in, people)
    steps = list(track.transitions.all())
    assert [step.event for step in steps] == [
        E.PROPOSED, E.SUBMITTED, E.PUT_TO_APS, E.QUALIFICATION, E.ASSESSED, E.PUT_TO_APS,
        E.RECOMMENDED, E.PUT_TO_FU, E.FU_DECIDED, E.STARTED,
    ]  # fmt: skip
    assert all(step.reason == "" for step in steps)  # no sentence in anyone's language
    sign_in(client, people.secretariat)
    url = reverse("track-detail", args=[track.pk])
    for language, expected, foreign in (("da", DANISH, ENGLISH), ("en", ENGLISH, DANISH)):
        client.cookies["django_language"] = language
        page = client.get(url).content.decode()
        for text in expected:
            assert text in page, (language, text)
        for text in foreign:
            assert text not in page, (language, text)


def test_fu_decision_and_its_outcome_are_told_in_each_language(people):
    track = running_track_taken_in("en", people)
    decided = track.transitions.get(event=E.FU_DECIDED)
    title = decided.decision.title
    assert decided.params == {"title": title, "outcome": Decision.Status.ADOPTED}
    with translation.override("da"):
        assert decided.description == f"FU's beslutning »{title}«: Vedtaget."
    with translation.override("en"):
        assert decided.description == f"FU's decision “{title}”: Adopted."


def test_a_reason_someone_wrote_is_shown_as_written_beside_the_event(people, client):
    track = draft(people.coordinator)
    with translation.override("en"):
        services.track_submit(track=track, by=people.coordinator, reason="Klar til APS.")
    step = track.transitions.last()
    assert (step.event, step.reason, step.note) == (E.SUBMITTED, "Klar til APS.", "Klar til APS.")
    with translation.override("da"):
        assert step.description == "Indsendt til APS' bruttoliste."


def test_the_api_gives_the_event_and_its_words_in_the_chosen_language(people):
    track = advance(draft(people.coordinator), S.SUBMITTED, people)
    client = APIClient()
    client.force_authenticate(people.secretariat)
    url = reverse("api-track-detail", args=[track.pk])
    for language, text in (("da", "Indsendt til APS' bruttoliste."),
                           ("en", "Submitted to APS's long list.")):  # fmt: skip
        client.cookies["django_language"] = language  # the language switch
        step = client.get(url).json()["transitions"][-1]
        assert (step["event"], step["description"], step["reason"]) == ("submitted", text, "")


def test_rows_written_as_sentences_become_events_and_stay_readable(people):
    """Migration 0003 on rows as they were stored before it, in English and in Danish."""
    migration = importlib.import_module("tracks.migrations.0003_tracktransition_event")
    track = running_track_taken_in("da", people)
    # Before the migration APS's steps were one click: no step put to APS, none decided by it.
    track.transitions.filter(event=E.PUT_TO_APS).delete()
    track.transitions.filter(event__in=[E.QUALIFICATION, E.RECOMMENDED]).update(decision=None)
    decision = track.transitions.get(event=E.FU_DECIDED).decision
    old = {  # pk -> the reason as the old services wrote it
        step.pk: reason
        for step, reason in zip(
            track.transitions.order_by("at", "pk"),
            [
                "Proposal started.",
                "Indsendt til APS' bruttoliste.",
                "APS qualifies the track with the knowledge partners.",
                "C40 offentliggjorde den klimafaglige vurdering (version 3).",
                "Vi anbefaler det.",  # written by APS: stays
                "Put to FU for decision.",
                f"FU's decision “{decision.title}”: Adopted.",
                "Sporet er startet.",
            ],
            strict=True,
        )
    }
    for pk, reason in old.items():
        TrackTransition.objects.filter(pk=pk).update(reason=reason, event="", params={})
    migration.forwards(apps, None)
    steps = list(track.transitions.order_by("at", "pk"))
    assert [step.event for step in steps] == [
        E.PROPOSED, E.SUBMITTED, E.QUALIFICATION, E.ASSESSED, E.RECOMMENDED, E.PUT_TO_FU,
        E.FU_DECIDED, E.STARTED,
    ]  # fmt: skip
    assert [step.reason for step in steps] == ["", "", "", "", "Vi anbefaler det.", "", "", ""]
    with translation.override("da"):
        assert steps[3].description == "C40 offentliggjorde den klimafaglige vurdering (version 3)."
        assert steps[6].description == f"FU's beslutning »{decision.title}«: Vedtaget."
    with translation.override("en"):
        assert steps[0].description == "Proposal started."
        assert steps[7].description == "The track has started."
