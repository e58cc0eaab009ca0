"""Two-factor authentication: who needs it, enrolling an authenticator, and checking codes.

Built on django-otp: a TOTP device (an authenticator app) plus a static device holding ten
single-use recovery codes. A TOTP code cannot be used twice (django-otp remembers the last
time step); a recovery code is deleted when used. Passkeys (WebAuthn, django-otp-webauthn)
are a second factor beside TOTP: a confirmed passkey counts like a confirmed authenticator
(``mfa_enrolled``), and the same rule guards adding one (``factor_change_needs_reauthentication``).
"""

import functools
import time
from collections.abc import Callable

import django_otp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp.middleware import OTPMiddleware
from django_otp.middleware import is_verified as otp_is_verified
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from .models import User
from .permissions import can_reset_authenticators, roles_of

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery codes"
# The second factor of an identity provider the operator trusts for it (see partners/oidc.py).
PROVIDER_DEVICE_PREFIX = "identity provider: "
# Pages an unverified user may still reach: the MFA pages themselves, signing out, language.
# The setup page itself refuses to replace a confirmed authenticator without the current factor.
MFA_FLOW_URL_NAMES = {
    "mfa-setup",
    "mfa-verify",
    "logout",
    "set_language",
    "mfa-passkeys",
    # The passkey ceremonies: signing in with one, and enrolling a first one (the views
    # refuse to add one without the current factor when one exists).
    "mfa-passkey-auth-begin",
    "mfa-passkey-auth-complete",
    "mfa-passkey-register-begin",
    "mfa-passkey-register-complete",
}
PASSKEY_NAME_MAX_LENGTH = 64
# When the session last passed the second factor (seconds since the epoch).
VERIFIED_AT_SESSION_KEY = "mfa_verified_at"


def mfa_exempt(user: User) -> bool:
    """Only the demo users of a DEBUG installation (see settings.development)."""
    from .demo import DEMO_USERNAMES

    return settings.MFA_EXEMPT_DEMO_USERS and user.username in DEMO_USERNAMES


def mfa_required(user: User) -> bool:
    if not user.is_authenticated or mfa_exempt(user):
        return False
    if user.is_staff or user.is_superuser:  # known without reading the role set
        return True
    roles = roles_of(user)
    return roles.secretariat or roles.administrator


def mfa_enrolled(user: User) -> bool:
    """The user has a second factor: a confirmed authenticator app or a confirmed passkey.
    The MFA gate, the verify page and every "replace the factor" rule ask this."""
    return has_totp(user) or has_passkey(user)


def has_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_passkey(user: User) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def factor_change_needs_reauthentication(request: HttpRequest) -> bool:
    """Adding or replacing a second factor (an app, a passkey) or removing one, when one
    exists, needs the current factor (or a recovery code) checked recently in this session:
    a password alone never changes the second factor."""
    return mfa_enrolled(request.user) and not recently_verified(request)


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for the setup page; earlier unconfirmed ones go."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, token: str, current_factor_checked: bool) -> list[str]:
    """Confirm the pending authenticator with a code from it; returns new recovery codes.

    Replacing a confirmed authenticator needs the current factor (or a recovery code) checked
    recently in this session (``current_factor_checked``): a password alone never replaces it.
    """
    if mfa_enrolled(user) and not current_factor_checked:
        raise ValidationError(
            _("Confirm with your current authenticator or a recovery code before replacing it.")
        )
    device = (
        TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk")
    ).first()
    if device is None:
        raise ValidationError(_("Start the setup again: no authenticator is waiting."))
    if not device.verify_token(token.strip().replace(" ", "")):
        raise ValidationError(
            _("The code is not right. Check the time on your phone and try again.")
        )
    device.confirmed = True
    device.save(update_fields=["confirmed", "last_t", "drift"])
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    return recovery_codes_regenerate(user=user)


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


def mfa_verify(*, request: HttpRequest, token: str) -> bool:
    """Check a code from the authenticator or a recovery code, and mark the session verified."""
    token = (token or "").strip().replace(" ", "")
    if not token:
        return False
    device = django_otp.match_token(request.user, token)
    if device is None:
        return False
    mark_verified(request, device)
    return True


def mark_verified(request: HttpRequest, device) -> None:
    """The session has passed the second factor with this device, now."""
    django_otp.login(request, device)
    request.session[VERIFIED_AT_SESSION_KEY] = int(time.time())


def provider_device(*, user: User, provider_key: str) -> StaticDevice:
    """The device that stands for an identity provider's own second factor.

    A static device without tokens: no code ever matches it, so it counts only when the OIDC
    sign-in marks the session verified with it (partners.oidc_views), and an administrator's
    reset removes it with the rest.
    """
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=f"{PROVIDER_DEVICE_PREFIX}{provider_key}"[:64], defaults={"confirmed": True}
    )
    return device


def recently_verified(request: HttpRequest) -> bool:
    """The session passed the second factor within settings.MFA_REAUTH_SECONDS."""
    if not request.user.is_authenticated or not request.user.is_verified():
        return False
    verified_at = request.session.get(VERIFIED_AT_SESSION_KEY) or 0
    return time.time() - verified_at <= settings.MFA_REAUTH_SECONDS


def reauthentication_needed(request: HttpRequest) -> bool:
    """A sensitive action by someone who must use two factors needs a recent check of them."""
    return mfa_required(request.user) and not recently_verified(request)


def reauthenticate_redirect(request: HttpRequest, next_url: str | None = None) -> HttpResponse:
    """Send the user to confirm the second factor again, then back to next_url."""
    target = next_url or request.get_full_path()
    return redirect(f"{reverse('mfa-verify')}?{urlencode({'next': target, 'again': '1'})}")


@transaction.atomic
def mfa_reset(*, user: User, by: User, reason: str) -> int:
    """An administrator removes a lost authenticator and its recovery codes, audited.

    The person is signed out everywhere and enrols anew at the next sign-in. Returns the
    number of devices removed.
    """
    from django.core.exceptions import PermissionDenied

    from . import services

    if not can_reset_authenticators(by):
        raise PermissionDenied(_("Only an administrator resets a lost authenticator."))
    if by.pk == user.pk:
        raise ValidationError(_("Ask another administrator to reset your own authenticator."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason; it is kept in the audit trail.")})
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    removed += WebAuthnCredential.objects.filter(user=user).delete()[0]
    services.sessions_end(user=user)
    from auditlog.models import LogEntry

    LogEntry.objects.log_create(
        user,
        action=LogEntry.Action.UPDATE,
        changes={"two-factor": ["enrolled", "reset"], "reason": ["", reason]},
        actor=by,
        force_log=True,
    )
    return removed


# --- passkeys ---------------------------------------------------------------------------------


def passkeys_of(user: User):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def passkey_name_clean(name: str) -> str:
    from core.text import clean_text

    return clean_text(name or "")[:PASSKEY_NAME_MAX_LENGTH] or _("Passkey")


@transaction.atomic
def passkey_registered(
    *, request: HttpRequest, passkey: WebAuthnCredential, name: str, was_verified: bool
) -> None:
    """A passkey was just registered by the ceremony: give it the person's name for it,
    audit it, and (enrolling a first factor) count the session as verified with it."""
    passkey.name = passkey_name_clean(name)
    passkey.save(update_fields=["name"])
    _audit_factor(request.user, change=["", f"passkey added: {passkey.name}"], by=request.user)
    if not was_verified:
        mark_verified(request, passkey)


@transaction.atomic
def passkey_remove(*, user: User, passkey_id: int, current_factor_checked: bool) -> str:
    """Remove one of the user's passkeys; returns its name. Needs the current factor checked
    recently; the only second factor of someone whose role requires one stays."""
    if not current_factor_checked:
        raise ValidationError(_("Confirm your second factor again before removing a passkey."))
    passkey = (
        WebAuthnCredential.objects.select_for_update().filter(user=user, pk=passkey_id).first()
    )
    if passkey is None:
        raise ValidationError(_("There is no such passkey."))
    others = passkeys_of(user).exclude(pk=passkey.pk).exists() or has_totp(user)
    if mfa_required(user) and not others:
        raise ValidationError(
            _("Your role requires a second factor: add another before removing your only one.")
        )
    name = passkey.name
    passkey.delete()
    _audit_factor(user, change=[f"passkey: {name}", "removed"], by=user)
    return name


def _audit_factor(user: User, *, change: list[str], by: User) -> None:
    from auditlog.models import LogEntry

    LogEntry.objects.log_create(
        user,
        action=LogEntry.Action.UPDATE,
        changes={"two-factor": change},
        actor=by,
        force_log=True,
    )


def webauthn_rp_id(request: HttpRequest) -> str:
    """The relying party of a passkey: the host the portal answers on (no port)."""
    from django.http.request import split_domain_port

    return split_domain_port(request.get_host())[0]


class PortalWebAuthnHelper(WebAuthnHelper):
    """The configured origins, and the request's own: its host passed ALLOWED_HOSTS."""

    def get_allowed_origins(self) -> list[str]:
        own = f"{self.request.scheme}://{self.request.get_host()}"
        return [*settings.OTP_WEBAUTHN_ALLOWED_ORIGINS, own]


def safe_next(request: HttpRequest, default: str = "dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


class LazyOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, but the session's device is read when the request first asks
    (``is_verified()``, ``otp_device``), not for every signed-in request: the MFA gate asks
    only for people who must use two factors (mfa_required, answered from the role set)."""

    def _verify_user_sync(self, request, user):
        if not user.is_authenticated or not isinstance(user, User):
            return super()._verify_user_sync(request, user)
        # request.user is AuthenticationMiddleware's lazy object, evaluated by the line above.
        person = getattr(user, "_wrapped", user)
        person.is_verified = functools.partial(otp_is_verified, person)
        if "_otp_device" not in person.__dict__:
            person.__dict__["_otp_device_loader"] = functools.partial(
                self._session_device, request, person
            )
        return person

    def _session_device(self, request, user):
        persistent_id = request.session.get(django_otp.DEVICE_ID_SESSION_KEY)
        device = self._device_from_persistent_id(persistent_id) if persistent_id else None
        return self._finalize_device(request, user, device)


class MFARequiredMiddleware:
    """Users who must use two factors reach nothing but the MFA pages until they have."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        # mfa_required first: it is answered from the cached roles, is_verified() may query.
        if not user.is_authenticated or not mfa_required(user) or user.is_verified():
            return None
        match = request.resolver_match
        if match and match.view_name in MFA_FLOW_URL_NAMES:
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Two-factor verification is required for this account.")},
                status=403,
            )
        target = "mfa-verify" if mfa_enrolled(user) else "mfa-setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
