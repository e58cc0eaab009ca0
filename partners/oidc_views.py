"""The OpenID Connect sign-in pages (see partners/oidc.py) and the portal's sign-out.

mozilla-django-oidc's views, given the provider per request; every failure (a token refused,
a state not found, the provider unreachable) ends on the sign-in page with a message, never a 500.
"""

import logging

import requests
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LogoutView
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from . import oidc
from .mfa import mark_verified, provider_device

logger = logging.getLogger(__name__)

PROBLEMS = {
    "unknown": lambda name: (
        _(
            "No account or invitation in the portal has the e-mail address %(provider)s gave. Ask "
            "the secretariat or your coordinator for an invitation, or sign in with your password."
        )
        % {"provider": name}
    ),
    "unverified": lambda name: (
        _(
            "%(provider)s has not confirmed your e-mail address, so the portal cannot sign you in "
            "with it. Sign in with your password, or ask your organisation's IT support."
        )
        % {"provider": name}
    ),
    "domain": lambda name: (
        _(
            "%(provider)s does not sign in addresses of that domain here. Sign in with the "
            "provider of your own organisation, or with your password."
        )
        % {"provider": name}
    ),
    "": lambda name: (
        _("Signing in with %(provider)s did not succeed. Try again, or sign in with your password.")
        % {"provider": name}
    ),
}


@method_decorator([login_not_required, never_cache], name="dispatch")
class ProviderSignInView(OIDCAuthenticationRequestView):
    """Sends the person to their organisation's provider (one URL per configured provider)."""

    def __init__(self, **kwargs):
        # The provider comes from the URL (setup), not from global settings.
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.provider = oidc.provider_get(kwargs.get("provider", ""))

    def get_settings(self, attr, *args):
        if attr == "OIDC_RP_SCOPES":
            return self.provider.scopes
        return import_from_settings(attr, *args)

    def get(self, request, provider):
        if self.provider is None:
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.provider.metadata()["authorization_endpoint"]
        except (requests.RequestException, ValueError, KeyError, SuspiciousOperation):
            logger.warning("OIDC provider %s: discovery failed", self.provider.key)
            messages.error(request, PROBLEMS[""](self.provider.name))
            return HttpResponseRedirect(reverse("login"))
        self.OIDC_RP_CLIENT_ID = self.provider.client_id
        response = super().get(request)
        states = request.session.get(oidc.STATE_PROVIDERS_SESSION_KEY, {})
        # Keep as many as mozilla-django-oidc keeps states (OIDC_MAX_STATES).
        pending = set(request.session.get("oidc_states", {}))
        states = {state: key for state, key in states.items() if state in pending}
        states[oidc.state_of(response["Location"])] = self.provider.key
        request.session[oidc.STATE_PROVIDERS_SESSION_KEY] = states
        return response


@method_decorator([login_not_required, never_cache], name="dispatch")
class ProviderCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the person back here with a code; the backend does the rest."""

    @property
    def failure_url(self):
        return reverse("login")

    def get(self, request):
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException, ImproperlyConfigured) as exc:
            # Never the token or the code in the log: the kind of failure is enough.
            logger.warning("OIDC sign-in refused: %s", exc.__class__.__name__)
            return self.login_failure()

    def login_failure(self):
        outcome = oidc.outcome_of(self.request)
        provider = outcome.provider or oidc.provider_get(
            self.request.session.get(oidc.STATE_PROVIDERS_SESSION_KEY, {}).get(
                self.request.GET.get("state", ""), ""
            )
        )
        name = provider.name if provider else _("your organisation")
        messages.error(self.request, PROBLEMS[outcome.problem](name))
        return super().login_failure()

    def login_success(self):
        response = super().login_success()
        outcome = oidc.outcome_of(self.request)
        session = self.request.session
        session[oidc.PROVIDER_SESSION_KEY] = outcome.provider.key
        session[oidc.ID_TOKEN_SESSION_KEY] = outcome.id_token
        if outcome.mfa:
            # The operator trusts this provider's second factor: the session passes the
            # portal's MFA gate the same way a TOTP code passes it.
            mark_verified(
                self.request, provider_device(user=self.user, provider_key=outcome.provider.key)
            )
        return response


provider_sign_in = ProviderSignInView.as_view()
provider_callback = ProviderCallbackView.as_view()


class PortalLogoutView(LogoutView):
    """Ends the portal session; then RP-initiated logout where the provider offers it."""

    def post(self, request, *args, **kwargs):
        end_session = oidc.logout_url(
            request, post_logout_redirect_uri=request.build_absolute_uri(reverse("login"))
        )
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(end_session) if end_session else response


logout = PortalLogoutView.as_view()
