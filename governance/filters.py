"""Filter forms of the governance lists (decisions, meetings). Invalid input is ignored: the
list shows unfiltered rather than failing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Body, Decision, Meeting

DECISION_SORTS = {
    "-opened": ("-opened_at", "-pk"),
    "deadline": ("deadline", "pk"),
    "title": ("title", "pk"),
    "body": ("body__position", "body__name", "-opened_at"),
}
MEETING_SORTS = {
    "-starts": ("-starts_at", "-pk"),
    "starts": ("starts_at", "pk"),
    "title": ("title", "pk"),
    "body": ("body__position", "body__name", "starts_at"),
}


def _body_choices() -> list[tuple[str, str]]:
    return [
        ("", _("All bodies")),
        *Body.objects.order_by("position", "name").values_list("code", "name"),
    ]


class DecisionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Decision.Status.choices]
    )
    body = forms.ChoiceField(label=_("Body"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-opened", _("Newest first")),
            ("deadline", _("Deadline")),
            ("title", _("Title")),
            ("body", _("Body")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = _body_choices()

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", ""),
            "status": data.get("status", ""),
            "body_code": data.get("body", ""),
            "sort": data.get("sort") or "-opened",
        }


class MeetingFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    body = forms.ChoiceField(label=_("Body"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Meeting.Status.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-starts", _("Newest first")),
            ("starts", _("Oldest first")),
            ("title", _("Title")),
            ("body", _("Body")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = _body_choices()

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", ""),
            "status": data.get("status", ""),
            "body_code": data.get("body", ""),
            "year": data.get("year"),
            "sort": data.get("sort") or "-starts",
        }
