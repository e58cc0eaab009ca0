"""HTML, script and template payloads in every free-text field are shown as text (issue 7).

The free-text fields are found through the app registry: every concrete CharField/TextField of
the portal's apps (URL and e-mail fields included) that has no `choices` and is not a slug. A
new field is covered without touching this file; one that is never shown anywhere must be
listed in EXCLUDED with its reason.

Each field's rows get a payload that carries a marker `Q<n>Q` (n = the field's number): script
tags, an attribute break-out with an event handler, Django template syntax, and a leading `=`
for spreadsheets. URL fields get a `javascript:` URL. The demo data is seeded, every row of
every model gets its payloads, and the portal is crawled (every link from the start page and
from every page of the URL matrix, as the secretariat, a DGO coordinator and a voting member).
Every page must show the payload as text, every CSV/XLSX export must neutralise it, the PDF
must print it literally without script or link, and the e-mails carry it as plain text.
"""

import csv
import datetime
import io
import re
from collections import Counter, deque
from decimal import Decimal
from html import unescape
from urllib.parse import urldefrag, urlsplit

import openpyxl
import pytest
from django.apps import apps
from django.core import mail
from django.db import IntegrityError, models, transaction
from django.db.models import Value
from django.db.models.functions import Cast, Concat
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from pypdf import PdfReader

from core.exports import FORMULA_STARTS
from partners.models import User
from tests.factories import sign_in
from tests.pdftext import page_texts

from .matrix import all_cases

PORTAL_APPS = (
    "partners",
    "governance",
    "tracks",
    "monitoring",
    "evaluations",
    "data_requests",
    "events",
    "library",
    "core",
)

# "<app>.<Model>.<field>" (or "<app>.<Model>.*") -> why the field need not be shown anywhere.
EXCLUDED = {
    # Shown through Django's escaping templates like every other text; the demo has none of
    # them yet (a change note on a published agenda, a correction's reason, an English name).
    "governance.AgendaChange.note": "shown on the meeting page once a published agenda changes",
    "tracks.FocusArea.name_en": "the English name, shown when the page is in English",
    "tracks.Spending.reason": "shown in the ledger beside a reversing entry",
    "monitoring.DataRelease.name": "shown on the national accounts import page",
    "monitoring.DataRelease.source": "shown on the national accounts import page",
    "core.Notification.kind": "a message kind's code, shown as its label",
    "core.NotificationSettings.language": "a language code the form chooses from LANGUAGES",
    "core.NotificationPreference.kind": "a message kind's code, shown as its label",
    "core.SentReminder.*": "codes the reminder run writes (kind, item, threshold), never shown",
    "partners.User.password": "a password hash: never shown, never exported",
    "partners.Invitation.token_hash": "a hash of the invitation's secret: never shown",
    "partners.ApiToken.token_hash": "a hash of the API token's secret: never shown",
    "partners.ApiToken.prefix": "the token's first characters, written by the server from "
    "random URL-safe characters, never input",
    "partners.Invitation.roles": "role codes the server writes, shown as their labels",
    "partners.Invitation.email": "validated as an e-mail address by the invite form and import; "
    "the demo data has no invitation (the people pages' tests show it)",
    "partners.Municipality.code": "three to six digits (a database check constraint)",
    "governance.CalendarFeed.token": "the calendar feed's secret: only in the feed's own URL",
    "governance.Paper.content_type": "set by the server from the file's sniffed type",
    "tracks.KnowledgeProduct.content_type": "set by the server from the file's sniffed type",
    "events.Material.content_type": "set by the server from the file's sniffed type",
    "library.LibraryItem.content_type": "set by the server from the file's sniffed type",
    "evaluations.Evaluation.report_type": "set by the server from the file's sniffed type",
    "data_requests.DataDelivery.sha256": "a checksum the server writes, never input",
    "core.OutboxEmail.*": "the e-mail outbox (admin only); the e-mails are tested "
    "by test_emails_carry_payloads_as_plain_text",
    "core.Notification.url": "a path the code builds with reverse(), never input",
    "monitoring.StatusReportDocument.step": "a progress label the code writes, never input",
    "monitoring.StatusReportDocument.error": "the worker's error text, for the admin only",
    "partners.RoleAssignment.reason": "kept for the audit trail; not shown on a page yet (a page "
    "that shows it is still crawled for unescaped payloads)",
    "tracks.Contribution.name": "reference data from the agreements, edited in the admin only",
    "tracks.Contribution.description": "reference data from the agreements, admin only",
    "tracks.Allocation.decision_note": "shown only in the allocation e-mail, which "
    "test_emails_carry_payloads_as_plain_text checks",
    "monitoring.EmissionFigure.data_source": "provenance of imported figures; pages and exports "
    "show the report's data_source",
}

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}{% lorem %}"
# What must never appear in a page: our own tags, unescaped.
RAW = re.compile(r"<script>alert\(1\)|<img src=x onerror|<i>Q\d+Q|Lorem ipsum", re.IGNORECASE)
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
MARKER = re.compile(r"Q(\d+)Q")


def free_text_fields() -> list[tuple[str, type[models.Model], models.Field]]:
    fields = []
    for app in PORTAL_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.CharField | models.TextField):
                    continue
                if field.choices or isinstance(field, models.SlugField):
                    continue  # validated against a fixed set or a pattern
                label = f"{app}.{model.__name__}.{field.name}"
                if label in EXCLUDED or f"{app}.{model.__name__}.*" in EXCLUDED:
                    continue
                fields.append((label, model, field))
    return fields


FIELDS = free_text_fields()


def payload(number: int, field: models.Field) -> tuple[str, str]:
    """(head, tail) of the field's payload; the row's pk goes between them (unique fields)."""
    marker = f"Q{number}Q"
    limit = (field.max_length or 10_000) - 8  # room for the pk
    if isinstance(field, models.URLField):  # see fill_with_payloads: odd rows get a https URL
        return f"javascript:alert(1)//{marker}/", ""
    if isinstance(field, models.EmailField):
        return f"<i>{marker}</i>{BREAKOUT}"[: limit - 12], "@example.dk"
    head = f"=<i>{marker}</i>"
    for piece in (SCRIPT, BREAKOUT, TEMPLATE):
        if len(head) + len(piece) <= limit:
            head += piece
    if field.max_length is not None and field.max_length < 20:
        head = f"<i>{marker}"[: field.max_length]
    return head + ("-" if field.max_length is None or field.max_length >= 20 else ""), ""


def fill_with_payloads() -> set[int]:
    """Every row of every model: each free-text field gets its payload. Returns the fields
    whose payload the database refuses (a check constraint): no markup can reach a page."""
    refused = set()
    for number, (_label, model, field) in enumerate(FIELDS):
        head, tail = payload(number, field)
        short = field.max_length is not None and field.max_length < 20
        value = (
            Value(head)
            if short and not field.unique
            else Concat(Value(head), Cast("pk", models.CharField()), Value(tail))
        )
        try:
            with transaction.atomic():
                model._base_manager.update(**{field.attname: value})
                if isinstance(field, models.URLField):
                    # Every other row a https URL that tries to break out of the attribute.
                    odd = [pk for pk in model._base_manager.values_list("pk", flat=True) if pk % 2]
                    model._base_manager.filter(pk__in=odd).update(
                        **{field.attname: f"https://example.dk/Q{number}Q/{BREAKOUT}"}
                    )
        except IntegrityError:
            refused.add(number)
    return refused


def crawl(client, start: list[str], per_name: int = 3, limit: int = 700) -> dict[str, bytes]:
    """GET pages breadth-first, following links; at most `per_name` URLs per URL name."""
    seen_names: Counter = Counter()
    queue, visited, pages = deque(start), set(), {}
    while queue and len(visited) < limit:
        url = urldefrag(queue.popleft())[0]
        if url in visited or not url.startswith("/") or url.startswith(SKIP):
            continue
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            continue
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        if name in SKIP_NAMES or seen_names[name] >= min(per_name, PER_NAME.get(name, per_name)):
            continue
        seen_names[name] += 1
        visited.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code != 200:
            continue
        body = response.getvalue() if response.streaming else response.content
        pages[url] = (response.get("Content-Type", ""), body)
        if response.get("Content-Type", "").startswith("text/html"):
            for link in re.findall(r'href="([^"]+)"', body.decode()):
                queue.append(unescape(link))
    return pages


SKIP = ("/admin/", "/static/", "/media/", "/api/", "/accounts/logout", "/i18n/", "/_floor/")
SKIP_NAMES = {"logout", "set_language", "bench-floor"}
# PDFs rendered per request (WeasyPrint, about half a second each): one template, so two of them
# show what a third would (the secretariat's crawl took 15 of each, 13 s of its 43).
PER_NAME = {"monitoring-municipality-factsheet": 2, "monitoring-dgo-status-pack": 2}


def matrix_start_urls(role_users) -> list[str]:
    urls = []
    for case in all_cases():
        if case.method != "get" or case.setup or case.name.startswith("admin:"):
            continue
        try:
            urls.append(reverse(case.name, kwargs=case.kwargs) + case.query)
        except Exception:  # noqa: S112 - a case that needs objects is reached by links instead
            continue
    return urls


def page_problems(url: str, content_type: str, body: bytes) -> list[str]:
    problems = []
    if content_type.startswith("text/html"):
        text = body.decode()
        problems += [f"{url}: unescaped {m.group(0)!r}" for m in RAW.finditer(text)]
        problems += [f"{url}: javascript: link" for _ in JS_URL.finditer(text)]
    elif "csv" in content_type:
        for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
            problems += [f"{url}: formula cell {c!r}" for c in row if _is_formula(c)]
    elif "spreadsheetml" in content_type:
        book = openpyxl.load_workbook(io.BytesIO(body))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f" or _is_formula(cell.value):
                        problems.append(f"{url}: formula cell {cell.value!r}")
    return problems


def _is_formula(value) -> bool:
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return False
    try:  # a negative number is not a formula
        Decimal(value.replace(",", "."))
        return False
    except ArithmeticError:
        return True


def shown_fields(texts) -> set[int]:
    return {int(number) for text in texts for number in MARKER.findall(text)}


def test_the_field_enumeration_finds_the_free_text_fields():
    labels = {label for label, _model, _field in FIELDS}
    assert {"governance.Decision.title", "monitoring.StatusReport.review_comment",
            "tracks.Track.problem", "partners.Municipality.website"} <= labels  # fmt: skip
    assert len(labels) > 60


DEMO_CRAWLERS = ("sekretariat", "koordinator-midt", "fu-medlem")


@pytest.fixture
def demo_portal(demo_data, db):
    from core.models import Notification

    users = {u.username: u for u in User.objects.filter(username__in=DEMO_CRAWLERS)}
    for user in users.values():
        Notification.objects.create(user=user, title="x", body="x", url="/")
    _add_files(users["sekretariat"])
    refused = fill_with_payloads()
    assert len(refused) < 5, [FIELDS[number][0] for number in refused]
    return [User.objects.get(pk=users[name].pk) for name in DEMO_CRAWLERS], refused


def _add_files(secretariat: User) -> None:
    """The demo has no uploaded files: a meeting paper and a knowledge product file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from governance.models import AgendaItem
    from governance.services import paper_upload
    from tracks.models import Track
    from tracks.services import knowledge_product_add

    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    item = AgendaItem.objects.exclude(meeting__status="minutes_approved").order_by("pk").first()
    paper_upload(agenda_item=item, by=secretariat, upload=SimpleUploadedFile("a.pdf", pdf))
    partner = User.objects.get(username="videnspartner")
    for track in Track.objects.filter(status__in=("running", "evaluated")).order_by("pk")[:3]:
        knowledge_product_add(
            track=track, by=partner, title="x", upload=SimpleUploadedFile("b.pdf", pdf)
        )


def test_every_page_and_export_shows_payloads_as_text(demo_portal, client, role_users):
    pages: dict[str, tuple[str, bytes]] = {}
    start = ["/", *matrix_start_urls(role_users)]
    users, refused = demo_portal
    for user in users:
        client.logout()
        sign_in(client, user)
        # The secretariat sees most: more objects per page kind for them.
        per_name = 15 if user.pk == users[0].pk else 3
        for url, page in crawl(client, start, per_name=per_name).items():
            pages[f"{user.pk}:{url}"] = page

    problems = [p for url, (kind, body) in pages.items() for p in page_problems(url, kind, body)]
    assert not problems, "\n".join(problems[:40])

    html = [body.decode() for kind, body in pages.values() if kind.startswith("text/html")]
    assert len(html) > 100, len(html)
    # Template syntax is shown as typed, not run.
    assert any("{{7*7}}{% lorem %}" in text for text in html)
    exports = [kind for kind, _ in pages.values() if "csv" in kind or "spreadsheetml" in kind]
    assert exports, "no CSV or XLSX export was reached"

    texts = [*html, *(_export_text(kind, body) for kind, body in pages.values())]
    shown = shown_fields(texts) | pdf_shown_fields() | refused
    unshown = [label for number, (label, _m, _f) in enumerate(FIELDS) if number not in shown]
    assert not unshown, (
        "These free-text fields are shown nowhere the test looked (pages, exports, PDF, "
        f"e-mails). Show them, give them demo data, or add them to EXCLUDED: {unshown}"
    )


def _export_text(kind: str, body: bytes) -> str:
    if "csv" in kind:
        return body.decode("utf-8-sig")
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(io.BytesIO(body))
        return " ".join(
            str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows()
            for cell in row if cell.value is not None
        )  # fmt: skip
    return ""


def pdf_shown_fields() -> set[int]:
    """The status report PDF of the demo's latest round, rendered from the payload data: the
    payloads are printed as text, and the PDF holds no script, action or javascript: link."""
    from monitoring.models import Round
    from monitoring.status_report.rendering import render_pdf, report_context, report_html

    round = Round.objects.filter(status=Round.Status.CLOSED).order_by("-year").first()
    context = report_context(round, "da")
    # The real template and WeasyPrint, with two municipality pages per DGO (each page is
    # the same template; all 98 would take minutes).
    for chapter in context.chapters:
        chapter.municipalities = sorted(
            chapter.municipalities, key=lambda page: page.report is None
        )[:2]
    pdf, _pages = render_pdf(report_html(context))
    assert b"/JavaScript" not in pdf and b"/JS " not in pdf and b"/Launch" not in pdf
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            uri = str(action.get("/URI", ""))
            assert not uri.lower().startswith("javascript"), uri
    text = "\n".join(page_texts(pdf))
    assert SCRIPT in text.replace("\n", "")  # printed literally, as text
    return shown_fields([text])


HOSTILE = f"{SCRIPT}{BREAKOUT}{TEMPLATE}"


def test_emails_carry_payloads_as_plain_text(db, client):
    """Every kind of e-mail the portal sends, with payloads in the texts it quotes (and a header
    injection and an over-long title in subjects): plain text, literal, deliverable."""
    from core.models import OutboxEmail
    from core.tasks import deliver_email
    from governance.models import Body
    from governance.services import decision_open
    from monitoring import services as monitoring_services
    from tests.factories import make_user
    from tests.monitoring.factories import make_report, make_round
    from tests.tracks.factories import People, advance, allocation, draft
    from tracks import services as track_services

    people = People()
    injected = "Spor\r\nBcc: evil@example.com\n" + HOSTILE
    track = draft(people.coordinator, title=injected[:200], problem=HOSTILE)
    advance(track, "approved", people)  # submitted (mail), put to FU and adopted (mails)
    track_services.allocation_approve(
        allocation=allocation(track, people), by=people.realdania, note=HOSTILE
    )
    report = make_report(make_round(), "751", state="submitted")
    monitoring_services.report_request_changes(
        report=report, by=people.secretariat, comment=HOSTILE
    )
    decision_open(
        body=Body.objects.get(code="fu"),
        title=("Lang titel " + HOSTILE * 10)[:300],
        text=HOSTILE,
        deadline=timezone.now() + datetime.timedelta(days=3),
        by=people.secretariat,
    )
    make_user(first_name=HOSTILE[:150], email="glemt@example.dk")
    client.post(reverse("password_reset"), {"email": "glemt@example.dk"})

    mail.outbox.clear()
    for email in OutboxEmail.objects.filter(sent_at__isnull=True):
        deliver_email(email.pk)
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()
    kinds = set()
    for message in mail.outbox:
        rendered = message.message()
        assert "\n" not in message.subject and "\r" not in message.subject, message.subject
        assert rendered["Bcc"] is None and "evil@example.com" not in message.to
        assert "&lt;" not in message.body and "&quot;" not in message.body  # plain, not HTML
        assert "Lorem ipsum" not in message.body
        for content, _mimetype in getattr(message, "alternatives", []):
            assert not RAW.search(content), content  # an HTML part would be escaped
        if SCRIPT in message.body or SCRIPT in message.subject:
            kinds.add(message.subject.split(":")[0])
        if "{{7*7}}" in message.body:
            kinds.add("template syntax shown literally")
    assert len(mail.outbox) >= 6, [m.subject for m in mail.outbox]
    assert "template syntax shown literally" in kinds
    assert any(SCRIPT in message.body for message in mail.outbox)
