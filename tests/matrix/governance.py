"""Governance URLs × roles. In the fixtures `observer` observes in FU and PUG and `member` holds
a voting seat in FU; coordinator_a manages DGO Midtjylland's steering groups."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from . import SIGNED_IN, Case, api, only, page

FU = {"code": "fu"}
SEATED = {"observer", "member", "secretariat"}  # may read FU's content
MANAGERS = {"secretariat"}
OUTSIDERS = {"coordinator_a", "coordinator_b", "knowledge_partner", "administrator"}


def expect(default: int, anonymous: int = 302, **per_role: int) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, default), **per_role}


def private(allowed: set[str], denied_seated: int = 403, ok: int = 200) -> dict[str, int]:
    """For FU's private content: `allowed` get `ok`, other seats `denied_seated`, others 404."""
    result = {"anonymous": 302}
    for role in SIGNED_IN:
        if role in allowed:
            result[role] = ok
        elif role in SEATED:
            result[role] = denied_seated
        else:
            result[role] = 404
    return result


def _meeting(users, *, publish=False, held=False, past=False):
    from governance import services
    from governance.models import Body

    by = users["secretariat"]
    starts = timezone.now() + datetime.timedelta(days=-1 if past or held else 10)
    meeting = services.meeting_create(
        body=Body.objects.get(code="fu"), by=by, title="FU-møde", starts_at=starts, location="KL"
    )
    item = services.agenda_item_add(meeting=meeting, by=by, title="Punkt 1")
    if publish or held:
        services.meeting_publish_agenda(meeting=meeting, by=by)
    if held:
        services.meeting_mark_held(meeting=meeting, by=by)
        services.meeting_minutes_save(meeting=meeting, by=by, minutes="Referat.")
    return meeting, item


def planned_meeting(users) -> dict:
    return {"pk": _meeting(users)[0].pk}


def published_meeting(users) -> dict:
    return {"pk": _meeting(users, publish=True)[0].pk}


def started_meeting(users) -> dict:
    return {"pk": _meeting(users, publish=True, past=True)[0].pk}


def held_meeting(users) -> dict:
    return {"pk": _meeting(users, held=True)[0].pk}


def planned_item(users) -> dict:
    meeting, item = _meeting(users)
    return {"pk": meeting.pk, "item": item.pk}


def paper(users) -> dict:
    from governance import services

    _meeting_obj, item = _meeting(users, publish=True)
    upload = SimpleUploadedFile("bilag.pdf", b"%PDF-1.4\n%demo\n", content_type="application/pdf")
    return {
        "pk": services.paper_upload(agenda_item=item, by=users["secretariat"], upload=upload).pk
    }


def planned_paper(users) -> dict:
    from governance import services

    meeting, item = _meeting(users)
    upload = SimpleUploadedFile("bilag.pdf", b"%PDF-1.4\n%demo\n", content_type="application/pdf")
    paper = services.paper_upload(agenda_item=item, by=users["secretariat"], upload=upload)
    return {"pk": meeting.pk, "paper": paper.pk}


def fu_decision(users) -> dict:
    """An open FU decision; FU gets a second voting seat so `member`'s vote does not close it."""
    from governance import services
    from governance.models import Body, SeatRole
    from partners.models import Organisation
    from tests.factories import UserFactory

    fu = Body.objects.get(code="fu")
    # Once: walks that keep their data between cases (the axe walk) set this up again.
    if not fu.memberships.filter(seat_role=SeatRole.VICE_CHAIR).exists():
        services.membership_add(
            body=fu,
            person=UserFactory(),
            seat_role=SeatRole.VICE_CHAIR,
            appointed_by=Organisation.objects.get(code="danske-regioner"),
            by=None,
        )
    decision = services.decision_open(
        body=fu,
        title="Projektplan",
        text="Forslag.",
        deadline=timezone.now() + datetime.timedelta(days=14),
        by=users["secretariat"],
    )
    return {"pk": decision.pk}


def membership(users) -> dict:
    from governance.models import Membership

    return {"pk": Membership.objects.filter(person=users["member"]).get().pk}


def calendar_token(users) -> dict:
    from governance import services

    return {"token": services.calendar_feed_regenerate(user=users["member"]).token}


CASES = [
    only("body-people", MANAGERS, FU),
    only("body-minutes-setting", MANAGERS, FU),
    only("body-minutes-setting", MANAGERS | {"coordinator_a"}, {"code": "dgo-midtjylland-pol"}),
    only("body-people", MANAGERS | {"coordinator_a"}, {"code": "dgo-midtjylland-pol"}),
    Case(
        "body-seat-end",
        expect(405),
        setup=lambda users: {"code": "fu", "pk": users["member"].memberships.get().pk},
    ),
    only("seat-create", MANAGERS, FU),
    only("seat-person-search", MANAGERS, FU),
    only("seat-person-search", MANAGERS | {"coordinator_a"}, {"code": "dgo-midtjylland-adm"}),
    only("seat-create", MANAGERS | {"coordinator_a"}, {"code": "dgo-midtjylland-adm"}),
    only(
        "seat-edit",
        MANAGERS,
        setup=lambda users: {"code": "fu", "pk": users["member"].memberships.get().pk},
    ),
    only("body-composition", set(), FU),  # the agreement's own rules (§8.2)
    only("body-composition", MANAGERS | {"coordinator_a"}, {"code": "dgo-midtjylland-adm"}),
    page("body-list"),
    page("body-detail", FU),
    page("body-detail", {"code": "dgo-midtjylland-adm"}),
    only("meeting-create", MANAGERS, FU),
    only("meeting-create", MANAGERS | {"coordinator_a"}, {"code": "dgo-midtjylland-pol"}),
    only("decision-create", MANAGERS, FU),
    page("meeting-detail", setup=published_meeting),
    Case("meeting-detail", private(SEATED), setup=planned_meeting),
    Case("meeting-edit", private(MANAGERS), setup=planned_meeting),
    Case("agenda-item-create", private(MANAGERS), setup=planned_meeting),
    Case("paper-upload", private(MANAGERS), setup=planned_meeting),
    Case("meeting-minutes", expect(403, secretariat=200), setup=held_meeting),
    Case("agenda-item-edit", private(MANAGERS), setup=planned_item),
    Case("agenda-item-up", private(MANAGERS), setup=planned_item),
    Case("agenda-item-down", private(MANAGERS), setup=planned_item),
    Case("agenda-item-remove", private(MANAGERS), setup=planned_item),
    Case(  # a planned agenda: the button posts straight, no note needed
        "agenda-item-remove", private(MANAGERS, ok=302), method="post", setup=planned_item
    ),
    Case("paper-remove", private(MANAGERS), setup=planned_paper),
    Case(  # a planned agenda: the button posts straight, no note needed
        "paper-remove", private(MANAGERS, ok=302), method="post", setup=planned_paper
    ),
    Case("meeting-attendance", private(MANAGERS), setup=planned_meeting),
    Case("meeting-minutes-to-meeting", expect(403, secretariat=200), setup=held_meeting),
    # The pack holds the papers: the body's seats only, even for a published meeting.
    Case("meeting-pack", private(SEATED), setup=published_meeting),
    # State changes: only the secretariat (of these roles) may; it redirects back to the page.
    Case(
        "meeting-publish-agenda",
        {**private(MANAGERS, ok=302), "administrator": 403},  # published once the secretariat ran
        method="post",
        setup=planned_meeting,
    ),
    Case(
        "meeting-mark-held",
        expect(403, secretariat=302),
        method="post",
        setup=started_meeting,
    ),
    Case(
        "meeting-approve-minutes",
        expect(403, secretariat=302),
        method="post",
        setup=held_meeting,
    ),
    Case("paper-download", private(SEATED), setup=paper),
    page("decision-list"),
    page("meeting-list"),
    Case("decision-detail", private(SEATED), setup=fu_decision),
    Case(  # the confirmation step: names the choice, records nothing
        "decision-vote",
        {**private({"member"}), "secretariat": 403},
        method="post",
        data={"choice": "yes"},
        setup=fu_decision,
    ),
    Case(
        "decision-vote",
        {**private({"member"}, ok=302), "secretariat": 403},
        method="post",
        data={"choice": "yes", "confirm": "yes"},
        setup=fu_decision,
    ),
    Case("decision-record-votes", private(MANAGERS), setup=fu_decision),
    Case(
        "decision-close",  # votes are missing before the deadline: refused with a message
        private(MANAGERS, ok=302),
        method="post",
        setup=fu_decision,
    ),
    Case(
        "decision-comment",
        {**private({"observer", "member"}, ok=302), "secretariat": 403},
        method="post",
        data={"text": "En kommentar."},
        setup=fu_decision,
    ),
    Case(  # empty form: the secretariat is let in and told what is missing
        "decision-absence", private(MANAGERS, ok=400), method="post", setup=fu_decision
    ),
    Case("decision-substitute", private(MANAGERS, ok=400), method="post", setup=fu_decision),
    # The calendar feed's secret is its only credential.
    Case("calendar-feed", expect(200, anonymous=200), setup=calendar_token),
    Case("calendar-feed", expect(404, anonymous=404), {"token": "no-such-token"}),
    Case("calendar-regenerate", expect(302), method="post"),
    Case("calendar-revoke", expect(302), method="post"),
    # API
    api("api-body-list"),
    api("api-body-detail", FU),
    api("api-membership-list"),
    api("api-membership-detail", setup=membership),
    Case(
        "api-membership-end",
        expect(403, anonymous=401, secretariat=200),
        method="post",
        data={"reason": "Udtrådt"},
        setup=lambda users: {"pk": users["member"].memberships.get().pk},
    ),
    api("api-meeting-list"),
    api("api-meeting-detail", setup=published_meeting),
    api("api-meeting-detail", setup=planned_meeting, **dict.fromkeys(OUTSIDERS, 404)),
    api("api-decision-list"),
    api("api-decision-detail", setup=fu_decision, **dict.fromkeys(OUTSIDERS, 404)),
    Case(
        "api-decision-vote",
        expect(403, anonymous=401, member=201),
        method="post",
        data={"choice": "yes"},
        setup=fu_decision,
    ),
    Case(  # no meeting named: the secretariat is let in and told what is missing
        "api-decision-record-votes",
        {**private(MANAGERS, ok=400), "anonymous": 401},
        method="post",
        setup=fu_decision,
    ),
]
