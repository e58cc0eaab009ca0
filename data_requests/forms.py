from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import help_texts
from core.widgets import DATETIME_FORMATS, DateInput, DateTimeInput
from partners.models import DGO, Municipality

from .datasets import DATASET_CHOICES, field_choices
from .models import DataDelivery, DataRequest


class YearsField(forms.CharField):
    """Years as "2022, 2023" (or one per line)."""

    def to_python(self, value):
        text = super().to_python(value)
        years = []
        for part in text.replace("\n", ",").replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or len(part) != 4:
                raise forms.ValidationError(
                    _("Give the years as four digits, separated by commas (e.g. 2022, 2023).")
                )
            years.append(int(part))
        return years


@help_texts(
    purpose=_("What the external party will use the data for, in their own words."),
    requested_fields=_("The fields the party asks for; only the dataset's own fields count."),
    municipalities=_("Name municipalities, DGOs, or both: the scope is all of them together."),
)
class DataRequestForm(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 4}))
    received_on = forms.DateField(label=_("Received"), widget=DateInput())
    dataset = forms.ChoiceField(label=_("Dataset"), choices=DATASET_CHOICES)
    requested_fields = forms.MultipleChoiceField(
        label=_("Fields asked for"), widget=forms.CheckboxSelectMultiple
    )
    years = YearsField(label=_("Years"), max_length=200)
    dgos = forms.ModelMultipleChoiceField(
        label=_("DGOs"), required=False, queryset=DGO.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities"), required=False, queryset=Municipality.objects.none()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_fields"].choices = field_choices()
        self.fields["dgos"].queryset = DGO.objects.order_by("name")
        self.fields["municipalities"].queryset = Municipality.objects.order_by("name")


class PutToApsForm(forms.Form):
    fields = forms.MultipleChoiceField(
        label=_("Fields proposed for sharing"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("All the fields asked for, or fewer: APS approves exactly these."),
    )
    deadline = forms.DateTimeField(
        label=_("Deadline for the votes"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )

    def __init__(self, *args, request: DataRequest, **kwargs):
        super().__init__(*args, **kwargs)
        keys = request.requested_fields
        self.fields["fields"].choices = list(zip(keys, request.labels(keys), strict=True))
        self.fields["fields"].initial = keys


class DeliveryForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=DataDelivery.Format.choices)
    licence = forms.CharField(
        label=_("Licence"), max_length=200, help_text=_("E.g. CC BY 4.0 or a data agreement.")
    )
    permitted_use = forms.CharField(
        label=_("Permitted use"), widget=forms.Textarea(attrs={"rows": 3})
    )
    delete_by = forms.DateField(label=_("To be deleted by"), widget=DateInput())
