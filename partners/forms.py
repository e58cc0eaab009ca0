from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import help_texts
from core.locking import EditVersionFormMixin
from core.text import CleanTextFieldsMixin
from core.widgets import DateInput

from .models import DGO, DirectoryVisibility, Municipality, Organisation, User
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
class MunicipalityForm(EditVersionFormMixin, forms.ModelForm):
    website = forms.URLField(
        label=_("Website"), required=False, assume_scheme="https", max_length=200
    )

    class Meta:
        model = Municipality
        fields = ["website", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 6})}


# --- People and access ---------------------------------------------------------------------


class InviteForm(CleanTextFieldsMixin, forms.Form):
    """Invite a person (or give an existing person a role): the choices fit who is inviting."""

    clean_text_fields = ("first_name", "last_name", "title")

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=())
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        to_field_name="code",
        required=False,
        help_text=_("For a contact person."),
    )
    dgo = forms.ModelChoiceField(
        label=_("DGO"),
        queryset=DGO.objects.none(),
        to_field_name="slug",
        required=False,
        help_text=_("For a coordinator."),
    )
    body = forms.ModelChoiceField(
        label=_("Body"),
        queryset=None,
        to_field_name="code",
        required=False,
        help_text=_("For a member or an observer."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        to_field_name="code",
        required=False,
        help_text=_(
            "For a knowledge partner or an approver: the organisation they act for. For a seat "
            "in a body: the organisation that appoints them. Otherwise their employer."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Kept in the audit trail, e.g. 'New climate coordinator from 1 March'."),
    )

    def __init__(self, *args, user, **kwargs):
        from .models import BODY_INVITE_ROLES, InviteRole
        from .permissions import can_invite, can_manage_people, editable_municipalities
        from .services import seats

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (value, label) for value, label in InviteRole.choices if can_invite(user, value)
        ]
        everyone = can_manage_people(user)
        self.fields["municipality"].queryset = (
            Municipality.objects.all() if everyone else editable_municipalities(user)
        )
        self.fields["dgo"].queryset = DGO.objects.all() if everyone else DGO.objects.none()
        # Who records seats in which body is governance's rule, asked through its hook.
        self.fields["body"].queryset = seats().bodies_appointable_by(user=user)
        self.fields["organisation"].queryset = Organisation.objects.all()
        if not any(value in BODY_INVITE_ROLES for value, _label in self.fields["role"].choices):
            del self.fields["body"]
        if not self.fields["dgo"].queryset.exists():
            del self.fields["dgo"]


class ReasonForm(forms.Form):
    # Not required here: the service that records the step says when a reason is missing
    # (one wording, whoever calls it); the form only keeps it to what the trail holds.
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name or e-mail"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Everyone")), ("active", _("Active")), ("inactive", _("Deactivated"))],
    )


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name or place"), required=False, max_length=100)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All municipalities"),
    )
    dgo = forms.ModelChoiceField(
        label=_("DGO"),
        queryset=DGO.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All DGOs"),
    )


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (xlsx or csv)"),
        help_text=_("At most 5 MB and 500 rows. Use the template."),
    )


class AcceptInvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The address the invitation was sent to."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    directory_visibility = forms.ChoiceField(
        label=_("What may other signed-in users see about you in the contact directory?"),
        choices=DirectoryVisibility.choices,
        widget=forms.RadioSelect,
        help_text=_("You can change this on your profile page."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords are not the same."))
        return cleaned


class VisibilityForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["directory_visibility"]
        widgets = {"directory_visibility": forms.RadioSelect}


@help_texts(
    name=_("What the token is for, e.g. the program that uses it."),
    read_only=_("The token may read, but not change anything."),
    expires_on=_("The token stops working at the end of this day. Empty: until you revoke it."),
)
class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    read_only = forms.BooleanField(label=_("Read only"), required=False)
    expires_on = forms.DateField(label=_("Expires"), required=False, widget=DateInput())
