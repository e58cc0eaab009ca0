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


def test_a_bulk_writes_trail_records_what_the_signals_would(role_users):
    """core.bulk_audit builds the entries auditlog's receivers make for save() and
    delete(): same changes, repr, additional data, actor (here from the context)."""
    import copy

    from auditlog.context import set_actor

    from core.bulk_audit import BulkAuditTrail
    from monitoring.models import Action
    from tests.monitoring.factories import make_report, make_round

    report = make_report(make_round(), "751", actions=0)
    by = role_users["secretariat"]
    shown = ("content_type_id", "object_pk", "object_id", "object_repr", "action", "changes")
    shown += ("actor_id", "actor_email", "additional_data", "serialized_data", "cid")

    def entries_since(pk):
        return [
            tuple(getattr(entry, name) for name in shown)
            for entry in LogEntry.objects.filter(pk__gt=pk).order_by("pk")
        ]

    start = LogEntry.objects.order_by("-pk").first().pk
    with set_actor(by):
        trail = BulkAuditTrail(actor=None)
        action = Action(report=report, name="Elbusser", status="started")
        action.save()
        trail.created(action)
        before = copy.copy(action)
        action.status, action.note = "completed", "Alle linjer kører elektrisk"
        action.save()
        trail.changed(before, action)
        trail.changed(copy.copy(action), action)  # nothing changed: no entry
        trail.deleted(action)
        action.delete()
        middle = LogEntry.objects.order_by("-pk").first().pk
        trail.write()
    by_signals, by_trail = entries_since(start)[:3], entries_since(middle)
    assert len(by_signals) == len(by_trail) == 3
    assert by_trail == by_signals
    assert {entry[shown.index("actor_id")] for entry in by_trail} == {by.pk}
