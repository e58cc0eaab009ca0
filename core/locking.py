"""Optimistic locking for every edit form: a save based on an outdated page is refused.

An edit form carries the version of the record it was rendered from (EditVersionFormMixin
adds it as a hidden field). The service locks the row (`lock_for_edit`), compares that version
with the row's current one and raises StaleEdit when someone saved in between, so the second
save never silently overwrites the first.

A model with a `version` counter (the status reports) uses it; every other model's version is
a digest of its stored values, so no model needs a new column and any change — through a form,
the admin, the API or an import — makes an older page stale.
"""

import hashlib
import json
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=models.Model)

FIELD = "edit_version"
STALE_MESSAGE = _(
    "Someone else saved this while you were editing it. Their changes are shown on the page "
    "after reloading; save again to overwrite them deliberately."
)


class EditConflict(Exception):
    """A save based on an older version than the stored one (the kernel's conflict)."""


class StaleEdit(EditConflict, ValidationError):
    """Raised by services; a form shows it like any other service error (add_service_errors),
    and is offered the current version so that saving again is a deliberate overwrite."""

    def __init__(self, current_version: str):
        ValidationError.__init__(self, STALE_MESSAGE, code="stale")
        self.current_version = current_version


def edit_version(instance: models.Model) -> str:
    """The version of a stored record as an edit form carries it."""
    if any(field.name == "version" for field in instance._meta.concrete_fields):
        return str(instance.version)
    values = [
        (field.attname, field.value_to_string(instance))
        for field in instance._meta.concrete_fields
        if not field.primary_key
    ]
    digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:24]


def combined_version(*instances: models.Model) -> str:
    """The version of a page that edits several rows at once (a body and its composition
    rules): a change to any of them, or a row added or removed, makes the page stale."""
    versions = "|".join(f"{i._meta.label}:{i.pk}:{edit_version(i)}" for i in instances)
    return hashlib.sha256(versions.encode()).hexdigest()[:24]


def refuse_if_stale(current_version: str, expected_version: Any) -> None:
    """StaleEdit when a form's version is given and is not `current_version` (for pages whose
    version is not one row's; lock the rows first)."""
    if expected_version not in (None, "") and str(expected_version) != current_version:
        raise StaleEdit(current_version)


def is_stale(instance: models.Model, expected_version: Any) -> bool:
    """True when the form's version is given and is not the record's current one. A caller
    that sends no version (a program, an import) is not checked."""
    if expected_version in (None, ""):
        return False
    return str(expected_version) != edit_version(instance)


def lock_for_edit(instance: M, expected_version: Any) -> M:
    """The record freshly read and locked for this transaction; StaleEdit if it moved on."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_for_edit needs a transaction (the lock lasts until it ends)")
    locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if is_stale(locked, expected_version):
        raise StaleEdit(edit_version(locked))
    return locked


class EditVersionFormMixin:
    """A ModelForm for editing: carries its instance's version in a hidden field; the view
    passes `form.expected_version` to the service. Absent on a new record."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.fields[FIELD] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=self.current_version()
            )

    def current_version(self) -> str:
        """The version the page is based on; a form editing more than its instance says so."""
        return edit_version(self.instance)

    def clean(self):
        data = super().clean()
        # Kept apart from the model's fields so `**form.cleaned_data` stays the model's data.
        self.expected_version = data.pop(FIELD, None) if data is not None else None
        return data

    @property
    def expected_version(self) -> str | None:
        return getattr(self, "_expected_version", None)

    @expected_version.setter
    def expected_version(self, value: str | None) -> None:
        self._expected_version = value

    def offer_overwrite(self, error: StaleEdit) -> None:
        """After a conflict the page shows the error; saving again is based on the version now
        stored, so it overwrites deliberately."""
        self.data = self.data.copy()
        self.data[self.add_prefix(FIELD)] = error.current_version
