from django import forms
from django.utils.translation import gettext_lazy as _

from klimaalliancen.forms import help_texts

from .models import DGO, Municipality
from .selectors import MUNICIPALITY_SORTS


class MunicipalityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name or code"), required=False, max_length=100)
    dgo = forms.ModelChoiceField(
        label=_("DGO"),
        queryset=DGO.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All DGOs"),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("code", _("Code")),
            ("-population", _("Population (largest first)")),
            ("dgo", _("DGO")),
        ],
    )

    def clean_sort(self) -> str:
        sort = self.cleaned_data.get("sort") or "name"
        return sort if sort in MUNICIPALITY_SORTS else "name"


@help_texts(
    website=_("The municipality's own website, starting with https://."),
)
class MunicipalityForm(forms.ModelForm):
    website = forms.URLField(
        label=_("Website"), required=False, assume_scheme="https", max_length=200
    )

    class Meta:
        model = Municipality
        fields = ["website", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 6})}
