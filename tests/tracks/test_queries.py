"""The tracks and budget pages issue the same number of queries however much data there is:
a small data set, then ten times as much (tracks, participants, updates, products, allocations)."""

import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.models import DGO, Municipality
from tests.factories import sign_in
from tests.flat import assert_flat, count_queries, measure
from tracks.models import (
    Allocation,
    ClimateAssessment,
    KnowledgeProduct,
    LiquidPool,
    StatusUpdate,
    Track,
    TrackParticipant,
    TrackTransition,
)

from .factories import advance, draft, focus_area

S = Track.Status


def grow_track(track: Track, people, size: int) -> None:
    """Give a track `size` participants, status updates, products, transitions and allocations."""
    have = set(track.participants.values_list("municipality_id", flat=True))
    municipalities = Municipality.objects.exclude(pk__in=have).order_by("pk")[:size]
    TrackParticipant.objects.bulk_create(
        TrackParticipant(track=track, municipality=m) for m in municipalities
    )
    today = timezone.localdate()
    StatusUpdate.objects.bulk_create(
        StatusUpdate(track=track, date=today, progress=f"Status {i}", author=people.coordinator)
        for i in range(size)
    )
    KnowledgeProduct.objects.bulk_create(
        KnowledgeProduct(
            track=track, title=f"Notat {i}", kind="link", url=f"https://example.dk/{i}",
            added_by=people.coordinator,
        )
        for i in range(size)
    )  # fmt: skip
    TrackTransition.objects.bulk_create(
        TrackTransition(track=track, from_status=S.RUNNING, to_status=S.RUNNING,
                        by=people.secretariat, reason=f"Note {i}")
        for i in range(size)
    )  # fmt: skip
    pool = LiquidPool.objects.get(key="realdania-likvide")
    Allocation.objects.bulk_create(
        Allocation(pool=pool, track=track, year=2026, amount=Decimal("1000.00"),
                   requested_by=people.coordinator)
        for _ in range(size)
    )  # fmt: skip
    last = track.assessments.order_by("-version").first()
    ClimateAssessment.objects.bulk_create(
        ClimateAssessment(
            track=track, version=last.version + 1 + i, text="V", conclusion="supported",
            author=people.knowledge_partner, organisation=last.organisation,
            published_at=timezone.now(),
        )
        for i in range(size)
    )  # fmt: skip


def grow_tracks(people, total: int, participants: int) -> None:
    """Submitted tracks, each with participants and DGOs, until there are `total`."""
    missing = total - Track.objects.count()
    area = focus_area()
    tracks = Track.objects.bulk_create(
        Track(title=f"Spor {i}", status=S.SUBMITTED, submitted_at=timezone.now(),
              proposed_by=people.coordinator, focus_area=area)
        for i in range(missing)
    )  # fmt: skip
    municipalities = itertools.cycle(Municipality.objects.order_by("pk"))
    dgos = list(DGO.objects.all())
    TrackParticipant.objects.bulk_create(
        TrackParticipant(track=track, municipality=next(municipalities), is_lead=(n == 0))
        for track in tracks
        for n in range(participants)
    )
    Track.dgos.through.objects.bulk_create(
        Track.dgos.through(track=track, dgo=dgo) for track in tracks for dgo in dgos[:2]
    )


@pytest.fixture
def running(people):
    track = advance(draft(people.coordinator), S.RUNNING, people)
    grow_track(track, people, 1)
    return track


PAGES = [
    lambda track: reverse("track-list"),
    lambda track: reverse("track-list") + "?status=submitted&dgo=midtjylland&sort=title&q=Spor",
    lambda track: reverse("track-detail", args=[track.pk]),
    lambda track: reverse("api-track-list"),
    lambda track: reverse("api-track-detail", args=[track.pk]),
    lambda track: reverse("api-allocation-list"),
    lambda track: reverse("api-assessment-list"),
    lambda track: reverse("api-budget-overview"),
    lambda track: reverse("budget-overview"),
    lambda track: reverse("pool-detail", args=["realdania-likvide"]),
    lambda track: reverse("allocation-approvals"),
    lambda track: reverse("focus-area-list"),
    lambda track: reverse("track-proposal", args=[track.pk]),
]


def test_query_count_is_flat(people, running, client):
    def sign_in_as(role: str):
        sign_in(client, getattr(people, role))
        return client

    # The approvals page is for the secretariat and the parties whose pools need approval.
    approvals = reverse("allocation-approvals")
    urls = [url for url in (page(running) for page in PAGES) if url != approvals]
    roles = ["coordinator", "realdania", "knowledge_partner", "secretariat"]

    def measure_all() -> dict:
        counts = measure(sign_in_as, roles, urls)
        return counts | measure(sign_in_as, ["realdania", "secretariat"], [approvals])

    grow_tracks(people, 3, participants=3)
    small = measure_all()
    grow_track(running, people, 10)
    grow_tracks(people, 30, participants=10)
    assert_flat(small, measure_all())


@pytest.mark.parametrize("role", ["coordinator", "realdania", "knowledge_partner", "secretariat"])
def test_dashboard_panels_are_bounded(role, people, running, client, django_assert_max_num_queries):
    """The start page belongs to every app; the tracks panels add at most three queries (the
    APS seat, a count and a few rows per panel), however many tracks and allocations exist."""
    from partners.models import User
    from tracks import dashboard

    def fresh():
        return User.objects.get(pk=getattr(people, role).pk)  # no cached roles

    grow_tracks(people, 3, participants=3)
    user = fresh()
    from partners.permissions import roles_of

    roles_of(user)  # computed once per request by the layout
    with CaptureQueriesContext(connection) as small:
        dashboard.panels(user)
    grow_track(running, people, 10)
    grow_tracks(people, 30, participants=10)
    user = fresh()
    roles_of(user)
    with django_assert_max_num_queries(len(small)):
        panels = dashboard.panels(user)
    assert len(small) <= 5
    if role == "coordinator":
        assert len(small) == 0  # a coordinator's start page pays nothing for these panels
    sign_in(client, user)
    small_page = count_queries(client, reverse("dashboard"))
    with django_assert_max_num_queries(small_page):
        client.get(reverse("dashboard"))
    if role == "secretariat":
        assert panels[0]["cards"][0]["kind"] == "qualification"
    if role == "realdania":
        assert panels[0]["cards"][0]["count"] == 11  # the running track's pending allocations
