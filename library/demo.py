"""Demo content for `make run`: the library's topics and a handful of knowledge products —
a running track's result, CONCITO's and C40's notes and analyses, one for DGO Midtjylland —
some public (on the open pages), some for the partnership only.

Runs after the tracks' demo (a track is linked where one runs). Through the service, as in
production. Idempotent: once any product exists, nothing is added.
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from monitoring.models import Sector
from partners.models import DGO, Organisation, User
from tracks.models import Track

from . import services
from .models import LibraryItem, Topic

K = LibraryItem.Kind
TOPICS = [
    ("energi", "Energi og forsyning"),
    ("mobilitet", "Transport og mobilitet"),
    ("landbrug", "Landbrug og arealanvendelse"),
    ("forbrug", "Forbrug og cirkulær økonomi"),
    ("tilpasning", "Klimatilpasning"),
]
NOTE = b"%PDF-1.4\n%Klimaalliancen demo\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _sector(group: str) -> Sector | None:
    return Sector.objects.filter(group=group, parent__isnull=True).order_by("position").first()


def seed() -> list[str]:
    secretariat = User.objects.filter(username="sekretariat").first()
    partner = User.objects.filter(username="videnspartner").first()
    if secretariat is None or partner is None or LibraryItem.objects.exists():
        return []
    topics = {
        slug: Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in TOPICS
    }
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=("concito", "c40", "kl"))}
    today = timezone.localdate()
    running = Track.objects.filter(status=Track.Status.RUNNING).order_by("pk").first()
    specs = [
        (partner, dict(
            title="Notat: varmepumper i fjernvarmen",
            summary="Erfaringer fra de første store varmepumper og hvad kommunerne kan gøre. "
            "(Demo-notat.)",
            kind=K.NOTE, topic=topics["energi"], sector=_sector("stationary_energy"),
            author_organisation=orgs["concito"], is_public=True,
        ), ContentFile(NOTE, name="notat-varmepumper.pdf")),
        (partner, dict(
            title="Analyse af forbrugsbaserede udledninger i fem kommuner",
            summary="Metode og foreløbige tal for udledninger fra forbrug og indkøb.",
            kind=K.ANALYSIS, topic=topics["forbrug"], author_organisation=orgs["concito"],
            is_public=False, url="https://example.dk/analyse-forbrug",
        ), None),
        (secretariat, dict(
            title="C40: vejledning i klimahandlingsplaner (CAPF)",
            summary="Sådan bruger kommunerne C40's ramme for klimahandlingsplaner.",
            kind=K.GUIDE, topic=topics["tilpasning"], author_organisation=orgs["c40"],
            is_public=True, url="https://example.dk/capf",
        ), None),
        (secretariat, dict(
            title="Lavbundsjorder i Midtjylland: status",
            summary="Hvor langt de midtjyske kommuner er med udtagning af lavbundsjorder.",
            kind=K.REPORT, topic=topics["landbrug"], sector=_sector("afolu"),
            dgo=DGO.objects.filter(slug="midtjylland").first(), author_organisation=orgs["kl"],
            is_public=False,
        ), ContentFile(NOTE, name="lavbund-midt.pdf")),
    ]  # fmt: skip
    if running is not None:
        specs.append((secretariat, dict(
            title=f"Resultat: {running.title}",
            summary="Sporets første resultater, delt med alle partnerskabets kommuner.",
            kind=K.TRACK_RESULT, topic=topics["mobilitet"], sector=_sector("transport"),
            track=running, author_organisation=orgs["kl"], is_public=True,
            url="https://example.dk/sporresultat",
        ), None))  # fmt: skip
    created = []
    for days, (by, fields, upload) in enumerate(specs):
        fields.setdefault("url", "")
        item = services.item_create(
            by=by,
            upload=upload,
            published_on=today - datetime.timedelta(days=20 * days),
            **fields,
        )
        created.append(f"library:{item.pk}")
    return created
