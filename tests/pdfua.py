"""Reading a tagged PDF's accessibility structure with pikepdf (PDF/UA-1 checks for tests)."""

import io
from dataclasses import dataclass, field

import pikepdf


@dataclass
class Tagged:
    lang: str
    marked: bool
    display_title: bool
    title: str
    pdfua_part: str | None
    struct_tree: bool
    tags: list[str] = field(default_factory=list)  # every structure element's /S, in order
    figures: list[str] = field(default_factory=list)  # each /Figure's /Alt ("" if none)
    headings: list[tuple[str, str]] = field(default_factory=list)  # (H1…H6, its text)
    header_cells_scoped: int = 0  # TH cells that table data cells refer to (/Headers)
    bookmarks: list[str] = field(default_factory=list)


def _walk(element, out: list) -> None:
    if isinstance(element, pikepdf.Array):
        for kid in element:
            _walk(kid, out)
        return
    if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
        return
    out.append(element)
    if "/K" in element:
        _walk(element.K, out)


def _text(element) -> str:
    """The element's text as the tree holds it: its marked content is not text here, so the
    heading's text is taken from the page (below); this only returns the tag's /Alt or ''."""
    return str(element.get("/Alt", ""))


def read_tagged(data: bytes) -> Tagged:
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    metadata = pdf.open_metadata()
    info = Tagged(
        lang=str(root.get("/Lang", "")),
        marked=bool(root.get("/MarkInfo", {}).get("/Marked", False)),
        display_title=bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)),
        title=str(metadata.get("dc:title", "")),
        pdfua_part=metadata.get("pdfuaid:part"),
        struct_tree="/StructTreeRoot" in root,
    )
    elements: list = []
    if info.struct_tree:
        _walk(root.StructTreeRoot.K, elements)
    for element in elements:
        tag = str(element.S)[1:]
        info.tags.append(tag)
        if tag == "Figure":
            info.figures.append(_text(element))
        if tag == "TD" and "/A" in element and "/Headers" in element.A:
            info.header_cells_scoped += len(element.A.Headers)
    with pdf.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop(0)
            info.bookmarks.append(item.title)
            stack[0:0] = list(item.children)
    return info
