from django import forms
from django.utils.translation import gettext_lazy as _

from core.files import CONTENT_TYPES, MAX_PAPER_BYTES
from core.forms import help_texts
from core.locking import EditVersionFormMixin
from core.text import CleanTextFieldsMixin
from core.widgets import DATETIME_FORMATS, DateTimeInput

from .models import Event


@help_texts(
    dgo=_("Empty for a national event of the whole partnership."),
    location=_("The address or room; leave it empty for an event held only online."),
    online_url=_("A link to join online (Teams, Zoom or similar)."),
    capacity=_("Empty for no limit. When the seats are taken, people join a waiting list."),
    registration_deadline=_("Optional. Without it registration closes when the event starts."),
)
class EventForm(EditVersionFormMixin, CleanTextFieldsMixin, forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )
    registration_deadline = forms.DateTimeField(
        label=_("Registration deadline"),
        widget=DateTimeInput(),
        input_formats=DATETIME_FORMATS,
        required=False,
    )
    online_url = forms.URLField(
        label=_("Online link"), required=False, assume_scheme="https", max_length=500
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "dgo",
            "description",
            "starts_at",
            "ends_at",
            "location",
            "online_url",
            "capacity",
            "registration_deadline",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, dgos=None, national: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["dgo"]
        field.queryset = dgos
        field.required = not national
        field.empty_label = _("National (the whole partnership)") if national else None

    def _post_clean(self):
        # The service validates the model (and says why in Danish); the form only parses.
        pass


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to those registered)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttendanceForm(forms.Form):
    def __init__(self, *args, registrations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"] = forms.MultipleChoiceField(
            label=_("Who came"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(r.pk, str(r.person)) for r in registrations],
        )
        self.initial.setdefault("attended", [r.pk for r in registrations if r.attended])

    def attended_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data["attended"]}


class MaterialForm(CleanTextFieldsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "At most 20 MB. PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), ODT, ODS, "
            "PNG or JPG."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(
            f".{extension}" for extension in CONTENT_TYPES
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PAPER_BYTES:
            raise forms.ValidationError(_("The file is too large: at most 20 MB per paper."))
        return upload


class EventFilterForm(forms.Form):
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("upcoming", _("Upcoming")), ("past", _("Past"))],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *Event.Kind.choices]
    )
    dgo = forms.ChoiceField(label=_("Geography"), required=False)

    def __init__(self, *args, dgos=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dgo"].choices = [
            ("", _("All")),
            ("national", _("National")),
            *((dgo.slug, dgo.name) for dgo in dgos),
        ]

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "when": data.get("when") or "upcoming",
            "kind": data.get("kind", ""),
            "dgo_slug": data.get("dgo", ""),
        }
