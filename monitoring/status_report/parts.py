"""The status report rendered in parts, each part cached by its content, then joined.

Why: one WeasyPrint pass over the national report (216 pages) takes about 45 s of one core.
Its parts — the cover, the contents, the summary, the tracks, the budget, each DGO chapter's
opening, its municipality pages in batches, the method — are independent documents, so the
worker processes render them at once (monitoring.tasks.render_status_report_part), and a part
whose HTML has not changed since an earlier report is taken from the cache instead of being
rendered again: after one municipality's figures change, only its batch, its chapter's opening,
the summary and the cover are rendered.

What ties the pages of different parts together is done once every part is known:
- the page numbers ("Side 12 af 216") come from a folio document of the final page count,
  laid over every page but the cover and marked as artifacts (not content);
- the contents and the chapter openings, which print the pages of other parts, are rendered
  with a stand-in of the same width first (to learn their own length), then with the pages
  written in (`page_placeholder`);
- pikepdf joins the pages, the structure trees (PDF/UA: tags, the parent tree), the named
  destinations the links point at, and the bookmarks.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from dataclasses import asdict, dataclass, field
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.template.loader import render_to_string
from django.utils import translation

# Tagged PDF for the Danish web accessibility act: PDF/UA-1 gives a structure tree (headings,
# tables with their header cells, lists, figures with their alternative text, taken from each
# SVG's <title>), /MarkInfo, /Lang from <html lang>, XMP metadata with the pdfuaid part and
# the <title> shown as the window title (DisplayDocTitle). The fact sheets and packs too.
PDF_VARIANT = "pdf/ua-1"
# Bump when the rendering of a part or the joining changes for the same HTML: the cache's
# files of the old format are then never read again (and pruned, see PartCache.prune).
FORMAT = "1"
CACHE_DIR = "status-report-parts"
# A municipality page is one page; eight make a part of about the length of the others, so
# the two worker processes share the report evenly.
MUNICIPALITIES_PER_PART = 8
# As wide as any page number of the report, so the part is as long with the real numbers.
STAND_IN = "888"
_PLACEHOLDER = re.compile(r"\[\[page:([^\]]+)\]\]")
# WeasyPrint tags the text of the page's margin boxes as content (a Span with an MCID); laid
# over another document's page, the folio's numbers are marked as what they are, artifacts.
_TAGGED_CONTENT = re.compile(rb"/\w+\s*<<\s*/MCID\s+\d+\s*>>\s*BDC")


def page_placeholder(anchor: str) -> str:
    """What a numbered part's HTML holds where the page of `anchor` goes (see fill_pages)."""
    return f"[[page:{anchor}]]"


def fill_pages(html: str, pages: dict[str, int] | None) -> str:
    """The HTML with each placeholder replaced by its anchor's page (or the stand-in)."""
    if pages is None:
        return _PLACEHOLDER.sub(STAND_IN, html)
    return _PLACEHOLDER.sub(lambda match: str(pages.get(match.group(1), "–")), html)


@dataclass
class Part:
    """A piece of the report rendered as a document of its own (templates part_*.html)."""

    key: str
    template: str
    number: int | None = None  # the chapter's number in its heading
    chapter: object = None  # rendering.DGOChapter
    pages: list = field(default_factory=list)  # rendering.MunicipalityPage, a batch
    # Anchors in other parts that this part prints the page of and links to: it holds empty
    # targets of the same names, so WeasyPrint keeps the links (joined, they lead to the part
    # that has them).
    link_targets: list[str] = field(default_factory=list)
    # Its bookmarks go under the previous part's last chapter (a batch of municipality pages).
    nests: bool = False

    @property
    def numbered(self) -> bool:
        return bool(self.link_targets)


def report_parts(context) -> list[Part]:
    """The parts of the report, in the order of its pages."""
    chapters = context.chapters
    municipality_anchors = [
        [f"m-{page.municipality.code}" for page in chapter.municipalities] for chapter in chapters
    ]
    everything = ["summary", "tracks", "budget", "method"]
    for chapter, anchors in zip(chapters, municipality_anchors, strict=True):
        everything += [f"dgo-{chapter.dgo.slug}", *anchors]
    parts = [
        Part("cover", "monitoring/report/part_cover.html"),
        Part("contents", "monitoring/report/part_toc.html", link_targets=everything),
        Part("front", "monitoring/report/part_front.html"),
        Part("tracks", "monitoring/report/tracks.html"),
        Part("budget", "monitoring/report/budget.html"),
    ]
    chapter_anchors = zip(chapters, municipality_anchors, strict=True)
    for number, (chapter, anchors) in enumerate(chapter_anchors, start=4):
        key = f"dgo-{chapter.dgo.slug}"
        parts.append(
            Part(
                key,
                "monitoring/report/part_chapter.html",
                number=number,
                chapter=chapter,
                link_targets=anchors,
            )
        )
        pages = chapter.municipalities
        for n, first in enumerate(range(0, len(pages), MUNICIPALITIES_PER_PART), 1):
            parts.append(
                Part(
                    f"{key}-{n}",
                    "monitoring/report/part_municipalities.html",
                    pages=pages[first : first + MUNICIPALITIES_PER_PART],
                    nests=True,
                )
            )
    parts.append(Part("method", "monitoring/report/part_method.html", number=len(chapters) + 4))
    return parts


def part_html(context, part: Part) -> str:
    """The part as a document of its own; a numbered part's with page placeholders."""
    with translation.override(context.language):
        return render_to_string(
            "monitoring/report/document.html",
            {"report": context, "parts": [part], "whole": False, "folio_later": True},
        )


def content_key(html: str) -> str:
    """The cache key of a part: its HTML, the format and the WeasyPrint that renders it."""
    import weasyprint

    digest = hashlib.sha256(f"{FORMAT}\n{weasyprint.__version__}\n".encode())
    digest.update(html.encode())
    return digest.hexdigest()


@dataclass
class PlannedPart:
    """A part as the render plan keeps it (StatusReportDocument.render_plan): `key` is the
    HTML's content key; a numbered part keeps its HTML with placeholders (`template`)."""

    name: str
    key: str
    nests: bool = False
    link_targets: list[str] = field(default_factory=list)
    template: str = ""

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> PlannedPart:
        return cls(**data)


class PartCache:
    """Rendered parts in a storage (the report documents' own: S3 in production), by content
    key: `<key>.pdf`, its pages and anchors in `<key>.json`, and the HTML it waits to be
    rendered from in `<key>.html` (so a task carries only the key)."""

    def __init__(self, storage: Storage):
        self.storage = storage

    def _name(self, key: str, suffix: str) -> str:
        return f"{CACHE_DIR}/{key}.{suffix}"

    def _put(self, name: str, content: bytes) -> None:
        if not self.storage.exists(name):  # the same key is the same content
            self.storage.save(name, ContentFile(content))

    def has(self, key: str) -> bool:
        return self.storage.exists(self._name(key, "pdf"))

    def put_html(self, key: str, html: str) -> None:
        self._put(self._name(key, "html"), html.encode())

    def html(self, key: str) -> str:
        with self.storage.open(self._name(key, "html"), "rb") as handle:
            return handle.read().decode()

    def put(self, key: str, pdf: bytes, meta: dict) -> None:
        self._put(self._name(key, "json"), json.dumps(meta).encode())
        self._put(self._name(key, "pdf"), pdf)  # last: has() means both are there

    def pdf(self, key: str) -> bytes:
        with self.storage.open(self._name(key, "pdf"), "rb") as handle:
            return handle.read()

    def meta(self, key: str) -> dict:
        with self.storage.open(self._name(key, "json"), "rb") as handle:
            return json.loads(handle.read())

    def prune(self, keep: set[str], older_than) -> int:
        """Delete the files of parts not in `keep` last written before `older_than`."""
        try:
            _dirs, files = self.storage.listdir(CACHE_DIR)
        except (FileNotFoundError, NotImplementedError):
            return 0
        deleted = 0
        for file in files:
            key = file.rpartition(".")[0]
            name = f"{CACHE_DIR}/{file}"
            if key in keep:
                continue
            try:
                stale = self.storage.get_modified_time(name) < older_than
            except (FileNotFoundError, NotImplementedError):
                continue
            if stale:
                self.storage.delete(name)
                deleted += 1
        return deleted


def render_part(html: str) -> tuple[bytes, dict]:
    """A part's PDF (PDF/UA-1) with its page count and the page (0-based) of each anchor."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:  # a box over several pages has its anchor on each
            anchors.setdefault(name, index)
    meta = {"pages": len(document.pages), "anchors": anchors}
    return document.write_pdf(pdf_variant=PDF_VARIANT), meta


@dataclass
class Layout:
    """The page (1-based) of each anchor and the report's number of pages."""

    pages: dict[str, int]
    total: int


def layout(plan: list[PlannedPart], metas: list[dict]) -> Layout:
    pages, start = {}, 0
    for part, meta in zip(plan, metas, strict=True):
        targets = set(part.link_targets)
        for anchor, index in meta["anchors"].items():
            if anchor not in targets:
                pages[anchor] = start + index + 1
        start += meta["pages"]
    return Layout(pages=pages, total=start)


def renumbered(plan: list[PlannedPart], metas: list[dict]) -> list[tuple[int, str, str]]:
    """The numbered parts whose HTML changes with the pages the parts' `metas` give: each as
    (its index in the plan, the new content key, the new HTML)."""
    found = layout(plan, metas)
    changes = []
    for index, part in enumerate(plan):
        if part.template:
            html = fill_pages(part.template, found.pages)
            key = content_key(html)
            if key != part.key:
                changes.append((index, key, html))
    return changes


def number_pages(
    plan: list[PlannedPart], cache: PartCache, render=render_part
) -> tuple[Layout, list[str]]:
    """Write the final page numbers into the numbered parts, rendering each here (from the
    cache where it was rendered with the same numbers before). A part that grows or shrinks
    with its numbers moves the pages after it, so this repeats until the page counts hold (in
    practice once: the stand-in is as wide as the widest number). Updates the plan's keys;
    returns the layout and the parts it rendered."""
    metas = [cache.meta(part.key) for part in plan]
    rendered = []
    for _attempt in range(4):
        changes = renumbered(plan, metas)
        if not changes:
            return layout(plan, metas), rendered
        for index, key, html in changes:
            if not cache.has(key):
                cache.put(key, *render(html))
                rendered.append(plan[index].name)
            plan[index].key = key
            metas[index] = cache.meta(key)
    raise RuntimeError("the page numbers of the status report's contents do not settle")


@dataclass
class RenderPlan:
    """What a document is joined from (StatusReportDocument.render_plan): its parts in
    order, whether the numbered ones carry their final pages yet, and the folio's key."""

    parts: list[PlannedPart] = field(default_factory=list)
    numbered: bool = False
    folio: str = ""

    @property
    def keys(self) -> list[str]:
        return [part.key for part in self.parts] + ([self.folio] if self.folio else [])

    def as_json(self) -> dict:
        return asdict(self)  # the parts as dictionaries too

    @classmethod
    def from_json(cls, data: dict) -> RenderPlan:
        if not isinstance(data, dict):  # none yet (the field's default)
            return cls()
        return cls(
            parts=[PlannedPart.from_json(part) for part in data.get("parts", [])],
            numbered=data.get("numbered", False),
            folio=data.get("folio", ""),
        )


# --- joining ------------------------------------------------------------------------------


def folio_html(total: int, language: str, labels: tuple[str, str]) -> str:
    with translation.override(language):
        return render_to_string(
            "monitoring/report/folio.html",
            {
                "language": language,
                "pages": range(total - 1),  # after the cover
                "page_label": labels[0],
                "page_of_label": labels[1],
            },
        )


def folio_part(total: int, language: str, labels: tuple[str, str]) -> tuple[str, str]:
    """The folio of `total` pages — only their numbers ("Side 2 af 216"; the cover none) — as
    (content key, HTML): a part like the others, rendered once per page count and language."""
    html = folio_html(total, language, labels)
    return content_key(html), html


def _copy(pdf, value):
    """`value` of another PDF in `pdf`: indirect objects copied (a page already copied is
    taken, not copied again: pikepdf keeps one copy per object and source), direct arrays and
    dictionaries rebuilt around them."""
    import pikepdf

    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return value if value.is_owned_by(pdf) else pdf.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copy(pdf, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copy(pdf, item) for key, item in value.items()})
    return value


def _name_tree(node) -> list:
    """The flat [name, value, name, value, …] of a PDF name tree."""
    found = list(node.get("/Names", []))
    for kid in node.get("/Kids", []):
        found += _name_tree(kid)
    return found


def _number_tree(node) -> list:
    found = list(node.get("/Nums", []))
    for kid in node.get("/Kids", []):
        found += _number_tree(kid)
    return found


def _outline(pdf, source) -> list:
    """The bookmarks of `source` as new items of `pdf` (their pages mapped to the copies)."""
    from pikepdf import OutlineItem

    def copy(item):
        new = OutlineItem(str(item.title), destination=_copy(pdf, item.destination))
        new.children.extend(copy(child) for child in item.children)
        return new

    with source.open_outline() as outline:
        return [copy(item) for item in outline.root]


def _structure(tree):
    """The document element under a structure tree root (WeasyPrint writes one)."""
    import pikepdf

    kids = tree.K
    return kids[0] if isinstance(kids, pikepdf.Array) else kids


def join(plan: list[PlannedPart], pdfs: list[bytes], folio: bytes) -> bytes:
    """One PDF/UA document of the parts' PDFs, in order, with the folio laid over its pages."""
    import pikepdf

    joined = pikepdf.open(BytesIO(pdfs[0]))  # the cover's: /Lang, XMP, /MarkInfo, title shown
    tree = joined.Root.StructTreeRoot
    document = _structure(tree)
    nums = _number_tree(tree.ParentTree)
    next_key = max((int(key) for key in nums[::2]), default=-1) + 1
    dests = _name_tree(joined.Root.Names.Dests) if "/Names" in joined.Root else []
    bookmarks = _outline(joined, joined)

    for part, content in zip(plan[1:], pdfs[1:], strict=True):
        source = pikepdf.open(BytesIO(content))
        first = len(joined.pages)
        with warnings.catch_warnings():
            # pikepdf warns that named destinations are not carried over: join does that.
            warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
            joined.pages.extend(source.pages)
        # The parent tree is keyed per document: this part's keys move past the joined ones.
        for page in joined.pages[first:]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + next_key
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + next_key
        # The part's whole structure tree in one copy (its pages are the ones just copied).
        source_tree = _copy(joined, source.Root.StructTreeRoot)
        for kid in _structure(source_tree).K:
            if isinstance(kid, pikepdf.Dictionary):
                kid.P = document
            document.K.append(kid)
        source_nums = _number_tree(source_tree.ParentTree)
        for key, value in zip(source_nums[::2], source_nums[1::2], strict=True):
            nums += [int(key) + next_key, value]
        next_key += max((int(key) for key in source_nums[::2]), default=-1) + 1
        # Named destinations: the part's own anchors, not the empty link targets it holds.
        if "/Names" in source.Root:
            names = _name_tree(source.Root.Names.Dests)
            targets = set(part.link_targets)
            for name, destination in zip(names[::2], names[1::2], strict=True):
                if str(name) not in targets:
                    dests += [name, _copy(joined, destination)]
        items = _outline(joined, source)
        if part.nests and bookmarks:
            bookmarks[-1].children.extend(items)
        else:
            bookmarks += items

    tree.ParentTree = pikepdf.Dictionary(Nums=pikepdf.Array(nums))
    tree.ParentTreeNextKey = next_key
    by_name = sorted(zip(dests[::2], dests[1::2], strict=True), key=lambda pair: str(pair[0]))
    joined.Root.Names = pikepdf.Dictionary(
        Dests=pikepdf.Dictionary(Names=pikepdf.Array([v for pair in by_name for v in pair]))
    )
    with joined.open_outline() as outline:
        outline.root[:] = bookmarks

    numbers = pikepdf.open(BytesIO(folio))
    for page in numbers.pages:
        page.contents_coalesce()  # one stream
        content = page.obj.Contents.read_bytes()
        page.obj.Contents = numbers.make_stream(_TAGGED_CONTENT.sub(b"/Artifact BMC", content))
    for page, number in zip(joined.pages[1:], numbers.pages[1:], strict=True):
        page.add_overlay(number)

    out = BytesIO()
    joined.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
