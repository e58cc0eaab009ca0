import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation

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
    shown += ("changes_text", "remote_addr", "remote_port")

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


def test_a_created_rows_changes_are_auditlogs_for_every_model_the_imports_write(role_users):
    """BulkAuditTrail works out per model once what model_instance_diff(None, row) works out
    per row (issue 25): for every model an import writes, on rows with blank, default and
    foreign-key fields, the changes are auditlog's own."""
    from auditlog.diff import model_instance_diff
    from django.conf import settings

    from core.bulk_audit import BulkAuditTrail
    from monitoring.models import Action, ChecklistAnswer, DataRelease, EmissionFigure
    from tests.monitoring.factories import make_report, make_round

    report = make_report(make_round(), "751", actions=2)
    report.actions.update(note="")  # a blank note beside a filled one
    release = DataRelease.objects.create(name="2099-1", source="Energistyrelsen")
    rows = [
        report,
        *EmissionFigure.objects.filter(report=report).select_related("sector"),
        *ChecklistAnswer.objects.filter(report=report),
        *Action.objects.filter(report=report),
        Action(report=report, name="Ikke gemt", status="started"),  # as the import's, pk None
        release,
    ]
    assert {type(row) for row in rows} == {
        type(report),
        EmissionFigure,
        ChecklistAnswer,
        Action,
        DataRelease,
    }
    trail = BulkAuditTrail(actor=role_users["secretariat"])
    use_json = settings.AUDITLOG_STORE_JSON_CHANGES
    for row in rows:
        trail.created(row)
        assert trail.entries[-1]["changes"] == model_instance_diff(
            None, row, use_json_for_changes=use_json
        ), type(row)
    assert len(trail.entries) == len(rows)


# --- the trail as a secretariat reads it ---------------------------------------------------


@pytest.fixture
def published_meeting(role_users):
    from auditlog.context import set_actor

    from governance import services as governance
    from tests.governance.factories import plan_meeting

    by = role_users["secretariat"]
    with set_actor(by):
        meeting = plan_meeting("fu", by=by, items=1)
        return governance.meeting_publish_agenda(meeting=meeting, by=by)


def test_the_trail_reads_as_danish_sentences(client_for, role_users, published_meeting):
    from governance.models import AgendaItem, Meeting

    meeting = published_meeting
    client = client_for("secretariat")
    kind = ContentType.objects.get_for_model(Meeting)
    html = client.get(reverse("audit-log"), {"model": kind.pk, "object": meeting.pk})
    html = html.content.decode()
    by = role_users["secretariat"]
    with translation.override("da"):
        planned, published = Meeting.Status.PLANNED.label, Meeting.Status.AGENDA_PUBLISHED.label
        label = str(Meeting._meta.get_field("status").verbose_name).capitalize()
        kind_name = str(Meeting._meta.verbose_name)
    # "Tina Carlsen ændrede FU-møde (møde)", the person and the meeting as links.
    who = f'<a href="{reverse("person-detail", args=[by.pk])}">{by.get_full_name()}</a>'
    assert f"{who} ændrede" in html and f"{who} oprettede" in html
    assert f'<a href="{meeting.get_absolute_url()}">{meeting.title}</a>' in html
    assert f"({kind_name})" in html
    assert f"<strong>{label}</strong>: {planned} → {published}" in html  # choices by label
    assert "agenda_published_at" not in html and "update" not in html
    published_at = timezone.localtime(meeting.agenda_published_at)
    assert published_at.strftime("%H:%M") in html  # local time, also inside the changes
    assert published_at.utcoffset() and published_at.isoformat()[-6:] in html  # +01:00/+02:00

    # A related record by its name, with a link (the agenda item's meeting).
    item = AgendaItem.objects.get(meeting=meeting)
    item_kind = ContentType.objects.get_for_model(AgendaItem)
    html = client.get(reverse("audit-log"), {"model": item_kind.pk, "object": item.pk})
    html = html.content.decode()
    assert f'→ <a href="{meeting.get_absolute_url()}">{meeting.title}</a>' in html
    assert "oprettede" in html and ": – →" in html


def test_the_trail_filters_by_person_and_period(client_for, role_users, published_meeting):
    coordinator = client_for("coordinator_a")
    coordinator.post(reverse("municipality-edit", args=["751"]), {"website": "", "notes": "Ny"})
    client = client_for("secretariat")
    mine = client.get(reverse("audit-log"), {"actor": role_users["coordinator_a"].pk})
    assert {row.entry.actor for row in mine.context["rows"]} == {role_users["coordinator_a"]}
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    assert client.get(reverse("audit-log"), {"since": today}).context["rows"]
    assert not client.get(reverse("audit-log"), {"since": tomorrow}).context["rows"]
    assert client.get(reverse("audit-log"), {"until": today}).context["rows"]
    wrong_way = client.get(reverse("audit-log"), {"since": tomorrow, "until": today})
    assert (
        "Periodens slutning" in wrong_way.content.decode()
        or wrong_way.context["form"].errors["until"]
    )


def test_the_trail_exports_what_the_filter_shows(client_for, published_meeting):
    from governance.models import Meeting

    client = client_for("secretariat")
    kind = ContentType.objects.get_for_model(Meeting)
    response = client.get(
        reverse("audit-log"), {"model": kind.pk, "object": published_meeting.pk, "export": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 2  # the header, the creation, the publication
    with translation.override("da"):
        published = str(Meeting.Status.AGENDA_PUBLISHED.label)
    assert "ændrede" in text and "oprettede" in text and published in text
    assert "Aarhus" not in text  # other records are not in the file
