"""The audit trail of a bulk write: the django-auditlog entries its per-row saves would have made.

`bulk_create`/`bulk_update` send no model signals, so auditlog records nothing for them. A
service that writes many rows at once runs its writes inside `disable_auditlog()` (so a
`delete()` or a stray `save()` among them makes no entry of its own either), tells a
`BulkAuditTrail` what it created, changed and deleted, and writes the entries with one
`LogEntry.objects.bulk_create`.

Each entry is built as auditlog's signal receivers build it: the changes by
`auditlog.diff.model_instance_diff` (the same fields, exclusions, masking and JSON format), the
rest as `LogEntryManager.log_create` fills it in (content type, object pk and id, repr,
serialized data, `get_additional_data()`, the correlation id), and the actor and extra data
of the current `auditlog.context` as its `pre_save` receiver sets them — except that the
service names the actor itself, so a write made without a request (a command, a task) is
still put down to the person it was made for.

Two shortcuts keep a large import's trail cheap (issue 25: the round import's confirm was 4.7x
its bulk_create floor, most of it the trail), without changing one entry's content:
- a created row's changes: `model_instance_diff(None, row)` works out, for every row again,
  which fields to record and their "before" values, which depend only on the model; they are
  worked out once per model here and auditlog's own `get_field_value` gives the row's values;
- on PostgreSQL the entries go in with one `COPY` instead of an INSERT of 16 arrays: Django
  preparing and psycopg quoting ~100,000 values was most of the trail's cost.
"""

import json
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.diff import (
    get_field_value,
    get_fields_in_model,
    get_mask_function,
    is_primitive,
    model_instance_diff,
)
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser as User  # core knows no domain app
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import JSONField, Model
from django.utils import timezone
from django.utils.encoding import smart_str


class BulkAuditTrail:
    """Collects the log entries of one bulk write; `write()` inserts them in one statement."""

    def __init__(self, *, actor: User | None) -> None:
        try:
            context = dict(auditlog_value.get())
        except LookupError:  # no set_actor / middleware around this write
            context = {}
        if actor is None and isinstance(context.get("actor"), get_user_model()):
            actor = context["actor"]
        self.actor = actor
        # remote_addr, remote_port and whatever set_extra_data() put there (not the actor)
        self.extra = {
            key: value
            for key, value in context.items()
            if key != "actor" and hasattr(LogEntry, key)
        }
        self.cid = get_cid()
        self.entries: list[dict[str, Any]] = []  # each LogEntry's field values, by attname
        self._content_types: dict[type[Model], int] = {}
        self._created_fields: dict[type[Model], list[tuple[Any, Any, Any]]] = {}

    def created(self, instance: Model) -> None:
        """After the row is inserted (the entry names its primary key)."""
        self._add(instance, LogEntry.Action.CREATE, self._created_changes(instance))

    def changed(self, old: Model, new: Model, *, fields: list[str] | None = None) -> None:
        """`old` is a copy of the row as it was read, `new` what was written; `fields` as a
        save's `update_fields`. Nothing is recorded when no audited field changed."""
        changes = model_instance_diff(old, new, fields_to_check=fields, **_json())
        if changes:
            self._add(new, LogEntry.Action.UPDATE, changes)

    def deleted(self, instance: Model) -> None:
        """Before the row is deleted (the entry names its primary key)."""
        self._add(instance, LogEntry.Action.DELETE, model_instance_diff(instance, None, **_json()))

    def write(self) -> int:
        """Insert the entries collected (one COPY on PostgreSQL); returns how many."""
        if not self.entries:
            return 0
        if connection.vendor != "postgresql":
            LogEntry.objects.bulk_create(LogEntry(**entry) for entry in self.entries)
            return len(self.entries)
        fields = [f for f in LogEntry._meta.concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        statement = "COPY {} ({}) FROM STDIN".format(
            quote(LogEntry._meta.db_table), ", ".join(quote(f.column) for f in fields)
        )
        # The values as the INSERT would store them: a field the entry does not set has its
        # default (as LogEntry(**entry) would), JSON as Django's JSONField serialises it
        # (json.dumps with the field's encoder; None is SQL NULL), the rest as they are.
        json_fields = {f.attname: f.encoder for f in fields if isinstance(f, JSONField)}
        columns = [
            (f.attname, f.get_default(), f.attname in json_fields, json_fields.get(f.attname))
            for f in fields
        ]
        connection.ensure_connection()
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for entry in self.entries:
                copy.write_row(
                    [
                        (json.dumps(value, cls=encoder) if is_json and value is not None else value)
                        for name, default, is_json, encoder in columns
                        for value in (entry.get(name, default),)
                    ]
                )
        return len(self.entries)

    def _created_changes(self, instance: Model) -> dict | None:
        """`model_instance_diff(None, instance)`, the per-model part worked out once."""
        model = type(instance)
        plan = self._created_fields.get(model)
        if plan is None:
            plan = self._created_fields[model] = _created_plan(instance)
        use_json = settings.AUDITLOG_STORE_JSON_CHANGES
        diff = {}
        for field, old_value, mask in plan:
            new_value = get_field_value(instance, field, use_json)
            if old_value == new_value:
                continue
            if mask is not None:
                diff[field.name] = (mask(smart_str(old_value)), mask(smart_str(new_value)))
            elif not use_json:
                diff[field.name] = (smart_str(old_value), smart_str(new_value))
            else:
                diff[field.name] = (
                    old_value if is_primitive(old_value) else smart_str(old_value),
                    new_value if is_primitive(new_value) else smart_str(new_value),
                )
        return diff or None

    def _add(self, instance: Model, action: int, changes: dict | None) -> None:
        model = type(instance)
        if changes is None or not auditlog.contains(model):
            return  # as the receivers: no changes (or a model not audited), no entry
        pk = LogEntry.objects._get_pk_value(instance)
        try:
            object_repr = smart_str(instance)
        except ObjectDoesNotExist:
            object_repr = "<error forming object repr>"
        get_additional_data = getattr(instance, "get_additional_data", None)
        fields = dict(
            content_type_id=self._content_type_id(model),
            object_pk=smart_str(pk),
            object_id=pk if isinstance(pk, int) else None,
            object_repr=object_repr,
            # None unless the model was registered with serialize_data=True
            serialized_data=LogEntry.objects._get_serialized_data_or_none(instance),
            action=action,
            changes=changes,
            actor_id=self.actor.pk if self.actor else None,
            actor_email=getattr(self.actor, "email", None),
            cid=self.cid,
            additional_data=get_additional_data() if callable(get_additional_data) else None,
            timestamp=timezone.now(),  # LogEntry's default, when the entry is made
        )
        for key, value in self.extra.items():  # as auditlog.context's pre_save receiver
            fields[key] = value() if callable(value) else value
        # The entry's fields, not a LogEntry: building ~8,000 model instances was a fifth of a
        # large import's trail; write() inserts them as LogEntry(**fields) would be.
        self.entries.append(fields)

    def _content_type_id(self, model: type[Model]) -> int:
        if model not in self._content_types:
            self._content_types[model] = ContentType.objects.get_for_model(model).pk
        return self._content_types[model]


def _created_plan(instance: Model) -> list[tuple[Any, Any, Any]]:
    """The fields `model_instance_diff(None, instance)` records, each with its "before" value
    (what auditlog's get_field_value gives for no instance) and its mask function if masked:
    the same selection as auditlog's (tracked fields, include_fields, exclude_fields)."""
    use_json = settings.AUDITLOG_STORE_JSON_CHANGES
    fields = set(get_fields_in_model(instance))
    options = auditlog.get_model_fields(type(instance))
    if options["include_fields"]:
        fields = [f for f in fields if f.name in options["include_fields"]]
    if options["exclude_fields"]:
        fields = [f for f in fields if f.name not in options["exclude_fields"]]
    mask = get_mask_function(options.get("mask_callable"))
    return [
        (
            field,
            get_field_value(None, field, use_json),
            mask if field.name in options["mask_fields"] else None,
        )
        for field in fields
    ]


def _json() -> dict[str, Any]:
    return {"use_json_for_changes": settings.AUDITLOG_STORE_JSON_CHANGES}
