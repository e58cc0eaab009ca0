"""Reads for the knowledge library. Every signed-in person reads every product; the track a
product belongs to is shown only where the reader may see that track (`Track.objects.for_user`),
and the open pages show public products, naming only public tracks."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from core.search import text_search
from partners.models import User
from tracks.models import Track
from tracks.public import PUBLIC_STATES

from .models import LibraryItem, Topic


def items_for(user: User | AnonymousUser) -> QuerySet[LibraryItem]:
    if not user.is_authenticated or not user.is_active:
        return LibraryItem.objects.none()
    return LibraryItem.objects.all()


def _related(items: QuerySet[LibraryItem]) -> QuerySet[LibraryItem]:
    return items.select_related("topic", "sector", "track", "dgo", "author_organisation")


def _filtered(
    items: QuerySet[LibraryItem],
    *,
    search: str = "",
    topic: str = "",
    sector: str = "",
    track: int | None = None,
    dgo: str = "",
    kind: str = "",
) -> QuerySet[LibraryItem]:
    if topic:
        items = items.filter(topic__slug=topic)
    if sector:
        # A sector group finds its finer sectors' products too.
        items = items.filter(Q(sector__key=sector) | Q(sector__parent__key=sector))
    if track:
        items = items.filter(track_id=track)
    if dgo:
        items = items.filter(dgo__slug=dgo)
    if kind:
        items = items.filter(kind=kind)
    if search:
        return text_search(items, query=search, names=["title"], texts=["summary"])
    return items.order_by("-published_on", "-pk")


def item_list(*, user: User | AnonymousUser, **filters) -> QuerySet[LibraryItem]:
    return _filtered(_related(items_for(user)), **filters)


def item_get(*, user: User | AnonymousUser, pk: int) -> LibraryItem:
    return _related(items_for(user)).get(pk=pk)


def visible_track_ids(*, user: User | AnonymousUser, items) -> set[int]:
    """Of the items' tracks, those the reader may see (one query)."""
    ids = {item.track_id for item in items if item.track_id}
    if not ids:
        return set()
    return set(Track.objects.for_user(user).filter(pk__in=ids).values_list("pk", flat=True))


def filter_tracks(*, user: User | AnonymousUser) -> QuerySet[Track]:
    """The tracks the filter offers: those with products, that the reader may see."""
    return (
        Track.objects.for_user(user)
        .filter(library_items__isnull=False)
        .distinct()
        .order_by("title")
    )


def topics() -> QuerySet[Topic]:
    return Topic.objects.order_by("name")


def public_items(**filters) -> QuerySet[LibraryItem]:
    return _filtered(_related(LibraryItem.objects.filter(is_public=True)), **filters)


def public_item_get(*, pk: int) -> LibraryItem:
    return _related(LibraryItem.objects.filter(is_public=True)).get(pk=pk)


def public_track_ids(items) -> set[int]:
    """Of the items' tracks, those on the open pages (no query: the track is selected)."""
    return {item.track_id for item in items if item.track_id and item.track.status in PUBLIC_STATES}
