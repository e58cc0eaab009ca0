from django.utils.translation import gettext as _

from core.search import SearchResult, text_search

from .models import DGO, Municipality, Organisation, User


def search(*, user: User, query: str, limit: int) -> list[SearchResult]:
    # Municipalities, DGOs and organisations are visible to every signed-in user.
    municipalities = text_search(
        Municipality.objects.select_related("dgo"), query=query, names=["name", "code"]
    )[:limit]
    dgos = text_search(DGO.objects.all(), query=query, names=["name"])[:limit]
    organisations = text_search(
        Organisation.objects.all(), query=query, names=["name", "short_name"]
    )[:limit]
    return [
        *(
            SearchResult(_("Municipality"), m.name, m.get_absolute_url(), m.dgo.name)
            for m in municipalities
        ),
        *(SearchResult(_("DGO"), d.name, d.get_absolute_url()) for d in dgos),
        *(
            SearchResult(_("Organisation"), o.name, "/organisations/", o.get_kind_display())
            for o in organisations
        ),
    ]
