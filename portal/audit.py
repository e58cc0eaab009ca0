"""The audit trail page: every create, change and delete of domain data, for the secretariat."""

from auditlog.models import LogEntry
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.widgets import DateInput
from partners.permissions import is_secretariat

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    model = forms.ModelChoiceField(
        label=gettext_lazy("Kind of record"),
        queryset=ContentType.objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    action = forms.TypedChoiceField(
        label=gettext_lazy("Action"),
        choices=[("", gettext_lazy("All")), *LogEntry.Action.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    actor = forms.CharField(label=gettext_lazy("By (username)"), required=False, max_length=150)
    since = forms.DateField(
        label=gettext_lazy("From date"),
        required=False,
        widget=DateInput(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        used = LogEntry.objects.values("content_type_id").distinct()
        self.fields["model"].queryset = ContentType.objects.filter(pk__in=used).order_by("model")


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
    if filters.get("action") is not None:
        entries = entries.filter(action=filters["action"])
    if filters.get("actor"):
        entries = entries.filter(actor__username__iexact=filters["actor"])
    if filters.get("since"):
        entries = entries.filter(timestamp__date__gte=filters["since"])
    return entries


def audit_log(request: HttpRequest) -> HttpResponse:
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the secretariat can read the audit trail."))
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(audit_entries(filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"form": form, "page": page})
