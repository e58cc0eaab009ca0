"""The status report in a real browser: the secretariat starts it, watches the progress reach
done without reloading the page (htmx polling), and downloads the PDF."""

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from klimaalliancen.celery import app
from monitoring.models import StatusReportDocument
from partners import demo as partners_demo
from tests.browser import ARTIFACTS, sign_in

from .factories import make_report, make_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def celery_app():
    assert not app.conf.task_always_eager
    return app


@pytest.fixture(scope="module")
def celery_worker_parameters():
    return {"perform_ping_check": False}


def test_secretariat_starts_the_report_sees_it_done_and_downloads_it(
    reference_data, live_server, browser_page, celery_worker
):
    partners_demo.seed()
    round = make_round(year=2025)
    for code in ("751", "101"):
        make_report(round, code, state="approved")
    page = browser_page
    base = live_server.url

    sign_in(page, base, "sekretariat")
    page.goto(f"{base}/monitoring/2025/report/")
    page.get_by_label("Sprog").select_option("da")
    page.get_by_role("button", name="Dan PDF").click()
    page.wait_for_url(f"{base}/monitoring/2025/report/")

    # The progress is shown and then follows the job without a reload: a marker set in the
    # page's window survives until the download link appears.
    status = page.locator(".document-status").first
    first_seen = status.inner_text()
    assert any(word in first_seen for word in ("I kø", "Indsamler data", "Dannes", "Hent PDF"))
    page.evaluate("window.notReloaded = true")
    page.screenshot(path=ARTIFACTS / "status-report-progress.png", full_page=True)
    seen = {first_seen}
    download_link = page.get_by_role("link", name="Hent PDF")
    for _ in range(600):  # up to five minutes on a busy machine
        if download_link.count():
            break
        seen.add(status.inner_text())
        page.wait_for_timeout(500)
    assert download_link.is_visible(), seen
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("progress").count() == 0
    page.screenshot(path=ARTIFACTS / "status-report-done.png", full_page=True)

    document = StatusReportDocument.objects.get()
    assert document.status == "done" and document.progress == 100
    assert f"Hent PDF ({document.page_count} sider)" in download_link.inner_text()

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == "statusrapport-2025-da.pdf"
    pdf = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    assert len(pdf.pages) == document.page_count >= 98
    assert "Statusrapport 2025" in pdf.pages[0].extract_text()
