"""The knowledge partners' text in the status report: its chapters, and key figures from data.

The text of an edition (monitoring.models.ReportEdition) may hold tokens, `{name}` or
`{{ name }}`, for a small set of key figures. They are filled when the text is shown (the PDF,
its preview, the report's page) from the same selectors the report's tiles and tables use
(`selectors.aggregates`, `tracks.selectors.tracks_for_report` and `budget_overview`), so a
figure in the text is never typed by hand and always agrees with the tables. An unknown token
is refused when the text is saved (`unknown_tokens`, used by the service).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import dkk, tonnes
from monitoring.models import ReportEdition, Round
from monitoring.selectors import Aggregates, aggregates, emissions_change_since
from partners.models import DGO
from tracks import selectors as track_selectors
from tracks.models import Track
from tracks.reference import TOTAL as AGREED_BUDGET

# `{name}` or `{{ name }}`; a name is lower-case letters, digits and underscores.
TOKEN = re.compile(r"\{\{\s*([A-Za-z0-9_æøåÆØÅ]+)\s*\}\}|\{([A-Za-z0-9_æøåÆØÅ]+)\}")
BASE_YEAR = 2018  # "reduction since 2018": the year the partnership measures from

# The report's chapters before and after the DGO chapters (see report/document.html).
FIXED_CHAPTERS_BEFORE = (
    ("summary", gettext_lazy("Summary: key figures")),
    ("tracks", gettext_lazy("Development tracks")),
    ("budget", gettext_lazy("Budget")),
)
FIXED_CHAPTERS_AFTER = (("method", gettext_lazy("Method and data sources")),)


def dgo_chapter_key(dgo: DGO) -> str:
    return f"dgo-{dgo.slug}"


def chapter_list() -> list[tuple[str, str]]:
    """(key, title) of every chapter of the report in its order: one query (the DGOs)."""
    dgos = [(dgo_chapter_key(d), d.name) for d in DGO.objects.order_by("name")]
    return [
        *((key, str(title)) for key, title in FIXED_CHAPTERS_BEFORE),
        *dgos,
        *((key, str(title)) for key, title in FIXED_CHAPTERS_AFTER),
    ]


def _pct(value: Decimal | None) -> str:
    return "–" if value is None else number_format(value, decimal_pos=1)


@dataclass
class KeyFigures:
    """The figures a text may name, from the report's own parts."""

    national: Aggregates
    tracks: list[Track]
    spent: Decimal
    spent_pct: Decimal | None
    committed_pct: Decimal | None
    change_since_base: object = None  # analysis.Change | None

    @property
    def latest_year(self) -> int | None:
        years = self.national.emissions.years
        return years[-1] if years else None

    @property
    def latest_total(self) -> Decimal | None:
        totals = self.national.emissions.totals
        return totals[-1] if totals else None

    @property
    def reduction_since_base_pct(self) -> Decimal | None:
        change = self.change_since_base
        if change is None or change.pct is None:
            return None
        return -change.pct

    @property
    def on_track(self) -> int | None:
        rollup = self.national.on_track.rollup if self.national.on_track else None
        return rollup.counts.get("on_track", 0) if rollup else None


@dataclass(frozen=True)
class TokenDefinition:
    name: str
    label: object  # a lazy translation
    value: Callable[[KeyFigures], str]


def _count(value) -> str:
    return "–" if value is None else number_format(value, force_grouping=True)


TOKENS: tuple[TokenDefinition, ...] = (
    TokenDefinition(
        "antal_kommuner",
        gettext_lazy("number of municipalities in the partnership"),
        lambda f: _count(f.national.municipality_count),
    ),
    TokenDefinition(
        "antal_godkendte_rapporter",
        gettext_lazy("number of approved status reports in the round"),
        lambda f: _count(f.national.reported),
    ),
    TokenDefinition(
        "antal_kommuner_med_plan",
        gettext_lazy("number of municipalities with an adopted or revised climate action plan"),
        lambda f: _count(f.national.with_plan),
    ),
    TokenDefinition(
        "kommuner_paa_sporet",
        gettext_lazy("number of municipalities on track for their 2030 target"),
        lambda f: _count(f.on_track),
    ),
    TokenDefinition(
        "seneste_aar",
        gettext_lazy("the latest year with emission figures"),
        lambda f: "–" if f.latest_year is None else str(f.latest_year),
    ),
    TokenDefinition(
        "udledning_seneste_aar",
        gettext_lazy("total territorial emissions of the latest year, in tonnes CO2e"),
        lambda f: tonnes(f.latest_total),
    ),
    TokenDefinition(
        "reduktion_siden_2018_pct",
        gettext_lazy("reduction in total emissions since 2018, in per cent (like with like)"),
        lambda f: _pct(f.reduction_since_base_pct),
    ),
    TokenDefinition(
        "spor_i_gang",
        gettext_lazy("number of development tracks under way"),
        lambda f: _count(sum(1 for t in f.tracks if t.status == Track.Status.RUNNING)),
    ),
    TokenDefinition(
        "spor_evalueret",
        gettext_lazy("number of development tracks evaluated"),
        lambda f: _count(sum(1 for t in f.tracks if t.status == Track.Status.EVALUATED)),
    ),
    TokenDefinition(
        "budget_forbrugt",
        gettext_lazy("budget spent, in kroner"),
        lambda f: dkk(f.spent, 0),
    ),
    TokenDefinition(
        "budget_forbrugt_pct",
        gettext_lazy("budget spent, in per cent of the agreed budget"),
        lambda f: _pct(f.spent_pct),
    ),
    TokenDefinition(
        "budget_bundet_pct",
        gettext_lazy("budget spent or bound, in per cent of the agreed budget"),
        lambda f: _pct(f.committed_pct),
    ),
)
TOKEN_NAMES = frozenset(t.name for t in TOKENS)


def tokens_in(text: str) -> list[str]:
    return [m.group(1) or m.group(2) for m in TOKEN.finditer(text or "")]


def unknown_tokens(text: str) -> list[str]:
    """The tokens of `text` that name no key figure, in order, each once."""
    seen: list[str] = []
    for name in tokens_in(text):
        if name not in TOKEN_NAMES and name not in seen:
            seen.append(name)
    return seen


def fill(text: str, values: dict[str, str]) -> str:
    """The text with every known token replaced by its figure (plain text: the template
    escapes it). An unknown token stays as written."""

    def replace(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        return values.get(name, match.group(0))

    return TOKEN.sub(replace, text or "")


def _budget_shares(spent: Decimal, committed: Decimal) -> tuple[Decimal | None, Decimal | None]:
    if not AGREED_BUDGET:
        return None, None
    return spent * 100 / AGREED_BUDGET, committed * 100 / AGREED_BUDGET


def key_figures(
    *, round: Round, national: Aggregates | None = None, tracks=None, overview=None
) -> KeyFigures:
    """The key figures of a round's report. The report passes the parts it has already
    gathered (no query twice); the portal's pages let this gather them (≈ 20 queries, fixed)."""
    national = national if national is not None else aggregates(round=round)
    tracks = tracks if tracks is not None else track_selectors.tracks_for_report()
    overview = overview if overview is not None else track_selectors.budget_overview()
    spent = overview.total.spent
    committed = overview.total.budgeted - overview.total.remaining
    spent_pct, committed_pct = _budget_shares(spent, committed)
    return KeyFigures(
        national=national,
        tracks=list(tracks),
        spent=spent,
        spent_pct=spent_pct,
        committed_pct=committed_pct,
        change_since_base=emissions_change_since(round=round, from_year=BASE_YEAR),
    )


def token_values(figures: KeyFigures) -> dict[str, str]:
    return {t.name: t.value(figures) for t in TOKENS}


@dataclass
class EditionText:
    """An edition's text with its key figures filled in, as the PDF and the pages show it."""

    foreword: str = ""
    key_messages: list[str] = field(default_factory=list)
    chapters: dict[str, str] = field(default_factory=dict)
    organisation: str = ""
    published_at: object = None
    is_draft: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.foreword or self.key_messages or any(self.chapters.values()))


def edition_text(edition: ReportEdition | None, figures: KeyFigures) -> EditionText | None:
    """The text filled with the figures; None when there is no edition."""
    if edition is None:
        return None
    values = token_values(figures)
    return EditionText(
        foreword=fill(edition.foreword, values).strip(),
        key_messages=[fill(m, values) for m in edition.key_messages if m.strip()],
        chapters={k: fill(v, values).strip() for k, v in edition.chapters.items() if v.strip()},
        organisation=str(edition.organisation) if edition.organisation_id else "",
        published_at=edition.published_at,
        is_draft=not edition.is_published,
    )


def token_help() -> list[tuple[str, str]]:
    """(token as written, what it stands for): the list the form shows."""
    return [("{" + t.name + "}", str(t.label)) for t in TOKENS]


def unknown_tokens_message(names: list[str]) -> str:
    return _(
        "Unknown key figure: %(tokens)s. Use one of the key figures listed under the form."
    ) % {"tokens": ", ".join("{" + n + "}" for n in names)}
