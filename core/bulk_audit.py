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
"""

from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser as User  # core knows no domain app
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model
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
        self.entries: list[LogEntry] = []
        self._content_types: dict[type[Model], int] = {}

    def created(self, instance: Model) -> None:
        """After the row is inserted (the entry names its primary key)."""
        self._add(instance, LogEntry.Action.CREATE, model_instance_diff(None, instance, **_json()))

    def changed(self, old: Model, new: Model, *, fields: list[str] | None = None) -> None:
        """`old` is a copy of the row as it was read, `new` what was written; `fields` as a
        save's `update_fields`. Nothing is recorded when no audited field changed."""
        changes = model_instance_diff(old, new, fields_to_check=fields, **_json())
        if changes:
            self._add(new, LogEntry.Action.UPDATE, changes)

    def deleted(self, instance: Model) -> None:
        """Before the row is deleted (the entry names its primary key)."""
        self._add(instance, LogEntry.Action.DELETE, model_instance_diff(instance, None, **_json()))

    def write(self) -> list[LogEntry]:
        return LogEntry.objects.bulk_create(self.entries) if self.entries else []

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
        )
        for key, value in self.extra.items():  # as auditlog.context's pre_save receiver
            fields[key] = value() if callable(value) else value
        self.entries.append(LogEntry(**fields))

    def _content_type_id(self, model: type[Model]) -> int:
        if model not in self._content_types:
            self._content_types[model] = ContentType.objects.get_for_model(model).pk
        return self._content_types[model]


def _json() -> dict[str, Any]:
    return {"use_json_for_changes": settings.AUDITLOG_STORE_JSON_CHANGES}
