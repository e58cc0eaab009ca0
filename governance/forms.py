from django import forms
from django.utils.translation import gettext_lazy as _

from core.files import CONTENT_TYPES, MAX_PAPER_BYTES
from core.forms import help_texts
from core.locking import EditVersionFormMixin
from core.text import CleanTextFieldsMixin
from core.widgets import DATETIME_FORMATS, DateTimeInput

from .models import (
    Attendance,
    Body,
    Decision,
    Meeting,
    Membership,
    SeatRole,
    SeatRule,
    SubstituteCall,
    Vote,
)
from .selectors import composition_version


@help_texts(
    ends_at=_(
        "Optional. Shown in the calendar; without it the meeting is shown as two hours long."
    ),
    location=_("The address or room, or 'Online' for a meeting held only on video."),
    video_url=_(
        "A link to join the meeting online (Teams, Zoom or similar). Only the body's members "
        "see it."
    ),
)
class MeetingForm(EditVersionFormMixin, CleanTextFieldsMixin, forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS, required=False
    )
    video_url = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")

    # When a meeting ends and where it is held: services._validate_meeting says what is wrong.

    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "location", "video_url"]


class AgendaItemForm(CleanTextFieldsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class PaperForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "At most 20 MB. PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), ODT, ODS, "
            "PNG or JPG."
        ),
    )

    def __init__(self, *args, agenda_items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"] = forms.ModelChoiceField(
            label=_("Agenda item"), queryset=agenda_items, empty_label=None
        )
        self.order_fields(["agenda_item", "file"])
        self.fields["file"].widget.attrs["accept"] = ",".join(
            f".{extension}" for extension in CONTENT_TYPES
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PAPER_BYTES:
            raise forms.ValidationError(_("The file is too large: at most 20 MB per paper."))
        return upload


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 14}), max_length=50_000
    )


@help_texts(
    mode=_(
        "At a meeting: the body decides when it meets. In writing: the members vote in the "
        "portal before the deadline."
    ),
    deadline=_(
        "The members' votes must be in by then. A decision is adopted only if every voting "
        "member votes yes."
    ),
)
class DecisionForm(CleanTextFieldsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(
        label=_("Proposal"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the body is asked to decide, as the members will read it."),
    )
    mode = forms.ChoiceField(label=_("Procedure"), choices=Decision.Mode.choices)
    meeting = forms.ModelChoiceField(
        label=_("Meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        help_text=_("For a decision at a meeting."),
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )
    corrects = forms.ModelChoiceField(
        label=_("Corrects"),
        queryset=Decision.objects.none(),
        required=False,
        help_text=_(
            "A closed decision is never changed. To correct one, put a new decision that names "
            "it; once adopted, the earlier one is marked as corrected and links to this one."
        ),
    )

    def __init__(self, *args, meetings=None, correctable=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings
        if correctable is not None:
            self.fields["corrects"].queryset = correctable

    # A decision at a meeting names the meeting: services.decision_open says so.


class MinutesApprovalForm(forms.Form):
    minutes_approval = forms.ChoiceField(
        label=_("The minutes are approved"),
        choices=Body.MinutesApproval.choices,
        widget=forms.RadioSelect,
        help_text=_("The body approves its minutes; the secretariat never does so alone."),
    )


class AgendaChangeForm(CleanTextFieldsMixin, forms.Form):
    note = forms.CharField(
        label=_("Change note to the members"),
        max_length=500,
        required=False,
        help_text=_(
            "The agenda is published: say what changed and why. The note is shown on the "
            "meeting page and sent to the body's members and observers."
        ),
    )

    def __init__(self, *args, published: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not published:
            del self.fields["note"]


class AgendaItemEditForm(EditVersionFormMixin, AgendaItemForm, AgendaChangeForm):
    def __init__(self, *args, item, **kwargs):
        self.instance = item  # the version is the stored item's (core.locking)
        kwargs.setdefault("initial", {"title": item.title, "description": item.description})
        super().__init__(*args, **kwargs)


class NextMeetingForm(forms.Form):
    next_meeting = forms.ModelChoiceField(
        label=_("The meeting that approves the minutes"),
        queryset=Meeting.objects.none(),
        help_text=_(
            "The minutes are put to this meeting as a decision; adopting it approves them."
        ),
    )

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_meeting"].queryset = meetings


class RecordVotesForm(forms.Form):
    """One choice per seat that has not voted; a seat left blank is not recorded."""

    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=Meeting.objects.none())

    def __init__(self, *args, meetings=None, seats=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        first_two = list(meetings[:2])
        if len(first_two) == 1:
            self.fields["meeting"].initial = first_two[0].pk
        self.seats = {}
        for seat, label in seats:
            name = f"seat_{seat.pk}"
            self.seats[name] = seat
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=[("", _("Not recorded")), *Vote.Choice.choices],
                required=False,
            )

    def recorded(self) -> list[tuple[Membership, str]]:
        return [
            (seat, self.cleaned_data[name])
            for name, seat in self.seats.items()
            if self.cleaned_data.get(name)
        ]


class AttendanceForm(forms.Form):
    """One status per seat; for a member with substitutes, which substitute stood in."""

    def __init__(self, *args, seats=(), current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        self.seats = {}
        for seat in seats:
            name = f"seat_{seat.pk}"
            self.seats[name] = seat
            known = current.get(seat.pk)
            choices = [("", _("Not recorded")), *Attendance.Status.choices]
            substitutes = list(getattr(seat, "active_substitutes", []))
            if not substitutes:
                choices = [c for c in choices if c[0] != Attendance.Status.REPRESENTED]
            self.fields[name] = forms.ChoiceField(
                label=seat_label(seat),
                choices=choices,
                required=False,
                initial=known.status if known else "",
            )
            if substitutes:
                self.fields[f"{name}_substitute"] = forms.TypedChoiceField(
                    label=_("Substitute for %(person)s") % {"person": seat.person},
                    choices=[("", "---------")]
                    + [(sub.pk, str(sub.person)) for sub in substitutes],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    initial=known.substitute_id if known else None,
                )
                self.seats[name].substitute_choices = {sub.pk: sub for sub in substitutes}

    def entries(self) -> list[tuple[Membership, str, Membership | None]]:
        result = []
        for name, seat in self.seats.items():
            status = self.cleaned_data.get(name)
            if not status:
                continue
            substitute_pk = self.cleaned_data.get(f"{name}_substitute")
            substitute = getattr(seat, "substitute_choices", {}).get(substitute_pk)
            result.append((seat, status, substitute))
        return result


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your vote"), choices=Vote.Choice.choices, widget=forms.RadioSelect
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


def seat_label(seat: Membership, member: Membership | None = None) -> str:
    if member is not None:
        return _("%(person)s (substitute for %(member)s)") % {
            "person": seat.person,
            "member": member.person,
        }
    return f"{seat.person} ({seat.get_seat_role_display()})"


@help_texts(
    membership=_(
        "The member who cannot take part. A substitute can then be called in to vote instead."
    ),
)
class AbsenceForm(forms.Form):
    membership = forms.ModelChoiceField(label=_("Member"), queryset=Membership.objects.none())

    def __init__(self, *args, seats=None, **kwargs):
        super().__init__(*args, **kwargs)
        if seats is not None:
            self.fields["membership"].queryset = seats


@help_texts(
    substitute=_("The person who votes in the member's place on this decision only."),
    reason=_(
        "Why a substitute is called in, e.g. the member's absence. Kept in the decision's history."
    ),
)
class SubstituteCallForm(forms.Form):
    substitute = forms.ModelChoiceField(label=_("Substitute"), queryset=Membership.objects.none())
    reason = forms.ChoiceField(label=_("Reason"), choices=SubstituteCall.Reason.choices)

    def __init__(self, *args, substitutes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if substitutes is not None:
            self.fields["substitute"].queryset = substitutes


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]


def person_label(person) -> str:
    """A person in the seat form's list: name, organisation and e-mail, so that two people of
    the same name can be told apart."""
    details = [str(person.organisation) if person.organisation_id else "", person.email]
    details = [detail for detail in details if detail]
    return f"{person} ({', '.join(details)})" if details else str(person)


def person_empty_label(offered) -> str:
    if offered:
        return "---------"
    return str(_("Search for the person first"))


@help_texts(
    person=_(
        "Someone who already has a login: search by name, e-mail or organisation, then choose. "
        "Or leave it empty and invite a new person below."
    ),
    email=_("For a new person: they get an invitation to set a password and sign in."),
    seat_role=_(
        "Chair, vice-chair and members vote; a substitute votes only when called in for the "
        "member; observers follow the work without voting."
    ),
    substitute_for=_("For a substitute: the member they stand in for."),
    appointed_by=_("The party or organisation the seat represents, as the agreement says."),
    geography=_("For seats the agreement gives each geography (KKR or region), e.g. in PUG."),
    capacity=_("E.g. 'political representative' or 'CEO of CONCITO'."),
    ends_on=_(
        "The seat no longer counts from this day: ending it today takes effect at once. Empty: "
        "until further notice."
    ),
    reason=_("Why the seat is added or changed; kept in the audit trail."),
)
class SeatForm(EditVersionFormMixin, CleanTextFieldsMixin, forms.Form):
    """A seat in a body: who (an existing person, or a new one invited in the same step), which
    seat, for whom, for which party and geography, and for how long."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)
    email = forms.EmailField(label=_("New person's e-mail"), required=False)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    seat_role = forms.ChoiceField(label=_("Seat"), choices=SeatRole.choices)
    substitute_for = forms.ModelChoiceField(
        label=_("Substitute for"), queryset=Membership.objects.none(), required=False
    )
    appointed_by = forms.ModelChoiceField(label=_("Appointed by"), queryset=None)
    geography = forms.ModelChoiceField(
        label=_("Geography represented"), queryset=None, required=False
    )
    capacity = forms.CharField(label=_("Capacity"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("From"), widget=DateInput(), input_formats=DATE_FORMATS)
    ends_on = forms.DateField(
        label=_("Ends"), widget=DateInput(), input_formats=DATE_FORMATS, required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, body, members, people=None, offered_people=None, seat=None, **kwargs):
        self.instance = seat  # editing: the version of the stored seat (core.locking)
        super().__init__(*args, **kwargs)
        from partners.models import DGO, Organisation

        if people is None:  # editing: the person stays
            for name in ("person", "email", "first_name", "last_name"):
                del self.fields[name]
        else:
            # Any person who can sign in is valid, but the list offers only the search's matches
            # (and the person already chosen): the whole portal's people would be thousands.
            field = self.fields["person"]
            field.queryset = people
            field.label_from_instance = person_label
            offered = list(offered_people or [])
            chosen = self["person"].value()
            if str(chosen or "").isdigit() and all(str(p.pk) != str(chosen) for p in offered):
                offered = [*people.filter(pk=int(chosen)).select_related("organisation"), *offered]
            field.widget.choices = [("", person_empty_label(offered))] + [
                (p.pk, person_label(p)) for p in offered
            ]
        self.fields["substitute_for"].queryset = members
        self.fields["substitute_for"].label_from_instance = seat_label
        self.fields["appointed_by"].queryset = Organisation.objects.order_by("kind", "name")
        self.fields["geography"].queryset = DGO.objects.select_related("region").order_by("name")
        self.fields["geography"].label_from_instance = lambda dgo: dgo.geography

    def clean(self):
        cleaned = super().clean()
        if "person" in self.fields and not cleaned.get("person"):
            if not cleaned.get("email"):
                self.add_error(
                    "person", _("Choose a person, or give a new person's e-mail address.")
                )
            elif not (cleaned.get("first_name") and cleaned.get("last_name")):
                self.add_error("last_name", _("Give the new person's first and last name."))
        # That the seat ends after it starts is the service's rule (seat_appoint,
        # membership_update); the view shows its error on the field.
        return cleaned


@help_texts(
    ends_on=_("From this day the seat no longer counts. Today: at once."),
)
class SeatEndForm(forms.Form):
    ends_on = forms.DateField(
        label=_("Ends"), widget=DateInput(), input_formats=DATE_FORMATS, required=False
    )
    # Not required here: services.seat_end_with_reason says when the reason is missing.
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class CompositionForm(EditVersionFormMixin, forms.Form):
    """The body's cadence and chairmanship; its version covers the rules edited beside it."""

    def __init__(self, *args, body, **kwargs):
        self.instance = body
        super().__init__(*args, **kwargs)

    def current_version(self) -> str:
        return composition_version(self.instance)

    meetings_per_year = forms.IntegerField(label=_("Meetings per year"), min_value=1, max_value=52)
    chair_rule = forms.CharField(label=_("Chairmanship"), max_length=300, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300)


APPOINTING_KINDS = (
    ("kkr", _("The KKR (the municipalities)")),
    ("region", _("The region")),
)


class SeatRuleForm(CleanTextFieldsMixin, forms.Form):
    """One line of a DGO steering group's composition."""

    rule = forms.IntegerField(widget=forms.HiddenInput, required=False)
    label = forms.CharField(label=_("Rule"), max_length=300, required=False)
    seat = forms.ChoiceField(label=_("Seat"), choices=SeatRule.Seat.choices)
    appointed_by_kind = forms.ChoiceField(label=_("Appointed by"), choices=APPOINTING_KINDS)
    min_count = forms.IntegerField(label=_("At least"), min_value=0, max_value=50)
    max_count = forms.IntegerField(label=_("At most"), min_value=0, max_value=50)
    different_municipalities = forms.BooleanField(
        label=_("From different municipalities"), required=False
    )
    delete = forms.BooleanField(label=_("Remove"), required=False)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_count"), cleaned.get("max_count")
        if low is not None and high is not None and high < low:
            self.add_error("max_count", _("At most cannot be below at least."))
        return cleaned


SeatRuleFormSet = forms.formset_factory(SeatRuleForm, extra=1)
