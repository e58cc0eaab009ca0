"""Shared text cleaning: what is saved as a name or a title is shown as it reads."""

import re

from django.db import models
from django.utils.translation import gettext as _

# Bidirectional controls (embeddings, overrides, isolates, marks) turn "gpj.exe" into
# "exe.jpg" on screen; zero-width characters make two equal-looking titles differ.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u180e\u200b\u200c\u200d\u2060\ufeff"
_REMOVE = str.maketrans("", "", BIDI_CONTROLS + ZERO_WIDTH)


def clean_text(value: str) -> str:
    """The value without bidirectional-control and zero-width characters, trimmed."""
    return value.translate(_REMOVE).strip()


class CleanTextFieldsMixin:
    """A form whose listed text fields (names, titles) are cleaned with clean_text on save."""

    clean_text_fields: tuple[str, ...] = ("title", "name")

    def clean(self):
        data = super().clean()
        for name in self.clean_text_fields:
            if isinstance(data.get(name), str):
                data[name] = clean_text(data[name])
        return data


# The names and titles of the portal's records: `name`, `title`, `first_name`, `name_da`,
# `title_en`, `filename`, ... (not `username`, which is the sign-in identity as typed).
_NAME_FIELD = re.compile(r"^((.+_)?(name|title)(_da|_en)?|filename)$")
# The apps whose records are cleaned on save (third-party apps keep their own data).
CLEANED_APPS = {
    "core",
    "partners",
    "governance",
    "tracks",
    "monitoring",
    "events",
    "library",
    "portal",
}


def name_fields(model: type[models.Model]) -> list[str]:
    """The attribute names of a model's name and title fields."""
    return [
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField)
        and not field.choices
        and _NAME_FIELD.match(field.name)
    ]


def clean_names_on_save(sender, instance, raw=False, **kwargs) -> None:
    """pre_save for every model of the portal's apps: whatever path writes a record — a
    form, a service, the admin, the API, an import, a fixture — its names and titles are
    stored without bidirectional-control and zero-width characters."""
    if raw or sender._meta.app_label not in CLEANED_APPS:
        return
    _clean_names(sender, instance)


def _clean_names(model: type[models.Model], instance: models.Model) -> None:
    for attname in _fields_of(model):
        value = getattr(instance, attname)
        if isinstance(value, str) and value:
            cleaned = clean_text(value)
            if cleaned != value:
                setattr(instance, attname, cleaned)


class CleanNamesQuerySetMixin:
    """bulk_create and bulk_update send no pre_save: the same cleaning runs on their objects
    (seed and scale data, imports, notifications), so no write path stores a raw name."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            _clean_names(self.model, obj)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            _clean_names(self.model, obj)
        return super().bulk_update(objs, fields, *args, **kwargs)


def clean_names_in_bulk_writes(model: type[models.Model]) -> None:
    """Give each manager of a portal model with names or titles a queryset that cleans in
    bulk_create/bulk_update (called once per model from CoreConfig.ready, beside pre_save).
    Each manager instance gets its own subclass of its queryset class, so the managers'
    own methods (e.g. Track.objects.for_user) stay as they are."""
    if model._meta.app_label not in CLEANED_APPS or not _fields_of(model):
        return
    for manager in model._meta.managers:
        queryset_class = manager._queryset_class
        if issubclass(queryset_class, CleanNamesQuerySetMixin):
            continue
        manager._queryset_class = type(
            queryset_class.__name__, (CleanNamesQuerySetMixin, queryset_class), {}
        )


_fields_cache: dict[type, list[str]] = {}


def _fields_of(model: type[models.Model]) -> list[str]:
    if model not in _fields_cache:
        _fields_cache[model] = name_fields(model)
    return _fields_cache[model]


def holds_nul(value) -> bool:
    """Whether any key or string in parsed JSON holds a NUL character, which no text column
    can store (PostgreSQL refuses it): refused here once, not by each field's lookup."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def nul_refused_message() -> str:
    return _("The request body holds a NUL character (\\u0000), which no field accepts.")
