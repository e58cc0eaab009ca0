import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from governance import services
from governance.models import (
    AgendaItem,
    Body,
    CalendarFeed,
    Decision,
    DecisionComment,
    Meeting,
    Paper,
    SeatRole,
    Vote,
)

from .factories import open_decision, plan_meeting, seat

PDF = b"%PDF-1.4\n%test paper\n"


@pytest.fixture
def decision(role_users):
    seat("fu", role=SeatRole.VICE_CHAIR, appointed_by="danske-regioner")
    return open_decision("fu", by=role_users["secretariat"])


def test_nav_has_bodies(client_for):
    content = client_for("member").get("/").content.decode()
    assert f'href="{reverse("body-list")}"' in content and "Organer" in content


def test_body_list_groups_national_and_dgo_bodies(client_for):
    response = client_for("knowledge_partner").get(reverse("body-list"))
    assert [b.code for b in response.context["national"]] == ["fu", "pug", "aps"]
    assert len(response.context["regional"]) == 10
    assert "Forretningsudvalget" in response.content.decode()


def test_body_page_shows_members_vacancies_and_the_rule(client_for, role_users):
    response = client_for("coordinator_b").get(reverse("body-detail", args=["fu"]))
    content = response.content.decode()
    assert str(role_users["member"]) in content and str(role_users["observer"]) in content
    composition = response.context["composition"]
    assert composition.vacancies == 8  # 10 required seats, two of them filled
    assert "2 politiske repræsentanter udpeget af KL" in content
    assert "ledig" in content  # "1 plads ledig"
    assert content.count('<span class="badge">stemmer</span>') == 1  # the member, not the observer
    assert response.context["decisions"] is None  # coordinator_b sits in no FU seat
    assert reverse("decision-create", args=["fu"]) not in content


def test_body_page_shows_decisions_to_seats_and_tools_to_managers(client_for, decision):
    response = client_for("observer").get(reverse("body-detail", args=["fu"]))
    assert list(response.context["decisions"]) == [decision]
    assert reverse("meeting-create", args=["fu"]) not in response.content.decode()
    response = client_for("secretariat").get(reverse("body-detail", args=["fu"]))
    assert reverse("meeting-create", args=["fu"]) in response.content.decode()


def test_unknown_body_is_404(client_for):
    assert client_for("member").get("/bodies/nope/").status_code == 404


def test_member_sees_vote_buttons_and_observer_does_not(client_for, decision):
    url = decision.get_absolute_url()
    member_page = client_for("member").get(url).content.decode()
    assert 'name="choice" value="yes"' in member_page
    assert "enstemmighed" in member_page  # the unanimity rule is explained
    observer_page = client_for("observer").get(url).content.decode()
    assert 'name="choice"' not in observer_page
    assert "stemmer ikke" in observer_page  # the reason is shown instead


def test_vote_through_the_page(client_for, decision, role_users):
    # The first POST asks for confirmation, naming the choice; it records nothing.
    asked = client_for("member").post(
        reverse("decision-vote", args=[decision.pk]), {"choice": "yes"}
    )
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "Du stemmer <strong>Ja</strong>" in text and "kan ikke ændres" in text
    assert 'name="confirm" value="yes"' in text
    assert not Vote.objects.exists()
    response = client_for("member").post(
        reverse("decision-vote", args=[decision.pk]), {"choice": "yes", "confirm": "yes"}
    )
    assert response.status_code == 302
    assert Vote.objects.get().cast_by == role_users["member"]
    page = client_for("member").get(decision.get_absolute_url()).content.decode()
    assert 'name="choice"' not in page  # voted: no second vote
    for confirm in ("", "yes"):
        response = client_for("observer").post(
            reverse("decision-vote", args=[decision.pk]), {"choice": "no", "confirm": confirm}
        )
        assert response.status_code == 403
    again = client_for("member").post(
        reverse("decision-vote", args=[decision.pk]), {"choice": "no", "confirm": "yes"}
    )
    assert again.status_code == 409  # the seat has voted: refused with the reason
    assert "allerede stemt" in again.content.decode()
    assert Vote.objects.count() == 1


def test_tally_shows_who_still_has_to_vote(client_for, decision):
    response = client_for("secretariat").get(decision.get_absolute_url())
    tally = response.context["tally"]
    assert len(tally.seats) == 2 and len(tally.missing) == 2
    assert "Mangler stadig at stemme" in response.content.decode()


def test_comments_and_bad_input(client_for, decision, role_users):
    url = reverse("decision-comment", args=[decision.pk])
    response = client_for("observer").post(url, {"text": "   "})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not DecisionComment.objects.exists()
    assert client_for("observer").post(url, {"text": "Realdania støtter."}).status_code == 302
    assert DecisionComment.objects.get().author == role_users["observer"]
    assert (
        "Realdania støtter."
        in client_for("member").get(decision.get_absolute_url()).content.decode()
    )


def test_secretariat_opens_a_decision_and_bad_input_rerenders(client_for, role_users):
    client = client_for("secretariat")
    url = reverse("decision-create", args=["fu"])
    deadline = (timezone.localtime() + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    bad = client.post(url, {"title": "X", "text": "Y", "mode": "at_meeting", "deadline": deadline})
    assert bad.status_code == 200 and "error-summary" in bad.content.decode()
    past = client.post(
        url, {"title": "X", "text": "Y", "mode": "in_writing", "deadline": "2020-01-01T10:00"}
    )
    assert "error-summary" in past.content.decode()
    assert not Decision.objects.exists()
    good = client.post(
        url, {"title": "Projektplan", "text": "Forslag", "mode": "in_writing", "deadline": deadline}
    )
    decision = Decision.objects.get()
    assert good.status_code == 302 and good.url == decision.get_absolute_url()
    assert decision.opened_by == role_users["secretariat"] and decision.is_open


def test_decision_at_a_meeting(client_for, role_users):
    meeting = plan_meeting("fu", by=role_users["secretariat"])
    client = client_for("secretariat")
    deadline = (timezone.localtime() + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("decision-create", args=["fu"]),
        {
            "title": "Spor",
            "text": "Godkend",
            "mode": "at_meeting",
            "meeting": meeting.pk,
            "deadline": deadline,
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.meeting == meeting
    page = client_for("member").get(meeting.get_absolute_url())
    assert list(page.context["decisions"]) == [decision]


def test_close_before_the_deadline_with_votes_missing_is_refused_with_a_message(
    client_for, decision
):
    response = client_for("secretariat").post(
        reverse("decision-close", args=[decision.pk]), follow=True
    )
    assert response.status_code == 200
    decision.refresh_from_db()
    assert decision.is_open
    assert "fristen" in response.content.decode()


def test_absence_and_substitute_through_the_page(client_for, role_users):
    member = seat("fu", appointed_by="realdania")
    substitute = seat(
        "fu", role=SeatRole.SUBSTITUTE, substitute_for=member, appointed_by="realdania"
    )
    decision = open_decision("fu", by=role_users["secretariat"])
    client = client_for("secretariat")
    early = client.post(
        reverse("decision-substitute", args=[decision.pk]),
        {"substitute": substitute.pk, "reason": "absent"},
    )
    assert early.status_code == 400 and "error-summary" in early.content.decode()
    assert (
        client.post(
            reverse("decision-absence", args=[decision.pk]), {"membership": member.pk}
        ).status_code
        == 302
    )
    response = client.post(
        reverse("decision-substitute", args=[decision.pk]),
        {"substitute": substitute.pk, "reason": "absent"},
    )
    assert response.status_code == 302
    client.force_login(substitute.person)
    page = client.get(decision.get_absolute_url()).content.decode()
    assert 'name="choice" value="yes"' in page


def test_meeting_lifecycle_through_the_pages(client_for, role_users):
    client = client_for("secretariat")
    bad = client.post(
        reverse("meeting-create", args=["fu"]),
        {"title": "FU-møde", "starts_at": "2026-03-01T10:00"},
    )
    assert "error-summary" in bad.content.decode()  # neither place nor video link
    assert not Meeting.objects.exists()
    response = client.post(
        reverse("meeting-create", args=["fu"]),
        {
            "title": "FU-møde",
            "starts_at": "2020-03-01T10:00",
            "ends_at": "2020-03-01T12:00",
            "location": "KL-huset",
        },
    )
    meeting = Meeting.objects.get()
    assert response.url == meeting.get_absolute_url()
    # A planned meeting is private to the body; published, every signed-in user sees it.
    assert client_for("coordinator_b").get(meeting.get_absolute_url()).status_code == 404
    client = client_for("secretariat")
    client.post(reverse("meeting-publish-agenda", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED  # no agenda items yet
    client.post(reverse("agenda-item-create", args=[meeting.pk]), {"title": "Status"})
    client.post(reverse("agenda-item-create", args=[meeting.pk]), {"title": "Eventuelt"})
    assert list(meeting.agenda_items.values_list("position", "title")) == [
        (1, "Status"),
        (2, "Eventuelt"),
    ]
    client.post(reverse("meeting-publish-agenda", args=[meeting.pk]))
    client.post(reverse("meeting-mark-held", args=[meeting.pk]))
    client.post(reverse("meeting-minutes", args=[meeting.pk]), {"minutes": "Referat af mødet."})
    # The secretariat writes the minutes but does not approve them alone.
    refused = client.post(reverse("meeting-approve-minutes", args=[meeting.pk]), follow=True)
    assert "næste møde" in refused.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.MINUTES_APPROVED)
    meeting.refresh_from_db()
    assert client_for("coordinator_b").get(meeting.get_absolute_url()).status_code == 200
    edit = client_for("secretariat").post(
        reverse("meeting-edit", args=[meeting.pk]),
        {"title": "Nyt", "starts_at": "2020-03-01T10:00", "location": "X"},
    )
    assert "error-summary" in edit.content.decode()  # approved minutes: no more changes
    meeting.refresh_from_db()
    assert meeting.title == "FU-møde"


def test_mark_held_refused_before_the_meeting(client_for, role_users):
    meeting = plan_meeting("fu", by=role_users["secretariat"], publish=True)
    client_for("secretariat").post(reverse("meeting-mark-held", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.AGENDA_PUBLISHED


def test_paper_upload_download_and_refusals(client_for, role_users):
    meeting = plan_meeting("fu", by=role_users["secretariat"], publish=True)
    item = meeting.agenda_items.first()
    client = client_for("secretariat")
    url = reverse("paper-upload", args=[meeting.pk])
    fake = SimpleUploadedFile("indstilling.pdf", b"<html>not a pdf</html>")
    response = client.post(url, {"agenda_item": item.pk, "file": fake})
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert not Paper.objects.exists()
    real = SimpleUploadedFile("../../Indstilling FU.pdf", PDF, content_type="text/html")
    assert client.post(url, {"agenda_item": item.pk, "file": real}).status_code == 302
    paper = Paper.objects.get()
    assert paper.original_name == "Indstilling_FU.pdf"
    assert paper.content_type == "application/pdf"  # from the content, not the browser's claim
    assert re.fullmatch(r"papers/[0-9a-f]{32}\.pdf", paper.file.name)
    download = client_for("member").get(paper.get_absolute_url())
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert "Indstilling_FU.pdf" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    # Outside the body the paper does not exist, even on a published meeting.
    assert client_for("coordinator_a").get(paper.get_absolute_url()).status_code == 404
    page = client_for("coordinator_a").get(meeting.get_absolute_url()).content.decode()
    assert paper.get_absolute_url() not in page and "Punkt 1" in page


def test_agenda_item_of_another_meeting_is_refused(client_for, role_users):
    meeting = plan_meeting("fu", by=role_users["secretariat"])
    other = plan_meeting("pug", by=role_users["secretariat"])
    foreign_item = other.agenda_items.first()
    response = client_for("secretariat").post(
        reverse("paper-upload", args=[meeting.pk]),
        {"agenda_item": foreign_item.pk, "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert not Paper.objects.exists()
    assert AgendaItem.objects.filter(meeting=meeting).count() == 2


def test_calendar_feed_lifecycle(client_for, role_users, settings):
    fu_meeting = plan_meeting("fu", by=role_users["secretariat"], publish=True)
    plan_meeting("pug", by=role_users["secretariat"], publish=True)  # member is not in PUG
    member = client_for("member")
    profile = member.get(reverse("profile")).content.decode()
    assert reverse("calendar-regenerate") in profile
    member.post(reverse("calendar-regenerate"))
    feed = CalendarFeed.objects.get(user=role_users["member"])
    assert feed.get_absolute_url() in member.get(reverse("profile")).content.decode()
    client = Client()  # a calendar program: no session, only the secret address
    response = client.get(feed.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    host = settings.PORTAL_BASE_URL.split("://")[1].split(":")[0]
    assert [str(e["uid"]) for e in events] == [f"meeting-{fu_meeting.pk}@{host}"]
    assert str(events[0]["summary"]).startswith("FU: ")
    assert client.head(feed.get_absolute_url()).status_code == 200
    old = feed.token
    member.post(reverse("calendar-regenerate"))
    assert client.get(reverse("calendar-feed", args=[old])).status_code == 404
    feed.refresh_from_db()
    member.post(reverse("calendar-revoke"))
    assert client.get(feed.get_absolute_url()).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_calendar_events_carry_the_host_sequence_and_last_change(client, role_users, settings):
    settings.PORTAL_BASE_URL = "https://portal.klimaalliancen.dk"
    meeting = plan_meeting("fu", by=role_users["secretariat"], publish=True)
    feed = services.calendar_feed_regenerate(user=role_users["member"])

    def event():
        response = client.get(feed.get_absolute_url())
        calendar = Calendar.from_ical(response.content)
        assert str(calendar["refresh-interval"].to_ical(), "ascii") == "PT1H"
        assert calendar["x-published-ttl"].to_ical() == b"PT1H"
        return calendar.walk("VEVENT")[0]

    first = event()
    assert str(first["uid"]) == f"meeting-{meeting.pk}@portal.klimaalliancen.dk"
    before = int(first["sequence"])
    services.meeting_update(
        meeting=meeting, by=role_users["secretariat"], location="Christiansborg"
    )
    moved = event()
    assert str(moved["uid"]) == str(first["uid"])  # the same event, updated
    assert int(moved["sequence"]) > before
    assert moved["last-modified"].dt >= first["dtstamp"].dt
    assert str(moved["location"]) == "Christiansborg"


def test_profile_offers_a_webcal_subscription(client_for, role_users, settings):
    services.calendar_feed_regenerate(user=role_users["member"])
    feed = CalendarFeed.objects.get(user=role_users["member"])
    profile = client_for("member").get(reverse("profile")).content.decode()
    address = settings.PORTAL_BASE_URL.split("://")[1] + feed.get_absolute_url()
    assert f'href="webcal://{address}"' in profile


def test_calendar_feed_of_an_inactive_user_is_gone(client, role_users):
    feed = services.calendar_feed_regenerate(user=role_users["member"])
    role_users["member"].is_active = False
    role_users["member"].save()
    assert client.get(feed.get_absolute_url()).status_code == 404


def test_dashboard_panel(client_for, decision, role_users):
    response = client_for("member").get("/")
    panel = next(p for p in response.context["panels"] if p["template"].startswith("governance"))
    assert panel["awaiting_count"] == 1 and panel["awaiting"] == [decision]
    assert "Beslutninger, der venter på min stemme" in response.content.decode()
    services.vote_cast(decision=decision, by=role_users["member"], choice="yes")
    panel = next(
        p
        for p in client_for("member").get("/").context["panels"]
        if p["template"].startswith("governance")
    )
    assert panel["awaiting_count"] == 0
    observer_panel = next(
        p
        for p in client_for("observer").get("/").context["panels"]
        if p["template"].startswith("governance")
    )
    assert observer_panel["awaiting_count"] == 0  # observers never vote


def test_dashboard_counts_this_months_meetings_of_my_bodies(client_for, role_users):
    now = timezone.localtime()
    services.meeting_create(
        body=Body.objects.get(code="pug"),
        by=role_users["secretariat"],
        title="PUG i denne måned",
        starts_at=now.replace(day=1, hour=9, minute=0),
        location="KL",
    )
    observer = client_for("observer").get("/").context["panels"][0]
    member = client_for("member").get("/").context["panels"][0]
    assert observer["meeting_count"] == 1  # observer sits in PUG
    assert member["meeting_count"] == 0


def test_decision_list_filters_by_status(client_for, decision):
    client = client_for("member")
    assert list(client.get(reverse("decision-list")).context["decisions"]) == [decision]
    assert (
        list(client.get(reverse("decision-list"), {"status": "adopted"}).context["decisions"]) == []
    )
    assert client.get(reverse("decision-list"), {"status": "<bad>"}).status_code == 200
    assert (
        list(client_for("coordinator_a").get(reverse("decision-list")).context["decisions"]) == []
    )
