"""The open pages issue the same number of queries with ten times the data."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from governance.models import SeatRole
from monitoring.models import StatusReportDocument, StatusReportPublication
from partners.models import DGO, Municipality
from tests.flat import count_queries as count
from tests.governance.factories import seat
from tests.monitoring.factories import make_report, make_round
from tracks.models import KnowledgeProduct, Track, TrackParticipant


def grow(users: dict, n: int) -> None:
    """n running tracks with participants and products, n seats in FU, n approved reports
    and n published status reports."""
    dgos = list(DGO.objects.all())
    municipalities = list(Municipality.objects.order_by("code")[: max(n, 3)])
    now = timezone.now()
    for i in range(n):
        track = Track.objects.create(
            title=f"Spor {Track.objects.count()}",
            status=Track.Status.RUNNING,
            submitted_at=now,
            proposed_by=users["coordinator_a"],
        )
        track.dgos.add(dgos[i % len(dgos)])
        for j in range(3):
            TrackParticipant.objects.create(
                track=track, municipality=municipalities[(i + j) % len(municipalities)]
            )
        KnowledgeProduct.objects.create(
            track=track,
            title="Notat",
            kind="link",
            url="https://example.dk",
            added_by=users["secretariat"],
        )
        seat("fu", role=SeatRole.OBSERVER, appointed_by="concito")
    round = make_round(2000 + Track.objects.count(), closed=True)
    for municipality in municipalities[:n]:
        make_report(round, municipality, state="approved", checklist=False)
    for language in ("da", "en")[: min(n, 2)]:
        document = StatusReportDocument.objects.create(
            round=round,
            language=language,
            data_snapshot_at=now - datetime.timedelta(seconds=Track.objects.count()),
            status=StatusReportDocument.Status.DONE,
        )
        document.file.save(document.file_name, ContentFile(b"%PDF-1.7"), save=True)
        StatusReportPublication.objects.create(document=document)


URLS = [
    "public-home",
    "public-body-list",
    ("public-body-detail", {"code": "fu"}),
    "public-track-list",
    "track-detail",
    "public-report-list",
    "public-figures",
    ("public-figures-dgo", {"slug": "midtjylland"}),
    "public-open-data",
    ("public-open-data-file", {"dataset": "emissioner", "fmt": "csv"}),
    ("public-open-data-file", {"dataset": "planer", "fmt": "json"}),
]


@pytest.mark.parametrize("target", URLS, ids=lambda t: t if isinstance(t, str) else t[0])
def test_open_page_query_count_is_flat(target, client, role_users):
    def url() -> str:
        if target == "track-detail":
            return reverse("public-track-detail", kwargs={"pk": Track.objects.latest("pk").pk})
        if isinstance(target, str):
            return reverse(target)
        return reverse(target[0], kwargs=target[1])

    grow(role_users, 2)
    small = count(client, url())
    grow(role_users, 20)
    large = count(client, url())
    assert large == small, (url(), small, large)
