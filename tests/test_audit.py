from auditlog.models import LogEntry
from django.urls import reverse

from partners import services
from partners.models import Municipality


def test_changes_are_recorded_with_actor_and_searchable(client_for, role_users):
    client = client_for("coordinator_a")
    client.post(reverse("municipality-edit", args=["751"]), {"website": "", "notes": "Ny kontakt"})
    entry = LogEntry.objects.get_for_object(Municipality.objects.get(code="751")).first()
    assert entry.actor == role_users["coordinator_a"]
    assert entry.changes_dict["notes"] == ["", "Ny kontakt"]

    page = client_for("secretariat").get(reverse("audit-log"), {"q": "Ny kontakt"})
    assert page.status_code == 200
    assert [e.pk for e in page.context["page"].object_list] == [entry.pk]
    page = client_for("secretariat").get(reverse("audit-log"), {"actor": "nobody"})
    assert not page.context["page"].object_list


def test_the_trail_cannot_be_edited_or_deleted_in_the_admin(admin_client, role_users):
    aarhus = Municipality.objects.get(code="751")
    services.municipality_update(municipality=aarhus, by=role_users["secretariat"], notes="x")
    entry = LogEntry.objects.get_for_object(aarhus).first()
    change = admin_client.post(reverse("admin:auditlog_logentry_change", args=[entry.pk]), {})
    delete = admin_client.post(
        reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    unchanged = LogEntry.objects.get(pk=entry.pk)
    assert (unchanged.changes, unchanged.object_repr) == (entry.changes, entry.object_repr)
    assert change.status_code in (200, 403)  # a read-only view at most
