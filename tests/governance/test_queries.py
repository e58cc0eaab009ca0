"""Governance pages and API lists issue the same number of queries however much data there is."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from governance import services
from governance.models import Body, Decision, Meeting, SeatRole
from tests.flat import assert_flat, measure

from .factories import seat

ORGS = ["kl", "danske-regioner", "realdania"]


def grow(size: int, secretariat) -> tuple[Decision, Meeting]:
    """`size` voting seats, former seats, observers, meetings with papers, decisions, votes and
    comments in FU; returns the first decision and meeting (the ones the detail pages show)."""
    fu = Body.objects.get(code="fu")
    voters = [seat(fu, appointed_by=ORGS[n % 3]) for n in range(size)]
    for n in range(size):
        seat(fu, role=SeatRole.OBSERVER, appointed_by="concito")
        seat(fu, appointed_by="kl", ends_on=datetime.date(2024, 6, 30))
        seat(fu, role=SeatRole.SUBSTITUTE, substitute_for=voters[n], appointed_by=ORGS[n % 3])
    meetings = []
    for n in range(size):
        starts = timezone.now() + datetime.timedelta(days=n + 1)
        meeting = services.meeting_create(
            body=fu, by=secretariat, title=f"Møde {n}", starts_at=starts, location="KL"
        )
        for item_number in range(3):
            item = services.agenda_item_add(
                meeting=meeting, by=secretariat, title=f"P{item_number}"
            )
            services.paper_upload(
                agenda_item=item,
                by=secretariat,
                upload=SimpleUploadedFile(f"bilag{n}.pdf", b"%PDF-1.4\n"),
            )
        services.meeting_publish_agenda(meeting=meeting, by=secretariat)
        meetings.append(meeting)
    decisions = [
        services.decision_open(
            body=fu,
            title=f"Beslutning {n}",
            text="Forslag",
            deadline=timezone.now() + datetime.timedelta(days=5),
            meeting=meetings[0],
            by=secretariat,
        )
        for n in range(size)
    ]
    for voter in voters[:-1]:  # all but one vote, so the decisions stay open
        for decision in decisions[:3]:
            services.vote_cast(decision=decision, by=voter.person, choice="yes")
        services.decision_comment_add(decision=decisions[0], by=voter.person, text="Enig.")
    services.absence_record(decision=decisions[0], membership=voters[-1], by=secretariat)
    return decisions[0], meetings[0]


PAGES = [
    "/",
    "/bodies/",
    "/bodies/fu/",
    "/decisions/",
    "/decisions/?status=open",
    "/decisions/{decision}/",
    "/meetings/{meeting}/",
    "/api/bodies/",
    "/api/memberships/",
    "/api/memberships/?body=fu&active=true",
    "/api/meetings/",
    "/api/decisions/",
    "/api/decisions/?status=open",
    "/api/decisions/{decision}/",
]


def test_query_count_is_flat(client_for, role_users):
    decision, meeting = grow(2, role_users["secretariat"])
    urls = [template.format(decision=decision.pk, meeting=meeting.pk) for template in PAGES]
    roles = ["secretariat", "member"]
    small = measure(client_for, roles, urls)
    grow(20, role_users["secretariat"])
    assert_flat(small, measure(client_for, roles, urls))
