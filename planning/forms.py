"""The plans and risks forms: they parse; the services validate and say why in Danish."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import help_texts
from core.locking import EditVersionFormMixin
from core.text import CleanTextFieldsMixin
from core.widgets import DATETIME_FORMATS, DateInput, DateTimeInput
from partners.models import DGO, Organisation, User
from tracks.models import BudgetLine, Track

from .models import Activity, Communication, Plan, Risk


class _ServiceValidates:
    def _post_clean(self):
        # The service validates the model (and says why in Danish); the form only parses.
        pass


class PlanForm(EditVersionFormMixin, CleanTextFieldsMixin, _ServiceValidates, forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["kind", "year", "title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}


@help_texts(
    owner_person=_("The person responsible; an organisation, a person or both."),
    budget_line=_("The budget line of the plan's year that pays for the activity."),
    tracks=_("The development tracks the activity concerns, if any."),
    dgos=_("The DGOs the activity concerns; none for the whole partnership."),
)
class ActivityForm(EditVersionFormMixin, CleanTextFieldsMixin, _ServiceValidates, forms.ModelForm):
    starts_on = forms.DateField(label=_("Starts"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends"), widget=DateInput())

    class Meta:
        model = Activity
        fields = [
            "title",
            "description",
            "owner_person",
            "owner_organisation",
            "starts_on",
            "ends_on",
            "budget_line",
            "tracks",
            "dgos",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "tracks": forms.CheckboxSelectMultiple,
            "dgos": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_person"].queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "last_name"
        )
        self.fields["owner_organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["budget_line"].queryset = BudgetLine.objects.filter(
            year=plan.year
        ).select_related("contribution__contributor")
        self.fields["tracks"].queryset = Track.objects.order_by("title")
        self.fields["dgos"].queryset = DGO.objects.order_by("name")

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        return {
            "tracks": list(data.pop("tracks", [])),
            "dgos": list(data.pop("dgos", [])),
            **data,
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Activity.Status.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        help_text=_("Required when the activity is delayed: why, and what happens now."),
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class PutToFuForm(forms.Form):
    deadline = forms.DateTimeField(
        label=_("Deadline for FU's votes"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )


class CommunicationForm(CleanTextFieldsMixin, _ServiceValidates, forms.ModelForm):
    published_on = forms.DateField(label=_("Published"), widget=DateInput())
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https", max_length=500)

    class Meta:
        model = Communication
        fields = [
            "kind",
            "title",
            "published_on",
            "url",
            "involves_knowledge_partners",
            "named_parties",
        ]
        widgets = {"named_parties": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named_parties"].queryset = Organisation.objects.filter(
            kind__in=(
                Organisation.Kind.KL,
                Organisation.Kind.REGION,
                Organisation.Kind.FOUNDATION,
                Organisation.Kind.KNOWLEDGE_PARTNER,
                Organisation.Kind.DANSKE_REGIONER,
            )
        ).order_by("kind", "name")


class RiskForm(EditVersionFormMixin, CleanTextFieldsMixin, _ServiceValidates, forms.ModelForm):
    review_on = forms.DateField(label=_("Next review"), widget=DateInput())

    class Meta:
        model = Risk
        fields = [
            "title",
            "description",
            "likelihood",
            "impact",
            "owner",
            "mitigation",
            "review_on",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
            "likelihood": forms.Select(choices=[(n, n) for n in range(1, 6)]),
            "impact": forms.Select(choices=[(n, n) for n in range(1, 6)]),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "last_name"
        )


class RiskReviewForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("APS meeting"), queryset=None)
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood (1–5)"), coerce=int, choices=[(n, n) for n in range(1, 6)]
    )
    impact = forms.TypedChoiceField(
        label=_("Impact (1–5)"), coerce=int, choices=[(n, n) for n in range(1, 6)]
    )
    review_on = forms.DateField(label=_("Next review"), widget=DateInput())
    note = forms.CharField(
        label=_("APS's conclusion"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class AgendaForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("APS meeting"), queryset=None)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
