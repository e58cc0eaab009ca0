"""Constant cost per page: every list and detail page and every API list issues the same number
of queries on a small data set and on one ten times larger, and never more than 15.

Both data sets are built inside the test by the apps' `scale.py` modules (the same code as
`seed_scale`): first SMALL, measured, rolled back to a savepoint; then LARGE, measured. LARGE has
ten times the municipalities, actions per report, tracks, people and meetings of SMALL (and more
rounds). Each page is opened by the roles that see the most of it.

`test_every_get_page_is_measured_or_exempt` walks the URL matrix (tests/matrix) so that a new
page cannot be left out: it must be measured here or exempted below with a reason.
"""

import time
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.scale import Preset, seed_all
from governance.models import Decision, Meeting, Membership
from monitoring.models import DataRelease, EmissionFigure, Round, Sector, StatusReport
from partners.models import Municipality
from tracks.models import Allocation, ClimateAssessment, Track

from .browser import session_cookie
from .matrix import all_cases

# 15 before vote privacy: the track timeline asks for the viewer's seats (body_access).
MAX_QUERIES = 16
# The global search asks each portal app's search module (a fixed number of queries each,
# whatever the data, and none for an app the user may not read). With the evaluations and the
# data requests (issue 26) the secretariat's search issues 12 (partners and governance 3 each;
# tracks, planning, evaluations, data requests, events and the library one each): the page
# measured 16 for the secretariat and an FU member, 15 for a coordinator (the seats are read
# once, shared by governance, planning, evaluations, data requests and the menu). The 2 are
# room for the next apps' search modules.
EXTRA_QUERIES = {"search": 2}
SMALL = Preset(
    "small", rounds=2, actions=2, tracks=11, users=40, meetings_per_year=1, updates_per_track=1
)
LARGE = Preset(
    "large",
    rounds=4,
    actions=20,
    tracks=110,
    users=400,
    meetings_per_year=10,
    updates_per_track=10,
    synthetic_municipalities=882,  # 98 real + 882 = 980
)
MEASURED_OPEN_DATA = "streamed: measured below (test_open_data_per_municipality_is_flat)"
SECRETARIAT = ("secretariat",)
BROAD = ("secretariat", "coordinator_a", "member")


def _open_year() -> int:
    return Round.objects.filter(status=Round.Status.OPEN).get().year


def _closed_year() -> int:
    return Round.objects.filter(status=Round.Status.CLOSED).order_by("-year").first().year


def _report() -> StatusReport:
    return StatusReport.objects.filter(
        round__status=Round.Status.CLOSED, municipality__code="751"
    ).first()


def _draft_751() -> dict:
    """A report Aarhus (coordinator_a's DGO) is working on in the open round."""
    open_round = Round.objects.get(status=Round.Status.OPEN)
    report = StatusReport.objects.filter(round=open_round, municipality__code="751").first()
    if report is None:
        closed = _report()
        report = StatusReport.objects.get(pk=closed.pk)
        report.pk = None
        report.round = open_round
        report.state = StatusReport.State.DRAFT
        report.save()
    else:
        StatusReport.objects.filter(pk=report.pk).update(state=StatusReport.State.DRAFT)
    return {"year": open_round.year, "code": "751"}


def _track(status: str) -> Track:
    return Track.objects.filter(status=status).order_by("pk").first()


def _fu_decision() -> Decision:
    return Decision.objects.filter(body__code="fu").order_by("pk").first()


# name -> (kwargs from the data, query string, roles). Detail pages pick the same kind of object
# in both data sets; the large one has ten times more of everything around it.
PAGES = {
    # partners
    "dashboard": (dict, "", (*BROAD, "knowledge_partner", "observer")),
    "municipality-list": (dict, "", BROAD),
    "municipality-detail": (lambda: {"code": "751"}, "", BROAD),
    "dgo-list": (dict, "", BROAD),
    "dgo-detail": (lambda: {"slug": "midtjylland"}, "", BROAD),
    "organisation-list": (dict, "", SECRETARIAT),
    "notification-list": (dict, "", BROAD),
    "search": (dict, "?q=skala", BROAD),
    "audit-log": (dict, "", SECRETARIAT),
    "profile": (dict, "", BROAD),
    "api-municipality-list": (dict, "", BROAD),
    "api-municipality-detail": (lambda: {"code": "751"}, "", BROAD),
    "api-dgo-list": (dict, "", BROAD),
    "api-dgo-detail": (lambda: {"slug": "midtjylland"}, "", BROAD),
    # governance
    "body-list": (dict, "", BROAD),
    "body-detail": (lambda: {"code": "fu"}, "", BROAD),
    "meeting-detail": (
        lambda: {"pk": Meeting.objects.filter(body__code="fu").order_by("pk").first().pk},
        "",
        BROAD,
    ),
    "decision-list": (dict, "", BROAD),
    "decision-detail": (lambda: {"pk": _fu_decision().pk}, "", ("secretariat", "member")),
    # The seat form's person search without JavaScript (the form, filtered); its htmx answer is
    # measured in tests/governance/test_seat_search.py.
    "seat-person-search": (lambda: {"code": "fu"}, "?q=an", SECRETARIAT),
    "api-body-list": (dict, "", BROAD),
    "api-body-detail": (lambda: {"code": "fu"}, "", BROAD),
    "api-membership-list": (dict, "", BROAD),
    "api-membership-detail": (
        lambda: {"pk": Membership.objects.filter(body__code="fu").order_by("pk").first().pk},
        "",
        BROAD,
    ),
    "api-meeting-list": (dict, "", BROAD),
    "api-meeting-detail": (
        lambda: {"pk": Meeting.objects.filter(body__code="fu").order_by("pk").first().pk},
        "",
        ("secretariat", "member"),
    ),
    "api-decision-list": (dict, "", BROAD),
    "api-decision-detail": (lambda: {"pk": _fu_decision().pk}, "", ("secretariat", "member")),
    # monitoring
    "monitoring-round-list": (dict, "", BROAD),
    "monitoring-national": (dict, "", BROAD),
    "monitoring-dgo": (lambda: {"slug": "midtjylland"}, "", BROAD),
    "monitoring-municipality-emissions": (lambda: {"code": "751"}, "", BROAD),
    "monitoring-round-detail": (lambda: {"year": _open_year()}, "", BROAD),
    "monitoring-report-detail": (
        lambda: {"year": _closed_year(), "code": "751"},
        "",
        BROAD,
    ),
    "monitoring-report-edit": (_draft_751, "", ("secretariat", "coordinator_a")),
    "monitoring-round-export": (lambda: {"year": _open_year()}, "", SECRETARIAT),
    "monitoring-round-template": (lambda: {"year": _open_year()}, "", SECRETARIAT),
    "monitoring-indicator-template": (lambda: {"year": _open_year()}, "", SECRETARIAT),
    "api-monitoring-round-list": (dict, "", BROAD),
    "api-monitoring-round-detail": (lambda: {"year": _open_year()}, "", BROAD),
    "api-monitoring-report-list": (dict, "", BROAD),
    "api-monitoring-report-detail": (
        lambda: {"key": f"{_closed_year()}-751"},
        "",
        BROAD,
    ),
    "api-analysis-municipality": (lambda: {"code": "751"}, "", BROAD),
    # tracks
    "track-list": (dict, "", BROAD),
    "focus-area-list": (dict, "", BROAD),
    "track-detail": (lambda: {"pk": _track(Track.Status.RUNNING).pk}, "", BROAD),
    "track-proposal": (lambda: {"pk": _track(Track.Status.RUNNING).pk}, "", BROAD),
    "budget-overview": (dict, "", BROAD),
    "budget-export-csv": (dict, "", SECRETARIAT),
    "budget-export-xlsx": (dict, "", SECRETARIAT),
    "pool-detail": (lambda: {"key": "regioner-likvide"}, "", BROAD),
    "allocation-approvals": (dict, "", SECRETARIAT),
    "api-track-list": (dict, "", BROAD),
    "api-track-detail": (lambda: {"pk": _track(Track.Status.RUNNING).pk}, "", BROAD),
    "api-assessment-list": (dict, "", BROAD),
    "api-assessment-detail": (
        lambda: {"pk": ClimateAssessment.objects.order_by("pk").first().pk},
        "",
        BROAD,
    ),
    "api-allocation-list": (dict, "", BROAD),
    "api-allocation-detail": (
        lambda: {"pk": Allocation.objects.order_by("pk").first().pk},
        "",
        BROAD,
    ),
    "api-budget-overview": (dict, "", BROAD),
    "ledger": (dict, "", BROAD),
    "api-spending-list": (dict, "", BROAD),
    # The rates and a DGO's co-financing grow in tests/tracks/test_rates_and_dgo.py too.
    "hourly-rates": (dict, "", BROAD),
    "api-hourly-rate-list": (dict, "", BROAD),
    "dgo-budget": (lambda: {"slug": "midtjylland"}, "", BROAD),
}

# GET pages that are not measured, and why.
# Pages added with issues 9-11 have query-count tests (small vs 10x data) beside their features.
MEASURED_IN_PEOPLE_TESTS = "measured with 10x people in tests/partners/test_people.py"
MEASURED_IN_OPEN_TESTS = "measured with 10x data in tests/test_open_pages_queries.py"
MEASURED_IN_DECISION_TESTS = "measured as data grow in tests/monitoring/test_analysis_decision.py"
MEASURED_IN_LIBRARY_TESTS = "measured with 10x products in tests/library/test_queries.py"
MEASURED_IN_PLANNING_TESTS = (
    "measured with 10x plans, activities, communications, risks and reviews in "
    "tests/planning/test_queries.py"
)
MEASURED_IN_EVENT_TESTS = (
    "measured with 10x events and registrations in tests/events/test_queries.py"
)

MEASURED_IN_EVALUATION_TESTS = (
    "measured with 10x evaluations and actions in tests/evaluations/test_queries.py"
)
MEASURED_IN_DATA_REQUEST_TESTS = (
    "measured with 10x requests and deliveries in tests/data_requests/test_queries.py"
)

EXEMPT = {
    "evaluation-list": MEASURED_IN_EVALUATION_TESTS,
    "evaluation-detail": MEASURED_IN_EVALUATION_TESTS,
    "evaluation-create": "empty form",
    "evaluation-edit": "a form for one evaluation's terms",
    "evaluation-report-download": "one file of one evaluation",
    "data-request-list": MEASURED_IN_DATA_REQUEST_TESTS,
    "data-request-detail": MEASURED_IN_DATA_REQUEST_TESTS,
    "data-request-create": "a form; its choices are the DGOs and the municipalities (2 queries)",
    "data-delivery-download": "one stored file of one delivery",
    "api-token-create": "POST only",
    "api-token-revoke": "POST only",
    "api-monitoring-draft-submit": "POST only",
    "api-monitoring-draft": (
        "one report, its figures, checklist and actions prefetched: a fixed count asserted in "
        "tests/monitoring/test_api_drafts.py"
    ),
    "municipality-edit": "a form for one municipality's own fields",
    "mfa-setup": "sign-in step, no data",
    "mfa-verify": "sign-in step, no data",
    "mfa-recovery-codes": "POST only",
    "mfa-passkeys": "the person's own passkeys: one query for a handful of rows",
    "mfa-passkey-remove": "POST only",
    "mfa-passkey-register-begin": "POST only (JSON ceremony)",
    "mfa-passkey-register-complete": "POST only (JSON ceremony)",
    "mfa-passkey-auth-begin": "POST only (JSON ceremony)",
    "mfa-passkey-auth-complete": "POST only (JSON ceremony)",
    "person-mfa-reset": "POST only",
    "spending-reverse": "a confirmation form for one entry",
    "track-principles": "a form for one track's five principles",
    "api-spending-detail": "one entry",
    "notification-read": "POST only",
    "notification-preferences": "a form of one person's choices (one query for them)",
    "person-personal-data": "one person's own data export (partners' people admin)",
    "person-anonymise": "a confirmation form for one person",
    "accessibility": "static page",
    "health": "no data",
    "health-live": "no data",
    "health-ready": "no data (the checks' own queries are fixed)",
    "metrics": "no data (counters in memory)",
    "bench-floor": "the benchmark's floor, no data",
    "login": "no data",
    "logout": "POST only",
    "oidc-sign-in": "a redirect to the identity provider, no data",
    "oidc-callback": "a redirect after the provider's answer (one account looked up)",
    "password_change": "form",
    "password_change_done": "static",
    "password_reset": "form",
    "password_reset_done": "static",
    "password_reset_complete": "static",
    "password_reset_confirm": "form",
    "api-schema": "static schema",
    "api-docs": "static page",
    "meeting-create": "empty form",
    "decision-create": "empty form",
    "meeting-edit": "form for one meeting",
    "agenda-item-create": "empty form",
    "paper-upload": "empty form",
    "meeting-minutes": "form for one meeting's minutes",
    "body-minutes-setting": "form for one body's setting",
    "agenda-item-edit": "form for one agenda item",
    "agenda-item-up": "form for one agenda item (the note to the members)",
    "agenda-item-down": "form for one agenda item (the note to the members)",
    "agenda-item-remove": "form for one agenda item (the note to the members)",
    "paper-remove": "form for one paper (the note to the members)",
    "meeting-minutes-to-meeting": "form for one meeting",
    "meeting-pack": "a file (one meeting's agenda and papers)",
    "meeting-attendance": "measured as seats grow in tests/governance/test_meeting_votes.py",
    "decision-record-votes": "measured as seats grow in tests/governance/test_meeting_votes.py",
    "paper-download": "a file",
    "calendar-feed": "an iCalendar feed of one person's meetings, bounded by their seats",
    "monitoring-round-create": "empty form",
    "monitoring-round-import": "upload form",
    "monitoring-accounts-import": "upload form; its list of releases is measured flat in "
    "tests/monitoring/test_national_accounts.py",
    "monitoring-status-report": "request form for the PDF (the report benchmark measures it)",
    "monitoring-edition": "one edition's text; its key figures are the report's own aggregate "
    "queries, a fixed number (measured flat in tests/monitoring/test_editorial.py)",
    "monitoring-status-report-status": "progress of one PDF job",
    "monitoring-status-report-download": "a file",
    "track-create": "empty form",
    "focus-area-create": "empty form",
    "focus-area-edit": "form for one focus area",
    "track-edit": "form for one draft track",
    "track-put-to-fu": "form for one track",
    "assessment-write": "form for one track",
    "track-evaluate": "form for one track",
    "status-update-create": "empty form",
    "product-create": "empty form",
    "allocation-request": "form for one track",
    "product-download": "a file",
    "spending-create": "form",
    "dgo-contribution-create": "form (the DGO's co-financing parties: one query)",
    "dgo-budget-line-create": "form for one contribution",
    "api-hourly-rate-detail": "one rate",
    "budget-change-create": "form",
    "people-list": MEASURED_IN_PEOPLE_TESTS,
    "person-detail": MEASURED_IN_PEOPLE_TESTS,
    "municipality-people": MEASURED_IN_PEOPLE_TESTS,
    "dgo-people": MEASURED_IN_PEOPLE_TESTS,
    "body-people": MEASURED_IN_PEOPLE_TESTS,
    "directory": MEASURED_IN_PEOPLE_TESTS,
    "person-invite": "empty form",
    "person-reinvite": "action on one person (POST)",
    "person-deactivate": "action on one person (POST)",
    "person-reactivate": "action on one person (POST)",
    "role-revoke": "action on one role (POST)",
    "body-seat-end": "action on one seat (POST)",
    "seat-create": "form (the body page with many seats: tests/governance/test_seats.py)",
    "seat-edit": "form for one seat",
    "body-composition": "form for one body's rules",
    "invitation-accept": "form for one invitation",
    "profile-visibility": "form for one person",
    "people-import": "upload form",
    "people-import-confirm": "confirmation of one uploaded file",
    "people-import-template": "a file",
    "public-home": MEASURED_IN_OPEN_TESTS,
    "public-body-list": MEASURED_IN_OPEN_TESTS,
    "public-body-detail": MEASURED_IN_OPEN_TESTS,
    "public-track-list": MEASURED_IN_OPEN_TESTS,
    "public-track-detail": MEASURED_IN_OPEN_TESTS,
    "public-report-list": MEASURED_IN_OPEN_TESTS,
    "public-figures": MEASURED_IN_OPEN_TESTS,
    "public-figures-dgo": MEASURED_IN_OPEN_TESTS,
    "public-open-data": MEASURED_IN_OPEN_TESTS,
    "public-report-publishing": MEASURED_IN_OPEN_TESTS,
    "public-open-data-file": "a file (measured in tests/test_open_pages_queries.py)",
    "public-open-data-municipal": MEASURED_OPEN_DATA,
    "public-open-data-municipal-excel": MEASURED_OPEN_DATA,
    "public-open-data-package": "a fixed descriptor (no query)",
    "monitoring-round-close": "confirmation for one round (three count queries, whatever the size)",
    "monitoring-round-reopen": "form for one round",
    "api-open-municipal-emissions": MEASURED_OPEN_DATA,
    "public-product-download": "a file",
    "public-report-download": "a file",
    "meeting-list": "measured with 10x data in tests/test_list_queries.py",
    "monitoring-indicator-list": MEASURED_IN_DECISION_TESTS,
    "monitoring-indicator-detail": MEASURED_IN_DECISION_TESTS,
    "monitoring-municipality-peers": MEASURED_IN_DECISION_TESTS,
    "monitoring-due": MEASURED_IN_DECISION_TESTS,
    "api-analysis-due": MEASURED_IN_DECISION_TESTS,
    "api-analysis-peers": MEASURED_IN_DECISION_TESTS,
    "api-indicator-list": MEASURED_IN_DECISION_TESTS,
    "api-indicator-detail": MEASURED_IN_DECISION_TESTS,
    "api-indicator-value-list": MEASURED_IN_DECISION_TESTS,
    "monitoring-indicator-create": "empty form",
    "monitoring-indicator-edit": "form for one indicator",
    "monitoring-indicator-import": "upload form",
    "monitoring-digest": "form for one person",
    "monitoring-municipality-factsheet": "a one-page PDF (tests/monitoring/test_report_parts.py)",
    "monitoring-dgo-status-pack": "a PDF of a few pages; its context's fixed query count is "
    "tested in tests/monitoring/test_dgo_pack.py",
    "event-list": MEASURED_IN_EVENT_TESTS,
    "event-detail": MEASURED_IN_EVENT_TESTS,
    "event-attendance": MEASURED_IN_EVENT_TESTS,
    "public-event-list": MEASURED_IN_EVENT_TESTS,
    "public-event-detail": MEASURED_IN_EVENT_TESTS,
    "event-create": "empty form",
    "event-edit": "form for one event",
    "event-material-add": "upload form",
    "event-material-download": "a file",
    "library-list": MEASURED_IN_LIBRARY_TESTS,
    "library-detail": MEASURED_IN_LIBRARY_TESTS,
    "public-library-list": MEASURED_IN_LIBRARY_TESTS,
    "public-library-detail": MEASURED_IN_LIBRARY_TESTS,
    "library-create": "empty form",
    "library-edit": "form for one knowledge product",
    "library-download": "a file",
    "public-library-download": "a file",
    "plan-list": MEASURED_IN_PLANNING_TESTS,
    "plan-detail": MEASURED_IN_PLANNING_TESTS,
    "plan-status": MEASURED_IN_PLANNING_TESTS,
    "risk-list": MEASURED_IN_PLANNING_TESTS,
    "risk-detail": MEASURED_IN_PLANNING_TESTS,
    "plan-create": "empty form",
    "plan-edit": "form for one plan",
    "plan-put-to-fu": "form with one field",
    "activity-add": "empty form (its choices are one query each)",
    "activity-edit": "form for one activity",
    "activity-status": "form for one activity",
    "communication-add": "empty form",
    "risk-create": "empty form",
    "risk-edit": "form for one risk",
    "risk-review": "form for one risk",
}


def _open_figures(municipalities: int, years: int) -> None:
    """Official figures of one release: every sector group for `municipalities` x `years`."""
    release = f"2025-{EmissionFigure.objects.values('data_release').distinct().count() + 1}"
    DataRelease.objects.get_or_create(name=release, defaults={"source": "Energistyrelsen"})
    groups = list(Sector.objects.filter(parent__isnull=True))
    EmissionFigure.objects.bulk_create(
        EmissionFigure(
            municipality=m,
            year=2018 + y,
            sector=s,
            tonnes_co2e=Decimal(100 + y),
            data_release=release,
            data_source="Energistyrelsen",
        )
        for m in Municipality.objects.order_by("code")[:municipalities]
        for y in range(years)
        for s in groups
    )


def _streamed_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


def test_open_data_per_municipality_is_flat(client_for, role_users):
    """The files stream every row in one query; the API's page costs the same with ten times
    the figures (and a second, recalculating release beside the first)."""
    urls = [
        reverse("public-open-data-municipal", kwargs={"fmt": "csv"}),
        reverse("public-open-data-municipal", kwargs={"fmt": "json"}),
        reverse("public-open-data-municipal-excel"),
        reverse("api-open-municipal-emissions") + "?page_size=100",
        reverse("api-open-municipal-emissions") + "?year=2019&municipality_code=0101",
    ]
    cache.clear()

    def measure() -> dict:
        counts = {}
        for role in ("anonymous", "member"):
            client = client_for(role)
            _streamed_queries(client, urls[0])  # warm per-process caches (sessions)
            counts.update({(role, url): _streamed_queries(client, url) for url in urls})
        return counts

    _open_figures(9, 2)
    small = measure()
    _open_figures(90, 6)
    _open_figures(90, 1)  # a later release recalculating the first year
    large = measure()
    cache.clear()
    assert large == small
    assert max(large.values()) <= MAX_QUERIES, large


# A role's session is signed in afresh once it is this old: well inside the minute after which
# a request refreshes it (SessionRefreshMiddleware, one query), so that refresh never falls
# between a page's warm-up and its measured request.
SESSION_RENEWAL_SECONDS = 30


def _role_switcher(client, role_users):
    """client_for's signed-in client, with one session per role (signed in after the phase's
    cache.clear(), renewed every SESSION_RENEWAL_SECONDS) instead of a sign-in per page and
    role: each switch starts with no cookies, as client_for's logout does."""
    sessions: dict[str, tuple[str, float]] = {}

    def switch(role: str):
        client.cookies.clear()
        user = role_users[role]
        if user is not None:
            cookie, since = sessions.get(role, ("", 0.0))
            if time.monotonic() - since > SESSION_RENEWAL_SECONDS:
                cookie, since = session_cookie(user), time.monotonic()
                sessions[role] = cookie, since
            client.cookies[settings.SESSION_COOKIE_NAME] = cookie
        return client

    return switch


def _measure(client, role_users, preset: Preset) -> dict[tuple[str, str], int]:
    seed_all(preset, seed=7)
    cache.clear()
    client_for = _role_switcher(client, role_users)
    counts = {}
    for name, (kwargs, query, roles) in PAGES.items():
        url = reverse(name, kwargs=kwargs()) + query
        for role in roles:
            client = client_for(role)
            client.get(url)  # warm per-process caches (content types, sessions)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, (preset.name, role, url, response.status_code)
            counts[(name, role)] = len(queries)
    return counts


class Rollback(Exception):
    pass


def test_every_page_has_constant_query_count(client, role_users):
    small = {}
    try:
        with transaction.atomic():
            small = _measure(client, role_users, SMALL)
            raise Rollback
    except Rollback:
        pass
    large = _measure(client, role_users, LARGE)
    grows = {key: (small[key], large[key]) for key in small if large[key] != small[key]}
    too_many = {
        key: large[key] for key in large if large[key] > MAX_QUERIES + EXTRA_QUERIES.get(key[0], 0)
    }
    assert not grows, f"query count changes with the data (small, large): {grows}"
    assert not too_many, f"more than {MAX_QUERIES} queries: {too_many}"


def test_every_get_page_is_measured_or_exempt():
    names = {case.name for case in all_cases() if case.method == "get"}
    missing = names - set(PAGES) - set(EXEMPT)
    assert not missing, f"Measure these pages in tests/test_query_scaling.py: {sorted(missing)}"
    stale = (set(PAGES) | set(EXEMPT)) - names
    assert not stale, f"Not in the URL matrix any more: {sorted(stale)}"


def test_large_is_ten_times_small():
    """LARGE really is ten times SMALL in every dimension a list grows with."""
    assert LARGE.tracks == 10 * SMALL.tracks
    assert LARGE.users == 10 * SMALL.users
    assert LARGE.actions == 10 * SMALL.actions
    assert LARGE.meetings_per_year == 10 * SMALL.meetings_per_year
    assert LARGE.updates_per_track == 10 * SMALL.updates_per_track
    assert 98 + LARGE.synthetic_municipalities == 10 * 98
