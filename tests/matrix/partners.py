from . import SIGNED_IN, Case, api, only, page, public

AARHUS = {"code": "751"}  # in DGO Midtjylland: coordinator_a's, not coordinator_b's
EDITORS = {"coordinator_a", "secretariat"}  # not the administrator: users, not content

CASES = [
    page("dashboard"),
    page("municipality-list"),
    page("municipality-detail", AARHUS),
    only("municipality-edit", EDITORS, AARHUS),
    page("dgo-list"),
    page("dgo-detail", {"slug": "midtjylland"}),
    page("organisation-list"),
    page("profile"),
    page("notification-list"),
    page("search"),
    Case("notification-read", {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)}),
    page("mfa-setup"),
    page("mfa-verify"),
    Case("mfa-recovery-codes", {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)}),
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
    public("health"),
    page("bench-floor"),
    # Sign-in and password pages
    public("login"),
    Case("logout", {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 405)}),
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
