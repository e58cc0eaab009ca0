from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import help_texts
from core.locking import EditVersionFormMixin
from core.widgets import DateInput
from partners.models import DGO

from .models import MAX_YEAR, MIN_YEAR, Action, Sector, StatusReport, StatusReportDocument
from .selectors import NOT_STARTED
from .services import REPORT_FIELDS


@help_texts(
    plan_status=_("How far the municipality's climate action plan has come."),
    recertified=_(
        "Whether the plan has been recertified after its revision (at least every five years)."
    ),
    baseline_year=_("The year the reduction target is measured from."),
    baseline_emissions=_(
        "The municipality's territorial emissions in the baseline year, in tonnes CO2e."
    ),
    target_2030_reduction_pct=_(
        "The reduction by 2030 compared with the baseline year, in per cent."
    ),
    adaptation_risk_assessed=_(
        "Whether the municipality has assessed its climate risks (flooding, heat, drought)."
    ),
    data_source=_(
        "Where the emission figures come from, e.g. the Danish Energy Agency's energy and CO2 "
        "accounts."
    ),
)
class ReportForm(forms.ModelForm):
    """The report's own fields. Validation (ranges, revision not before adoption) comes from
    the model, so the form, the import and the API apply the same rules."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = StatusReport
        fields = REPORT_FIELDS
        widgets = {
            "plan_adopted_on": DateInput(),
            "plan_revised_on": DateInput(),
            "recertified_on": DateInput(),
            "adaptation_note": forms.Textarea(attrs={"rows": 3}),
            "baseline_year": forms.NumberInput(attrs={"min": MIN_YEAR, "max": MAX_YEAR}),
            "net_zero_year": forms.NumberInput(attrs={"min": MIN_YEAR, "max": MAX_YEAR}),
            "target_2030_reduction_pct": forms.NumberInput(
                attrs={"min": 0, "max": 100, "step": "0.1"}
            ),
            "baseline_emissions": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("plan_adopted_on", "plan_revised_on", "recertified_on"):
            self.fields[name].input_formats = ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
        self.fields["data_release"].widget.attrs["placeholder"] = "2024-1"

    # Sections of the form page, in order.
    PLAN = ("plan_status", "plan_adopted_on", "plan_revised_on", "recertified", "recertified_on")
    TARGETS = ("baseline_year", "baseline_emissions", "target_2030_reduction_pct", "net_zero_year")
    ADAPTATION = ("adaptation_risk_assessed", "adaptation_plan_status", "adaptation_note")
    SOURCE = ("data_release", "data_source")

    def section(self, names):
        return [self[name] for name in names]

    def plan_fields(self):
        return self.section(self.PLAN)

    def target_fields(self):
        return self.section(self.TARGETS)

    def adaptation_fields(self):
        return self.section(self.ADAPTATION)

    def source_fields(self):
        return self.section(self.SOURCE)


class EmissionForm(forms.Form):
    """One sector's figure; the sector is known from the form's position (see the view)."""

    # No minimum here: land use may be a net removal. The report form adds the minimum 0 to
    # the rows of the other sectors, and EmissionFigure.clean refuses them on every path.
    tonnes_co2e = forms.DecimalField(
        label=_("t CO2e"), required=False, max_digits=14, decimal_places=2
    )


class BaseFixedFormSet(forms.BaseFormSet):
    """A formset with one form per reference row (sector or requirement), in order."""

    def __init__(self, *args, rows=(), **kwargs):
        self.rows = list(rows)
        super().__init__(*args, **kwargs)

    def total_form_count(self) -> int:
        return len(self.rows)


EmissionFormSet = forms.formset_factory(EmissionForm, formset=BaseFixedFormSet, extra=0)

CHECKLIST_CHOICES = [("", _("Not assessed")), ("yes", _("Met")), ("no", _("Not met"))]


class ChecklistForm(forms.Form):
    met = forms.TypedChoiceField(
        label=_("Assessment"),
        choices=CHECKLIST_CHOICES,
        required=False,
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


ChecklistFormSet = forms.formset_factory(ChecklistForm, formset=BaseFixedFormSet, extra=0)


class IndicatorValueForm(forms.Form):
    """One transition indicator's value of the round's year and its 2030 target; the indicator
    is known from the form's position (the view sets `indicator` for the range check)."""

    value = forms.DecimalField(label=_("Value"), required=False, max_digits=16, decimal_places=4)
    data_release = forms.CharField(label=_("Data release"), required=False, max_length=40)
    target_2030 = forms.DecimalField(
        label=_("2030 target"), required=False, max_digits=16, decimal_places=4
    )
    indicator = None

    def clean(self):
        from monitoring.insight.indicators import IndicatorInput, check_input

        data = super().clean()
        if self.indicator is not None and not self.errors:
            entry = IndicatorInput(
                self.indicator,
                data.get("value"),
                data.get("data_release") or "",
                data.get("target_2030"),
            )
            for name, message in check_input(entry).items():
                self.add_error(name, message)
        return data


IndicatorFormSet = forms.formset_factory(IndicatorValueForm, formset=BaseFixedFormSet, extra=0)


class ActionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Action"), max_length=200, required=False)
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.filter(is_active=True), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=Action.Status.choices, initial=Action.Status.NOT_STARTED
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


ActionFormSet = forms.formset_factory(ActionForm, extra=2, can_delete=True, max_num=200)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is to be corrected"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kept with the round and in the audit trail."),
    )


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that every report of the round is locked, the unapproved ones too"),
    )


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment to the coordinators"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you request changes."),
    )
    # Required for one of the form's buttons: the label must not call it optional.
    comment.conditionally_required = True


@help_texts(
    opens_on=_("From this day the coordinators can fill in their municipalities' reports."),
    deadline=_(
        "Reports must be submitted by this day. Reminders name the municipalities still missing."
    ),
)
class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    emissions_year = forms.IntegerField(
        label=_("Emissions year"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        help_text=_("Usually two years before the round: the accounts lag behind."),
    )
    opens_on = forms.DateField(label=_("Opens"), widget=DateInput())
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())


class RoundFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name or code"), required=False, max_length=100)
    dgo = forms.ModelChoiceField(
        label=_("DGO"),
        queryset=DGO.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All DGOs"),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All states")),
            (NOT_STARTED, _("Not started")),
            *StatusReport.State.choices,
        ],
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (xlsx or csv)"),
        help_text=_("At most 5 MB and 500 rows. Use the round's template."),
    )


class AccountsImportForm(forms.Form):
    """A file of the national energy and CO2 accounts, imported as one data release."""

    file = forms.FileField(
        label=_("The accounts' file (xlsx or csv)"),
        help_text=_(
            "One row per municipality and year with a column per sector group (Energi, "
            "Transport, Landbrug, Affald, Industri, optional Samlet), or one row per "
            "municipality, year and sector (Sektor, Udledning)."
        ),
    )
    release = forms.CharField(
        label=_("Data release"),
        max_length=10,
        help_text=_(
            "Year-number, e.g. 2025-1; a later release of recalculated years gets a new name."
        ),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("Empty: Energistyrelsen, Energi- og CO2-regnskabet."),
    )


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Round"), coerce=int, required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]


@help_texts(
    language=_("The language the PDF report is written in."),
)
class StatusReportRequestForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=StatusReportDocument.Language.choices, initial="da"
    )


class IndicatorForm(EditVersionFormMixin, forms.ModelForm):
    """A catalogue entry; the model's clean() checks the valid range."""

    source_url = forms.URLField(
        label=_("source web address"), required=False, assume_scheme="https", max_length=200
    )

    class Meta:
        from .models import Indicator

        model = Indicator
        fields = [
            "key",
            "name_da",
            "name_en",
            "group",
            "direction",
            "unit_da",
            "unit_en",
            "definition_da",
            "definition_en",
            "source",
            "source_url",
            "minimum",
            "maximum",
            "position",
            "is_active",
        ]
        widgets = {
            "definition_da": forms.Textarea(attrs={"rows": 4}),
            "definition_en": forms.Textarea(attrs={"rows": 4}),
        }


class DigestForm(forms.Form):
    weekly_digest = forms.BooleanField(
        label=_("Send me the weekly e-mail about what is due"), required=False
    )


class PeerKindForm(forms.Form):
    kind = forms.ChoiceField(label=_("Compare with"))

    def __init__(self, *args, **kwargs):
        from monitoring.insight.peers import KINDS

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = KINDS


class EditionForm(EditVersionFormMixin, forms.Form):
    """The knowledge partners' text of a status report edition: a foreword, key messages (one
    a line, in their order) and a narrative per chapter. Unknown key-figure tokens are refused
    by the service (edition_save), which puts its message on the field."""

    foreword = forms.CharField(
        label=_("Foreword"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    key_messages = forms.CharField(
        label=_("Key messages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One key message a line, in the order they are shown."),
    )

    def __init__(self, *args, edition, chapters: list[tuple[str, str]], **kwargs):
        self.instance = edition
        if edition is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "foreword": edition.foreword,
                "key_messages": "\n".join(edition.key_messages),
                **{f"chapter_{key}": text for key, text in edition.chapters.items()},
            }
        super().__init__(*args, **kwargs)
        self.chapter_keys = [key for key, _title in chapters]
        for key, title in chapters:
            self.fields[f"chapter_{key}"] = forms.CharField(
                label=_("Chapter: %(title)s") % {"title": title},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "foreword": data["foreword"],
            "key_messages": data["key_messages"].splitlines(),
            "chapters": {key: data.get(f"chapter_{key}", "") for key in self.chapter_keys},
        }


class EditionPublishForm(EditVersionFormMixin, forms.Form):
    """Publishing is a deliberate step on the version the knowledge partner has read."""

    prefix = "publish"  # its version field beside the draft form's on one page

    def __init__(self, *args, edition, **kwargs):
        self.instance = edition
        super().__init__(*args, **kwargs)
