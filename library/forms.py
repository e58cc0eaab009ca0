from django import forms
from django.utils.translation import gettext_lazy as _

from core.files import CONTENT_TYPES
from core.forms import help_texts
from core.locking import EditVersionFormMixin
from core.text import CleanTextFieldsMixin
from core.widgets import DateInput
from monitoring.models import Sector
from partners.models import DGO
from tracks.files import MAX_PRODUCT_BYTES

from .models import LibraryItem


@help_texts(
    summary=_("A few lines on what the product is about and who it is for."),
    track=_("Optional: the development track whose result it is."),
    dgo=_("Optional: the DGO it concerns."),
    url=_("A link to the product elsewhere, instead of or beside a file."),
    is_public=_("Shown on the open pages to everyone, not only to those signed in."),
)
class LibraryItemForm(EditVersionFormMixin, CleanTextFieldsMixin, forms.ModelForm):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "At most 20 MB. PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), ODT, ODS, "
            "PNG or JPG."
        ),
    )
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https", max_length=500)
    published_on = forms.DateField(label=_("Published"), widget=DateInput())

    class Meta:
        model = LibraryItem
        fields = [
            "title",
            "summary",
            "kind",
            "topic",
            "sector",
            "track",
            "dgo",
            "author_organisation",
            "published_on",
            "is_public",
            "url",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, organisations=None, tracks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author_organisation"].queryset = organisations
        self.fields["track"].queryset = tracks
        self.fields["sector"].queryset = Sector.objects.filter(is_active=True).order_by("position")
        self.fields["file"].widget.attrs["accept"] = ",".join(
            f".{extension}" for extension in CONTENT_TYPES
        )
        self.order_fields([*self.Meta.fields[:-1], "file", "url"])

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_PRODUCT_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most 20 MB per knowledge product.")
            )
        return upload

    def _post_clean(self):
        # The service validates the model and says why; the form only parses.
        pass

    def item_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    track = forms.TypedChoiceField(label=_("Track"), required=False, coerce=int, empty_value=None)
    dgo = forms.ChoiceField(label=_("DGO"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *LibraryItem.Kind.choices]
    )

    def __init__(self, *args, topics=(), tracks=None, **kwargs):
        super().__init__(*args, **kwargs)
        all_ = ("", _("All"))
        self.fields["topic"].choices = [all_, *((t.slug, t.name) for t in topics)]
        self.fields["sector"].choices = [
            all_,
            *((s.key, s.name) for s in Sector.objects.filter(is_active=True).order_by("position")),
        ]
        self.fields["dgo"].choices = [
            all_,
            *((d.slug, d.name) for d in DGO.objects.order_by("name")),
        ]
        if tracks is None:
            del self.fields["track"]
        else:
            self.fields["track"].choices = [all_, *((t.pk, t.title) for t in tracks)]

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        result = {
            "search": (data.get("q") or "").strip(),
            "topic": data.get("topic", ""),
            "sector": data.get("sector", ""),
            "dgo": data.get("dgo", ""),
            "kind": data.get("kind", ""),
        }
        if "track" in self.fields:
            result["track"] = data.get("track")
        return result
