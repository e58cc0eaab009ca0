"""Every reminder kind: content, recipients, language, and idempotency (running the beat task
twice sends once). The apps' finders live in <app>/notices.py; core.reminders sends."""

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import date_format

from core.beat import send_reminders
from core.models import Notification, OutboxEmail, SentReminder
from core.notifications import preferences_set
from core.reminders import Reminder, send_due_reminders, send_reminder
from governance import notices as gov
from governance import services as governance_services
from governance.models import Body, Decision, Meeting, SeatRole
from monitoring import notices as mon
from monitoring.models import StatusReport
from partners.models import Municipality, RoleAssignment
from partners.services import role_grant
from tests.factories import UserFactory, make_user
from tests.governance.factories import open_decision, plan_meeting, seat, secretariat_user
from tests.monitoring.factories import make_report, make_round
from tracks import notices as trk
from tracks.models import Allocation

Role = RoleAssignment.Role
State = StatusReport.State


def mails_to(user) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(to=[user.email]).order_by("pk"))


def notices_of(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=kind).order_by("pk"))


# --- votes -------------------------------------------------------------------------------


@pytest.fixture
def fu_decision(db):
    """An FU decision opened a week ago with two days left; one member voted, one did not."""
    fu = Body.objects.get(code="fu")
    voted = seat(fu, appointed_by="kl").person
    missing = seat(fu, role=SeatRole.CHAIR, appointed_by="realdania").person
    observer = seat(fu, role=SeatRole.OBSERVER, appointed_by="concito").person
    decision = open_decision(fu, days=2)
    Decision.objects.filter(pk=decision.pk).update(
        opened_at=timezone.now() - datetime.timedelta(days=7)
    )
    governance_services.vote_cast(decision=decision, by=voted, choice="yes")
    decision.refresh_from_db()
    OutboxEmail.objects.all().delete()
    return decision, voted, missing, observer


def test_vote_reminder_three_days_before_goes_to_missing_voters_once(fu_decision, eager_celery):
    decision, voted, missing, observer = fu_decision
    preferences_set(user=missing, choices={}, language="en")
    assert send_reminders.delay().get() >= 1
    assert send_reminders.delay().get() == 0  # beat again, or the task delivered twice
    [email] = mails_to(missing)
    assert "reminder" in email.subject.lower() and decision.title in email.subject
    assert "still missing" in email.body  # English: the person's language
    assert f"{settings.PORTAL_BASE_URL}/" in email.body
    assert mails_to(voted) == [] and mails_to(observer) == []
    [notice] = notices_of(missing, gov.VOTE_REMINDER)
    assert notice.url.endswith(decision.get_absolute_url())
    assert SentReminder.objects.get(kind=gov.VOTE_REMINDER).threshold == "3d"

    # A day before the deadline: the second threshold, once.
    Decision.objects.filter(pk=decision.pk).update(
        deadline=timezone.now() + datetime.timedelta(hours=20)
    )
    send_due_reminders()
    send_due_reminders()
    assert len(mails_to(missing)) == 2
    assert set(
        SentReminder.objects.filter(kind=gov.VOTE_REMINDER).values_list("threshold", flat=True)
    ) == {"3d", "1d"}


def test_danish_vote_reminder_and_none_for_a_decision_opened_inside_the_window(fu_decision):
    _decision, _voted, missing, _observer = fu_decision
    send_due_reminders()
    assert "mangler" in mails_to(missing)[0].body
    fresh = open_decision("fu", days=2, title="Ny beslutning")  # request just sent
    OutboxEmail.objects.all().delete()
    send_due_reminders()
    assert not SentReminder.objects.filter(item=f"decision:{fresh.pk}").exists()


def test_closed_decision_gets_no_reminder(fu_decision):
    decision, *_ = fu_decision
    Decision.objects.filter(pk=decision.pk).update(
        status=Decision.Status.LAPSED, closed_at=timezone.now()
    )
    assert send_due_reminders() == 0


def test_a_reminder_is_recorded_once_even_when_two_runs_race(db):
    person = UserFactory()
    reminder = Reminder(
        kind=gov.MINUTES_FOR_APPROVAL,
        item="meeting:999",
        threshold="minutes",
        users=[person],
        subject="Referat",
        context={
            "meeting": {"title": "FU-møde"},
            "body": {"name": "Forretningsudvalget"},
        },
    )
    assert send_reminder(reminder) is True
    assert send_reminder(reminder) is False  # the unique constraint refuses the second
    assert len(mails_to(person)) == 1


# --- observers and meetings -----------------------------------------------------------------


def test_observers_hear_of_new_decisions_members_are_asked_to_vote(db):
    fu = Body.objects.get(code="fu")
    member = seat(fu, appointed_by="kl").person
    observer = seat(fu, role=SeatRole.OBSERVER, appointed_by="concito").person
    decision = open_decision(fu)
    [asked] = notices_of(member, gov.VOTE_REQUESTED)
    [told] = notices_of(observer, gov.DECISION_OPENED)
    assert notices_of(observer, gov.VOTE_REQUESTED) == []
    assert decision.title in asked.title and decision.title in told.title
    observer_mail = mails_to(observer)[0].body
    assert "stemmer ikke" in observer_mail  # observers are told they do not vote


def test_meeting_agenda_papers_and_minutes(db):
    fu = Body.objects.get(code="fu")
    member = seat(fu, appointed_by="kl").person
    observer = seat(fu, role=SeatRole.OBSERVER, appointed_by="concito").person
    by = secretariat_user()
    meeting = plan_meeting(fu, by=by, publish=True)
    send_due_reminders()
    for person in (member, observer):
        [agenda] = notices_of(person, gov.AGENDA_PUBLISHED)
        assert meeting.title in agenda.title
    assert "Punkt 1" in mails_to(member)[-1].body

    item = meeting.agenda_items.first()
    pdf = SimpleUploadedFile("indstilling.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    governance_services.paper_upload(agenda_item=item, by=by, upload=pdf)
    send_due_reminders()
    send_due_reminders()
    [_paper] = notices_of(member, gov.PAPER_ADDED)
    assert "indstilling.pdf" in mails_to(member)[-1].body
    assert len(notices_of(member, gov.AGENDA_PUBLISHED)) == 1  # not again

    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
        status=Meeting.Status.HELD,
        minutes="Referat af mødet.",
    )
    send_due_reminders()
    send_due_reminders()
    [minutes] = notices_of(member, gov.MINUTES_FOR_APPROVAL)
    assert "godkendelse" in minutes.title.lower()


# --- monitoring ---------------------------------------------------------------------------


@pytest.fixture
def aarhus_people(db):
    aarhus = Municipality.objects.get(code="751")
    coordinator = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland")
    contact = UserFactory()
    role_grant(user=contact, role=Role.MUNICIPAL_CONTACT, by=None, municipality=aarhus)
    other_coordinator = make_user(Role.DGO_COORDINATOR, dgo_slug="hovedstaden")
    return aarhus, coordinator, contact, other_coordinator


def test_report_due_14_and_3_days_before_the_round_deadline(aarhus_people):
    aarhus, coordinator, contact, other_coordinator = aarhus_people
    round = make_round()
    # Everyone in Hovedstaden has submitted: its coordinator hears nothing.
    for municipality in Municipality.objects.filter(dgo__slug="hovedstaden"):
        make_report(round, municipality, state=State.SUBMITTED, figures=False, checklist=False)
    fifteen = round.deadline - datetime.timedelta(days=15)
    assert send_due_reminders(today=fifteen) == 0  # not yet

    ten = round.deadline - datetime.timedelta(days=10)
    send_due_reminders(today=ten)
    send_due_reminders(today=ten)
    for person in (coordinator, contact):
        [notice] = [n for n in notices_of(person, mon.REPORT_DUE) if "Aarhus" in n.title]
        assert "15. december 2026" in notice.title  # written out, as in the message
    aarhus_mail = next(m for m in mails_to(contact) if "Aarhus" in m.subject)
    assert "10 dage" in aarhus_mail.body
    assert notices_of(other_coordinator, mon.REPORT_DUE) == []
    assert SentReminder.objects.filter(item=f"report:2026:{aarhus.pk}").count() == 1

    two = round.deadline - datetime.timedelta(days=2)
    send_due_reminders(today=two)
    assert len([n for n in notices_of(contact, mon.REPORT_DUE) if "Aarhus" in n.title]) == 2
    assert set(
        SentReminder.objects.filter(item=f"report:2026:{aarhus.pk}").values_list(
            "threshold", flat=True
        )
    ) == {"14d", "3d"}
    # Submitted now: the next run leaves Aarhus alone.
    make_report(round, aarhus, state=State.SUBMITTED, figures=False, checklist=False)
    SentReminder.objects.filter(item=f"report:2026:{aarhus.pk}").delete()
    send_due_reminders(today=two)
    assert not SentReminder.objects.filter(item=f"report:2026:{aarhus.pk}").exists()


@pytest.mark.parametrize(
    ("due_in_days", "threshold"), [(300, "12m"), (100, "6m"), (-20, "overdue"), (500, None)]
)
def test_plan_revision_reminders(aarhus_people, due_in_days, threshold):
    from monitoring.models import add_years

    aarhus, coordinator, contact, other_coordinator = aarhus_people
    today = datetime.date(2026, 6, 1)
    adopted = add_years(today + datetime.timedelta(days=due_in_days), -5)
    make_report(make_round(2025), aarhus, state=State.APPROVED, plan_adopted_on=adopted)
    send_due_reminders(today=today)
    send_due_reminders(today=today)
    sent = SentReminder.objects.filter(kind=mon.PLAN_REVISION)
    if threshold is None:
        assert not sent.exists()
        return
    assert list(sent.values_list("threshold", flat=True)) == [threshold]
    for person in (coordinator, contact):
        [notice] = notices_of(person, mon.PLAN_REVISION)
        assert "Aarhus" in notice.title
    assert notices_of(other_coordinator, mon.PLAN_REVISION) == []
    body = mails_to(contact)[0].body
    assert ("overskredet" in body) == (threshold == "overdue")
    if threshold != "overdue":  # the due date written out in the subject as in the body
        due = date_format(add_years(adopted, 5), "j. F Y")
        assert due in mails_to(contact)[0].subject and due in body


def test_plan_revision_reminder_in_english(aarhus_people):
    from monitoring.models import add_years

    aarhus, _coordinator, contact, _other = aarhus_people
    preferences_set(user=contact, choices={}, language="en")
    today = datetime.date(2026, 6, 1)
    make_report(
        make_round(2025), aarhus, state=State.APPROVED, plan_adopted_on=add_years(today, -6)
    )
    send_due_reminders(today=today)
    [email] = mails_to(contact)
    assert "overdue for revision" in email.subject and "Aarhus" in email.body


# --- tracks -------------------------------------------------------------------------------


def test_allocation_waiting_over_seven_days_reminds_the_contributing_party(db):
    from tests.tracks.factories import People, advance, allocation, draft

    people = People()
    track = advance(draft(people.coordinator), "approved", people)
    requested = allocation(track, people)
    send_due_reminders()
    assert not SentReminder.objects.filter(kind=trk.ALLOCATION_WAITING).exists()  # 0 days
    Allocation.objects.filter(pk=requested.pk).update(
        requested_at=timezone.now() - datetime.timedelta(days=8)
    )
    send_due_reminders()
    send_due_reminders()
    [notice] = notices_of(people.realdania, trk.ALLOCATION_WAITING)
    assert track.title in notice.title
    assert notices_of(people.regions, trk.ALLOCATION_WAITING) == []  # not their pool
    assert "venter stadig" in mails_to(people.realdania)[-1].body


def test_assessment_requested_of_the_knowledge_partners(db):
    from tests.tracks.factories import People, advance, draft

    people = People()
    track = advance(draft(people.coordinator), "in_qualification", people)
    send_due_reminders()
    send_due_reminders()
    for partner in (people.knowledge_partner, people.c40):
        [notice] = notices_of(partner, trk.ASSESSMENT_REQUESTED)
        assert track.title in notice.title
    assert notices_of(people.fake_partner, trk.ASSESSMENT_REQUESTED) == []  # KL is no partner
    assert "klimafaglige vurdering" in mails_to(people.c40)[-1].body


# --- the demo -----------------------------------------------------------------------------


def test_demo_shows_fu_medlem_a_vote_request_and_a_reminder(demo_data, db):
    from partners.models import User

    fu_medlem = User.objects.get(username="fu-medlem")
    open_fu = Decision.objects.get(
        body__code="fu", title="Godkendelse af monitoreringssystemets første version"
    )
    assert open_fu.is_open
    asked = [n for n in notices_of(fu_medlem, gov.VOTE_REQUESTED) if open_fu.title in n.title]
    reminded = [n for n in notices_of(fu_medlem, gov.VOTE_REMINDER) if open_fu.title in n.title]
    assert len(asked) == 1 and len(reminded) == 1
    reminded = reminded[0]
    assert reminded.url.endswith(open_fu.get_absolute_url())
