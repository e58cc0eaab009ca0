"""A DGO coordinator's reach (issue 7): lists, exports, API responses and PDFs of coordinator_b
(DGO Hovedstaden) hold nothing unpublished of DGO Midtjylland's municipalities, and
coordinator_a (Midtjylland) cannot change Hovedstaden's municipalities through any page or API.

The URLs are found through the URL resolver: every named URL of the project (the admin aside,
which needs is_staff: tests/test_admin.py), its parameters filled from the scoped data below.
A new page or endpoint is walked without touching this file.
"""

import hashlib
import io
import itertools
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.urls import NoReverseMatch, get_resolver, reverse

from monitoring.models import Action, EmissionFigure, StatusReport
from partners.models import Municipality
from tests.monitoring.factories import make_report, make_round
from tests.pdftext import page_texts
from tests.tracks.factories import draft

from .test_security_escaping import PORTAL_APPS, crawl, matrix_start_urls
from .test_url_matrix import named_urls

State = StatusReport.State
SECRET = "XQLUKKET"  # in every unpublished text of Midtjylland below
PUBLISHED = "OFFENTLIG-NOTE"  # in Aarhus's approved report of the closed round
SECRET_TONNES = Decimal("987654.32")  # the figures of the unapproved reports


@pytest.fixture
def scoped(role_users):
    """Midtjylland: an approved report (published) and, in the open round, a draft, a submitted
    report and one sent back with a review comment; a draft development track. Copenhagen
    (Hovedstaden) has a draft report too."""
    closed = make_round(year=2025, closed=True)
    make_report(closed, "751", state=State.APPROVED, adaptation_note=PUBLISHED)
    open_round = make_round()
    unpublished = [
        make_report(open_round, "751", adaptation_note=f"{SECRET}-udkast"),
        make_report(open_round, "740", state=State.SUBMITTED, adaptation_note=f"{SECRET}-indsendt"),
        make_report(
            open_round,
            "657",
            state=State.CHANGES_REQUESTED,
            adaptation_note=f"{SECRET}-retur",
            review_comment=f"{SECRET}-kommentar fra sekretariatet",
            data_source=f"{SECRET}-kilde",
        ),
    ]
    Action.objects.filter(report__in=unpublished).update(
        name=Concat(Value(f"{SECRET}-handling-"), Cast("pk", CharField()))
    )
    EmissionFigure.objects.filter(report__in=unpublished).update(tonnes_co2e=SECRET_TONNES)
    copenhagen = make_report(open_round, "101")
    track = draft(role_users["coordinator_a"], title=f"{SECRET}-spor", problem=f"{SECRET}-mål")
    return {"track": track, "reports": [*unpublished, copenhagen], "round": open_round}


def url_candidates(scoped) -> dict[str, list]:
    """Values for URL parameters, by name: Midtjylland's objects first."""
    reports = scoped["reports"]
    return {
        "code": ["751", "740", "657", "101"],
        "key": [f"{r.round.year}-{r.municipality.code}" for r in reports],
        "year": [2026, 2025],
        "pk": [scoped["track"].pk, *(r.pk for r in reports)],
        "slug": ["midtjylland", "hovedstaden"],
    }


def filled_urls(scoped, names=None) -> list[tuple[str, str]]:
    """(name, url) for every named URL, each parameter combination from url_candidates."""
    resolver = get_resolver()
    candidates = url_candidates(scoped)
    urls = []
    for name in sorted(names or named_urls()):
        try:
            urls.append((name, reverse(name)))
            continue
        except NoReverseMatch:
            pass
        params = _params(resolver, name)
        if params is None or any(p not in candidates for p in params):
            continue
        for combo in itertools.islice(itertools.product(*(candidates[p] for p in params)), 12):
            try:
                urls.append((name, reverse(name, kwargs=dict(zip(params, combo, strict=True)))))
            except NoReverseMatch:
                continue
    return urls


def _params(resolver, name: str) -> list[str] | None:
    namespace, _, short = name.rpartition(":")
    if namespace:
        resolver = resolver.namespace_dict[namespace][1]
    for possibility, _pattern, _defaults, _converters in resolver.reverse_dict.getlist(short):
        for _result, params in possibility:
            return list(params)
    return None


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "pdf" in kind:
        return "\n".join(page_texts(content))
    if "spreadsheetml" in kind:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(content))
        return " ".join(
            str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows()
            for cell in row if cell.value is not None
        )  # fmt: skip
    return content.decode("utf-8", errors="replace")


def leaks(text: str) -> list[str]:
    found = [SECRET] if SECRET.lower() in text.lower() else []
    for shown in ("987654", "987.654", "987 654", "987,654"):
        if shown in text:
            found.append(shown)
    return found


def test_coordinator_b_sees_nothing_unpublished_of_midtjylland(scoped, client_for):
    client = client_for("coordinator_b")
    problems, seen_published, checked = [], False, 0
    # Every named URL with the scoped objects filled in (pages, exports, API lists/details)...
    for name, url in filled_urls(scoped):
        if name.startswith("admin:") or name in ("logout", "set_language"):
            continue
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code != 200:
            continue
        checked += 1
        text = body_text(response)
        problems += [f"{url}: {leak}" for leak in leaks(text)]
        seen_published |= PUBLISHED in text
    # ...and every page linked from them.
    start = ["/", *matrix_start_urls(None), "/municipalities/751/", "/dgo/midtjylland/"]
    for url, (_kind, content) in crawl(client, start, per_name=4).items():
        problems += [f"{url}: {leak}" for leak in leaks(content.decode(errors="replace"))]
    assert not problems, problems
    assert checked > 60, checked
    assert seen_published, "Aarhus's approved report should be visible to every coordinator"
    # The control: Midtjylland's own coordinator sees the texts the walk looks for.
    own = client_for("coordinator_a").get("/monitoring/2026/657/")
    assert own.status_code == 200 and leaks(own.content.decode())


def test_the_status_report_pdf_has_only_published_data(scoped, role_users):
    from monitoring.status_report.rendering import render_pdf, report_context, report_html

    context = report_context(scoped["round"], "da", by=role_users["coordinator_b"])
    for chapter in context.chapters:
        if chapter.dgo.slug != "midtjylland":
            chapter.municipalities = chapter.municipalities[:1]
        else:
            chapter.municipalities = [
                page for page in chapter.municipalities if page.municipality.code in
                {"751", "740", "657"}
            ]  # fmt: skip
    pdf, _pages = render_pdf(report_html(context))
    text = "\n".join(page_texts(pdf))
    assert "Aarhus" in text and "Silkeborg" in text
    assert not leaks(text), leaks(text)


def portal_checksum() -> str:
    """A digest of every row of the portal apps' tables: any change shows."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for app in PORTAL_APPS:
            for model in apps.get_app_config(app).get_models():
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 - our tables
                digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


# Form fields a change would carry: the municipality form and the report form's main fields.
ATTEMPT = {
    "notes": "coordinator_a was here",
    "website": "https://example.dk",
    "adaptation_note": "coordinator_a was here",
    "comment": "coordinator_a was here",
    "baseline_year": "2018",
    "confirm": "on",
}


def test_coordinator_a_cannot_change_hovedstadens_municipalities(scoped, client_for):
    """Every page and API endpoint that takes a municipality (code, or report key): no
    write by coordinator_a for Copenhagen gets through, whatever the method: refused (403,
    404, 405), or, for a read-only page, answered without any change to the database."""
    client = client_for("coordinator_a")
    copenhagen = Municipality.objects.get(code="101")
    assert copenhagen.dgo.slug == "hovedstaden"
    candidates = {**url_candidates(scoped), "code": ["101"], "key": ["2026-101"], "year": [2026]}
    before = portal_checksum()
    tried, failures = 0, []
    for name in sorted(named_urls()):
        params = _params(get_resolver(), name)
        if not params or not ({"code", "key"} & set(params)) or name.startswith("admin:"):
            continue
        if any(p not in candidates for p in params):
            failures.append(f"{name}: no value for {params}")
            continue
        kwargs = {p: candidates[p][0] for p in params}
        url = reverse(name, kwargs=kwargs)
        api = url.startswith("/api/")
        for method in ("post", "put", "patch", "delete") if api else ("post",):
            if api:
                response = getattr(client, method)(url, ATTEMPT, content_type="application/json")
            else:
                response = client.post(url, ATTEMPT)
            tried += 1
            if response.status_code in (403, 404, 405):
                continue
            # A read-only page may answer a POST with itself; it must not have changed a thing.
            if response.status_code == 200 and not api and portal_checksum() == before:
                continue
            failures.append(f"{method.upper()} {url}: {response.status_code}")
    assert not failures, failures
    assert tried >= 8, tried
    assert portal_checksum() == before
