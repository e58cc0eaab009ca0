"""Who voted what is read by the body's members and observers and the secretariat only
(governance.permissions.can_see_votes); everyone else reads the outcome ("Afvist af FU den …").

One table over every surface that could name a voter: the decision page and list, the meeting
page and its pack (PDF), the record-votes page, the track page's timeline, search, the decision,
meeting and track exports, the audit trail, the decisions, meetings and tracks API and the
e-mails. (The annual status report PDF names no decision or vote at all.) Readers
outside the body (a coordinator who sits in no body; a DGO's coordinator who manages its steering
group without a seat) must find no voter's name on any of them; the body's members, observers and
the secretariat do find them where the surface shows votes (so the test can fail)."""

import datetime
import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import OutboxEmail
from governance import services as governance_services
from governance.models import Body, Decision, SeatRole
from governance.permissions import can_see_votes
from tests.factories import UserFactory, sign_in
from tests.governance.factories import open_decision, plan_meeting, seat
from tests.tracks.factories import People, advance, draft, fu_adopts
from tracks.models import Track

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(module_transaction, django_db_blocker):
    """Built once for the module (every test only reads it; see module_transaction)."""
    with django_db_blocker.unblock():
        return _world()


def _world():
    people = People()
    people.fu_observer = seat("fu", role=SeatRole.OBSERVER, appointed_by="concito").person
    track = advance(draft(people.coordinator), Track.Status.RECOMMENDED, people)
    fu_decision = fu_adopts(track, people, choice="no")  # the last vote (a no) closes it
    assert fu_decision.status == Decision.Status.REJECTED
    assert fu_decision.closed_by == people.fu_member
    # A DGO steering group whose coordinator manages it without a seat in it.
    group = Body.objects.get(code="dgo-midtjylland-adm")
    people.group_member = seat(group, appointed_by="kl").person
    # Its meeting, with the decision at it: the meeting page and the pack name no voter either.
    people.group_meeting = plan_meeting(group, by=people.coordinator, days=-1, publish=True)
    group_decision = open_decision(
        group, by=people.coordinator, title="Styregruppens sag", meeting=people.group_meeting
    )
    governance_services.vote_cast(decision=group_decision, by=people.group_member, choice="no")
    group_decision.refresh_from_db()
    people.outsider = UserFactory()  # signed in, no role, no seat
    return people, track, fu_decision, group_decision


def _voters(people) -> list[str]:
    return [
        people.fu_chair.get_full_name(),
        people.fu_member.get_full_name(),
        people.group_member.get_full_name(),
    ]


# Each surface: (name, fetch(client, api_client, track, fu_decision, group_decision) -> text).
SURFACES = [
    ("decision page (FU)", lambda c, a, t, d, g: c.get(d.get_absolute_url())),
    ("decision page (steering group)", lambda c, a, t, d, g: c.get(g.get_absolute_url())),
    ("track page timeline", lambda c, a, t, d, g: c.get(reverse("track-detail", args=[t.pk]))),
    ("search", lambda c, a, t, d, g: c.get(reverse("search"), {"q": d.title[:20]})),
    ("search (steering group)", lambda c, a, t, d, g: c.get(reverse("search"), {"q": "Styregr"})),
    ("decision export", lambda c, a, t, d, g: c.get(reverse("decision-list"), {"export": "csv"})),
    ("decisions API", lambda c, a, t, d, g: a.get(reverse("api-decision-list"))),
    (
        "decision API (steering group)",
        lambda c, a, t, d, g: a.get(reverse("api-decision-detail", args=[g.pk])),
    ),
    ("tracks API", lambda c, a, t, d, g: a.get(reverse("api-track-detail", args=[t.pk]))),
    ("decision list", lambda c, a, t, d, g: c.get(reverse("decision-list"))),
    ("meeting page", lambda c, a, t, d, g: c.get(g.meeting.get_absolute_url())),
    (
        "meeting pack (PDF)",
        lambda c, a, t, d, g: c.get(reverse("meeting-pack", args=[g.meeting_id])),
    ),
    ("meeting export", lambda c, a, t, d, g: c.get(reverse("meeting-list"), {"export": "csv"})),
    ("meetings API", lambda c, a, t, d, g: a.get(reverse("api-meeting-list"))),
    (
        "record-votes page",
        lambda c, a, t, d, g: c.get(reverse("decision-record-votes", args=[g.pk])),
    ),
    ("track export", lambda c, a, t, d, g: c.get(reverse("track-list"), {"export": "csv"})),
    ("audit trail", lambda c, a, t, d, g: c.get(reverse("audit-log"), {"q": "vote"})),
]


def _text(response) -> str:
    content = getattr(response, "content", b"")
    if not content and hasattr(response, "streaming_content"):
        content = b"".join(response.streaming_content)
    if content.startswith(b"%PDF"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = content.decode("utf-8", errors="replace")
    try:  # JSON escapes non-ASCII letters (æ, ø, å): compare decoded text
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def _clients(user):
    client = sign_in(Client(), user)
    client.cookies["django_language"] = "da"
    api = APIClient()
    api.force_authenticate(user)
    api.credentials(HTTP_ACCEPT_LANGUAGE="da")
    return client, api


@pytest.mark.parametrize("surface, fetch", SURFACES, ids=[name for name, _f in SURFACES])
@pytest.mark.parametrize("reader", ["coordinator", "outsider"])
def test_no_voter_is_named_to_a_reader_outside_the_body(world, surface, fetch, reader):
    people, track, fu_decision, group_decision = world
    user = getattr(people, reader)
    client, api = _clients(user)
    text = _text(fetch(client, api, track, fu_decision, group_decision))
    for name in _voters(people):
        # The steering group's coordinator may read the group's decision, not its votes.
        assert name not in text, (surface, reader, name)


def test_the_track_timeline_tells_the_outcome_in_danish(world):
    people, track, fu_decision, _group = world
    client, api = _clients(people.coordinator)
    day = timezone.localtime(fu_decision.closed_at).date()
    danish_months = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august"]
    danish_months += ["september", "oktober", "november", "december"]
    expected = f"Afvist af FU den {day.day}. {danish_months[day.month - 1]} {day.year}"
    page = client.get(reverse("track-detail", args=[track.pk])).content.decode()
    assert expected in page
    steps = api.get(reverse("api-track-detail", args=[track.pk])).json()["transitions"]
    decided = next(step for step in steps if step["event"] == "fu_decided")
    assert decided["by"] is None
    assert decided["outcome"] == expected


def test_the_steering_groups_manager_reads_the_outcome_not_the_votes(world):
    people, _track, _fu, group_decision = world
    client, api = _clients(people.coordinator)
    page = client.get(group_decision.get_absolute_url())
    assert page.status_code == 200
    assert "Afvist af Adm. styregr." in page.content.decode()
    data = api.get(reverse("api-decision-detail", args=[group_decision.pk])).json()
    assert data["votes"] is None
    assert data["outcome"].startswith("Afvist af ")


@pytest.mark.parametrize("reader", ["fu_chair", "fu_member", "fu_observer", "secretariat"])
def test_the_bodys_members_observers_and_the_secretariat_see_who_voted(world, reader):
    people, track, fu_decision, _group = world
    user = getattr(people, reader)
    client, api = _clients(user)
    member = people.fu_member.get_full_name()
    assert member in client.get(fu_decision.get_absolute_url()).content.decode()
    assert member in client.get(reverse("track-detail", args=[track.pk])).content.decode()
    votes = api.get(reverse("api-decision-detail", args=[fu_decision.pk])).json()["votes"]
    assert {vote["cast_by"] for vote in votes} == {
        people.fu_chair.get_full_name(),
        member,
    }


def test_no_e_mail_names_a_voter_to_anyone(world):
    people, *_rest = world
    messages = list(OutboxEmail.objects.all())
    assert any("lukket" in message.subject for message in messages)  # the closing, mailed
    for message in messages:
        for name in _voters(people):
            assert name not in message.body and name not in message.subject


def test_the_predicate_itself(world):
    people, _track, fu_decision, group_decision = world
    fu, group = fu_decision.body, group_decision.body
    assert can_see_votes(people.fu_member, fu)
    assert can_see_votes(people.fu_observer, fu.pk)
    assert can_see_votes(people.secretariat, group)
    assert not can_see_votes(people.coordinator, fu)
    assert not can_see_votes(people.coordinator, group)  # manages it, sits in no seat
    assert not can_see_votes(people.fu_member, group)
    ended = seat("fu", appointed_by="kl", ends_on=datetime.date(2024, 6, 30)).person
    assert not can_see_votes(ended, fu)


READ_BY_THE_MANAGER = {
    "decision page (steering group)",
    "decision API (steering group)",
    "meeting page",
    "meeting pack (PDF)",
    "decision export",
    "meeting export",
}


def test_the_manager_outside_the_body_really_reads_those_surfaces(world):
    """The coordinator manages the steering group without a seat: the surfaces above are
    open to them (so the absence of voters' names is a finding, not an empty 404)."""
    people, track, fu_decision, group_decision = world
    client, api = _clients(people.coordinator)
    for name, fetch in SURFACES:
        if name not in READ_BY_THE_MANAGER:
            continue
        response = fetch(client, api, track, fu_decision, group_decision)
        assert response.status_code == 200, name
    pack = _text(client.get(reverse("meeting-pack", args=[group_decision.meeting_id])))
    assert "Punkt 1" in pack and people.group_meeting.title in pack
    # Recording the room's votes shows who has voted: the secretariat and the chair only.
    assert client.get(reverse("decision-record-votes", args=[group_decision.pk])).status_code == 403
