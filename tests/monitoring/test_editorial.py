"""The knowledge partners' text of the status report: drafts, key figures from the data,
preview, publication and its lock, who may do what, and where the text shows."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from core.locking import edit_version
from monitoring import services
from monitoring.models import ReportEdition, StatusReportDocument
from monitoring.status_report import editorial
from monitoring.status_report.rendering import report_context, report_html, report_render_pdf
from partners.models import RoleAssignment
from tests.factories import make_user, sign_in
from tests.pdftext import page_texts

from .factories import make_report, make_round

Role = RoleAssignment.Role


@pytest.fixture
def writer(db):
    return make_user(Role.KNOWLEDGE_PARTNER, org_code="concito", username="vera")


@pytest.fixture
def secretariat(db):
    return make_user(Role.SECRETARIAT, username="sekr")


def _save(round, by, **fields):
    values = {"foreword": "", "key_messages": [], "chapters": {}, **fields}
    return services.edition_save(round=round, by=by, **values)


def test_a_figure_in_the_text_follows_the_data(writer):
    round = make_round(2025, closed=True)
    make_report(round, "751", state="approved")
    edition = _save(
        round, writer, foreword="{antal_kommuner_med_plan} kommuner har en plan.",
        key_messages=["{{ antal_godkendte_rapporter }} godkendte"],
    )  # fmt: skip
    text = editorial.edition_text(edition, editorial.key_figures(round=round))
    assert text.foreword == "1 kommuner har en plan."
    assert text.key_messages == ["1 godkendte"]

    make_report(round, "101", state="approved")  # one more municipality with a plan
    text = editorial.edition_text(edition, editorial.key_figures(round=round))
    assert text.foreword == "2 kommuner har en plan."
    # The report fills it from its own parts: the same figure as its tables.
    services.edition_publish(edition=edition, by=writer)
    context = report_context(round, "da")
    assert context.national.with_plan == 2
    assert "2 kommuner har en plan." in report_html(context)


def test_an_unknown_token_is_refused_in_danish_and_nothing_is_written(writer, client):
    round = make_round(2025, closed=True)
    with pytest.raises(ValidationError) as caught:
        _save(round, writer, foreword="Hele {antal_vindmøller} møller", key_messages=["{x}"])
    assert set(caught.value.error_dict) == {"foreword", "key_messages"}
    assert not ReportEdition.objects.exists()

    client.force_login(writer)
    with translation.override("da"):
        response = client.post(
            reverse("monitoring-edition", kwargs={"year": 2025}),
            {"foreword": "Se {budget_brugt}", "key_messages": "", "chapter_summary": "{nej}"},
            HTTP_ACCEPT_LANGUAGE="da",
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ukendt nøgletal: {budget_brugt}" in page and "Ukendt nøgletal: {nej}" in page
    assert not ReportEdition.objects.exists()


def test_drafts_are_saved_with_optimistic_locking_and_every_save_is_audited(writer, client):
    round = make_round(2025, closed=True)
    client.force_login(writer)
    url = reverse("monitoring-edition", kwargs={"year": 2025})
    response = client.post(url, {"foreword": "Første udkast", "key_messages": "Et\n\nTo\n"})
    assert response.status_code == 302
    edition = ReportEdition.objects.get(round=round)
    assert edition.key_messages == ["Et", "To"]  # in their order, empty lines dropped
    assert edition.organisation.code == "concito" and edition.updated_by == writer
    seen = edit_version(edition)
    _save(round, writer, foreword="Someone else's save", expected_version=seen)
    response = client.post(url, {"foreword": "Mit", "key_messages": "", "edit_version": seen})
    assert response.status_code == 400
    edition.refresh_from_db()
    assert edition.foreword == "Someone else's save"
    assert LogEntry.objects.get_for_object(edition).count() == 2  # created, then saved


def test_publishing_locks_the_text_for_everyone(writer, secretariat, client):
    round = make_round(2025, closed=True)
    edition = _save(round, writer, foreword="Forord")
    with pytest.raises(PermissionDenied):
        services.edition_publish(edition=edition, by=secretariat)
    services.edition_publish(edition=edition, by=writer)
    edition.refresh_from_db()
    assert edition.is_published and edition.published_by == writer
    with pytest.raises(ValidationError, match="published and locked"):
        _save(round, writer, foreword="Ændret")
    with pytest.raises(ValidationError, match="published and locked"):
        services.edition_publish(edition=edition, by=writer)
    # The page shows the service's refusal (in Danish) and changes nothing.
    client.force_login(writer)
    with translation.override("da"):
        response = client.post(
            reverse("monitoring-edition", kwargs={"year": 2025}),
            {"foreword": "Ændret", "key_messages": ""},
            HTTP_ACCEPT_LANGUAGE="da",
        )
    assert response.status_code == 400
    assert "Teksten er offentliggjort og låst" in response.content.decode()
    edition.refresh_from_db()
    assert edition.foreword == "Forord"
    assert LogEntry.objects.get_for_object(edition).count() == 2  # created, published


def test_nobody_but_the_knowledge_partners_writes_it(writer, secretariat, client):
    round = make_round(2025, closed=True)
    for user in (secretariat, make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland")):
        with pytest.raises(PermissionDenied):
            _save(round, user, foreword="Nej")
    _save(round, writer, foreword="Udkast")
    sign_in(client, secretariat)
    url = reverse("monitoring-edition", kwargs={"year": 2025})
    page = client.get(url)
    assert page.status_code == 200 and "Udkast" in page.content.decode()
    assert 'name="foreword"' not in page.content.decode()  # read, not write
    assert client.post(url, {"foreword": "Ændret", "key_messages": ""}).status_code == 403
    assert ReportEdition.objects.get().foreword == "Udkast"


def test_the_published_text_shows_on_the_report_page_and_the_draft_does_not(writer, client):
    round = make_round(2025, closed=True)
    edition = _save(round, writer, foreword="Vores forord", key_messages=["Budskab et"])
    reader = make_user(username="laeser")
    client.force_login(reader)
    url = reverse("monitoring-status-report", kwargs={"year": 2025})
    assert "Vores forord" not in client.get(url).content.decode()
    assert "Vores forord" not in report_html(report_context(round, "da"))
    services.edition_publish(edition=edition, by=writer)
    page = client.get(url).content.decode()
    assert "Vores forord" in page and "Budskab et" in page


def test_the_preview_renders_the_draft_in_the_pdf_in_order(
    writer, django_capture_on_commit_callbacks
):
    round = make_round(2025, closed=True)
    make_report(round, "751", state="approved")
    edition = _save(
        round, writer, foreword="Forordet kommer først.", key_messages=["Budskab nummer et"],
        chapters={"budget": "Budgetkapitlets fortælling.", "ukendt": "dropped"},
    )  # fmt: skip
    assert set(edition.chapters) == {"budget"}  # a key that is no chapter is not kept
    with django_capture_on_commit_callbacks() as callbacks:
        document = services.edition_request_preview(edition=edition, language="da", by=writer)
    assert len(callbacks) == 1  # enqueued after commit, like the report
    assert document.is_preview
    # Not the report: not listed, not publishable, and a second ask reuses it.
    again = services.edition_request_preview(edition=edition, language="da", by=writer)
    assert again.pk == document.pk
    report_render_pdf(document.pk)  # what the task does
    document.refresh_from_db()
    assert document.status == StatusReportDocument.Status.DONE
    pages = page_texts(document.file.read())
    at = {
        needle: next(n for n, text in enumerate(pages) if needle in text)
        for needle in ("Forordet kommer først.", "Budskab nummer et", "Budgetkapitlets")
    }
    summary = next(n for n, text in enumerate(pages) if "Sammenfatning" in text and n > 1)
    assert at["Forordet kommer først."] <= at["Budskab nummer et"] < summary
    assert at["Budgetkapitlets"] > summary
    assert "Forhåndsvisning" in pages[at["Forordet kommer først."]]
    with pytest.raises(ValidationError):
        services.status_report_publish(document=document, by=make_user(Role.SECRETARIAT))


def test_the_text_page_asks_a_fixed_number_of_queries(writer, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    round = make_round(2025, closed=True)
    make_report(round, "751", state="approved")
    _save(round, writer, foreword="{antal_kommuner_med_plan}", chapters={"summary": "x"})
    client.force_login(writer)
    url = reverse("monitoring-edition", kwargs={"year": 2025})
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for code in ("101", "147", "155", "157", "159"):
        make_report(round, code, state="approved")
    _save(round, writer, foreword="{antal_kommuner_med_plan} mere", chapters={"summary": "y"})
    assert count() == before
