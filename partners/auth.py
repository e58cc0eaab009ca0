from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from .models import User

# The name django-axes counts failed sign-ins through an identity provider under.
OIDC_AXES_USERNAME = "openid-connect"


class EmailOrUsernameBackend(ModelBackend):
    """Sign in with either the username or the e-mail address, case-insensitively."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs,
    ) -> User | None:
        if not username or password is None:
            return None
        user = account_for_login(username)
        if user is None:
            # Run the hasher anyway so a missing account is not told apart by timing.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def account_for_login(name: str) -> User | None:
    """The one account a sign-in name means: its username or e-mail, in any case."""
    matches = list(User.objects.filter(Q(username__iexact=name) | Q(email__iexact=name))[:2])
    return matches[0] if len(matches) == 1 else None


def axes_username(request: HttpRequest | None, credentials: dict | None = None) -> str:
    """The name django-axes counts failures under: one per account, whatever the spelling.

    Sign-in accepts the username or the e-mail address in any case, so failures are counted
    under the account's username; a name that matches no account is counted case-folded.
    """
    from django.conf import settings

    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name == "oidc-callback":
        # Sign-ins through an identity provider carry no name before they succeed: they are
        # counted together per IP address, apart from the password sign-ins.
        return OIDC_AXES_USERNAME
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        name = credentials.get(field)
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        name = data.get(field)
    name = (name or "").strip()
    if not name:
        return name
    account = account_for_login(name)
    return account.username.casefold() if account is not None else name.casefold()


def account_for_verified_email(email: str) -> User | None:
    """The account an identity provider's verified e-mail address signs in, if any.

    The one active account with that address (in any case) that is in use (it has a password or
    has signed in before) or has an invitation still waiting. Nothing else: no account is made
    from a token, and an old, unanswered invitation is not a way in.
    """
    from django.utils import timezone

    from .models import Invitation

    matches = list(User.objects.filter(email__iexact=(email or "").strip(), is_active=True)[:2])
    if len(matches) != 1:
        return None
    user = matches[0]
    if user.has_usable_password() or user.last_login is not None:
        return user
    pending = Invitation.objects.filter(
        user=user,
        email__iexact=user.email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    return user if pending.exists() else None
