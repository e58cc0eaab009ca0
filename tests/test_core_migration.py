"""The outbox and notification models moved from the app `klimaalliancen` to `core` with their
tables: a database that applied the old migrations counts core's as applied and loses nothing."""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from core.models import Notification, OutboxEmail

OLD = [("klimaalliancen", "0001_outbox"), ("klimaalliancen", "0002_notifications")]
NEW = [("core", "0001_outbox"), ("core", "0002_notifications")]


@pytest.mark.django_db
def test_the_moved_models_keep_their_tables():
    assert OutboxEmail._meta.db_table == "klimaalliancen_outboxemail"
    assert Notification._meta.db_table == "klimaalliancen_notification"
    assert {"klimaalliancen_outboxemail", "klimaalliancen_notification"} <= set(
        connection.introspection.table_names()
    )


@pytest.mark.django_db
def test_a_database_migrated_before_the_move_has_nothing_to_migrate():
    recorder = MigrationRecorder(connection)
    recorder.applied_migrations()  # the table exists
    # The history of a database migrated before the move: the old app's rows, not core's.
    for app, name in NEW:
        recorder.record_unapplied(app, name)
    for app, name in OLD:
        recorder.record_applied(app, name)
    OutboxEmail.objects.create(subject="kept", body="b", to=["a@example.org"])

    loader = MigrationLoader(connection)
    assert set(NEW) <= set(loader.applied_migrations)
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan([("core", "0002_notifications")])
    # Nothing to apply (later core migrations, already applied here, would only be unapplied).
    assert [migration for migration, backwards in plan if not backwards] == []
    assert OutboxEmail.objects.get().subject == "kept"
