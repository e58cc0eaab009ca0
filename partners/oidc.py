"""Sign-in with the partners' own identity providers (OpenID Connect, mozilla-django-oidc).

The providers are configured by the operator (settings.OIDC_PROVIDERS, from the environment;
see README "Configuration"). A provider only proves who someone is: a person signs in only when
the e-mail address the provider has *verified* belongs to an account in use or to a pending
invitation (partners.auth.account_for_verified_email). No account and no role is created from
a token; roles come from the portal. The provider's own second factor (`amr`, `acr`) counts as
the portal's only where the operator says so for that provider (`mfa_amr`, `mfa_acr`).

One callback URL serves every provider: the sign-in view remembers, per `state`, which provider
it sent the person to, and the backend reads it back from the session.
"""

import logging
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from .models import User

logger = logging.getLogger(__name__)

# Session keys: which provider each outstanding `state` belongs to; after sign-in, the provider
# and (for RP-initiated logout) the ID token.
STATE_PROVIDERS_SESSION_KEY = "oidc_state_providers"
PROVIDER_SESSION_KEY = "oidc_provider"
ID_TOKEN_SESSION_KEY = "oidc_id_token_hint"  # noqa: S105 (a session key's name)
DISCOVERY_CACHE_SECONDS = 60 * 60
ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "end_session_endpoint",
)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Provider:
    """One identity provider, as the operator configured it."""

    key: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"
    # The values of the ID token's `amr` (any of them) or `acr` that count as the portal's
    # second factor. Empty: the person passes the portal's own TOTP check as well.
    mfa_amr: tuple[str, ...] = ()
    mfa_acr: tuple[str, ...] = ()
    # The e-mail domains this provider speaks for (e.g. an organisation's own tenant); empty:
    # any address (for a broker that serves many organisations).
    email_domains: tuple[str, ...] = ()
    # Endpoints given explicitly; the others come from the issuer's discovery document.
    endpoints: dict[str, str] = field(default_factory=dict)

    def metadata(self) -> dict[str, str]:
        """The endpoints: the configured ones over the issuer's discovery document (cached)."""
        if all(self.endpoints.get(name) for name in ENDPOINTS[:4]):
            return dict(self.endpoints)
        cache_key = f"oidc-discovery:{self.issuer}"
        document = cache.get(cache_key)
        if document is None:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            response = requests.get(url, timeout=import_from_settings("OIDC_TIMEOUT", 10))
            response.raise_for_status()
            document = response.json()
            if document.get("issuer") != self.issuer:
                raise SuspiciousOperation("The discovery document names another issuer.")
            cache.set(cache_key, document, DISCOVERY_CACHE_SECONDS)
        found = {name: document.get(name, "") for name in ENDPOINTS}
        return {**found, **{k: v for k, v in self.endpoints.items() if v}}

    def satisfies_mfa(self, id_claims: dict) -> bool:
        """The provider's own second factor counts here (only where configured)."""
        amr = id_claims.get("amr") or []
        if isinstance(amr, str):
            amr = [amr]
        if self.mfa_amr and set(amr) & set(self.mfa_amr):
            return True
        return bool(self.mfa_acr) and id_claims.get("acr") in self.mfa_acr

    def speaks_for(self, email: str) -> bool:
        """The address is in one of the provider's domains (or it has none configured)."""
        domain = email.rpartition("@")[2].casefold()
        return not self.email_domains or domain in self.email_domains


def _provider_from_config(entry: dict) -> Provider:
    if not isinstance(entry, dict):
        raise ImproperlyConfigured("OIDC_PROVIDERS must be a JSON list of objects")
    missing = [name for name in ("key", "name", "issuer", "client_id") if not entry.get(name)]
    if missing:
        raise ImproperlyConfigured(f"OIDC_PROVIDERS: an entry lacks {', '.join(missing)}")
    return Provider(
        key=str(entry["key"]),
        name=str(entry["name"]),
        issuer=str(entry["issuer"]),
        client_id=str(entry["client_id"]),
        client_secret=str(entry.get("client_secret", "")),
        scopes=str(entry.get("scopes") or "openid email profile"),
        mfa_amr=tuple(entry.get("mfa_amr") or ()),
        mfa_acr=tuple(entry.get("mfa_acr") or ()),
        email_domains=tuple(d.casefold().lstrip("@") for d in entry.get("email_domains") or ()),
        endpoints={name: str(entry[name]) for name in ENDPOINTS if entry.get(name)},
    )


def _entries() -> list:
    entries = settings.OIDC_PROVIDERS
    return entries if isinstance(entries, list) else [entries]


def _configured() -> list[Provider]:
    """The providers whose entries can be read; an unreadable one is logged and left out."""
    configured = []
    for entry in _entries():
        try:
            configured.append(_provider_from_config(entry))
        except ImproperlyConfigured as exc:
            logger.error("OIDC provider not offered: %s", exc)
    return configured


def provider_problems(provider: Provider) -> list[str]:
    """What keeps this provider from being used safely (reported by the system check)."""
    problems = []
    if not provider.client_secret:
        problems.append(f"OIDC_PROVIDERS[{provider.key}]: client_secret is missing")
    if "openid" not in provider.scopes.split() or "email" not in provider.scopes.split():
        problems.append(f"OIDC_PROVIDERS[{provider.key}]: scopes need openid and email")
    for url in (provider.issuer, *provider.endpoints.values()):
        parsed = urlparse(url)
        if parsed.scheme == "https":
            continue
        # Plain HTTP only to this machine, and only when the settings allow it (the tests).
        if not (settings.OIDC_ALLOW_HTTP_LOOPBACK and parsed.hostname in LOOPBACK_HOSTS):
            problems.append(f"OIDC_PROVIDERS[{provider.key}]: {url} must use https")
    return problems


def providers() -> list[Provider]:
    """The usable providers, in the order the sign-in page shows them (none: feature off).

    A misconfigured one is left out (and logged): gunicorn runs no system checks.
    """
    usable = []
    for provider in _configured():
        problems = provider_problems(provider)
        if problems:
            logger.error("OIDC provider %s not offered: %s", provider.key, "; ".join(problems))
        else:
            usable.append(provider)
    return usable


def provider_get(key: str) -> Provider | None:
    return next((p for p in providers() if p.key == key), None)


def configuration_problems() -> list[str]:
    """What is wrong with OIDC_PROVIDERS (the system check reports it)."""
    problems = []
    for entry in _entries():
        try:
            _provider_from_config(entry)
        except ImproperlyConfigured as exc:
            problems.append(str(exc))
    configured = _configured()
    keys = [p.key for p in configured]
    if len(keys) != len(set(keys)):
        problems.append("OIDC_PROVIDERS: two providers have the same key")
    for provider in configured:
        problems += provider_problems(provider)
    return problems


def configuration_warnings() -> list[str]:
    """Allowed, but worth a second look (the system check warns)."""
    return [
        f"OIDC_PROVIDERS[{p.key}]: no email_domains, so it may sign in any address"
        for p in _configured()
        if not p.email_domains
    ]


def state_of(redirect_url: str) -> str:
    return parse_qs(urlparse(redirect_url).query).get("state", [""])[0]


def logout_url(request: HttpRequest, *, post_logout_redirect_uri: str) -> str | None:
    """RP-initiated logout at the provider the person signed in with, where it offers it."""
    provider = provider_get(request.session.get(PROVIDER_SESSION_KEY) or "")
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    if provider is None or not id_token:
        return None
    try:
        endpoint = provider.metadata().get("end_session_endpoint")
    except (requests.RequestException, ValueError, SuspiciousOperation):
        logger.warning("OIDC provider %s: no discovery document for sign-out", provider.key)
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": provider.client_id,
            "post_logout_redirect_uri": post_logout_redirect_uri,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


@dataclass
class SignInOutcome:
    """What the backend learnt, for the callback view (set on the request)."""

    provider: Provider | None = None
    problem: str = ""  # "", "unverified", "domain", "unknown"
    id_token: str = ""
    mfa: bool = False


def outcome_of(request: HttpRequest) -> SignInOutcome:
    if not hasattr(request, "oidc_outcome"):
        request.oidc_outcome = SignInOutcome()
    return request.oidc_outcome


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """The code flow of mozilla-django-oidc, per provider, matching people by verified e-mail.

    Inert unless the request is the OIDC callback with a `state` this session started.
    """

    def __init__(self, *args, **kwargs):
        # The provider is known only per request (authenticate), not when Django builds backends.
        self.UserModel = User
        self.provider: Provider | None = None

    def get_settings(self, attr, *args):
        provider = getattr(self, "provider", None)
        if provider is not None:
            metadata = self._metadata
            per_provider = {
                "OIDC_OP_TOKEN_ENDPOINT": metadata.get("token_endpoint"),
                "OIDC_OP_USER_ENDPOINT": metadata.get("userinfo_endpoint"),
                "OIDC_OP_JWKS_ENDPOINT": metadata.get("jwks_uri"),
                "OIDC_RP_CLIENT_ID": provider.client_id,
                "OIDC_RP_CLIENT_SECRET": provider.client_secret,
                "OIDC_RP_SCOPES": provider.scopes,
                "OIDC_RP_SIGN_ALGO": "RS256",
                "OIDC_RP_IDP_SIGN_KEY": None,
            }
            if attr in per_provider:
                return per_provider[attr]
        return import_from_settings(attr, *args)

    def _use_provider(self, provider: Provider) -> None:
        self.provider = provider
        self._metadata = provider.metadata()
        for attr in (
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
            "OIDC_RP_CLIENT_ID",
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_RP_SIGN_ALGO",
            "OIDC_RP_IDP_SIGN_KEY",
        ):
            setattr(self, attr, self.get_settings(attr))

    def authenticate(self, request, **kwargs):
        match = getattr(request, "resolver_match", None) if request is not None else None
        if match is None or match.url_name != "oidc-callback":
            return None
        state = request.GET.get("state", "")
        key = request.session.get(STATE_PROVIDERS_SESSION_KEY, {}).pop(state, None)
        request.session.modified = True
        provider = provider_get(key or "")
        if provider is None:
            return None
        outcome_of(request).provider = provider
        try:
            self._use_provider(provider)
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException, ValueError) as exc:
            # A token refused (signature, issuer, audience, expiry, nonce) or a code the provider
            # refused (used twice, another client's): a failed sign-in, which django-axes counts.
            # The messages name the check (or the provider's error), never a token or a code.
            logger.warning("OIDC sign-in with %s refused: %s", provider.key, exc)
            return None

    def _verify_jws(self, payload, key):
        """Signature, issuer, audience, expiry: a token that fails any of them is refused."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The ID token is not signed with the expected algorithm.")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.provider.client_id,
                issuer=self.provider.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc.__class__.__name__}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.provider.client_id:
            raise SuspiciousOperation("ID token refused: issued to another party (azp).")
        return claims

    def store_tokens(self, access_token, id_token):
        outcome_of(self.request).id_token = id_token

    def get_userinfo(self, access_token, id_token, payload):
        """The userinfo claims, which must be about the ID token's subject."""
        claims = super().get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo is about another subject.")
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        # The second factor is read from the ID token (signed), not from the userinfo.
        outcome_of(self.request).mfa = self.provider.satisfies_mfa(payload)
        return super().get_or_create_user(access_token, id_token, payload)

    def verify_claims(self, claims):
        # Only a verified address (email_verified true, as a boolean) identifies a person.
        if not claims.get("email") or claims.get("email_verified") is not True:
            outcome_of(self.request).problem = "unverified"
            return False
        return True

    def filter_users_by_claims(self, claims):
        from .auth import account_for_verified_email

        if not self.provider.speaks_for(claims["email"]):
            outcome_of(self.request).problem = "domain"
            return self.UserModel.objects.none()
        user = account_for_verified_email(claims["email"])
        if user is None:
            outcome_of(self.request).problem = "unknown"
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(pk=user.pk)

    def create_user(self, claims):
        # Never: an account comes from the portal (an invitation), not from a token.
        outcome_of(self.request).problem = "unknown"
        raise SuspiciousOperation("No account is created from an identity provider's token.")

    def update_user(self, user, claims):
        from .services import invitation_accept_by_provider

        invitation_accept_by_provider(user=user, provider_name=self.provider.name)
        return user

    def get_user(self, user_id):
        # ModelBackend's: an inactive account's session signs nobody in.
        return ModelBackend.get_user(self, user_id)
