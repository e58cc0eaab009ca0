from django import forms
from django.utils.translation import gettext_lazy as _

from core.files import CONTENT_TYPES, MAX_PAPER_BYTES
from core.forms import help_texts
from core.text import CleanTextFieldsMixin
from core.widgets import DATETIME_FORMATS, DateTimeInput

from .models import Decision, Meeting, Membership, SubstituteCall, Vote


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
class MeetingForm(CleanTextFieldsMixin, forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS, required=False
    )
    video_url = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "location", "video_url"]

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        if not cleaned.get("location") and not cleaned.get("video_url"):
            raise forms.ValidationError(_("Give a place or a video link (or both)."))
        return cleaned


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

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == Decision.Mode.AT_MEETING and not cleaned.get("meeting"):
            self.add_error("meeting", _("A decision at a meeting names the meeting."))
        return cleaned


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
