from base64 import b32encode

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import mfa


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy("The 6 digits from your authenticator app, or a recovery code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the code, type one code to confirm.

    Replacing a confirmed authenticator first asks for the current one (or a recovery code).
    """
    if mfa.mfa_enrolled(request.user) and not mfa.recently_verified(request):
        return mfa.reauthenticate_redirect(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.totp_device_confirm(
                user=request.user,
                token=form.cleaned_data["token"],
                current_factor_checked=mfa.recently_verified(request),
            )
        except ValidationError as error:
            form.add_error("token", error)
        else:
            device = TOTPDevice.objects.get(user=request.user, confirmed=True)
            mfa.mark_verified(request, device)
            return render(
                request,
                "registration/mfa_recovery_codes.html",
                {"codes": codes, "next": mfa.safe_next(request)},
            )
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-pk").first()
    if device is None or request.method == "GET":
        device = mfa.totp_device_start(user=request.user)
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5, dark="#1d2b2a"),
            "secret": _group(device.bin_key),
            "next": request.GET.get("next", ""),
            "already_enrolled": mfa.mfa_enrolled(request.user),
        },
    )


def _group(key: bytes) -> str:
    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.mfa_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(mfa.safe_next(request))
        form.add_error("token", _("The code is not right, or it has already been used."))
    return render(
        request,
        "registration/mfa_verify.html",
        {"form": form, "next": request.GET.get("next", request.POST.get("next", ""))},
    )


@require_POST
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    if not mfa.mfa_enrolled(request.user):
        messages.error(request, _("Set up an authenticator app first."))
        return redirect("mfa-setup")
    if not mfa.recently_verified(request):
        return mfa.reauthenticate_redirect(request, reverse("mfa-setup"))
    codes = mfa.recovery_codes_regenerate(user=request.user)
    return render(request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": ""})
