"""The annual status report's pages: start it, follow its progress, download it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from monitoring import permissions, selectors, services
from monitoring.forms import StatusReportRequestForm
from monitoring.models import StatusReportDocument
from monitoring.status_report.rendering import FACT_SHEET_NAMES, STATUS_REPORT_NAMES, pdf_name
from monitoring.views.rounds import _round


@require_GET
def municipality_factsheet(request: HttpRequest, code: str) -> HttpResponse:
    """A one-page PDF of one municipality, rendered at once (no queue). Everyone who may open
    the municipality's page may download it: it shows approved, published data only."""
    from monitoring.status_report.rendering import factsheet_pdf
    from partners.models import Municipality

    municipality = Municipality.objects.select_related("dgo").filter(code=code).first()
    if municipality is None:
        raise Http404(_("No municipality has the code %(code)s.") % {"code": code})
    language = translation.get_language() or "da"
    pdf, _pages = factsheet_pdf(municipality, language)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = pdf_name(FACT_SHEET_NAMES, language, municipality.code)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def dgo_status_pack(request: HttpRequest, slug: str) -> HttpResponse:
    """A DGO's status pack as a PDF, rendered at once like the fact sheet (a few pages): for
    its coordinators and the secretariat. `?year=` picks the round (default: the newest
    closed one, as on the DGO's page)."""
    from monitoring.status_report.rendering import DGO_PACK_NAMES, dgo_pack_pdf, pack_round
    from partners.models import DGO

    dgo = DGO.objects.select_related("region").filter(slug=slug).first()
    if dgo is None:
        raise Http404(_("No such DGO."))
    if not permissions.can_download_dgo_pack(request.user, dgo):
        raise PermissionDenied(permissions.DGO_PACK_REFUSED)
    year = request.GET.get("year", "")
    round = pack_round(int(year) if year.isdigit() and len(year) == 4 else None)
    if year and (round is None or str(round.year) != year):
        raise Http404(_("No monitoring round for %(year)s.") % {"year": year[:4]})
    language = translation.get_language() or "da"
    pdf, _pages = dgo_pack_pdf(dgo, language, round=round)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = pdf_name(DGO_PACK_NAMES, language, dgo.slug)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _documents_for(user, round):
    documents = StatusReportDocument.objects.filter(round=round, is_preview=False).select_related(
        "round", "requested_by"
    )
    if not permissions.can_request_status_report(user):
        documents = documents.filter(status=StatusReportDocument.Status.DONE)
    return list(documents[:50])


def status_report(request: HttpRequest, year: int) -> HttpResponse:
    round = _round(year)
    may_request = permissions.can_request_status_report(request.user)
    form = StatusReportRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_request:
            raise PermissionDenied(str(permissions.STATUS_REPORT_REFUSED))
        if form.is_valid():
            try:
                services.status_report_request(
                    round=round, language=form.cleaned_data["language"], by=request.user
                )
            except services.ReportQueueUnavailable as error:
                form.add_error(None, str(error))
                status = 503
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("monitoring-status-report", year=round.year)
        if status == 200:
            status = 400
    return render(
        request,
        "monitoring/report/status_report.html",
        {
            "round": round,
            "form": form,
            "may_request": may_request,
            "documents": _documents_for(request.user, round),
            **_edition_context(request.user, round),
        },
        status=status,
    )


def _edition_context(user, round) -> dict:
    """The knowledge partners' published text (its key figures filled from the data), and
    whether the user may open the text's own page."""
    from monitoring.status_report import editorial

    edition = selectors.edition_find(round=round)
    text = None
    if edition is not None and edition.is_published:
        text = editorial.edition_text(edition, editorial.key_figures(round=round))
    return {
        "edition_text": text,
        "edition_chapters": editorial.chapter_list() if text else [],
        "may_read_edition": permissions.can_read_edition_draft(user),
    }


def _document(request: HttpRequest, pk: int) -> StatusReportDocument:
    document = StatusReportDocument.objects.select_related("round").filter(pk=pk).first()
    if document is None or not permissions.can_view_status_report_document(request.user, document):
        raise Http404(_("No such status report."))
    return document


@require_GET
def status_report_status(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request,
        "monitoring/report/document_status.html",
        {"document": _document(request, pk)},
    )


@require_GET
def status_report_download(request: HttpRequest, pk: int) -> FileResponse:
    document = _document(request, pk)
    if not document.is_done or not document.file:
        raise Http404(_("The status report is not ready yet."))
    name = pdf_name(STATUS_REPORT_NAMES, document.language, document.round.year)
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )
