"""The status report rendered in parts (status_report.parts): page for page the document of
one WeasyPrint pass, one valid structure tree once joined, and each part rendered once for
its content (the cache).

The data is the PDF/UA test's small country: one municipality per DGO, fifteen pages."""

import io

import pikepdf
import pytest
from django.core.files.storage import InMemoryStorage
from django.utils import timezone
from pypdf import PdfReader

from monitoring.models import EmissionFigure, StatusReportDocument
from monitoring.status_report.parts import CACHE_DIR, PartCache, RenderPlan
from monitoring.status_report.rendering import (
    data_snapshot_at,
    render_in_parts,
    render_pdf,
    report_context,
    report_html,
)
from tests.pdftext import page_texts

from .test_report_pdfua import small_country

pytestmark = pytest.mark.django_db
Status = StatusReportDocument.Status


def page_words(pdf: bytes) -> list[list[str]]:
    """Each page's words, sorted: the page numbers laid over a page come last in its text."""
    return [sorted(text.split()) for text in page_texts(pdf)]


def _tree_nums(node) -> list:
    found = list(node.get("/Nums", []))
    for kid in node.get("/Kids", []):
        found += _tree_nums(kid)
    return found


def _elements(root):
    """Every structure element under `root`, once."""
    seen, stack = set(), [root]
    while stack:
        element = stack.pop()
        if isinstance(element, pikepdf.Array):
            stack += list(element)
        elif isinstance(element, pikepdf.Dictionary) and "/S" in element:
            if element.objgen in seen:
                continue
            seen.add(element.objgen)
            yield element
            stack.append(element.get("/K", pikepdf.Array()))


def test_the_joined_parts_are_the_one_pass_document_page_for_page():
    round = small_country()
    context = report_context(round, "da")
    joined = render_in_parts(context, PartCache(InMemoryStorage()))
    whole, pages = render_pdf(report_html(context))

    assert joined.pages == pages == len(PdfReader(io.BytesIO(joined.pdf)).pages)
    assert len(joined.plan) == 5 + 2 * 5 + 1  # cover … budget, a chapter and a batch per DGO
    # Every page the same words, the contents' page numbers and "Side n af N" included.
    for number, (parts, one_pass) in enumerate(
        zip(page_words(joined.pdf), page_words(whole), strict=True), start=1
    ):
        assert parts == one_pass, number
    contents = page_texts(joined.pdf)[1]
    assert "Aarhus" in contents and "Side 2 af" in contents


def test_the_joined_report_has_one_structure_tree_and_its_links_lead_to_their_pages():
    round = small_country()
    joined = render_in_parts(report_context(round, "da"), PartCache(InMemoryStorage()))
    pdf = pikepdf.open(io.BytesIO(joined.pdf))
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    tree = pdf.Root.StructTreeRoot
    nums = _tree_nums(tree.ParentTree)
    keys = [int(key) for key in nums[::2]]
    assert len(keys) == len(set(keys)) and int(tree.ParentTreeNextKey) == max(keys) + 1

    # Each page and each link annotation points into the one parent tree; each tagged
    # element lies on a page of this document.
    names = list(pdf.Root.Names.Dests.Names)
    destinations = {str(name): dest for name, dest in zip(names[::2], names[1::2], strict=True)}
    assert [str(name) for name in names[::2]] == sorted(destinations)
    links = []
    for index, page in enumerate(pdf.pages):
        assert int(page.obj.StructParents) in keys
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") == "/Link" and "/Dest" in annotation:
                assert int(annotation.StructParent) in keys
                links.append((index, str(annotation.Dest)))
    elements = list(_elements(tree.K))
    assert len(elements) > 500
    assert all(e.Pg.objgen in pages for e in elements if "/Pg" in e)
    documents = [e for e in elements if e.S == "/Document"]
    assert len(documents) == 1 and [str(e.S) for e in elements].count("/H1") >= 9

    # The contents page links to every chapter and municipality, each to the page where it
    # starts, and that is the number printed beside it.
    texts = page_texts(joined.pdf)
    contents = texts[1]
    from_contents = {name for index, name in links if index == 1}
    assert {"summary", "tracks", "budget", "method", "dgo-midtjylland", "m-751"} <= from_contents
    aarhus = pages[destinations["m-751"][0].objgen]
    assert f"Aarhus {aarhus + 1}" in " ".join(contents.split())
    assert "Aarhus (751)" in texts[aarhus]
    # … and each chapter's index of its municipalities too.
    chapter = pages[destinations["dgo-midtjylland"][0].objgen]
    assert (chapter, "m-751") in links

    # The laid-over page numbers are artifacts, not content: no marked content with an MCID.
    for page in pdf.pages[1:]:
        for _name, xobject in page.Resources.get("/XObject", {}).items():
            if xobject.get("/Subtype") == "/Form" and b"Artifact" in xobject.read_bytes():
                assert b"/MCID" not in xobject.read_bytes()
                break
        else:
            pytest.fail("a page without its number")

    # Bookmarks: the municipality pages under their DGO's chapter.
    with pdf.open_outline() as outline:
        tops = {item.title: [child.title for child in item.children] for item in outline.root}
    assert "Aarhus (751)" in tops["5 DGO Midtjylland"]
    assert "1 Sammenfatning: nøgletal" in tops and "Aarhus (751)" not in tops


def test_a_part_whose_html_has_not_changed_is_not_rendered_again():
    round = small_country()
    cache = PartCache(InMemoryStorage())
    first = render_in_parts(report_context(round, "da"), cache)
    assert set(first.rendered) == {part.name for part in first.plan}

    # Unchanged data: at most the cover again (its colophon says when it was made).
    again = render_in_parts(report_context(round, "da"), cache)
    assert set(again.rendered) <= {"cover"}
    assert page_words(again.pdf)[1:] == page_words(first.pdf)[1:]

    # One municipality's figure changes: its page, its chapter's figures, the summary.
    figure = EmissionFigure.objects.filter(municipality__code="751").order_by("-year").first()
    EmissionFigure.objects.filter(pk=figure.pk).update(
        tonnes_co2e=figure.tonnes_co2e + 5000, entered_at=timezone.now()
    )
    changed = render_in_parts(report_context(round, "da"), cache)
    expected = {"front", "dgo-midtjylland", "dgo-midtjylland-1"}
    assert expected <= set(changed.rendered) <= expected | {"cover"}
    assert changed.pages == first.pages


@pytest.fixture
def empty_part_cache():
    """The documents' storage without parts rendered by earlier tests of this process."""
    storage = StatusReportDocument._meta.get_field("file").storage
    try:
        _dirs, files = storage.listdir(CACHE_DIR)
    except FileNotFoundError:
        files = []
    for name in files:
        storage.delete(f"{CACHE_DIR}/{name}")


def test_each_part_moves_the_progress_and_the_last_one_starts_the_next_step_once(
    monkeypatch, empty_part_cache
):
    """The tasks' chain without the broker (the worker tests run it through real workers):
    what each step leaves on the document and which tasks it starts next."""
    from monitoring.status_report import rendering

    round = small_country()
    document = StatusReportDocument.objects.create(
        round=round, language="da", data_snapshot_at=data_snapshot_at(round)
    )
    started = []
    monkeypatch.setattr(rendering, "_enqueue", lambda task, *args: started.append((task, args)))

    def run(task: str, args) -> None:
        {
            "render_status_report_part": rendering.report_render_part,
            "number_status_report": rendering.report_number,
            "finish_status_report": rendering.report_finish,
        }[task](*args)

    def run_started() -> list:
        tasks, started[:] = list(started), []
        for task, args in tasks:
            run(task, args)
        return tasks

    rendering.report_render_pdf(document.pk, parallel=True)
    document.refresh_from_db()
    keys = [part["key"] for part in document.render_plan["parts"]]
    assert document.status == Status.RENDERING and document.progress == 10
    # every part queued as its HTML was ready, each once, in the order of the pages
    assert started == [("render_status_report_part", (document.pk, key)) for key in keys]

    parts, started[:] = list(started), []
    run(*parts[0])
    document.refresh_from_db()
    assert document.progress == 10 + 70 // len(keys) and not started
    assert document.step == f"1 af {len(keys)} dele er dannet"
    for task in parts[1:]:
        run(*task)
    assert started == [("number_status_report", (document.pk,))]  # by the last part only

    # The numbering queues the contents and the chapter openings with their pages, and the
    # folio; the last of them starts the joining.
    run_started()
    document.refresh_from_db()
    numbered = [task for task in started if task[0] == "render_status_report_part"]
    assert document.render_plan["numbered"] and len(numbered) == 1 + 5 + 1
    assert {args[1] for _task, args in numbered} == set(
        RenderPlan.from_json(document.render_plan).keys
    ) - set(keys)
    assert run_started() == numbered
    assert started == [("finish_status_report", (document.pk,))]
    run_started()
    document.refresh_from_db()
    assert document.status == Status.DONE and document.progress == 100
    assert document.page_count == len(PdfReader(document.file.open("rb")).pages) == 17
    name = document.file.name
    # A re-delivered step finds the document done and changes nothing.
    rendering.report_render_part(*parts[0][1])
    rendering.report_number(document.pk)
    rendering.report_finish(document.pk)
    document.refresh_from_db()
    assert document.file.name == name and not started


def test_the_daily_prune_keeps_the_parts_of_recent_documents_and_recent_files(tmp_path):
    import os
    import time

    from django.core.files.storage import FileSystemStorage

    from monitoring.status_report.parts import PlannedPart
    from monitoring.status_report.rendering import prune_part_cache

    cache = PartCache(FileSystemStorage(location=tmp_path))
    for key in ("used", "written-today", "stale"):
        cache.put_html(key, "<html></html>")
        cache.put(key, b"%PDF-1.7", {"pages": 1, "anchors": {}})
    month_ago = time.time() - 30 * 24 * 3600
    for path in (tmp_path / CACHE_DIR).iterdir():
        if not path.name.startswith("written-today"):
            os.utime(path, (month_ago, month_ago))
    round = small_country()
    plan = RenderPlan(parts=[PlannedPart(name="cover", key="used")])
    StatusReportDocument.objects.create(
        round=round, language="da", data_snapshot_at=round.created_at, render_plan=plan.as_json()
    )

    assert prune_part_cache(cache) == 3  # the stale part's PDF, pages and HTML
    assert cache.has("used") and cache.has("written-today") and not cache.has("stale")
    assert cache.html("used") and cache.meta("written-today") == {"pages": 1, "anchors": {}}
