"""What of the tracks is open to everyone, signed in or not (the openness principle, §6).

One rule, used by the open pages, their search and their downloads: a track is public once FU
has approved it (approved, running, evaluated, closed), with its participants, its results and
its knowledge products. Proposals, tracks in qualification, rejected and withdrawn tracks,
assessments in draft, funding and contacts are never public.
"""

from django.db.models import Prefetch, Q, QuerySet

from partners.models import DGO

from .models import APPROVED_STATES, KnowledgeProduct, Track, TrackParticipant

PUBLIC_STATES = APPROVED_STATES


def public_tracks() -> QuerySet[Track]:
    return Track.objects.filter(status__in=PUBLIC_STATES)


def public_track_list(*, search: str = "", status: str = "") -> QuerySet[Track]:
    """Three queries for any number of tracks: the tracks, their DGOs, their participants."""
    tracks = public_tracks().select_related("focus_area")
    if search:
        tracks = tracks.filter(
            Q(title__icontains=search)
            | Q(problem__icontains=search)
            | Q(ambition__icontains=search)
        )
    if status in PUBLIC_STATES:
        tracks = tracks.filter(status=status)
    return tracks.prefetch_related(
        Prefetch("dgos", queryset=DGO.objects.select_related("region").order_by("name")),
        Prefetch(
            "participants",
            queryset=TrackParticipant.objects.select_related("municipality", "region"),
        ),
    ).order_by("title", "pk")


def public_track_get(*, pk: int) -> Track:
    """The track with its DGOs, participants, knowledge products and evaluation (5 queries)."""
    return (
        public_tracks()
        .select_related("focus_area", "evaluation")
        .prefetch_related(
            Prefetch("dgos", queryset=DGO.objects.select_related("region").order_by("name")),
            Prefetch(
                "participants",
                queryset=TrackParticipant.objects.select_related("municipality", "region"),
            ),
            Prefetch("products", queryset=KnowledgeProduct.objects.order_by("-published_at")),
        )
        .get(pk=pk)
    )


def public_product_get(*, pk: int) -> KnowledgeProduct:
    """A knowledge product file of a public track (a link is simply a link)."""
    return KnowledgeProduct.objects.filter(
        track__status__in=PUBLIC_STATES, kind=KnowledgeProduct.Kind.FILE
    ).get(pk=pk)
