"""The annual status report PDF: its content, the request service, the worker and the pages."""

import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.template.defaultfilters import floatformat
from django.utils import translation
from kombu.exceptions import OperationalError

from core.formatting import dkk
from klimaalliancen.celery import app
from monitoring import services, tasks
from monitoring.models import EmissionFigure, Round, StatusReport, StatusReportDocument
from monitoring.permissions import published_figures_q
from monitoring.selectors import on_track_overview
from partners.models import Municipality, RoleAssignment
from tests.factories import make_user, sign_in
from tests.pdftext import page_texts
from tracks.models import Track
from tracks.selectors import budget_overview

from .factories import make_report, make_round

Status = StatusReportDocument.Status


def _pages(data: bytes) -> list[str]:
    return page_texts(data)


@pytest.mark.usefixtures("eager_celery")
def test_the_command_renders_a_page_per_municipality_with_its_figures(demo_data, db, tmp_path):
    output = tmp_path / "report.pdf"
    call_command("render_status_report", year=2025, language="da", output=str(output))

    pages = _pages(output.read_bytes())
    municipalities = Municipality.objects.count()
    assert municipalities == 98
    # cover, contents, summary, tracks, budget, a chapter per DGO, a page per municipality, method
    assert len(pages) >= municipalities + 5 + 5
    contents = "\n".join(pages[1:4])
    for entry in ("Indhold", "Sammenfatning", "Klimaudviklingsspor", "Budget", "DGO Midtjylland"):
        assert entry in contents, entry
    assert "Metode og datakilder" in contents and "Aarhus" in contents
    assert f"Side 2 af {len(pages)}" in pages[1]
    assert f"Side {len(pages)} af {len(pages)}" in pages[-1]
    # The contents give the page each municipality starts on.
    aarhus_at = next(n for n, text in enumerate(pages, 1) if "Aarhus (751)" in text)
    assert f"Aarhus\xa0{aarhus_at}" in contents or f"Aarhus {aarhus_at}" in contents

    aarhus = [text for text in pages if "Aarhus (751)" in text]
    assert len(aarhus) == 1  # one page, whose figures come from the database
    report = StatusReport.objects.get(round__year=2025, municipality__code="751")
    latest = EmissionFigure.objects.latest_releases(
        published_figures_q() & Q(municipality__code="751", year=2023)
    )
    total = sum((f.tonnes_co2e for f in latest), Decimal(0))
    on_track = on_track_overview(round=report.round)
    aarhus_result = next(r for m, r in on_track.municipalities if m.code == "751")
    with translation.override("da"):
        assert floatformat(total, "0g") in aarhus[0]
        assert floatformat(report.baseline_emissions, "0g") in aarhus[0]
        assert "Er vi på rette spor?" in aarhus[0]
        assert str(aarhus_result.status.label) in aarhus[0]
        if aarhus_result.gap is not None:
            assert floatformat(aarhus_result.gap, "0g") in aarhus[0]
    assert str(report.net_zero_year) in aarhus[0]

    # Summary: tracks by status and the budget used against the 82.1 mio.
    summary = " ".join(p for p in pages if "Sammenfatning: nøgletal" in p and "Indhold" not in p)
    summary = " ".join(summary.split())  # labels wrap inside their tiles
    counts = dict(
        Track.objects.filter(submitted_at__isnull=False)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    assert "Klimaudviklingsspor fordelt på status" in summary
    assert "I gang" in summary and "Evalueret" in summary
    assert "82.100.000 kr." in summary and "Forbrugt budget" in summary
    with translation.override("da"):
        assert f"Klimaudviklingsspor i gang ({counts['evaluated']} mere evalueret)" in summary
        rollup = on_track.rollup
        assert floatformat(rollup.combined_target, "0g") in summary
        assert floatformat(rollup.combined_projection, "0g") in summary

    # Development tracks: each running or evaluated track with its participants and funding,
    # on one page; no other track is described.
    text = " ".join(" ".join(pages).split())
    described = Track.objects.filter(status__in=["running", "evaluated"])
    for track in described.prefetch_related("participants__municipality", "participants__region"):
        with translation.override("da"):
            heading = f"{track.title}\n{track.get_status_display()} ·"  # the track's own section
        page = " ".join(next(p for p in pages[4:] if heading in p).split())
        for participant in track.participants.all():
            assert str(participant.party) in page, (track.title, participant)
        with translation.override("da"):
            allocated = sum(
                (a.amount for a in track.allocations.filter(status="approved")), Decimal(0)
            )
            assert dkk(allocated, 0) in page
    for track in Track.objects.exclude(pk__in=described):
        assert track.title not in text, track.title

    # Budget: contributions, allocations and spending against the 82.1 mio.
    overview = budget_overview()
    with translation.override("da"):
        for amount in (overview.contributed, overview.total.allocated, overview.total.spent):
            assert dkk(amount, 0) in text, amount
    assert "Realdania" in text and "Bidrag" in text

    # The knowledge partner's published text opens the report (issue 20): the foreword, then
    # the key messages, before the summary, with every key figure filled in from the data.
    foreword_at = next(n for n, p in enumerate(pages) if "Klimaalliancen samler kommuner" in p)
    summary_at = next(
        n for n, p in enumerate(pages) if "Sammenfatning: nøgletal" in p and "Indhold" not in p
    )
    front = " ".join(" ".join(pages[foreword_at:summary_at]).split())
    assert 1 < foreword_at < summary_at
    assert front.index("Forord") < front.index("Hovedbudskaber")
    assert "CONCITO" in front and "{" not in front


@pytest.mark.django_db
def test_the_request_reuses_the_document_while_the_data_are_unchanged(
    reference_data, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.render_status_report, "delay", queued.append)
    round = make_round()
    make_report(round, "751", state="approved")
    sara = make_user(RoleAssignment.Role.SECRETARIAT, username="sara")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.status_report_request(round=round, language="da", by=sara)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.status_report_request(round=round, language="da", by=sara)
    assert again.pk == first.pk and queued == [first.pk]
    with django_capture_on_commit_callbacks(execute=True):
        english = services.status_report_request(round=round, language="en", by=sara)
    assert english.pk != first.pk and queued == [first.pk, english.pk]


@pytest.mark.django_db
def test_only_the_secretariat_requests_the_report(reference_data):
    from django.core.exceptions import PermissionDenied

    round = make_round()
    member = make_user(RoleAssignment.Role.DGO_COORDINATOR, dgo_slug="hovedstaden", username="mia")
    with pytest.raises(PermissionDenied):
        services.status_report_request(round=round, language="da", by=member)


@pytest.mark.django_db
def test_a_broker_down_answers_503_and_changes_nothing_else(
    reference_data, client, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(tasks.render_status_report, "delay", refuse)
    make_round()
    sara = make_user(RoleAssignment.Role.SECRETARIAT, username="sara")
    sign_in(client, sara)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/monitoring/2026/report/", {"language": "da"})
    assert response.status_code == 503
    assert "baggrundskøen" in response.content.decode()
    assert StatusReportDocument.objects.get().status == Status.FAILED


@pytest.mark.django_db
def test_others_see_only_finished_documents(reference_data, client):
    round = make_round()
    pending = StatusReportDocument.objects.create(
        round=round, language="da", data_snapshot_at=round.created_at
    )
    member = make_user(RoleAssignment.Role.DGO_COORDINATOR, dgo_slug="hovedstaden", username="mia")
    sign_in(client, member)
    assert client.get(f"/monitoring/report/{pending.pk}/status/").status_code == 404
    assert client.get(f"/monitoring/report/{pending.pk}/download/").status_code == 404
    assert client.get("/monitoring/2026/report/").status_code == 200


@pytest.fixture(scope="module")
def celery_app():
    assert not app.conf.task_always_eager
    return app


@pytest.fixture(scope="module")
def celery_worker_parameters():
    return {"perform_ping_check": False}


@pytest.mark.django_db(transaction=True)
def test_the_report_renders_through_a_worker(reference_data, client, celery_worker):
    # One municipality per DGO: the whole country's report is the command test's above; here
    # the worker, its progress and the download are under test.
    Municipality.objects.exclude(code__in=("751", "101", "461", "851", "259")).delete()
    round = make_round(year=2025, closed=False)
    make_report(round, "751", state="approved")
    sara = make_user(RoleAssignment.Role.SECRETARIAT, username="sara")
    sign_in(client, sara)
    response = client.post("/monitoring/2025/report/", {"language": "en"})
    assert response.status_code == 302
    document = StatusReportDocument.objects.get()
    status = client.get(f"/monitoring/report/{document.pk}/status/").content.decode()
    assert 'hx-trigger="every 2s"' in status or "Download PDF" in status

    deadline = time.monotonic() + 120
    while document.status not in (Status.DONE, Status.FAILED) and time.monotonic() < deadline:
        time.sleep(0.5)
        document.refresh_from_db()
    assert document.status == Status.DONE, document.error
    assert document.progress == 100 and document.page_count >= 5 + 5  # a page each, chapters
    status = client.get(f"/monitoring/report/{document.pk}/status/").content.decode()
    assert "hx-trigger" not in status

    member = make_user(RoleAssignment.Role.DGO_COORDINATOR, dgo_slug="hovedstaden", username="mia")
    sign_in(client, member)
    download = client.get(f"/monitoring/report/{document.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    pages = _pages(b"".join(download.streaming_content))
    assert "The annual status report" in pages[0] and "Aarhus (751)" in "\n".join(pages)

    # Idempotent: running the task again leaves the done document and its one file alone.
    name = document.file.name
    tasks.render_status_report(document.pk)
    document.refresh_from_db()
    assert document.file.name == name and document.status == Status.DONE
    assert Round.objects.count() == 1
