from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import notifications
from core.forms import add_service_errors
from core.models import Delivery

PAGE_SIZE = 30


def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications.notifications_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (`id`) or all as read; then follow its link if it has one."""
    raw_id = request.POST.get("id", "")
    notification_id = int(raw_id) if raw_id.isdigit() else None
    notifications.notifications_mark_read(user=request.user, notification_id=notification_id)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notification-list")


class PreferencesForm(forms.Form):
    """One choice per kind of message (the kinds that ask for action offer no "only in the
    portal"), and the language of the e-mails."""

    language = forms.ChoiceField(label=gettext_lazy("Language of your e-mails"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
        self.fields["language"].initial = notifications.language_of(user)
        labels = dict(Delivery.choices)
        for kind, chosen in notifications.preferences_of(user):
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label,
                choices=[(value, labels[value]) for value in kind.deliveries],
                initial=chosen,
                help_text=(
                    gettext_lazy("You act on these messages: they always reach your inbox.")
                    if kind.action
                    else ""
                ),
            )

    def choices(self) -> dict[str, str]:
        return {key: value for key, value in self.cleaned_data.items() if key != "language"}


def notification_preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            notifications.preferences_set(
                user=request.user,
                choices=form.choices(),
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("notification-preferences")
    return render(request, "notifications/preferences.html", {"form": form})
