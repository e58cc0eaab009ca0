import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.formatting import dkk
from core.forms import help_texts
from core.locking import EditVersionFormMixin
from core.text import CleanTextFieldsMixin
from core.widgets import DATETIME_FORMATS, DateInput, DateTimeInput, Select
from partners.models import DGO, Municipality, Organisation

from .files import MAX_PRODUCT_BYTES
from .models import (
    FIRST_YEAR,
    LAST_YEAR,
    Allocation,
    BudgetLine,
    ClimateAssessment,
    Contribution,
    ExternalFunding,
    FocusArea,
    FundingRequest,
    LiquidPool,
    Principle,
    Track,
    TrackParticipant,
)
from .selectors import TRACK_SORTS

YEAR_CHOICES = [(year, str(year)) for year in range(FIRST_YEAR, LAST_YEAR + 1)]
# The example is written as the language writes numbers: the field reads the input in the
# active language's format, so "250.000,00" typed on an English page would mean 250.
MONEY_HELP = _("In Danish kroner (DKK), e.g. 250,000.00.")


class AmountField(forms.DecimalField):
    """A localised decimal that also takes the spaces Danish writes between thousands
    ("1 500 000,00", also as no-break spaces, as copied from a spreadsheet)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\xa0", "").replace("\u202f", "")
        return super().to_python(value)


def money_field(label, **kwargs) -> forms.DecimalField:
    return AmountField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=0.01,
        localize=True,
        help_text=kwargs.pop("help_text", MONEY_HELP),
        **kwargs,
    )


def participant_choices(*, taking_part: bool = False) -> list:
    """One select for municipalities and regions: values 'm:<id>' and 'r:<id>'. Two queries.
    `taking_part`: only those in some track (the list's filter stays short however many
    municipalities there are)."""
    regions = Organisation.objects.filter(kind=Organisation.Kind.REGION)
    municipalities = Municipality.objects.all()
    if taking_part:
        regions = regions.filter(pk__in=TrackParticipant.objects.values("region_id"))
        municipalities = municipalities.filter(
            pk__in=TrackParticipant.objects.values("municipality_id")
        )
    regions = [(f"r:{region.pk}", region.name) for region in regions.order_by("name")]
    municipalities = [
        (f"m:{m.pk}", m.name) for m in municipalities.order_by("name").only("pk", "name")
    ]
    return [
        ("", "—"),
        (_("Regions"), regions),
        (_("Municipalities"), municipalities),
    ]


class TrackFilterForm(forms.Form):
    """Filters for the track list. Choices are read once each (four queries), and the chosen
    values are ids, so filtering costs no further lookups."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    # core.widgets.Select: Django's markup without a template per option (the participants
    # are every municipality and region taking part).
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *Track.Status.choices],
        widget=Select,
    )
    focus_area = forms.TypedChoiceField(
        label=_("Focus area"), required=False, coerce=int, empty_value=None, widget=Select
    )
    dgo = forms.ChoiceField(label=_("DGO"), required=False, widget=Select)
    participant = forms.ChoiceField(label=_("Participant"), required=False, widget=Select)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        widget=Select,
        choices=[
            ("-updated", _("Last changed")),
            ("title", _("Title")),
            ("status", _("Status")),
            ("-created", _("Newest")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].choices = [
            ("", _("All focus areas")),
            *(
                (area.pk, str(area))
                for area in FocusArea.objects.order_by("-year", "position", "name_da")
            ),
        ]
        self.fields["dgo"].choices = [
            ("", _("All DGOs")),
            *DGO.objects.order_by("name").values_list("slug", "name"),
        ]
        choices = participant_choices(taking_part=True)
        choices[0] = ("", _("All participants"))
        self.fields["participant"].choices = choices

    def clean_sort(self) -> str:
        sort = self.cleaned_data.get("sort") or "-updated"
        return sort if sort in TRACK_SORTS else "-updated"

    def filters(self) -> dict:
        """The selector's keyword arguments for valid input; no filter for invalid input."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        kind, _sep, pk = (data.get("participant") or "").partition(":")
        return {
            "search": data.get("q", ""),
            "status": data.get("status", ""),
            "focus_area_id": data.get("focus_area"),
            "dgo_slug": data.get("dgo", ""),
            "municipality_id": int(pk) if kind == "m" else None,
            "region_id": int(pk) if kind == "r" else None,
            "sort": data.get("sort") or "-updated",
        }


class TrackForm(EditVersionFormMixin, CleanTextFieldsMixin, forms.ModelForm):
    dgos = forms.ModelMultipleChoiceField(
        label=_("DGOs involved"),
        queryset=DGO.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("A coordinator's proposal involves at least one of the coordinator's DGOs."),
    )

    class Meta:
        model = Track
        fields = [
            "title",
            "focus_area",
            "problem",
            "ambition",
            "development_element",
            "knowledge_sharing_plan",
            "evaluation_plan",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in (
                "problem",
                "ambition",
                "development_element",
                "knowledge_sharing_plan",
                "evaluation_plan",
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = FocusArea.objects.filter(
            status=FocusArea.Status.ADOPTED
        ).order_by("-year", "position", "name_da")
        self.fields["focus_area"].help_text = _("The focus areas PUG has adopted.")
        if self.instance.pk:
            self.fields["dgos"].initial = list(self.instance.dgos.all())


class ParticipantForm(forms.Form):
    participant = forms.ChoiceField(label=_("Municipality or region"), required=False)
    is_lead = forms.BooleanField(label=_("Lead"), required=False)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = choices or [("", "—")]

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("participant") or ""
        kind, _sep, pk = value.partition(":")
        cleaned["municipality"] = cleaned["region"] = None
        if kind == "m" and pk.isdigit():
            cleaned["municipality"] = Municipality.objects.filter(pk=pk).first()
        elif kind == "r" and pk.isdigit():
            cleaned["region"] = Organisation.objects.filter(pk=pk, kind="region").first()
        elif value:
            raise forms.ValidationError(_("Choose a municipality or a region."))
        if cleaned.get("is_lead") and not value:
            self.add_error("participant", _("Choose the lead participant."))
        return cleaned

    def as_data(self) -> dict | None:
        if not self.cleaned_data.get("participant") or self.cleaned_data.get("DELETE"):
            return None
        return {
            "municipality": self.cleaned_data["municipality"],
            "region": self.cleaned_data["region"],
            "is_lead": self.cleaned_data.get("is_lead", False),
        }


class FundingRequestForm(forms.Form):
    # The selects start empty, so an unused row is unchanged and ignored.
    year = forms.TypedChoiceField(label=_("Year"), choices=[("", "—"), *YEAR_CHOICES], coerce=int)
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", "—"), *FundingRequest.Source.choices]
    )
    pool = forms.ModelChoiceField(
        label=_("Pool"),
        queryset=LiquidPool.objects.order_by("name"),
        required=False,
        empty_label="—",
    )
    amount = money_field(_("Amount"), help_text="")
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def as_data(self) -> dict | None:
        if self.cleaned_data.get("DELETE"):
            return None
        return {
            name: self.cleaned_data[name] for name in ("year", "source", "pool", "amount", "note")
        }


class ExternalFundingForm(forms.Form):
    funder = forms.CharField(label=_("Funder"), max_length=200)
    programme = forms.CharField(label=_("Programme"), max_length=200, required=False)
    amount = money_field(_("Amount"), help_text="")
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *ExternalFunding.Status.choices]
    )
    lead_dgo = forms.ModelChoiceField(
        label=_("Leading DGO"),
        queryset=DGO.objects.order_by("name"),
        required=False,
        empty_label="—",
    )

    def as_data(self) -> dict | None:
        if self.cleaned_data.get("DELETE"):
            return None
        return {
            name: self.cleaned_data[name]
            for name in ("funder", "programme", "amount", "status", "lead_dgo")
        }


class ContactForm(CleanTextFieldsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    role = forms.CharField(label=_("Role in the track"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    def as_data(self) -> dict | None:
        if self.cleaned_data.get("DELETE"):
            return None
        return {
            name: self.cleaned_data[name]
            for name in ("name", "organisation", "role", "email", "phone")
        }


ParticipantFormSet = forms.formset_factory(ParticipantForm, extra=0, can_delete=True)
FundingFormSet = forms.formset_factory(FundingRequestForm, extra=0, can_delete=True)
ExternalFormSet = forms.formset_factory(ExternalFundingForm, extra=0, can_delete=True)
ContactFormSet = forms.formset_factory(ContactForm, extra=0, can_delete=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the track withdrawn?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@help_texts(
    deadline=_("FU's voting members vote in the portal before this time."),
)
class PutToFUForm(forms.Form):
    deadline = forms.DateTimeField(
        label=_("Deadline for FU's votes"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )
    text = forms.CharField(
        label=_("Proposal to FU"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Leave empty to use the standard text with APS's recommendation."),
    )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("The deadline must lie in the future."))
        return deadline


@help_texts(
    conclusion=_(
        "Your overall recommendation from a climate perspective, shown with the assessment."
    ),
)
class AssessmentForm(forms.Form):
    conclusion = forms.ChoiceField(
        label=_("Conclusion"), choices=ClimateAssessment.Conclusion.choices
    )
    text = forms.CharField(
        label=_("Climate assessment"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=50_000,
        help_text=_("Once published, a version can never be changed: publish a new version."),
    )


class EvaluationForm(forms.Form):
    text = forms.CharField(
        label=_("Evaluation"), widget=forms.Textarea(attrs={"rows": 12}), max_length=50_000
    )


@help_texts(
    progress=_("What has happened since the last update: milestones reached, products made."),
    risks=_("What could delay the track or change its result, and what is done about it."),
)
class StatusUpdateForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    progress = forms.CharField(
        label=_("Progress"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000
    )
    risks = forms.CharField(
        label=_("Risks"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        required=False,
    )


class KnowledgeProductForm(CleanTextFieldsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    url = forms.URLField(
        label=_("Link"), required=False, assume_scheme="https", max_length=500,
        help_text=_("A link to the product, or upload a file below."),
    )  # fmt: skip
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("At most 20 MB. PDF, Word, Excel, PowerPoint, ODT, ODS, PNG or JPG."),
    )

    def clean(self):
        cleaned = super().clean()
        # "Either a file or a link" is knowledge_product_add's rule; the view shows its error.
        upload = cleaned.get("file")
        if upload is not None and upload.size > MAX_PRODUCT_BYTES:
            self.add_error("file", _("The file is too large: at most 20 MB per knowledge product."))
        return cleaned


@help_texts(
    year=_("The year PUG set the focus area for."),
    name_en=_("Shown on the English pages."),
    position=_("The order on lists: lower numbers come first."),
)
class FocusAreaForm(EditVersionFormMixin, CleanTextFieldsMixin, forms.ModelForm):
    clean_text_fields = ("name_da", "name_en")

    year = forms.TypedChoiceField(label=_("Year"), choices=YEAR_CHOICES, coerce=int)

    class Meta:
        model = FocusArea
        fields = ["year", "name_da", "name_en", "description", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


@help_texts(
    pool=_("The liquid pool the money comes from. The party behind it approves the allocation."),
    year=_("The budget year the money is spent in."),
    purpose=_("What the money is for, as the approving party will read it."),
)
class AllocationRequestForm(forms.Form):
    pool = forms.ModelChoiceField(
        label=_("Pool"), queryset=LiquidPool.objects.order_by("name"), empty_label=None
    )
    year = forms.TypedChoiceField(label=_("Year"), choices=YEAR_CHOICES, coerce=int)
    amount = money_field(_("Amount"))
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)


class DecisionNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


@help_texts(
    budget_line=_("The line of the budget the spending is booked on."),
    track=_("Only if the spending belongs to a development track."),
    allocation=_(
        "For liquid funds: the approved allocation the spending draws on. Its track is booked."
    ),
)
class SpendingForm(forms.Form):
    budget_line = forms.ModelChoiceField(
        label=_("Budget line"),
        queryset=BudgetLine.objects.select_related("contribution__contributor").order_by(
            "year", "contribution__contributor__name", "purpose"
        ),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    amount = money_field(
        _("Amount"),
        required=False,
        help_text=_(
            "In Danish kroner (DKK), e.g. 250.000,00. Leave empty for working hours: they are "
            "booked at the party's hourly rate for the line's year."
        ),
    )
    hours = AmountField(
        label=_("Hours"),
        max_digits=10,
        decimal_places=2,
        min_value=0.01,
        localize=True,
        required=False,
        help_text=_("Only for a contribution of working hours: the hours used."),
    )
    description = forms.CharField(label=_("Description"), max_length=300)
    document_reference = forms.CharField(
        label=_("Document reference"),
        max_length=100,
        help_text=_("E.g. the invoice or voucher number in the bookkeeping."),
    )
    track = forms.ModelChoiceField(
        label=_("Track"), queryset=Track.objects.none(), required=False, empty_label="—"
    )
    allocation = forms.ModelChoiceField(
        label=_("Allocation"),
        queryset=Allocation.objects.select_related("pool", "track").filter(
            status=Allocation.Status.APPROVED
        ),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args, tracks=None, lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tracks is not None:
            self.fields["track"].queryset = tracks
        if lines is not None:
            self.fields["budget_line"].queryset = lines
        self.fields["allocation"].label_from_instance = lambda allocation: (
            f"{allocation.year}: {allocation.pool} – {allocation.track} ({dkk(allocation.amount)})"
        )
        self.fields["budget_line"].label_from_instance = lambda line: (
            f"{line.year}: {line.contribution.contributor.short_name} – {line.purpose}"
            + (f" ({line.contribution.dgo})" if line.contribution.dgo_id else "")
        )


class PrincipleJudgementForm(forms.Form):
    """APS's judgement of each §6 principle: met or not, with a note (needed when not met)."""

    def __init__(self, *args, judgements=None, **kwargs):
        super().__init__(*args, **kwargs)
        judged = {j.principle: j for j in (judgements or [])}  # the track's current round
        for principle in Principle:
            earlier = judged.get(principle.value)
            self.fields[f"{principle.value}_met"] = forms.TypedChoiceField(
                label=principle.label,
                choices=[("yes", _("Met")), ("no", _("Not met"))],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
                initial=None if earlier is None else ("yes" if earlier.met else "no"),
            )
            self.fields[f"{principle.value}_note"] = forms.CharField(
                label=_("Note on: %(principle)s") % {"principle": principle.label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=earlier.note if earlier else "",
            )

    def judgements(self) -> dict[str, tuple[bool, str]]:
        return {
            principle.value: (
                self.cleaned_data[f"{principle.value}_met"],
                self.cleaned_data[f"{principle.value}_note"],
            )
            for principle in Principle
        }


class SpendingReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the ledger beside the reversing entry, e.g. 'booked twice'."),
    )


class LedgerFilterForm(forms.Form):
    """The ledger's filters: by track, pool, party and year, in any combination."""

    track = forms.ModelChoiceField(
        label=_("Track"), queryset=Track.objects.none(), required=False, empty_label=_("All")
    )
    pool = forms.ModelChoiceField(
        label=_("Pool"),
        queryset=LiquidPool.objects.order_by("name"),
        required=False,
        empty_label=_("All"),
        to_field_name="key",
    )
    party = forms.ModelChoiceField(
        label=_("Party"), queryset=Organisation.objects.none(), required=False, empty_label=_("All")
    )
    year = forms.TypedChoiceField(
        label=_("Year"),
        choices=[("", _("All")), *YEAR_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    dgo = forms.ModelChoiceField(
        label=_("DGO co-financing"),
        queryset=DGO.objects.order_by("name"),
        required=False,
        empty_label=_("All"),
        to_field_name="slug",
    )

    def __init__(self, *args, tracks=None, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tracks is not None:
            self.fields["track"].queryset = tracks.order_by("title")
        if parties is not None:
            self.fields["party"].queryset = parties


@help_texts(
    from_line=_("The budget line the amount is moved from."),
    to_line=_(
        "The budget line the amount is moved to. The move counts once the parties approve it."
    ),
    reason=_("Why the money is moved, as the approving parties will read it."),
)
class BudgetChangeForm(forms.Form):
    from_line = forms.ModelChoiceField(label=_("From line"), queryset=BudgetLine.objects.none())
    to_line = forms.ModelChoiceField(label=_("To line"), queryset=BudgetLine.objects.none())
    amount = money_field(_("Amount"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("from_line", "to_line"):
            self.fields[name].queryset = lines
            self.fields[name].label_from_instance = lambda line: (
                f"{line.year}: {line.contribution.contributor.short_name} – {line.purpose}"
            )


def default_deadline() -> datetime.datetime:
    return timezone.localtime() + datetime.timedelta(days=14)


def hours_field(label=None, **kwargs) -> forms.DecimalField:
    return AmountField(
        label=label or _("Hours"),
        max_digits=10,
        decimal_places=2,
        min_value=0.01,
        localize=True,
        required=False,
        **kwargs,
    )


class HourlyRateForm(forms.Form):
    """A party's hourly rate for a year: hours × the rate is their DKK equivalent."""

    party = forms.ModelChoiceField(label=_("Party"), queryset=Organisation.objects.none())
    year = forms.TypedChoiceField(label=_("Year"), choices=YEAR_CHOICES, coerce=int)
    rate = money_field(_("Hourly rate"), help_text=_("In Danish kroner (DKK), e.g. 650,00."))
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("E.g. where the rate comes from (the party's own accounts)."),
    )

    def __init__(self, *args, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parties is not None:
            self.fields["party"].queryset = parties


class DGOContributionForm(forms.Form):
    """A party's co-financing of one DGO (§8.5); its lines come in the formset below it."""

    party = forms.ModelChoiceField(label=_("Party"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Contribution.Kind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parties is not None:
            self.fields["party"].queryset = parties


class DGOBudgetLineForm(forms.Form):
    """One yearly line of a DGO's co-financing: an amount for cash, hours for working hours
    (valued at the party's hourly rate for the year)."""

    year = forms.TypedChoiceField(label=_("Year"), choices=YEAR_CHOICES, coerce=int)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    # No help texts: the rows sit in a table whose headers and caption say it (a help text
    # would point aria-describedby at text the table does not show).
    amount = money_field(_("Amount"), required=False, help_text="")
    hours = hours_field()


# At least one line: services.dgo_contribution_add says so (empty rows are skipped).
DGOLineFormSet = forms.formset_factory(DGOBudgetLineForm, extra=3, max_num=20, validate_max=True)
