"""Votes cast at a meeting, corrections, and the meeting itself: agenda changes, attendance,
minutes approved by the body, the meeting pack."""

import datetime
import io

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from rest_framework.test import APIClient

from core.models import OutboxEmail
from governance import services
from governance.models import (
    Absence,
    AgendaChange,
    Attendance,
    Body,
    Decision,
    Meeting,
    SeatRole,
    SubstituteCall,
    Vote,
)
from partners.models import RoleAssignment
from tests.factories import UserFactory, make_user, sign_in
from tests.flat import assert_flat, measure

from .factories import open_decision, past, plan_meeting, seat, secretariat_user

Status = Decision.Status


@pytest.fixture
def fu(db):
    return Body.objects.get(code="fu")


@pytest.fixture
def board(fu):
    chair = seat(fu, role=SeatRole.CHAIR)
    vice = seat(fu, role=SeatRole.VICE_CHAIR, appointed_by="danske-regioner")
    member = seat(fu, appointed_by="realdania")
    substitute = seat(fu, role=SeatRole.SUBSTITUTE, substitute_for=member, appointed_by="realdania")
    observer = seat(fu, role=SeatRole.OBSERVER, appointed_by="concito")
    return {
        "chair": chair,
        "vice": vice,
        "member": member,
        "substitute": substitute,
        "observer": observer,
        "secretariat": secretariat_user(),
        "coordinator": make_user(RoleAssignment.Role.DGO_COORDINATOR, dgo_slug="midtjylland"),
    }


def held_meeting(body="fu", by=None, days=-1, items=2):
    by = by or secretariat_user()
    meeting = plan_meeting(body, by=by, days=days, items=items, publish=True)
    return services.meeting_mark_held(meeting=meeting, by=by)


def recorded(seat, choice="yes"):
    return services.RecordedVote(seat=seat, choice=choice)


def pdf_bytes(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- Votes cast at a meeting ----------------------------------------------------------------


def test_the_secretariat_records_the_rooms_votes_in_the_seat_holders_names(board):
    by = board["secretariat"]
    meeting = held_meeting(by=by)
    decision = open_decision("fu", by=by, meeting=meeting)
    votes = services.votes_record_at_meeting(
        decision=decision,
        meeting=meeting,
        by=by,
        votes=[recorded(board["chair"]), recorded(board["vice"])],
    )
    assert {(v.cast_by, v.recorded_by, v.meeting) for v in votes} == {
        (board["chair"].person, by, meeting),
        (board["vice"].person, by, meeting),
    }
    decision.refresh_from_db()
    assert decision.status == Status.OPEN  # the member has not voted
    services.votes_record_at_meeting(
        decision=decision, meeting=meeting, by=by, votes=[recorded(board["member"])]
    )
    decision.refresh_from_db()
    assert decision.status == Status.ADOPTED


def test_the_chair_records_but_not_the_coordinator_or_an_observer(board):
    meeting = held_meeting(by=board["secretariat"])
    decision = open_decision("fu", by=board["secretariat"], meeting=meeting)
    for user in (board["coordinator"], board["observer"].person, board["member"].person):
        with pytest.raises(PermissionDenied):
            services.votes_record_at_meeting(
                decision=decision, meeting=meeting, by=user, votes=[recorded(board["member"])]
            )
    services.votes_record_at_meeting(
        decision=decision,
        meeting=meeting,
        by=board["chair"].person,
        votes=[recorded(board["member"], "abstain")],
    )
    assert decision.votes.get().recorded_by == board["chair"].person


def test_refusals_write_nothing(board):
    by = board["secretariat"]
    meeting = held_meeting(by=by)
    decision = open_decision("fu", by=by, meeting=meeting)
    services.vote_cast(decision=decision, by=board["member"].person, choice="yes")
    # One seat already voted: the whole recording is refused, the other seat's vote too.
    with pytest.raises(services.Conflict):
        services.votes_record_at_meeting(
            decision=decision,
            meeting=meeting,
            by=by,
            votes=[recorded(board["chair"]), recorded(board["member"])],
        )
    assert decision.votes.count() == 1
    with pytest.raises(ValidationError):  # an observer's seat does not vote
        services.votes_record_at_meeting(
            decision=decision, meeting=meeting, by=by, votes=[recorded(board["observer"])]
        )
    with pytest.raises(ValidationError):  # the member is not absent: no substitute
        services.votes_record_at_meeting(
            decision=decision, meeting=meeting, by=by, votes=[recorded(board["substitute"])]
        )
    future = plan_meeting("fu", by=by, days=5)
    in_writing = open_decision("fu", by=by)
    with pytest.raises(ValidationError):  # the meeting has not started
        services.votes_record_at_meeting(
            decision=in_writing, meeting=future, by=by, votes=[recorded(board["chair"])]
        )
    with pytest.raises(services.Conflict, match=r"deadline|[Ff]rist"):
        services.votes_record_at_meeting(
            decision=past(in_writing), meeting=meeting, by=by, votes=[recorded(board["chair"])]
        )
    assert not in_writing.votes.exists()


def test_the_page_records_and_the_audit_trail_names_who_recorded(board, client):
    by = board["secretariat"]
    meeting = held_meeting(by=by)
    decision = open_decision("fu", by=by, meeting=meeting)
    sign_in(client, by)
    client.cookies["django_language"] = "da"
    url = reverse("decision-record-votes", args=[decision.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert f'name="seat_{board["chair"].pk}"' in form.content.decode()
    assert f'name="seat_{board["observer"].pk}"' not in form.content.decode()
    response = client.post(
        url,
        {
            "meeting": meeting.pk,
            f"seat_{board['chair'].pk}": "yes",
            f"seat_{board['vice'].pk}": "no",
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == Status.REJECTED
    vote = decision.votes.get(seat=board["chair"])
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Vote), object_pk=str(vote.pk)
    )
    assert entry.actor == by
    assert str(by.pk) in str(entry.changes_dict["recorded_by"])
    page = client.get(decision.get_absolute_url()).content.decode()
    assert f"registreret af {by}" in page
    closed = client.post(url, {"meeting": meeting.pk, f"seat_{board['member'].pk}": "yes"})
    assert closed.status_code == 409 and decision.votes.count() == 2  # closed: nothing written


def test_the_api_records_and_refuses_with_reasons(board):
    by = board["secretariat"]
    meeting = held_meeting(by=by)
    decision = open_decision("fu", by=by, meeting=meeting)
    api = APIClient()
    api.credentials(HTTP_ACCEPT_LANGUAGE="da")
    url = reverse("api-decision-record-votes", args=[decision.pk])
    body = {"meeting": meeting.pk, "votes": [{"seat": board["chair"].pk, "choice": "yes"}]}
    api.force_authenticate(board["member"].person)
    assert api.post(url, body, format="json").status_code == 403
    api.force_authenticate(by)
    assert api.post(url, {"meeting": meeting.pk, "votes": []}, format="json").status_code == 400
    bad_choice = {"meeting": meeting.pk, "votes": [{"seat": board["chair"].pk, "choice": "ja"}]}
    assert api.post(url, bad_choice, format="json").status_code == 400
    answer = api.post(url, body, format="json")
    assert answer.status_code == 201
    assert answer.json()[0]["recorded_by"] == by.get_full_name()
    again = api.post(url, body, format="json")
    assert again.status_code == 409 and "allerede stemt" in again.json()["detail"]
    past(decision)
    late = {"meeting": meeting.pk, "votes": [{"seat": board["vice"].pk, "choice": "yes"}]}
    answer = api.post(url, late, format="json")
    assert answer.status_code == 409 and "Fristen udløb" in answer.json()["detail"]
    assert decision.votes.count() == 1


def test_a_vote_on_a_closed_decision_answers_409_and_writes_nothing(board):
    by = board["secretariat"]
    decision = open_decision("fu", by=by)
    services.vote_cast(decision=decision, by=board["chair"].person, choice="no")  # rejects
    api = APIClient()
    api.force_authenticate(board["member"].person)
    answer = api.post(
        reverse("api-decision-vote", args=[decision.pk]), {"choice": "yes"}, format="json"
    )
    assert answer.status_code == 409 and answer.json()["detail"]
    assert decision.votes.count() == 1


# --- Corrections ----------------------------------------------------------------------------


def test_a_correction_links_both_ways_and_marks_the_earlier_decision(board, client):
    by = board["secretariat"]
    earlier = open_decision("fu", by=by, title="Projektplan 2026")
    with pytest.raises(ValidationError):  # an open decision is not corrected: it is voted on
        services.decision_open(
            body=earlier.body,
            title="Rettelse",
            text="x",
            deadline=timezone.now() + datetime.timedelta(days=3),
            by=by,
            corrects=earlier,
        )
    for membership in (board["chair"], board["vice"], board["member"]):
        services.vote_cast(decision=earlier, by=membership.person, choice="yes")
    earlier.refresh_from_db()
    sign_in(client, by)
    client.cookies["django_language"] = "da"
    form = client.get(reverse("decision-create", args=["fu"]), {"corrects": earlier.pk})
    assert "Rettelse: Projektplan 2026" in form.content.decode()
    response = client.post(
        reverse("decision-create", args=["fu"]),
        {
            "title": "Rettelse: Projektplan 2026",
            "text": "Rettet beløb.",
            "mode": "in_writing",
            "deadline": (timezone.localtime() + datetime.timedelta(days=7)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "corrects": earlier.pk,
        },
    )
    correction = Decision.objects.get(corrects=earlier)
    assert response.url == correction.get_absolute_url()
    with pytest.raises(ValidationError):  # one open correction at a time
        services.decision_open(
            body=earlier.body,
            title="Endnu en",
            text="x",
            deadline=timezone.now() + datetime.timedelta(days=3),
            by=by,
            corrects=earlier,
        )
    earlier.refresh_from_db()
    assert not earlier.is_corrected  # proposed, not yet adopted
    for membership in (board["chair"], board["vice"], board["member"]):
        services.vote_cast(decision=correction, by=membership.person, choice="yes")
    earlier.refresh_from_db()
    assert earlier.is_corrected and earlier.status == Status.ADOPTED  # its outcome is kept
    page = client.get(earlier.get_absolute_url()).content.decode()
    assert correction.get_absolute_url() in page and "Beslutningen blev rettet den" in page
    assert "Ret denne beslutning" not in page
    assert earlier.get_absolute_url() in client.get(correction.get_absolute_url()).content.decode()
    api = APIClient()
    api.force_authenticate(by)
    data = api.get(reverse("api-decision-detail", args=[earlier.pk])).json()
    assert data["corrections"] == [correction.pk] and data["corrected_at"]


# --- Agenda changes -------------------------------------------------------------------------


def test_a_planned_agenda_is_edited_moved_and_trimmed_freely(board):
    by = board["secretariat"]
    meeting = plan_meeting("fu", by=by, items=3)
    first, second, third = meeting.agenda_items.order_by("position")
    services.agenda_item_update(item=second, by=by, title="Budget", description="Tal")
    services.agenda_item_move(item=third, by=by, offset=-1)
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "Punkt 1",
        "Punkt 3",
        "Budget",
    ]
    services.agenda_item_remove(item=first, by=by)
    assert list(meeting.agenda_items.values_list("position", "title")) == [
        (1, "Punkt 3"),
        (2, "Budget"),
    ]
    with pytest.raises(ValidationError):
        services.agenda_item_move(item=meeting.agenda_items.get(position=1), by=by, offset=-1)
    assert not AgendaChange.objects.exists()


def test_a_published_agenda_changes_only_with_a_note_the_members_get(board, client):
    by = board["secretariat"]
    meeting = plan_meeting("fu", by=by, items=2, publish=True)
    item = meeting.agenda_items.get(position=2)
    OutboxEmail.objects.all().delete()
    sign_in(client, by)
    client.cookies["django_language"] = "da"
    url = reverse("agenda-item-up", args=[meeting.pk, item.pk])
    assert "Besked til medlemmerne" in client.get(url).content.decode()
    refused = client.post(url, {"note": ""})
    assert refused.status_code == 400 and "skriv, hvad der er ændret" in refused.content.decode()
    assert meeting.agenda_items.get(pk=item.pk).position == 2
    assert client.post(url, {"note": "Budgettet drøftes først."}).status_code == 302
    assert meeting.agenda_items.get(pk=item.pk).position == 1
    assert AgendaChange.objects.get().note == "Budgettet drøftes først."
    addresses = {address for e in OutboxEmail.objects.all() for address in e.to}
    assert board["observer"].person.email in addresses and board["chair"].person.email in addresses
    sign_in(client, board["member"].person)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Ændringer i den offentliggjorte dagsorden" in page
    assert "Budgettet drøftes først." in page
    # Once the meeting is held, the agenda is the record of it: no more changes.
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    with pytest.raises(services.Conflict):
        services.agenda_item_remove(item=item, by=by, note="For sent")


# --- Attendance -----------------------------------------------------------------------------


def test_attendance_feeds_the_absences_of_the_meetings_decisions(board):
    by = board["secretariat"]
    meeting = held_meeting(by=by)
    decision = open_decision("fu", by=by, meeting=meeting)
    entries = [
        services.AttendanceEntry(membership=board["chair"], status=Attendance.Status.PRESENT),
        services.AttendanceEntry(
            membership=board["member"],
            status=Attendance.Status.REPRESENTED,
            substitute=board["substitute"],
        ),
        services.AttendanceEntry(membership=board["vice"], status=Attendance.Status.ABSENT),
    ]
    services.attendance_record(meeting=meeting, by=by, entries=entries)
    tally = services.decision_tally(decision=decision)
    absent = {seat_vote.seat.pk for seat_vote in tally.seats if seat_vote.absent}
    assert absent == {board["member"].pk, board["vice"].pk}
    call = SubstituteCall.objects.get(decision=decision)
    assert call.substitute == board["substitute"] and call.for_member == board["member"]
    vote = services.vote_cast(decision=decision, by=board["substitute"].person, choice="yes")
    assert vote.seat == board["member"] and vote.by_substitute
    # The vice-chair turns up after all: present again, no longer absent.
    services.attendance_record(
        meeting=meeting,
        by=by,
        entries=[
            services.AttendanceEntry(membership=board["vice"], status=Attendance.Status.PRESENT)
        ],
    )
    assert not Absence.objects.filter(membership=board["vice"]).exists()
    with pytest.raises(ValidationError):  # a substitute of somebody else
        services.attendance_record(
            meeting=meeting,
            by=by,
            entries=[
                services.AttendanceEntry(
                    membership=board["chair"],
                    status=Attendance.Status.REPRESENTED,
                    substitute=board["substitute"],
                )
            ],
        )
    with pytest.raises(PermissionDenied):
        services.attendance_record(meeting=meeting, by=board["member"].person, entries=entries)


def test_the_attendance_page(board, client):
    by = board["secretariat"]
    meeting = held_meeting(by=by)
    sign_in(client, by)
    url = reverse("meeting-attendance", args=[meeting.pk])
    form = client.get(url).content.decode()
    assert f'name="seat_{board["member"].pk}_substitute"' in form
    response = client.post(
        url,
        {
            f"seat_{board['chair'].pk}": "present",
            f"seat_{board['member'].pk}": "represented",
            f"seat_{board['member'].pk}_substitute": board["substitute"].pk,
        },
    )
    assert response.status_code == 302
    assert Attendance.objects.get(membership=board["member"]).substitute == board["substitute"]
    bad = client.post(url, {f"seat_{board['member'].pk}": "represented"})
    assert bad.status_code == 200 and "error-summary" in bad.content.decode()
    assert Attendance.objects.get(membership=board["member"]).substitute == board["substitute"]


# --- Minutes --------------------------------------------------------------------------------


def test_minutes_are_approved_by_the_next_meeting_not_the_secretariat(board):
    by = board["secretariat"]
    meeting = held_meeting(by=by, days=-10)
    services.meeting_minutes_save(meeting=meeting, by=by, minutes="Referat.")
    with pytest.raises(PermissionDenied):
        services.meeting_approve_minutes(meeting=meeting, by=by)
    with pytest.raises(PermissionDenied):  # the chair neither, with this body's setting
        services.meeting_approve_minutes(meeting=meeting, by=board["chair"].person)
    next_meeting = held_meeting(by=by, days=-1)
    with pytest.raises(ValidationError):
        services.minutes_put_to_meeting(meeting=next_meeting, next_meeting=meeting, by=by)
    decision = services.minutes_put_to_meeting(meeting=meeting, next_meeting=next_meeting, by=by)
    assert decision.subject == meeting and decision.meeting == next_meeting
    with pytest.raises(services.Conflict):  # the text voted on no longer changes
        services.meeting_minutes_save(meeting=meeting, by=by, minutes="Andet.")
    services.votes_record_at_meeting(
        decision=decision,
        meeting=next_meeting,
        by=by,
        votes=[recorded(board["chair"]), recorded(board["vice"]), recorded(board["member"])],
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.MINUTES_APPROVED
    assert meeting.minutes_approved_at is not None


def test_with_the_chair_setting_the_chair_approves_on_the_bodys_behalf(board, client):
    Body.objects.filter(code="fu").update(minutes_approval=Body.MinutesApproval.CHAIR)
    by = board["secretariat"]
    meeting = held_meeting(by=by)
    services.meeting_minutes_save(meeting=meeting, by=by, minutes="Referat.")
    meeting = Meeting.objects.select_related("body").get(pk=meeting.pk)
    with pytest.raises(PermissionDenied):
        services.meeting_approve_minutes(meeting=meeting, by=by)
    with pytest.raises(services.Conflict):
        services.minutes_put_to_meeting(
            meeting=meeting, next_meeting=plan_meeting("fu", by=by), by=by
        )
    sign_in(client, board["chair"].person)
    client.cookies["django_language"] = "da"
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Godkend referatet på organets vegne" in page
    client.post(reverse("meeting-approve-minutes", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.MINUTES_APPROVED


# --- The meeting page and its pack ----------------------------------------------------------


def test_the_prepare_box_is_gone_once_nothing_is_left_to_prepare(board, client):
    by = board["secretariat"]
    meeting = held_meeting(by=by)
    sign_in(client, by)
    client.cookies["django_language"] = "da"
    assert "Forbered mødet" in client.get(meeting.get_absolute_url()).content.decode()
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.MINUTES_APPROVED)
    assert "Forbered mødet" not in client.get(meeting.get_absolute_url()).content.decode()


def test_the_meeting_pack_holds_the_agenda_and_the_pdf_papers(board, client):
    by = board["secretariat"]
    meeting = plan_meeting("fu", by=by, items=2, publish=True)
    first, second = meeting.agenda_items.order_by("position")
    services.paper_upload(
        agenda_item=first,
        by=by,
        upload=SimpleUploadedFile("notat.pdf", pdf_bytes(2), content_type="application/pdf"),
    )
    services.paper_upload(
        agenda_item=second,
        by=by,
        upload=SimpleUploadedFile("bilag.pdf", pdf_bytes(3), content_type="application/pdf"),
    )
    url = reverse("meeting-pack", args=[meeting.pk])
    sign_in(client, board["observer"].person)
    client.cookies["django_language"] = "da"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    agenda_text = reader.pages[0].extract_text()
    assert "Punkt 1" in agenda_text and "notat.pdf" in agenda_text
    assert len(reader.pages) >= 1 + 2 + 3
    # A published meeting is open to every signed-in user; its pack is not.
    sign_in(client, UserFactory())
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert client.get(url).status_code == 404


def test_the_meeting_page_keeps_its_query_count_as_items_grow(board, client):
    by = board["secretariat"]
    meeting = held_meeting(by=by, items=2)
    users = {"secretariat": by, "member": board["member"].person}

    def client_for(role):
        return sign_in(client, users[role])

    decision = open_decision("fu", by=by, meeting=meeting)
    pages = {
        "member": [meeting.get_absolute_url()],
        "secretariat": [
            meeting.get_absolute_url(),
            reverse("meeting-attendance", args=[meeting.pk]),
            reverse("decision-record-votes", args=[decision.pk]),
        ],
    }

    def measure_all():
        counts = {}
        for role, urls in pages.items():
            counts.update(measure(client_for, [role], urls))
        return counts

    small = measure_all()
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.PLANNED)
    for number in range(12):
        item = services.agenda_item_add(meeting=meeting, by=by, title=f"Ekstra {number}")
        services.paper_upload(
            agenda_item=item,
            by=by,
            upload=SimpleUploadedFile(
                f"b{number}.pdf", pdf_bytes(1), content_type="application/pdf"
            ),
        )
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    for _ in range(6):
        extra = seat("fu", appointed_by="kl")
        seat("fu", role=SeatRole.SUBSTITUTE, substitute_for=extra, appointed_by="kl")
    services.attendance_record(
        meeting=meeting,
        by=by,
        entries=[
            services.AttendanceEntry(membership=m, status=Attendance.Status.PRESENT)
            for m in meeting.body.memberships.active().voting()
        ],
    )
    for _ in range(5):
        open_decision("fu", by=by, meeting=meeting)
    large = measure_all()
    assert_flat(small, large)


def test_the_secretariat_sets_how_a_body_approves_its_minutes(board, client):
    sign_in(client, board["coordinator"])
    url = reverse("body-minutes-setting", args=["fu"])
    assert client.post(url, {"minutes_approval": "chair"}).status_code == 403
    sign_in(client, board["secretariat"])
    assert client.post(url, {"minutes_approval": "nobody"}).status_code == 200  # re-rendered
    assert Body.objects.get(code="fu").minutes_approval == Body.MinutesApproval.NEXT_MEETING
    assert client.post(url, {"minutes_approval": "chair"}).status_code == 302
    assert Body.objects.get(code="fu").minutes_approval == Body.MinutesApproval.CHAIR
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Body), actor=board["secretariat"]
    ).latest("timestamp")
    assert "minutes_approval" in entry.changes_dict


def test_the_record_votes_page_answers_409_past_the_deadline_and_writes_nothing(board, client):
    by = board["secretariat"]
    meeting = held_meeting(by=by)
    decision = open_decision("fu", by=by, meeting=meeting)
    sign_in(client, by)
    client.cookies["django_language"] = "da"
    url = reverse("decision-record-votes", args=[decision.pk])
    past(decision)
    response = client.post(url, {"meeting": meeting.pk, f"seat_{board['chair'].pk}": "yes"})
    assert response.status_code == 409 and "Fristen udløb" in response.content.decode()
    assert not decision.votes.exists()


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"meeting": "1"},
        {"meeting": 2**40, "votes": []},
        {"meeting": True, "votes": []},
        {"meeting": "MEETING", "votes": {"seat": 1}},
        {"meeting": "MEETING", "votes": [1, 2]},
        {"meeting": "MEETING", "votes": [{"seat": 2**40, "choice": "yes"}]},
        {"meeting": "MEETING", "votes": [{"seat": True, "choice": "yes"}]},
        {"meeting": "MEETING", "votes": [{"seat": "SEAT", "choice": None}]},
        {"meeting": "MEETING", "votes": [{"seat": "SEAT", "choice": "yes"}] * 2},
    ],
)
def test_the_record_votes_api_answers_malformed_bodies_with_4xx(board, body):
    by = board["secretariat"]
    meeting = held_meeting(by=by)
    decision = open_decision("fu", by=by, meeting=meeting)

    def fill(value):
        if value == "MEETING":
            return meeting.pk
        if value == "SEAT":
            return board["chair"].pk
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item) for item in value]
        return value

    api = APIClient()
    api.force_authenticate(by)
    url = reverse("api-decision-record-votes", args=[decision.pk])
    answer = api.post(url, fill(body), format="json")
    assert 400 <= answer.status_code < 500, answer.content
    assert not decision.votes.exists()


# --- Papers taken off the agenda ------------------------------------------------------------


def _paper(item, by):
    upload = SimpleUploadedFile("bilag.pdf", b"%PDF-1.4\n%demo\n", content_type="application/pdf")
    return services.paper_upload(agenda_item=item, by=by, upload=upload)


def test_a_paper_is_removed_from_a_planned_agenda_and_its_file_goes(
    board, client, django_capture_on_commit_callbacks
):
    by = board["secretariat"]
    meeting = plan_meeting("fu", by=by, items=1)
    item = meeting.agenda_items.get()
    paper = _paper(item, by)
    storage, name = paper.file.storage, paper.file.name
    assert storage.exists(name)
    # An item with papers is not removed with them: the message says what to do first.
    with pytest.raises(services.Conflict, match="fjern dem først"):
        services.agenda_item_remove(item=item, by=by)
    sign_in(client, by)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("paper-remove", args=[meeting.pk, paper.pk]))
    assert response.status_code == 302
    assert not item.papers.exists() and not storage.exists(name)
    assert not AgendaChange.objects.exists()  # a planned agenda: nobody has read it yet
    services.agenda_item_remove(item=item, by=by)
    assert not meeting.agenda_items.exists()


def test_a_published_agenda_loses_a_paper_only_with_a_note_and_a_held_one_never(board, client):
    by = board["secretariat"]
    meeting = plan_meeting("fu", by=by, items=1, publish=True)
    paper = _paper(meeting.agenda_items.get(), by)
    sign_in(client, by)
    client.cookies["django_language"] = "da"
    url = reverse("paper-remove", args=[meeting.pk, paper.pk])
    assert "Besked til medlemmerne" in client.get(url).content.decode()
    refused = client.post(url, {"note": ""})
    assert refused.status_code == 400 and "skriv, hvad der er ændret" in refused.content.decode()
    assert meeting.agenda_items.get().papers.filter(pk=paper.pk).exists()
    assert client.post(url, {"note": "Forkert bilag; det rigtige følger."}).status_code == 302
    assert AgendaChange.objects.get().note == "Forkert bilag; det rigtige følger."
    # Once held, the papers are the meeting's record.
    kept = _paper(meeting.agenda_items.get(), by)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    with pytest.raises(services.Conflict):
        services.paper_remove(paper=kept, by=by, note="For sent")
    # Only those who manage the body remove papers.
    with pytest.raises(PermissionDenied):
        services.paper_remove(paper=kept, by=board["member"].person, note="Væk")
    assert meeting.agenda_items.get().papers.filter(pk=kept.pk).exists()
    # A paper of another meeting is not found under this one.
    other = plan_meeting("fu", by=by, items=1)
    assert client.get(reverse("paper-remove", args=[other.pk, kept.pk])).status_code == 404
