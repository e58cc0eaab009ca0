import json
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
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn import views as webauthn_views

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
    if mfa.factor_change_needs_reauthentication(request):
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
            "already_enrolled": mfa.has_totp(request.user),
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
    user = request.user
    has_totp, has_passkey = mfa.has_totp(user), mfa.has_passkey(user)
    return render(
        request,
        "registration/mfa_verify.html",
        {
            "form": form,
            "next": request.GET.get("next", request.POST.get("next", "")),
            "has_totp": has_totp,
            "has_passkey": has_passkey,
            # Someone with only a passkey is not asked for a code (unless recovery codes).
            "has_codes": has_totp or not has_passkey or mfa.recovery_codes_left(user) > 0,
            "passkey_config": {
                "begin": reverse("mfa-passkey-auth-begin"),
                "complete": reverse("mfa-passkey-auth-complete"),
            },
        },
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


# --- passkeys (WebAuthn) ----------------------------------------------------------------------
# The ceremonies are django-otp-webauthn's views with the portal's rules added: adding a
# passkey follows mfa.factor_change_needs_reauthentication (as replacing the app does), the
# passkey gets the person's name for it, and a passkey used at sign-in marks the session
# verified the way a code does (mfa.mark_verified, which the re-authentication rule reads).


_REAUTHENTICATE_FOR_PASSKEY = gettext_lazy(
    "Confirm your second factor again (your authenticator app, a passkey or a recovery code) "
    "before adding a passkey."
)


class _PasskeyRegistration:
    messages = {"user_not_verified": _REAUTHENTICATE_FOR_PASSKEY}

    def check_can_register(self):
        if mfa.factor_change_needs_reauthentication(self.request):
            raise webauthn_errors.NotVerified(detail=_REAUTHENTICATE_FOR_PASSKEY)


class PasskeyRegisterBegin(_PasskeyRegistration, webauthn_views.BeginCredentialRegistrationView):
    pass


class PasskeyRegisterComplete(
    _PasskeyRegistration, webauthn_views.CompleteCredentialRegistrationView
):
    def post(self, *args, **kwargs):
        was_verified = self.request.user.is_verified()
        response = super().post(*args, **kwargs)
        passkey = mfa.passkeys_of(self.request.user).get(pk=json.loads(response.content)["id"])
        mfa.passkey_registered(
            request=self.request,
            passkey=passkey,
            name=self.request.GET.get("name", ""),
            was_verified=was_verified,
        )
        return response


class PasskeyAuthBegin(webauthn_views.BeginCredentialAuthenticationView):
    pass


class PasskeyAuthComplete(webauthn_views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        # Passwordless sign-in is off (settings): the user has signed in with the password.
        mfa.mark_verified(self.request, device)

    def get_success_url(self):
        return self.get_redirect_url() or reverse("dashboard")


def mfa_passkeys(request: HttpRequest) -> HttpResponse:
    """The person's passkeys: add one (named), list them, remove one."""
    return render(
        request,
        "registration/mfa_passkeys.html",
        {
            "passkeys": mfa.passkeys_of(request.user),
            "reauthenticate": mfa.factor_change_needs_reauthentication(request),
            "name_max_length": mfa.PASSKEY_NAME_MAX_LENGTH,
            "passkey_config": {
                "begin": reverse("mfa-passkey-register-begin"),
                "complete": reverse("mfa-passkey-register-complete"),
            },
        },
    )


@require_POST
def mfa_passkey_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if mfa.factor_change_needs_reauthentication(request):
        return mfa.reauthenticate_redirect(request, reverse("mfa-passkeys"))
    try:
        name = mfa.passkey_remove(
            user=request.user,
            passkey_id=pk,
            current_factor_checked=mfa.recently_verified(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The passkey “%(name)s” is removed.") % {"name": name})
    return redirect("mfa-passkeys")
