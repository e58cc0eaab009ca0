from django import forms
from django.utils.translation import gettext_lazy as _

from core.files import CONTENT_TYPES
from core.forms import help_texts
from core.locking import EditVersionFormMixin
from core.text import CleanTextFieldsMixin
from core.widgets import DATETIME_FORMATS, DateInput, DateTimeInput
from partners.models import Organisation
from tracks.files import MAX_PRODUCT_BYTES

from .models import Evaluation, FollowUpAction


@help_texts(
    terms_of_reference=_(
        "What the evaluation looks at, its questions, method and timetable: what APS "
        "recommends and FU approves."
    ),
)
class EvaluationForm(EditVersionFormMixin, CleanTextFieldsMixin, forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["kind", "title", "arranged_by", "terms_of_reference"]
        widgets = {"terms_of_reference": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arranged_by"].queryset = Organisation.objects.order_by("name")

    def _post_clean(self):
        # The service validates the model and says why; the form only parses.
        pass

    def evaluation_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PutToBodyForm(forms.Form):
    deadline = forms.DateTimeField(
        label=_("Deadline for the votes"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )


class ReportForm(forms.Form):
    # Named `file` like every upload form (tests/test_uploads.py posts the same hostile files).
    file = forms.FileField(
        label=_("Evaluation report"),
        help_text=_("At most 20 MB. PDF, Word (DOCX) or ODT, among others."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(
            f".{extension}" for extension in CONTENT_TYPES
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PRODUCT_BYTES:
            raise forms.ValidationError(_("The file is too large: at most 20 MB."))
        return upload


class FollowUpActionForm(CleanTextFieldsMixin, forms.ModelForm):
    due_on = forms.DateField(label=_("Due"), widget=DateInput())

    class Meta:
        model = FollowUpAction
        fields = ["recommendation", "action", "owner", "due_on"]
        widgets = {
            "recommendation": forms.Textarea(attrs={"rows": 3}),
            "action": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners

    def _post_clean(self):
        pass

    def action_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=FollowUpAction.Status.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
