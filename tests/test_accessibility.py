"""axe-core (WCAG 2.0 and 2.1, A and AA) on every page of the portal, for each role that may
open it, in Danish and English; at 360 px no page scrolls sideways; titles are unique.

The pages come from the URL matrix (tests/matrix): every GET case that some role opens (200) is
walked with that case's setup, for each role with a 200. So a new page is covered by the case
it needs in the matrix anyway; pages that are not HTML (downloads, feeds, the API) are listed
in EXCLUDED with the reason, and an HTML page that should be walked in another state is added
to EXTRA. Screenshots of the main pages at 1280 and 360 px go to test-artifacts/.
"""

import hashlib
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import transaction
from django.urls import reverse

from tests.browser import (
    ARTIFACTS,
    DESKTOP,
    MOBILE,
    session_cookie,
    use_cookies,
)
from tests.factories import sign_in
from tests.matrix import Case, all_cases, page
from tests.test_url_matrix import named_urls

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations", "incomplete"],
}
# axe's "incomplete" results are the checks it could not decide. These kinds are decided by
# the markup alone, so an incomplete one is a defect axe could not name for sure (an escaped
# aria-current="&quot;page&quot;" sat here while the walk read only the violations). Left out:
# color-contrast (incomplete where text lies over an image, a gradient or another element:
# checked by eye on the screenshots), and the checks that need a person to judge the content
# (e.g. video-caption, frame-tested).
REAL_INCOMPLETE = {
    "aria-valid-attr-value",
    "aria-valid-attr",
    "aria-allowed-attr",
    "aria-prohibited-attr",
    "aria-required-attr",
    "aria-required-children",
    "aria-required-parent",
    "aria-hidden-focus",
    "button-name",
    "link-name",
    "label",
    "select-name",
    "input-button-name",
    "list",
    "listitem",
    "definition-list",
    "td-headers-attr",
    "duplicate-id-aria",
    "html-lang-valid",
    "valid-lang",
}
LANGUAGES = ["da", "en"]

# Named URLs that are not pages, with the reason. Everything else a role may GET is walked.
EXCLUDED = {
    "budget-export-csv": "a CSV download",
    "budget-export-xlsx": "a spreadsheet download",
    "product-download": "a file download (the knowledge product)",
    "paper-download": "a file download (a meeting paper)",
    "calendar-feed": "an iCalendar feed",
    "monitoring-round-export": "a spreadsheet download",
    "monitoring-round-template": "a spreadsheet download",
    "monitoring-indicator-template": "a spreadsheet download",
    "monitoring-status-report-download": "the PDF (its own tests check its structure)",
    "monitoring-status-report-status": "a progress fragment polled by the status report page",
    "person-personal-data": "a JSON or CSV download of a person's data",
    "health": "JSON for load balancers",
    "health-live": "JSON for the liveness probe",
    "health-ready": "JSON for the readiness probe",
    "metrics": "Prometheus' text format",
    "bench-floor": "a bare response for the load benchmark",
    "api-schema": "the OpenAPI schema (YAML)",
    "api-docs": "Swagger UI, a third-party page for developers",
    "monitoring-municipality-factsheet": "the fact sheet PDF (its own tests check it)",
    "monitoring-dgo-status-pack": "the DGO status pack PDF (tagged PDF/UA, its own tests check it)",
    "people-import-template": "a spreadsheet download (the people import template)",
    "public-open-data-file": "a CSV or JSON download of the open data",
    "public-open-data-municipal": "a CSV or JSON download of the open data per municipality",
    "public-open-data-municipal-excel": "a CSV download for Danish Excel",
    "public-open-data-package": "the Frictionless datapackage.json",
    "public-product-download": "a file download (a public knowledge product)",
    "public-report-download": "the published PDF",
    "meeting-pack": "the meeting pack PDF (its own tests read it)",
    "event-material-download": "a file download (an event's material)",
    "library-download": "a file download (a knowledge product of the library)",
    "public-library-download": "a file download (a public knowledge product of the library)",
    "evaluation-report-download": "a file download (an evaluation report)",
    "data-delivery-download": "a CSV or spreadsheet download (a data delivery)",
}
EXCLUDED_PREFIXES = {"api-": "the JSON API"}

# Extra states of pages worth walking beyond the matrix's cases.
EXTRA = [
    Case(
        "municipality-list",
        {"coordinator_a": 200, "secretariat": 200},
        query="?dgo=midtjylland&sort=-population",
    ),
    Case("search", {"observer": 200, "secretariat": 200}, query="?q=aarhus"),
    page("mfa-setup"),
]

# Screenshots of these pages at 1280 and 360 px (the first state of each in the walk).
MAIN_PAGES = {
    "dashboard",
    "municipality-list",
    "municipality-detail",
    "municipality-edit",
    "dgo-detail",
    "body-list",
    "body-detail",
    "meeting-detail",
    "decision-list",
    "decision-detail",
    "track-list",
    "track-detail",
    "track-create",
    "budget-overview",
    "pool-detail",
    "monitoring-round-list",
    "monitoring-round-detail",
    "monitoring-report-detail",
    "monitoring-report-edit",
    "monitoring-national",
    "monitoring-dgo",
    "monitoring-municipality-emissions",
    "login",
}

# The order roles are walked in; the first that may open a page is the one photographed.
ROLE_ORDER = [
    "secretariat",
    "coordinator_a",
    "coordinator_b",
    "member",
    "observer",
    "knowledge_partner",
    "administrator",
    "anonymous",
]


def excluded(name: str) -> str | None:
    if name in EXCLUDED:
        return EXCLUDED[name]
    return next((why for prefix, why in EXCLUDED_PREFIXES.items() if name.startswith(prefix)), None)


def walked_cases() -> list[Case]:
    cases = [
        case
        for case in [*all_cases(), *EXTRA]
        if case.method == "get" and not excluded(case.name) and 200 in case.expect.values()
    ]
    return cases


WALK = walked_cases()


def case_id(case: Case) -> str:
    state = case.setup.__name__ if case.setup else ""
    if case.setup and case.setup.__closure__:  # tracks' at(state)
        state = str(case.setup.__closure__[0].cell_contents)
    elif state == "<lambda>":
        state = ""
    kwargs = "-".join(str(value) for value in case.kwargs.values())
    return "-".join(part for part in (case.name, state, kwargs, case.query) if part)


def allowed_roles(case: Case) -> list[str]:
    return [role for role in ROLE_ORDER if case.expect.get(role) == 200]


def real_incomplete(incomplete: list[dict]) -> list[dict]:
    return [
        {**result, "impact": f"{result.get('impact')}, incomplete"}
        for result in incomplete
        if result["id"] in REAL_INCOMPLETE
    ]


def test_incomplete_results_of_real_kinds_fail_the_walk():
    incomplete = [
        {"id": "aria-valid-attr-value", "impact": "critical", "help": "", "nodes": []},
        {"id": "color-contrast", "impact": "serious", "help": "", "nodes": []},
    ]
    assert [result["id"] for result in real_incomplete(incomplete)] == ["aria-valid-attr-value"]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:4]}"
        for v in violations
    )


# Two roles' views of a page are checked once when their <main> has the same structure; the
# page chrome (header, navigation, footer: it varies by role and language, not by page) once
# per variant. The structure is the markup with every non-empty text and text-carrying
# attribute reduced to "x": a name, a figure or a link target that differs between two users
# changes nothing axe checks, while a missing label, an empty text, a different element,
# class or id does. The HTML is compared as the test client gets it, so a duplicate costs no
# browser visit. A view is skipped when a view of the same structure was checked in either
# language (a translation that leaves a label empty changes the structure, so it is still
# checked); the first role that may open a page is still opened in both languages for what
# the words change — the layout at 360 px, the meaning checks, the screenshots — and axe runs
# on its second language only where the structure differs.
VARYING = re.compile(
    r'name="(?:csrfmiddlewaretoken|next)" value="[^"]*"|<a class="user"[^>]*>[^<]*</a>'
    r'|<p class="print-only[^>]*>[^<]*</p>'
)
TEXT = re.compile(r">[^<]*[^<\s][^<]*<")
TEXT_ATTRIBUTE = re.compile(
    r'\b(value|href|src|title|alt|aria-label|aria-valuenow|aria-valuetext|content|datetime)="[^"]+"'
)
MAIN = re.compile(r"<main\b.*</main>", re.S)
# What the chrome says about the page it frames (checked with the page itself, by `first`).
PAGE_IN_CHROME = re.compile(r"<title>.*?</title>| aria-current=\"page\"", re.S)
CHROME_CHECKED: set[str] = set()  # per test module run


def structure(html: str) -> str:
    return TEXT_ATTRIBUTE.sub(r'\1="x"', TEXT.sub(">x<", html))


def fingerprints(html: str) -> tuple[str, str]:
    html = VARYING.sub("", html)
    found = MAIN.search(html)
    main = found.group(0) if found else html
    chrome = PAGE_IN_CHROME.sub("", html.replace(main, ""))
    return digest(structure(main)), digest(structure(chrome))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


HORIZONTAL_SCROLL = """() => document.documentElement.scrollWidth
  - document.documentElement.clientWidth"""


def test_exclusions_name_real_urls():
    names = named_urls()
    stale = [name for name in EXCLUDED if name not in names]
    assert not stale, f"EXCLUDED names URLs that no longer exist: {stale}"


def test_the_walk_skips_only_pages_that_differ_in_text():
    def page(main: str, title: str = "A") -> str:
        nav = '<nav><a href="/" aria-current="page">Hjem</a></nav>'
        return f"<html><title>{title}</title>{nav}{main}</html>"

    tina = page('<main><h1>Tina Carlsen</h1><input value="tina@rm.dk" aria-label="E-mail"></main>')
    oskar = page(
        '<main><h1>Oskar Møller</h1><input value="o@kl.dk" aria-label="E-mail"></main>', "B"
    )
    unlabelled = page('<main><h1>Oskar Møller</h1><input value="o@kl.dk"></main>')
    empty_heading = page('<main><h1> </h1><input value="o@kl.dk" aria-label="E-mail"></main>')
    assert fingerprints(tina) == fingerprints(oskar)
    assert fingerprints(tina)[0] != fingerprints(unlabelled)[0]
    assert fingerprints(tina)[0] != fingerprints(empty_heading)[0]
    assert fingerprints(tina)[1] != fingerprints(page("<main></main>").replace("Hjem", ""))[1]


def test_every_page_of_the_matrix_is_walked_or_excluded_with_a_reason():
    """A GET case some role opens is walked, unless its URL name is excluded with a reason."""
    walked = {case.name for case in WALK}
    for case in all_cases():
        if case.method != "get" or 200 not in case.expect.values():
            continue
        assert case.name in walked or excluded(case.name), case.name
    assert {"track-detail", "meeting-detail", "monitoring-report-edit"} <= walked


def walk_groups() -> list[tuple[str, list[Case]]]:
    """Cases whose setups can share one database go in one test (a transactional test pays a
    flush and a reload of the reference data); monitoring's rounds and reports cannot."""
    from tests.matrix import events, governance, library, monitoring, partners, tracks

    origin = {id(case): "governance" for case in governance.CASES}
    origin.update({id(case): "events" for case in events.CASES})
    origin.update({id(case): "library" for case in library.CASES})
    origin.update({id(case): "tracks" for case in tracks.CASES})
    origin.update({id(case): "monitoring" for case in [*monitoring.CASES, *monitoring.EXTRA]})
    origin.update({id(case): "partners" for case in partners.CASES})
    groups: dict[str, list[Case]] = {}
    for case in WALK:
        app = origin.get(id(case), "extra")
        if case.setup is None:
            key = f"{app}-pages"
        elif app == "monitoring":
            key = case_id(case)
        else:
            key = f"{app}-objects"
        groups.setdefault(key, []).append(case)
    return sorted(groups.items())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("group", walk_groups(), ids=lambda group: group[0])
def test_axe_finds_no_violations(
    group, reference_data, live_server, module_page, role_users, client, settings
):
    page = module_page
    sessions = {role: session_cookie(user) for role, user in role_users.items() if user}
    failures = []
    for case in group[1]:
        kwargs = case.setup(role_users) if case.setup else case.kwargs
        path = reverse(case.name, kwargs=kwargs) + case.query
        failures.extend(walk_case(page, live_server.url, client, settings, case, path, sessions))
    if failures:
        with (ARTIFACTS / "axe-violations.txt").open("a") as log:
            log.write("\n".join(failures) + "\n\n")
    assert not failures, "\n".join(failures)


def walk_case(page, base_url, client, settings, case, path, sessions) -> list[str]:
    axe = Axe()
    roles = allowed_roles(case)
    failures, checked = [], set()
    for language in LANGUAGES:
        for role in roles:
            client.cookies.clear()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            if role in sessions:
                client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
            response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            content_type = response.get("Content-Type", "")
            assert content_type.startswith("text/html"), (
                f"{case.name} answers {content_type}: add it to EXCLUDED with the reason"
            )
            html = response.content.decode()
            assert f'<html lang="{language}"' in html, (role, path, language)
            main, chrome = fingerprints(html)
            chrome = f"{language}-{chrome}"
            first = role == roles[0]
            seen = main in checked and chrome in CHROME_CHECKED
            if seen and not first:
                continue
            checked.add(main)
            CHROME_CHECKED.add(chrome)
            use_cookies(page, base_url, language=language, session=sessions.get(role))
            page.set_viewport_size(DESKTOP)
            assert page.goto(base_url + path).status == 200, (role, path)
            where = f"{path} as {role} [{language}]"
            if not seen:
                results = axe.run(page, options=WCAG_AA).response
                violations = results["violations"] + real_incomplete(results["incomplete"])
                if violations:
                    failures.append(f"{where}:\n{describe(violations)}")
            if first:
                name = f"{case_id(case)}-{role}-{language}"
                failures.extend(f"{where}: {problem}" for problem in check_page(page))
                failures.extend(
                    f"{where}: {problem}" for problem in check_layout(page, case, language, name)
                )
    return failures


# Colour is never the only carrier of meaning: badges and changes say it in words or signs;
# charts have a name and a data table on the page; no tab order is forced by tabindex.
MEANING = """() => {
  const problems = [];
  document.querySelectorAll('.badge, .todo-count').forEach(e => {
    if (!e.textContent.trim()) problems.push('a badge without text');
  });
  document.querySelectorAll('.diff-up, .diff-down').forEach(e => {
    if (!/^[+\u2212-]/.test(e.textContent.trim())) problems.push('a change without its sign');
  });
  document.querySelectorAll('svg.chart, svg[role="img"]').forEach(svg => {
    const ids = (svg.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const name = ids.map(id => (document.getElementById(id) || {}).textContent || '').join('');
    if (!name.trim() && !svg.getAttribute('aria-label')) problems.push('a chart without a name');
    if (!document.querySelector('main table')) problems.push('a chart without a data table');
  });
  document.querySelectorAll('[tabindex]').forEach(e => {
    if (e.tabIndex > 0) problems.push('a positive tabindex on ' + e.tagName);
  });
  return problems;
}"""


def check_page(page) -> list[str]:
    return page.evaluate(MEANING)


# The outermost elements that stick out of the viewport, not inside a scrolling box.
WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const over = e => e.getBoundingClientRect().right > width + 1;
  const scrolling = e => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll('*')]
    .filter(e => over(e) && !scrolling(e) && !(e.parentElement && over(e.parentElement)
      && e.parentElement !== document.body))
    .slice(0, 5)
    .map(e => `${e.tagName}.${e.className} in ${e.parentElement.tagName}`
      + `.${e.parentElement.className} (${Math.round(e.getBoundingClientRect().width)}px)`);
}"""


def check_layout(page, case: Case, language: str, name: str) -> list[str]:
    """At 360 px the page body never scrolls sideways (wide tables scroll in their own box)."""
    problems = []
    shoot = case.name in MAIN_PAGES and language == "da"
    if shoot:
        screenshot(page, f"page-{slug(name)}-1280.png")
    page.set_viewport_size(MOBILE)
    overflow = page.evaluate(HORIZONTAL_SCROLL)
    if overflow > 0:
        wide = page.evaluate(WIDEST)
        problems.append(f"  scrolls {overflow}px sideways at 360 px: {wide}")
    if shoot:
        screenshot(page, f"page-{slug(name)}-360.png")
    page.set_viewport_size(DESKTOP)
    return problems


def screenshot(page, name: str) -> None:
    # Generous: on a loaded machine a long page takes a while to paint.
    page.screenshot(path=ARTIFACTS / name, full_page=True, timeout=60_000)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:90]


TITLE = re.compile(r"<title>(.*?)</title>", re.S)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_page_titles_are_unique_and_descriptive(client, role_users, language, settings):
    """Every walked page has its own title: two different pages never share one (each state
    of a case is set up in a savepoint, read, and rolled back)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    titles: dict[str, set[str]] = {}
    signed_in_as = None
    for case in WALK:
        role = allowed_roles(case)[0]
        if role != signed_in_as:
            client.logout()
            if role != "anonymous":
                sign_in(client, role_users[role])
            signed_in_as = role
        with transaction.atomic():
            kwargs = case.setup(role_users) if case.setup else case.kwargs
            response = client.get(reverse(case.name, kwargs=kwargs) + case.query)
            transaction.set_rollback(True)
        assert response.status_code == 200, (case.name, role, response.status_code)
        found = TITLE.search(response.content.decode())
        assert found, f"{case.name} has no <title>"
        title = found.group(1).strip()
        own = title.split(" · ")[0].strip()
        assert own and own != "Klimaalliancen", f"{case.name}: title {title!r} says nothing"
        titles.setdefault(" ".join(title.split()), set()).add(case.name)
    shared = {title: names for title, names in titles.items() if len(names) > 1}
    assert not shared, shared


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_municipality_and_track_pages_print_without_the_controls(
    reference_data, live_server, module_page, role_users
):
    from tests.matrix import tracks as tracks_cases

    page = module_page
    track = tracks_cases.at("running")(role_users)
    use_cookies(
        page, live_server.url, language="da", session=session_cookie(role_users["secretariat"])
    )
    paths = {
        "municipality": reverse("municipality-detail", args=["751"]),
        "track": reverse("track-detail", kwargs=track),
    }
    try:
        for name, path in paths.items():
            page.goto(live_server.url + path)
            page.emulate_media(media="print")
            for hidden in [".site-header", ".site-footer", ".skip-link", "main form", ".button"]:
                for element in page.locator(hidden).all():
                    assert not element.is_visible(), (name, hidden)
            # On paper the page says where it lives.
            assert page.locator(".print-only").first.inner_text() == live_server.url + path
            assert page.locator("main h1").is_visible()
            page.screenshot(path=ARTIFACTS / f"print-{name}.png", full_page=True, timeout=60_000)
            page.emulate_media(media="screen")
            assert page.locator(".site-header").is_visible()
    finally:
        page.emulate_media(media="screen")
