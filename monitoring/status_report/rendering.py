"""The annual status report (statusrapport) of a round: its data, its HTML and its PDF.

`report_context` gathers everything in a fixed number of queries (whatever the number of
municipalities), `report_html` renders the print template and `report_render_pdf` turns it
into a PDF with WeasyPrint. Only published data goes in: the document is for everyone
signed in. The charts are the web pages' own (monitoring.figures.charts).
"""

import base64
import datetime
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from monitoring.figures import analysis, charts
from monitoring.models import (
    Action,
    EmissionFigure,
    ReportEdition,
    Round,
    StatusReport,
    StatusReportDocument,
)
from monitoring.permissions import published_figures_q
from monitoring.public import LICENCE_NAME, LICENCE_URL
from monitoring.selectors import (
    Aggregates,
    EmissionsTable,
    aggregates,
    emissions_chart,
    municipality_on_track,
    sector_list,
)
from partners.models import DGO, Municipality, Organisation, User
from partners.selectors import Partnership, partnership
from tracks import selectors as track_selectors
from tracks.models import Track
from tracks.reference import TOTAL as AGREED_BUDGET
from tracks.selectors import BudgetOverview

logger = logging.getLogger(__name__)
Status = StatusReportDocument.Status
TABLE_YEARS = 4  # the municipality pages' table shows the latest years
# Rendered parts no document has used for this long leave the cache.
PART_CACHE_KEPT = datetime.timedelta(days=14)


# File names of the PDFs in the document's language (plain ASCII: no quoting in the header).
# Not gettext: the name follows the language the PDF was written in, which for a stored status
# report need not be the language of the page that offers it.
FACT_SHEET_NAMES = {"da": "faktaark-{key}.pdf", "en": "fact-sheet-{key}.pdf"}
STATUS_REPORT_NAMES = {"da": "statusrapport-{key}-da.pdf", "en": "status-report-{key}-en.pdf"}
DGO_PACK_NAMES = {"da": "statuspakke-{key}.pdf", "en": "status-pack-{key}.pdf"}


def pdf_name(names: dict[str, str], language: str, key: object) -> str:
    """The download name of a PDF written in `language` (Danish for any other language)."""
    return names.get(language, names["da"]).format(key=key)


def data_snapshot_at(round: Round):
    """The newest change of the data the round's report shows: reports and figures, and the
    tracks and budget of its chapters."""
    from tracks.models import Allocation, BudgetChange, Spending, StatusUpdate, Track

    reports = StatusReport.objects.filter(round=round).aggregate(
        updated=Max("updated_at"), reviewed=Max("reviewed_at"), approved=Max("approved_at")
    )
    moments = [*reports.values(), round.created_at, round.closed_at]
    # The knowledge partners' text goes in once published (ReportEdition).
    moments.append(
        ReportEdition.objects.filter(round=round).values_list("published_at", flat=True).first()
    )
    for model, column in (
        (EmissionFigure, "entered_at"),
        (Track, "updated_at"),
        (StatusUpdate, "created_at"),
        (Allocation, "decided_at"),
        (BudgetChange, "decided_at"),
        (Spending, "entered_at"),
    ):
        moments.append(model.objects.aggregate(at=Max(column))["at"])
    return max(moment for moment in moments if moment is not None)


@dataclass
class Mark:
    """An organisation as the cover and colophon name it, with its logo inlined (a data URI:
    the PDF is written from any storage, S3 too) or None where it has none."""

    organisation: Organisation
    logo: str | None

    @property
    def name(self) -> str:
        return self.organisation.name


LOGO_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


def _mark(organisation: Organisation) -> Mark:
    logo = None
    if organisation.logo:
        kind = LOGO_TYPES.get(organisation.logo.name.rpartition(".")[2].lower())
        try:
            with organisation.logo.open("rb") as handle:
                content = handle.read()
        except (FileNotFoundError, OSError):
            logger.warning("logo of %s is missing from the storage", organisation.code)
        else:
            if kind:
                logo = f"data:{kind};base64,{base64.b64encode(content).decode('ascii')}"
    return Mark(organisation=organisation, logo=logo)


@dataclass
class Credits:
    """Who the document names (§9: every communication names all parties), its licence."""

    parties: list[Mark]
    secretariat: list[Mark]
    knowledge_partners: list[Mark]
    licence_name: str = LICENCE_NAME
    licence_url: str = LICENCE_URL

    @property
    def logos(self) -> list[Mark]:
        """Each named organisation once, parties first: the cover's row of logos."""
        seen, marks = set(), []
        for mark in (*self.parties, *self.knowledge_partners):
            if mark.organisation.pk not in seen:
                seen.add(mark.organisation.pk)
                marks.append(mark)
        return marks


def credits_of(found: Partnership | None = None) -> Credits:
    found = found or partnership()
    marks = {o.pk: _mark(o) for o in found.everyone}
    return Credits(
        parties=[marks[o.pk] for o in found.parties],
        secretariat=[marks[o.pk] for o in found.secretariat],
        knowledge_partners=[marks[o.pk] for o in found.knowledge_partners],
    )


@dataclass
class MunicipalityPage:
    municipality: Municipality
    report: StatusReport | None
    emissions: EmissionsTable
    chart: str = ""
    actions: list[tuple[str, list[Action]]] = field(default_factory=list)
    on_track: analysis.Analysis | None = None

    @property
    def table_years(self) -> list[int]:
        return self.emissions.years[-TABLE_YEARS:]

    @property
    def table_rows(self):
        """The accounts' sector groups, each its own figure or else the sum of its parts:
        five rows keep a municipality's page (and the fact sheet) to one page."""
        years, cells = self.table_years, self.emissions.cells
        parts: dict[int, list] = {}
        for sector in self.emissions.sectors:
            if sector.parent_id is not None:
                parts.setdefault(sector.parent_id, []).append(sector)
        rows = []
        for group in (s for s in self.emissions.sectors if s.parent_id is None):
            values = []
            for year in years:
                value = cells.get((group.pk, year))
                if value is None:
                    found = [
                        cells[(p.pk, year)]
                        for p in parts.get(group.pk, [])
                        if (p.pk, year) in cells
                    ]
                    value = sum(found, Decimal(0)) if found else None
                values.append(value)
            rows.append((group, values))
        return rows

    @property
    def table_totals(self) -> list[Decimal]:
        totals = dict(zip(self.emissions.years, self.emissions.totals, strict=True))
        return [totals[y] for y in self.table_years]


@dataclass
class DGOChapter:
    dgo: DGO
    figures: Aggregates
    municipalities: list[MunicipalityPage]


@dataclass
class BudgetChapter:
    overview: BudgetOverview
    pools: list
    agreed: Decimal  # the agreement's 82.1 mio

    @property
    def committed(self) -> Decimal:
        """Spent, plus approved allocations not yet paid out: what is used or bound."""
        return self.overview.total.budgeted - self.overview.total.remaining

    def share(self, amount: Decimal) -> Decimal | None:
        return amount * 100 / self.agreed if self.agreed else None

    @property
    def spent_pct(self) -> Decimal | None:
        return self.share(self.overview.total.spent)

    @property
    def committed_pct(self) -> Decimal | None:
        return self.share(self.committed)

    @property
    def bar(self) -> dict[str, float]:
        """Widths (0–100) of the spent, bound-but-unspent and free parts of the 82.1 mio."""
        if not self.agreed:
            return {"spent": 0.0, "bound": 0.0, "free": 100.0}
        spent = float(min(self.overview.total.spent / self.agreed * 100, Decimal(100)))
        bound = float(min(self.committed / self.agreed * 100, Decimal(100))) - spent
        bound = max(bound, 0.0)
        return {"spent": spent, "bound": bound, "free": max(100.0 - spent - bound, 0.0)}


@dataclass
class ReportContext:
    round: Round
    language: str
    title: str
    national: Aggregates
    chapters: list[DGOChapter]
    snapshot_at: object
    generated_at: object
    generated_by: str
    releases: list[str]
    tracks: list[Track] = field(default_factory=list)
    track_counts: list[tuple[str, str, int]] = field(default_factory=list)
    budget: BudgetChapter | None = None
    page_label: str = ""
    page_of_label: str = ""
    # The knowledge partners' text with its key figures filled in (editorial.EditionText).
    editorial: object = None
    credits: Credits | None = None

    @property
    def on_track(self):
        return self.national.on_track

    @property
    def emissions_change(self) -> analysis.Change | None:
        """Since the first year of the accounts, like with like (analysis.change_between)."""
        return self.national.emissions.change

    @property
    def emissions_last_year(self) -> int | None:
        years = self.national.emissions.years
        return years[-1] if years else None

    @property
    def total_last(self) -> Decimal | None:
        """The latest year's total, whoever has reported for it (see `coverage_last`)."""
        totals = self.national.emissions.totals
        return totals[-1] if totals else None

    @property
    def coverage_last(self) -> analysis.Coverage | None:
        return self.national.emissions.coverage.get(self.emissions_last_year)

    @property
    def tracks_running(self) -> int:
        return sum(1 for t in self.tracks if t.status == Track.Status.RUNNING)

    @property
    def tracks_evaluated(self) -> int:
        return sum(1 for t in self.tracks if t.status == Track.Status.EVALUATED)

    @property
    def page_count_municipalities(self) -> int:
        return sum(len(c.municipalities) for c in self.chapters)


def _municipality_pages(
    round: Round | None,
    on_track: dict[int, analysis.Analysis],
    only: Municipality | None = None,
    *,
    up_to_round: bool = True,
    dgo: DGO | None = None,
) -> list[MunicipalityPage]:
    """Every municipality (or `only` one) with its published report of the round and its
    published figures (up to the round's emissions year, or every year if not
    `up_to_round`): four queries in all. The chart is the municipality web page's: the
    reported years, the target path and the projection of the reported trend to 2030."""
    sectors = sector_list()
    scope = Q() if only is None else Q(municipality=only)
    if dgo is not None:
        scope &= Q(municipality__dgo=dgo)
    reports = {
        r.municipality_id: r
        for r in StatusReport.objects.published()
        .filter(scope, round=round)
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("sector").order_by("pk"))
        )
    }
    cells: dict[int, dict[tuple[int, int], Decimal]] = {}
    releases: dict[int, set[str]] = {}
    until = Q(year__lte=round.emissions_year) if round is not None and up_to_round else Q()
    figures = EmissionFigure.objects.latest_releases(
        published_figures_q() & until & scope
    ).values_list("municipality_id", "sector_id", "year", "tonnes_co2e", "data_release")
    for municipality_id, sector_id, year, tonnes, release in figures:
        cells.setdefault(municipality_id, {})[(sector_id, year)] = tonnes
        if release:
            releases.setdefault(municipality_id, set()).add(release)
    pages = []
    municipalities = Municipality.objects.select_related("dgo").order_by("dgo__name", "name")
    if only is not None:
        municipalities = municipalities.filter(pk=only.pk)
    if dgo is not None:
        municipalities = municipalities.filter(dgo=dgo)
    for municipality in municipalities:
        own = cells.get(municipality.pk, {})
        table = EmissionsTable(
            years=sorted({year for _sector, year in own}),
            sectors=sectors,
            cells=own,
            releases=releases.get(municipality.pk, set()),
        )
        report = reports.get(municipality.pk)
        path = []
        if report is not None:
            path = charts.target_path_points(
                baseline_year=report.baseline_year,
                baseline_emissions=report.baseline_emissions,
                reduction_2030_pct=report.target_2030_reduction_pct,
                net_zero_year=report.net_zero_year,
            )
        page = MunicipalityPage(
            municipality=municipality,
            report=report,
            emissions=table,
            on_track=on_track.get(municipality.pk),
        )
        # The projection is drawn from the same totals the page's on-track analysis used.
        page.chart = emissions_chart(
            chart_id=f"emissions-{municipality.code}",
            title=_("Territorial emissions by sector group, %(place)s")
            % {"place": municipality.name},
            emissions=table,
            path=path,
            projection=analysis.projection_line(zip(table.years, table.totals, strict=True)),
            width=760,
            plot_height=150,
        )
        if report is not None:
            by_status: dict[str, list[Action]] = {}
            for action in report.actions.all():
                by_status.setdefault(action.status, []).append(action)
            page.actions = [
                (label, by_status[key]) for key, label in Action.Status.choices if key in by_status
            ]
        pages.append(page)
    return pages


def report_context(
    round: Round,
    language: str,
    *,
    by: User | None = None,
    snapshot_at=None,
    draft_text: bool = False,
) -> ReportContext:
    """Everything the report shows, in `language`: a fixed number of queries (≈ 25 + 9 per
    DGO), whatever the number of municipalities, tracks and budget lines. The knowledge
    partners' text goes in once published, or as a draft in a preview (`draft_text`)."""
    with translation.override(language):
        national = aggregates(round=round)
        on_track = {}
        if national.on_track is not None:
            on_track = {m.pk: result for m, result in national.on_track.municipalities}
        pages = _municipality_pages(round, on_track)
        chapters = []
        for dgo in DGO.objects.order_by("name"):
            chapters.append(
                DGOChapter(
                    dgo=dgo,
                    figures=aggregates(round=round, dgo=dgo),
                    municipalities=[p for p in pages if p.municipality.dgo_id == dgo.pk],
                )
            )
        releases = sorted({release for page in pages for release in page.emissions.releases})
        context = ReportContext(
            round=round,
            language=language,
            title=_("Klimaalliancen – Status report %(year)s") % {"year": round.year},
            national=national,
            chapters=chapters,
            snapshot_at=snapshot_at or data_snapshot_at(round),
            generated_at=timezone.now(),
            generated_by=(by.get_full_name() or by.get_username()) if by else "",
            releases=releases,
            tracks=track_selectors.tracks_for_report(),
            track_counts=track_selectors.track_status_counts(),
            budget=BudgetChapter(
                overview=track_selectors.budget_overview(),
                pools=list(track_selectors.pool_list()),
                agreed=AGREED_BUDGET,
            ),
            page_label=pgettext("page footer", "Page"),
            page_of_label=pgettext("page footer", "of"),
            credits=credits_of(),
        )
        context.editorial = _editorial_for(context, draft_text=draft_text)
        return context


def _editorial_for(context: ReportContext, *, draft_text: bool):
    """The edition's text filled with the figures of this very report (its parts, no second
    gathering): the published text, or the draft in a preview."""
    from monitoring.status_report import editorial

    edition = ReportEdition.objects.filter(round=context.round).select_related("organisation")
    if not draft_text:
        edition = edition.filter(state=ReportEdition.State.PUBLISHED)
    edition = edition.first()
    if edition is None:
        return None
    figures = editorial.key_figures(
        round=context.round,
        national=context.national,
        tracks=context.tracks,
        overview=context.budget.overview,
    )
    return editorial.edition_text(edition, figures)


@dataclass
class FactSheet:
    """A one-page summary of one municipality, from the same parts as its report page."""

    page: MunicipalityPage
    round: Round | None
    language: str
    title: str
    generated_at: object
    page_label: str
    page_of_label: str
    credits: Credits | None = None


def factsheet_context(municipality: Municipality, language: str) -> FactSheet:
    """The municipality's latest approved status report (its round), its published figures
    and its on-track analysis: a fixed number of queries (≈ 8)."""

    with translation.override(language):
        latest = (
            StatusReport.objects.published()
            .filter(municipality=municipality)
            .select_related("round")
            .order_by("-round__year")
            .first()
        )
        round = latest.round if latest else None
        on_track = municipality_on_track(municipality=municipality).analysis
        # Every published year, as on the municipality's web page (a later data release may
        # hold years the round's report did not cover yet).
        pages = _municipality_pages(
            round, {municipality.pk: on_track}, only=municipality, up_to_round=False
        )
        return FactSheet(
            page=pages[0],
            round=round,
            language=language,
            title=_("Klimaalliancen – fact sheet %(place)s") % {"place": municipality.name},
            generated_at=timezone.now(),
            page_label=pgettext("page footer", "Page"),
            page_of_label=pgettext("page footer", "of"),
            credits=credits_of(),
        )


def factsheet_pdf(municipality: Municipality, language: str) -> tuple[bytes, int]:
    """The fact sheet as a PDF and its number of pages (synchronous: one page renders fast)."""
    context = factsheet_context(municipality, language)
    with translation.override(language):
        html = render_to_string(
            "monitoring/report/factsheet.html", {"report": context, "page": context.page}
        )
    return render_pdf(html)


@dataclass
class DGOPack:
    """A DGO's status pack for its political steering group: its municipalities with their
    status and on-track analysis, the round's key figures for the DGO, the tracks it takes
    part in and its co-financing. Built from the same selectors as the report's DGO chapter
    (`aggregates`, `_municipality_pages`, `tracks_for_report`, `dgo_budgets`): nothing is
    counted again here."""

    dgo: DGO
    round: Round | None
    language: str
    title: str
    figures: Aggregates
    municipalities: list[MunicipalityPage]
    tracks: list[Track]
    budget: object  # tracks.selectors.DGOBudget, or None without co-financing
    generated_at: object
    page_label: str
    page_of_label: str
    credits: Credits | None = None


def pack_round(year: int | None = None) -> Round | None:
    """The round a pack shows: `year`'s, else the newest closed round (its reports are
    complete and published), else the newest — the DGO page's own default."""
    rounds = list(Round.objects.order_by("-year"))
    if year is not None:
        return next((r for r in rounds if r.year == year), None)
    closed = [r for r in rounds if not r.is_open]
    return closed[0] if closed else (rounds[0] if rounds else None)


def _takes_part(track: Track, dgo: DGO) -> bool:
    """The DGO is named on the track, or one of its municipalities or its region takes part."""
    if any(d.pk == dgo.pk for d in track.dgos.all()):
        return True
    for participant in track.participants.all():
        if participant.municipality is not None and participant.municipality.dgo_id == dgo.pk:
            return True
        if participant.region_id is not None and participant.region_id == dgo.region_id:
            return True
    return False


def dgo_pack_context(dgo: DGO, language: str, *, round: Round | None = None) -> DGOPack:
    """Everything the pack shows, in `language`: a fixed number of queries."""
    with translation.override(language):
        figures = aggregates(round=round, dgo=dgo)
        on_track = {}
        if figures.on_track is not None:
            on_track = {m.pk: result for m, result in figures.on_track.municipalities}
        budget = next(
            (b for b in track_selectors.dgo_budgets() if b.dgo.pk == dgo.pk),
            None,
        )
        return DGOPack(
            dgo=dgo,
            round=round,
            language=language,
            title=_("Klimaalliancen – status pack %(dgo)s") % {"dgo": dgo.name},
            figures=figures,
            municipalities=_municipality_pages(round, on_track, dgo=dgo),
            tracks=[t for t in track_selectors.tracks_for_report() if _takes_part(t, dgo)],
            budget=budget,
            generated_at=timezone.now(),
            page_label=pgettext("page footer", "Page"),
            page_of_label=pgettext("page footer", "of"),
            credits=credits_of(),
        )


def dgo_pack_pdf(dgo: DGO, language: str, *, round: Round | None = None) -> tuple[bytes, int]:
    """The DGO's status pack as a PDF (PDF/UA-1) and its number of pages: a few pages, so
    rendered at once like the fact sheet."""
    context = dgo_pack_context(dgo, language, round=round)
    with translation.override(language):
        html = render_to_string("monitoring/report/dgo_pack.html", {"report": context})
    return render_pdf(html)


def report_html(context: ReportContext) -> str:
    """The whole report as one document, for one WeasyPrint pass (the benchmark's floor, and
    tests that read its text): the same parts, with CSS counting the pages."""
    from .parts import report_parts

    with translation.override(context.language):
        return render_to_string(
            "monitoring/report/document.html",
            {"report": context, "parts": report_parts(context), "whole": True},
        )


def render_pdf(html: str) -> tuple[bytes, int]:
    """The PDF (PDF/UA-1) and its number of pages."""
    from .parts import render_part

    pdf, meta = render_part(html)
    return pdf, meta["pages"]


# --- the report in parts (status_report.parts) ------------------------------------------------
#
# The tasks' chain (monitoring/tasks.py), each step idempotent, so a re-delivered task (a
# worker killed mid-part) finds its work done and the report still completes once:
#   render_status_report        gather the data, store each part's HTML and queue a task for
#                               each part not yet in the cache, then save the plan;
#   render_status_report_part   render one part (both worker processes take them), then
#                               check the plan: the part that completes it starts the next step;
#   number_status_report        write the final page numbers into the contents and the chapter
#                               openings and queue them, with the folio of the page count;
#   finish_status_report        join the parts into the document's PDF.


def part_cache(storage=None):
    from .parts import PartCache

    return PartCache(storage or StatusReportDocument._meta.get_field("file").storage)


def _language_labels(language: str) -> tuple[str, str]:
    with translation.override(language):
        return pgettext("page footer", "Page"), pgettext("page footer", "of")


def _plan(context: ReportContext, cache, *, start=None) -> list:
    """Each part's HTML, stored for its task unless the part is rendered already; a numbered
    part first with stand-in page numbers (parts.renumbered writes the real ones). `start`
    is called with each part's key not in the cache, as soon as its HTML is stored."""
    from .parts import PlannedPart, content_key, fill_pages, part_html, report_parts

    plan = []
    for part in report_parts(context):
        template = part_html(context, part)
        html = fill_pages(template, None) if part.numbered else template
        key = content_key(html)
        if not cache.has(key):
            cache.put_html(key, html)
            if start:
                start(key)
        plan.append(
            PlannedPart(
                name=part.key,
                key=key,
                nests=part.nests,
                link_targets=part.link_targets,
                template=template if part.numbered else "",
            )
        )
    return plan


def _join(plan, cache, *, language: str) -> tuple[bytes, int]:
    """The report's PDF from its rendered parts and its folio (rendered here if the page
    count moved since the plan was numbered) and its number of pages."""
    from .parts import folio_part, join, layout, render_part

    total = layout(plan.parts, [cache.meta(part.key) for part in plan.parts]).total
    key, html = folio_part(total, language, _language_labels(language))
    if not cache.has(key):
        cache.put(key, *render_part(html))
    pdfs = [cache.pdf(part.key) for part in plan.parts]
    return join(plan.parts, pdfs, cache.pdf(key)), total


@dataclass
class RenderedReport:
    pdf: bytes
    pages: int
    plan: list  # parts.PlannedPart, in order
    rendered: list[str]  # the parts rendered for it (the others came from the cache)


def render_in_parts(context: ReportContext, cache=None) -> RenderedReport:
    """Render the report here, part by part, each part taken from the cache where it was
    rendered before (the management command and tests; the tasks do the same in parallel)."""
    from .parts import RenderPlan, number_pages, render_part

    cache = cache or part_cache()
    plan = RenderPlan(parts=_plan(context, cache))
    rendered = []
    for part in plan.parts:
        if not cache.has(part.key):
            cache.put(part.key, *render_part(cache.html(part.key)))
            rendered.append(part.name)
    _layout, numbered = number_pages(plan.parts, cache)
    pdf, pages = _join(plan, cache, language=context.language)
    return RenderedReport(pdf=pdf, pages=pages, plan=plan.parts, rendered=rendered + numbered)


def report_write_pdf(*, round: Round, language: str, by: User | None = None) -> tuple[bytes, int]:
    """Render synchronously (the management command)."""
    report = render_in_parts(report_context(round, language, by=by))
    return report.pdf, report.pages


def _enqueue(task: str, *args) -> None:
    """Start a task of monitoring/tasks.py, found by its Celery name (tasks.py calls this
    module, so this module does not import it)."""
    from celery import current_app

    current_app.tasks[f"monitoring.tasks.{task}"].delay(*args)


def _failed(document_id: int, error: Exception) -> None:
    logger.exception("status report %s failed", document_id)
    StatusReportDocument.objects.filter(pk=document_id).update(
        status=Status.FAILED,
        error=f"{type(error).__name__}: {error}"[:2000],
        finished_at=timezone.now(),
    )


@contextmanager
def _failing_marks(document_id: int):
    """An error marks the document failed (the page says so) and is raised for the log."""
    try:
        yield
    except Exception as error:
        _failed(document_id, error)
        raise


def _pending(document_id: int):
    return (
        StatusReportDocument.objects.select_related("round", "requested_by")
        .filter(pk=document_id)
        .exclude(status=Status.DONE)
        .first()
    )


def report_render_pdf(document_id: int, *, parallel: bool = False) -> None:
    """Render a requested document: gather the data and plan its parts; with `parallel` (the
    Celery task) each part not in the cache is queued as soon as its HTML is ready and the
    worker processes share them; without, here, one after the other, then the numbering and
    the joining. A done document is left alone."""
    from .parts import RenderPlan

    document = _pending(document_id)
    if document is None:
        return
    with _failing_marks(document_id), translation.override(document.language):
        document.status, document.progress, document.step = Status.GATHERING, 5, _("Gathering data")
        document.render_plan = {}  # a re-delivery plans again: nothing waits on the old plan
        document.save(update_fields=["status", "progress", "step", "render_plan"])
        context = report_context(
            document.round,
            document.language,
            by=document.requested_by,
            snapshot_at=document.data_snapshot_at,
            draft_text=document.is_preview,
        )
        cache = part_cache(document.file.storage)
        queued = set()

        def start(key: str) -> None:
            if parallel and key not in queued:
                queued.add(key)
                _enqueue("render_status_report_part", document_id, key)

        plan = RenderPlan(parts=_plan(context, cache, start=start))
        document.render_plan = plan.as_json()
        document.status, document.progress = Status.RENDERING, 10
        document.step = _("Rendering the parts")
        document.save(update_fields=["render_plan", "status", "progress", "step"])
    if parallel:
        _advance(document_id)  # every part may have been done before the plan was saved
        return
    for key in dict.fromkeys(plan.keys):
        report_render_part(document_id, key, advance=False)
    report_number(document_id, advance=False)
    for key in RenderPlan.from_json(_pending(document_id).render_plan).keys:
        report_render_part(document_id, key, advance=False)
    report_finish(document_id)


def _advance(document_id: int) -> None:
    """Show the progress of a document's parts; once every part of the plan is rendered,
    start the next step: the numbering, or after it the joining."""
    from .parts import RenderPlan

    document = _pending(document_id)
    if document is None or not document.render_plan:
        return
    plan = RenderPlan.from_json(document.render_plan)
    cache = part_cache(document.file.storage)
    keys = set(plan.keys)
    done = sum(1 for key in keys if cache.has(key))
    with translation.override(document.language):
        step = _("Rendered %(done)d of %(total)d parts") % {"done": done, "total": len(keys)}
    StatusReportDocument.objects.filter(pk=document_id, status=Status.RENDERING).update(
        progress=(85 if plan.numbered else 10 + 70 * done // max(len(keys), 1)), step=step
    )
    if done == len(keys):
        _enqueue("finish_status_report" if plan.numbered else "number_status_report", document_id)


def report_render_part(document_id: int, key: str, *, advance: bool = True) -> None:
    """Render one part (by its content key) unless the cache has it, then `_advance`."""
    from .parts import render_part

    document = _pending(document_id)
    if document is None:
        return
    cache = part_cache(document.file.storage)
    with _failing_marks(document_id):
        if not cache.has(key):
            cache.put(key, *render_part(cache.html(key)))
        if advance:
            _advance(document_id)


def report_number(document_id: int, *, advance: bool = True) -> None:
    """Every part rendered, so every page is known: write the pages into the numbered parts
    (contents, chapter openings) and plan the folio of the page count, then queue the ones not
    in the cache. Once per plan: the document's row is locked, a numbered plan left alone."""
    from django.db import transaction

    from .parts import RenderPlan, folio_part, layout, renumbered

    with _failing_marks(document_id), transaction.atomic():
        document = StatusReportDocument.objects.select_for_update().filter(pk=document_id)
        document = document.exclude(status=Status.DONE).first()
        if document is None or not document.render_plan:
            return
        plan = RenderPlan.from_json(document.render_plan)
        cache = part_cache(document.file.storage)
        if plan.numbered or not all(cache.has(key) for key in plan.keys):
            return
        metas = [cache.meta(part.key) for part in plan.parts]
        for index, key, html in renumbered(plan.parts, metas):
            if not cache.has(key):
                cache.put_html(key, html)
            plan.parts[index].key = key
        # The numbers are as wide as the stand-in, so the page count holds (report_finish
        # checks it).
        total = layout(plan.parts, metas).total
        plan.folio, html = folio_part(total, document.language, _language_labels(document.language))
        if not cache.has(plan.folio):
            cache.put_html(plan.folio, html)
        plan.numbered = True
        document.render_plan = plan.as_json()
        document.save(update_fields=["render_plan"])
    if advance:
        # The folio first: the longest of these (a page for each page of the report).
        for key in dict.fromkeys([plan.folio, *plan.keys]):
            if not cache.has(key):
                _enqueue("render_status_report_part", document_id, key)
        _advance(document_id)


def report_finish(document_id: int) -> None:
    """Join a document's rendered parts into its PDF. Runs once to the end: the document's
    row is locked while it runs, and a second call (two parts finishing at once, a
    re-delivery) waits for the first and then finds the document done."""
    from django.core.files.base import ContentFile
    from django.db import transaction

    from .parts import RenderPlan, number_pages

    started = time.monotonic()
    with _failing_marks(document_id), transaction.atomic():
        document = StatusReportDocument.objects.select_for_update().filter(pk=document_id)
        document = document.select_related("round").exclude(status=Status.DONE).first()
        if document is None or not document.render_plan:
            return
        plan = RenderPlan.from_json(document.render_plan)
        cache = part_cache(document.file.storage)
        if not plan.numbered or not all(cache.has(key) for key in plan.keys):
            return  # a part is still on its way; the last one starts this again
        # Should a numbered part have grown with its numbers, they are settled here.
        number_pages(plan.parts, cache)
        pdf, pages = _join(plan, cache, language=document.language)
        storage = document.file.storage
        name = document.file_name
        if storage.exists(name):
            storage.delete(name)
        document.file.name = storage.save(name, ContentFile(pdf))
        document.page_count = pages
        document.render_plan = plan.as_json()
        with translation.override(document.language):
            document.status, document.progress, document.step = Status.DONE, 100, _("Done")
        document.finished_at = timezone.now()
        document.error = ""
        document.save()
    logger.info(
        "status report %s: %s pages in %.1f s", document_id, pages, time.monotonic() - started
    )


def prune_part_cache(cache=None) -> int:
    """Delete the rendered parts that no document asked for within PART_CACHE_KEPT uses and
    that were written before it (a daily task): the number of files deleted."""
    from .parts import RenderPlan

    since = timezone.now() - PART_CACHE_KEPT
    keep: set[str] = set()
    recent = StatusReportDocument.objects.filter(requested_at__gte=since)
    for plan in recent.values_list("render_plan", flat=True):
        keep.update(RenderPlan.from_json(plan).keys)
    return (cache or part_cache()).prune(keep=keep, older_than=since)
