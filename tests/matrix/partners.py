from . import SIGNED_IN, Case, api, only, page, public

AARHUS = {"code": "751"}  # in DGO Midtjylland: coordinator_a's, not coordinator_b's
EDITORS = {"coordinator_a", "secretariat"}  # not the administrator: users, not content


def api_tokens(users) -> dict:
    """Every signed-in role holds a live, a read-only expiring and a revoked token (once)."""
    import datetime

    from django.utils import timezone

    from partners import services
    from partners.models import ApiToken

    for user in users.values():
        if user is None or ApiToken.objects.filter(user=user).exists():
            continue
        services.api_token_create(user=user, name="ESG-system")
        services.api_token_create(
            user=user,
            name="Rapportudtræk",
            read_only=True,
            expires_at=timezone.now() + datetime.timedelta(days=30),
        )
        old = services.api_token_create(user=user, name="Gammelt script").token
        services.api_token_revoke(token=old, by=user)
    return {"pk": ApiToken.objects.filter(revoked_at__isnull=True).values_list("pk", flat=True)[0]}


CASES = [
    page("dashboard"),
    page("municipality-list"),
    page("municipality-detail", AARHUS),
    only("municipality-edit", EDITORS, AARHUS),
    page("dgo-list"),
    page("dgo-detail", {"slug": "midtjylland"}),
    page("organisation-list"),
    page("profile"),
    # The token section with a live, a read-only expiring and a revoked token.
    page("profile", setup=lambda users: api_tokens(users) and {}),
    Case("api-token-create", {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)}),
    Case(
        "api-token-revoke",
        {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)},
        setup=lambda users: {"pk": api_tokens(users)["pk"]},
    ),
    page("notification-list"),
    page("notification-preferences"),
    page("search"),
    Case("notification-read", {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)}),
    page("mfa-setup"),
    page("mfa-verify"),
    Case("mfa-recovery-codes", {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)}),
    page("mfa-passkeys"),
    Case("mfa-passkey-remove", {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)}, {"pk": 1}),
    # The passkey ceremonies answer JSON to POSTs only (tests/test_passkeys.py).
    *(
        Case(name, {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)})
        for name in (
            "mfa-passkey-register-begin",
            "mfa-passkey-register-complete",
            "mfa-passkey-auth-begin",
            "mfa-passkey-auth-complete",
        )
    ),
    public("accessibility"),
    only("audit-log", {"secretariat"}),
    only(
        "person-personal-data",
        {"secretariat", "administrator"},
        setup=lambda users: {"pk": users["member"].pk},
    ),
    Case(
        "person-anonymise",
        {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)},
        setup=lambda users: {"pk": users["member"].pk},
    ),
    # People and access administration
    only("municipality-people", {"coordinator_a", "secretariat", "administrator"}, AARHUS),
    only("dgo-people", {"coordinator_a", "secretariat", "administrator"}, {"slug": "midtjylland"}),
    page("directory"),
    Case("profile-visibility", {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)}),
    only("people-list", {"secretariat", "administrator"}),
    only("person-invite", {"coordinator_a", "coordinator_b", "secretariat", "administrator"}),
    only("people-import", {"secretariat", "administrator"}),
    only("people-import-template", {"secretariat", "administrator"}),
    Case("people-import-confirm", {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)}),
    only(
        "person-detail",
        {"secretariat", "administrator"},
        setup=lambda users: {"pk": users["member"].pk},
    ),
    *(
        Case(
            name,
            {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)},
            setup=lambda users: {"pk": users["member"].pk},
        )
        for name in (
            "person-deactivate",
            "person-reactivate",
            "person-reinvite",
            "person-mfa-reset",
        )
    ),
    Case(
        "role-revoke",
        {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)},
        setup=lambda users: {"pk": users["coordinator_a"].role_assignments.get().pk},
    ),
    public("invitation-accept", {"token": "not-a-real-token"}, status=404),
    public("health"),
    public("health-live"),
    public("health-ready"),
    public("metrics"),  # the test client's address is 127.0.0.1, an allowed network
    page("bench-floor"),
    # Sign-in and password pages
    public("login"),
    Case("logout", {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)}),
    # Sign-in through an identity provider: none is configured in the tests' settings (the
    # flow itself is tested against a real provider in tests/partners/test_oidc.py).
    public("oidc-sign-in", {"provider": "testkommune"}, status=404),
    public("oidc-callback", status=302),  # no state of this session: back to the sign-in page
    page("password_change"),
    page("password_change_done"),
    public("password_reset"),
    public("password_reset_done"),
    public("password_reset_complete"),
    public("password_reset_confirm", {"uidb64": "MQ", "token": "set-password"}),
    Case(
        "set_language",
        {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 302)},
        method="post",
        data={"language": "en", "next": "/"},
    ),
    # API
    public("api-schema"),
    public("api-docs"),
    api("api-municipality-list"),
    api("api-municipality-detail", AARHUS),
    api("api-dgo-list"),
    api("api-dgo-detail", {"slug": "midtjylland"}),
]
