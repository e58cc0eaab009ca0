"""The audit trail page: every create, change and delete of domain data, for the secretariat.

django-auditlog stores what a developer needs (field names, primary keys, raw values, UTC). The
page and its export read it as a secretariat would: "Tina Carlsen ændrede kommunen Aarhus",
each field by its label (the model's verbose name), a related record by its name with a link,
a choice by its label, yes/no, and times in the portal's time zone (Europe/Copenhagen).

Names of related records are fetched per page: one query per kind of related record that
appears on the page, however many entries refer to it.
"""

import contextlib
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.exports import Column, export_list
from core.widgets import DateInput
from partners.models import User
from partners.permissions import is_secretariat

PAGE_SIZE = 50
EMPTY = "–"

# The verb of the sentence "<who> <verb> <kind> <record>", in the past tense.
VERBS = {
    LogEntry.Action.CREATE: pgettext_lazy("audit trail", "created"),
    LogEntry.Action.UPDATE: pgettext_lazy("audit trail", "changed"),
    LogEntry.Action.DELETE: pgettext_lazy("audit trail", "deleted"),
    LogEntry.Action.ACCESS: pgettext_lazy("audit trail", "opened"),
}


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    model = forms.ModelChoiceField(
        label=gettext_lazy("Kind of record"),
        queryset=ContentType.objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    # One record's history: the link "History" of an entry sets it with the kind of record.
    object = forms.CharField(label=gettext_lazy("Record number"), required=False, max_length=64)
    action = forms.TypedChoiceField(
        label=gettext_lazy("Action"),
        choices=[("", gettext_lazy("All")), *((int(k), v) for k, v in VERBS.items())],
        coerce=int,
        empty_value=None,
        required=False,
    )
    actor = forms.ModelChoiceField(
        label=gettext_lazy("By"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("Anyone"),
    )
    since = forms.DateField(
        label=gettext_lazy("From date"),
        required=False,
        widget=DateInput(),
    )
    until = forms.DateField(
        label=gettext_lazy("To date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        used = LogEntry.objects.values("content_type_id").distinct()
        self.fields["model"].queryset = ContentType.objects.filter(pk__in=used).order_by("model")
        self.fields["model"].label_from_instance = kind_label
        actors = LogEntry.objects.filter(actor__isnull=False).values("actor_id").distinct()
        self.fields["actor"].queryset = User.objects.filter(pk__in=actors).order_by(
            "first_name", "last_name", "username"
        )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period lies before its start."))
        return data


def kind_label(content_type: ContentType) -> str:
    model = content_type.model_class()
    return force_str(model._meta.verbose_name).capitalize() if model else content_type.model


def audit_entries(*, filters: dict) -> QuerySet[LogEntry]:
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if filters.get("q"):
        text = filters["q"]
        entries = entries.filter(
            Q(object_repr__icontains=text)
            | Q(changes_text__icontains=text)
            | Q(changes__icontains=text)
        )
    if filters.get("model"):
        entries = entries.filter(content_type=filters["model"])
    if filters.get("object"):
        entries = entries.filter(object_pk=filters["object"])
    if filters.get("action") is not None:
        entries = entries.filter(action=filters["action"])
    if filters.get("actor"):
        entries = entries.filter(actor=filters["actor"])
    # The period is in the portal's time zone: "to 2 December" includes that whole day there.
    zone = timezone.get_current_timezone()
    if filters.get("since"):
        start = datetime.datetime.combine(filters["since"], datetime.time.min, tzinfo=zone)
        entries = entries.filter(timestamp__gte=start)
    if filters.get("until"):
        end = datetime.datetime.combine(
            filters["until"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        entries = entries.filter(timestamp__lt=end)
    return entries


# --- Reading an entry ------------------------------------------------------------------------


@dataclass
class Value:
    text: str
    url: str = ""


@dataclass
class Change:
    label: str
    before: Value
    after: Value


@dataclass
class ReadableEntry:
    entry: LogEntry
    when: datetime.datetime
    who: str
    who_url: str
    verb: str
    kind: str
    record: str
    record_url: str
    changes: list[Change] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        return _("%(who)s %(verb)s %(record)s (%(kind)s)") % {
            "who": self.who,
            "verb": self.verb,
            "kind": self.kind,
            "record": self.record,
        }

    def changes_text(self) -> str:
        return "; ".join(
            f"{change.label}: {change.before.text} → {change.after.text}" for change in self.changes
        )


def _model_field(model, name: str) -> models.Field | None:
    """The model's own field of that name (not a reverse relation), or None."""
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):  # "budget_line" or "budget_line_id"
        try:
            found = model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
        if isinstance(found, models.Field):
            return found
    return None


def _is_reverse_relation(model, name: str) -> bool:
    if model is None:
        return False
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return not isinstance(found, models.Field)


def _url_of(obj) -> str:
    getter = getattr(obj, "get_absolute_url", None)
    if getter is None:
        return ""
    try:
        return getter()
    except Exception:
        return ""


def _raw_values(entry: LogEntry) -> dict[str, list]:
    changes = entry.changes_dict or {}
    return {name: list(pair) + [None] * (2 - len(pair)) for name, pair in changes.items()}


def _is_missing(raw) -> bool:
    return raw is None or raw in ("None", "", "null")


def readable(entries: list[LogEntry]) -> list[ReadableEntry]:
    """The entries as sentences. Related records and the entries' own records are fetched
    in one query per kind of record."""
    wanted: dict[type, set[str]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        if model is not None and entry.action != LogEntry.Action.DELETE:
            wanted[model].add(str(entry.object_pk))
        for name, (before, after) in _raw_values(entry).items():
            model_field = _model_field(model, name)
            if isinstance(model_field, models.ForeignKey):
                for raw in (before, after):
                    if not _is_missing(raw):
                        wanted[model_field.related_model].add(str(raw))
    found: dict[tuple[type, str], object] = {}
    for model, pks in wanted.items():
        field_type = model._meta.pk
        keys = []
        for pk in pks:
            with contextlib.suppress(ValidationError):  # a key stored that is not one now
                keys.append(field_type.to_python(pk))
        for obj in model._base_manager.filter(pk__in=keys):
            found[(model, str(obj.pk))] = obj
    return [_read(entry, found) for entry in entries]


def _read(entry: LogEntry, found: dict) -> ReadableEntry:
    model = entry.content_type.model_class() if entry.content_type_id else None
    kind = force_str(model._meta.verbose_name) if model else entry.content_type.model
    own = found.get((model, str(entry.object_pk)))
    actor = entry.actor
    who = (actor.get_full_name() or actor.username) if actor else _("The system")
    changes = []
    for name, (before, after) in _raw_values(entry).items():
        if _is_reverse_relation(model, name):
            continue  # auditlog notes the related records on a creation: not this record's data
        model_field = _model_field(model, name)
        label = force_str(model_field.verbose_name) if model_field else name.replace("_", " ")
        change = Change(
            label=label[:1].upper() + label[1:],
            before=_value(model_field, before, found),
            after=_value(model_field, after, found),
        )
        if change.before != change.after:
            changes.append(change)
    return ReadableEntry(
        entry=entry,
        when=timezone.localtime(entry.timestamp).replace(microsecond=0),
        who=who,
        who_url=reverse("person-detail", args=[actor.pk]) if actor else "",
        verb=force_str(VERBS.get(entry.action, entry.get_action_display())),
        kind=kind,
        record=entry.object_repr,
        record_url=_url_of(own) if own is not None else "",
        changes=changes,
    )


def _value(model_field, raw, found: dict) -> Value:
    if _is_missing(raw):
        return Value(EMPTY)
    raw_text = force_str(raw)
    if model_field is None:
        return Value(raw_text)
    if isinstance(model_field, models.ForeignKey):
        obj = found.get((model_field.related_model, raw_text))
        if obj is None:
            return Value(
                _("%(kind)s no. %(pk)s (no longer exists)")
                % {"kind": force_str(model_field.related_model._meta.verbose_name), "pk": raw_text}
            )
        return Value(str(obj), _url_of(obj))
    if model_field.choices:
        labels = {force_str(key): label for key, label in model_field.flatchoices}
        return Value(force_str(labels.get(raw_text, raw_text)))
    if isinstance(model_field, models.BooleanField):
        if raw_text in ("True", "true", "1"):
            return Value(_("yes"))
        if raw_text in ("False", "false", "0"):
            return Value(_("no"))
    if isinstance(model_field, models.DateTimeField):
        moment = parse_datetime(raw_text)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, datetime.UTC)
            return Value(formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT"))
    elif isinstance(model_field, models.DateField):
        day = parse_date(raw_text)
        if day is not None:
            return Value(formats.date_format(day, "SHORT_DATE_FORMAT"))
    if isinstance(model_field, models.DecimalField | models.IntegerField | models.FloatField):
        with contextlib.suppress(ValidationError):  # else shown as stored
            return Value(formats.number_format(model_field.to_python(raw_text), use_l10n=True))
    return Value(raw_text if len(raw_text) <= 200 else raw_text[:199] + "…")


# --- The page ----------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    Column(pgettext_lazy("audit trail", "When"), lambda row: row.when),
    Column(pgettext_lazy("audit trail", "Who"), lambda row: row.who),
    Column(pgettext_lazy("audit trail", "Action"), lambda row: row.verb),
    Column(gettext_lazy("Kind of record"), lambda row: row.kind),
    Column(pgettext_lazy("audit trail", "Record"), lambda row: row.record),
    Column(pgettext_lazy("audit trail", "Changes"), lambda row: row.changes_text()),
]


class _Readable:
    """The filtered entries, read in chunks, for the export (which takes an iterable)."""

    def __init__(self, entries: QuerySet[LogEntry], chunk: int = 500):
        self.entries, self.chunk = entries, chunk

    def __iter__(self):
        batch = []
        for entry in self.entries.iterator(chunk_size=self.chunk):
            batch.append(entry)
            if len(batch) == self.chunk:
                yield from readable(batch)
                batch = []
        yield from readable(batch)


def audit_log(request: HttpRequest) -> HttpResponse:
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the secretariat can read the audit trail."))
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        entries = LogEntry.objects.none()  # the form says what is wrong with the filter
    else:
        entries = audit_entries(filters=form.cleaned_data if form.is_bound else {})
    if export := export_list(
        request,
        name="audit-trail",
        title=_("Audit trail"),
        columns=EXPORT_COLUMNS,
        objects=_Readable(entries),
    ):
        return export
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "rows": readable(list(page.object_list))},
    )
