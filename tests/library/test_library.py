"""The knowledge library: who adds in whose name, Danish refusals with nothing written, the
filters (topic, sector and its group, track, DGO), tracks named only where visible, the open
pages with only public products, downloads and global search."""

from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from library import services
from library.models import LibraryItem
from monitoring.models import Sector
from partners.models import DGO, Organisation

from .factories import PDF, make_item, topic

pytestmark = pytest.mark.django_db


def test_the_secretariat_and_knowledge_partners_add_in_the_right_name(role_users):
    kp, secretariat = role_users["knowledge_partner"], role_users["secretariat"]
    own = make_item(kp, org_code="concito")
    assert own.added_by == kp and own.author_organisation.code == "concito"
    with pytest.raises(PermissionDenied):
        make_item(kp, org_code="c40")  # not their organisation
    with pytest.raises(PermissionDenied):
        make_item(role_users["coordinator_a"])
    c40 = make_item(secretariat, org_code="c40")
    with pytest.raises(PermissionDenied):
        services.item_update(item=c40, by=kp, title="Ændret")
    services.item_update(item=own, by=kp, title="Nyt navn")
    own.refresh_from_db()
    assert own.title == "Nyt navn"
    assert LibraryItem.objects.count() == 2


def test_a_product_needs_a_file_or_a_link_and_a_real_file(role_users):
    with pytest.raises(ValidationError) as caught:
        make_item(role_users["secretariat"], url="")
    assert caught.value.message_dict["file"] == ["Angiv en fil eller et link (eller begge)."]
    with pytest.raises(ValidationError) as caught:
        services.item_create(
            by=role_users["secretariat"],
            upload=SimpleUploadedFile("notat.pdf", b"MZ\x90\x00not a pdf"),
            title="Falsk",
            summary="x",
            kind="note",
            topic=topic(),
            author_organisation=Organisation.objects.get(code="concito"),
        )
    assert "ikke en ægte PDF-fil" in caught.value.message_dict["file"][0]
    assert not LibraryItem.objects.exists()


def test_the_form_refuses_bad_input_in_danish_and_writes_nothing(client_for):
    response = client_for("knowledge_partner").post(
        reverse("library-create"), {"title": "", "kind": "note"}
    )
    assert response.status_code == 400
    assert "Dette felt er påkrævet." in unescape(response.content.decode())
    assert not LibraryItem.objects.exists()


def test_a_knowledge_partner_adds_a_file_through_the_page(client_for, role_users):
    concito = Organisation.objects.get(code="concito")
    response = client_for("knowledge_partner").post(
        reverse("library-create"),
        {
            "title": "Analyse af transportens udledninger",
            "summary": "Hvor kommer udledningerne fra?",
            "kind": "analysis",
            "topic": topic().pk,
            "author_organisation": concito.pk,
            "published_on": "2026-11-01",
            "is_public": "on",
            "file": SimpleUploadedFile("analyse.pdf", PDF),
        },
    )
    item = LibraryItem.objects.get()
    assert response.status_code == 302 and response.url == item.get_absolute_url()
    assert item.is_public and item.original_name == "analyse.pdf"
    download = client_for("member").get(reverse("library-download", args=[item.pk]))
    assert b"".join(download.streaming_content) == PDF
    public = Client().get(reverse("public-library-download", args=[item.pk]))
    assert public.status_code == 200


def test_filters_by_topic_sector_group_track_and_dgo(client_for, role_users):
    from tests.public_data import public_track

    by = role_users["secretariat"]
    transport = Sector.objects.filter(parent__isnull=False, group="transport").first()
    track = public_track(role_users)
    make_item(by, title="Om vejtransport", sector=transport, topic=topic("Mobilitet", "mobilitet"))
    make_item(by, title="Om sporet", track=track, dgo=DGO.objects.get(slug="midtjylland"))
    make_item(by, title="Noget andet")
    client = client_for("member")

    def titles(**query):
        response = client.get(reverse("library-list"), query)
        return sorted(i.title for i in response.context["page"].object_list)

    assert titles(topic="mobilitet") == ["Om vejtransport"]
    assert titles(sector=transport.parent.key) == ["Om vejtransport"]  # the group finds its parts
    assert titles(track=track.pk) == ["Om sporet"]
    assert titles(dgo="midtjylland") == ["Om sporet"]
    assert titles(q="vejtransport") == ["Om vejtransport"]
    assert len(titles()) == 3


def test_a_draft_tracks_title_is_not_shown_to_those_who_may_not_see_it(client_for, role_users):
    from tests.matrix.tracks import _track

    draft = _track(role_users, "draft")
    make_item(role_users["secretariat"], title="Foreløbigt notat", track=draft, is_public=True)
    assert draft.title in client_for("secretariat").get(reverse("library-list")).content.decode()
    assert draft.title not in client_for("member").get(reverse("library-list")).content.decode()
    assert draft.title not in Client().get(reverse("public-library-list")).content.decode()


def test_the_open_pages_show_only_public_products(client, role_users):
    public = make_item(role_users["secretariat"], title="Offentligt notat", is_public=True)
    internal = make_item(role_users["secretariat"], title="Internt notat", is_public=False)
    listing = client.get(reverse("public-library-list")).content.decode()
    assert "Offentligt notat" in listing and "Internt notat" not in listing
    assert client.get(reverse("public-library-detail", args=[public.pk])).status_code == 200
    assert client.get(reverse("public-library-detail", args=[internal.pk])).status_code == 404


def test_global_search_finds_products(client_for, role_users):
    make_item(role_users["secretariat"], title="Notat om biochar", is_public=False)
    response = client_for("observer").get("/search/", {"q": "biochar"})
    titles = [r.title for group in response.context["groups"].values() for r in group]
    assert titles == ["Notat om biochar"]


def test_writes_are_in_the_audit_trail_with_who_made_them(client_for, role_users):
    from auditlog.models import LogEntry

    item = make_item(role_users["knowledge_partner"])
    client_for("knowledge_partner").post(
        reverse("library-edit", args=[item.pk]),
        {
            "title": "Nyt navn",
            "summary": item.summary,
            "kind": item.kind,
            "topic": item.topic_id,
            "author_organisation": item.author_organisation_id,
            "published_on": "2026-11-01",
            "url": item.url,
        },
    )
    entry = LogEntry.objects.get_for_object(item).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == role_users["knowledge_partner"] and "title" in entry.changes_dict
