"""The open pages (åben viden): the partnership, its bodies and who sits in them, approved
tracks with their knowledge products, published status reports, aggregates of approved
monitoring data and the open data. No sign-in; nothing unpublished (see each app's public.py,
the one rule of what is public).

The pages are the same for every visitor, signed in or not, except the secretariat's page that
publishes status reports.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import exports
from governance import public as governance_public
from governance.models import Body
from monitoring import permissions as monitoring_permissions
from monitoring import public as monitoring_public
from monitoring import services as monitoring_services
from monitoring.forms import YearForm
from monitoring.models import StatusReportDocument
from monitoring.selectors import aggregates, open_municipal_emissions
from monitoring.status_report.rendering import STATUS_REPORT_NAMES, pdf_name
from partners.models import DGO, Organisation
from tracks import public as tracks_public
from tracks.models import KnowledgeProduct, Track

PAGE_SIZE = 25


@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    organisations = list(Organisation.objects.order_by("kind", "name"))
    return render(
        request,
        "public/home.html",
        {
            "parties": [o for o in organisations if o.is_party],
            "knowledge_partners": [o for o in organisations if o.is_knowledge_partner],
            "secretariat": [o for o in organisations if o.is_secretariat],
            "dgos": list(DGO.objects.select_related("region").order_by("name")),
            "track_count": tracks_public.public_tracks().count(),
            "report_count": monitoring_public.published_documents().count(),
        },
    )


@login_not_required
@require_GET
def body_list(request: HttpRequest) -> HttpResponse:
    bodies = list(governance_public.public_bodies())
    return render(
        request,
        "public/body_list.html",
        {
            "national": [b for b in bodies if b.kind == Body.Kind.NATIONAL],
            "regional": [b for b in bodies if b.kind != Body.Kind.NATIONAL],
        },
    )


@login_not_required
@require_GET
def body_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        body = governance_public.public_body_get(code=code)
    except Body.DoesNotExist as exc:
        raise Http404(_("No such body.")) from exc
    return render(
        request,
        "public/body_detail.html",
        {"body": body, "seats": governance_public.public_seats(body=body)},
    )


@login_not_required
@require_GET
def track_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    tracks = tracks_public.public_track_list(search=search, status=status)
    page = Paginator(tracks, PAGE_SIZE).get_page(request.GET.get("page"))
    statuses = [(s.value, s.label) for s in Track.Status if s in tracks_public.PUBLIC_STATES]
    return render(
        request,
        "public/track_list.html",
        {"page": page, "q": search, "status": status, "statuses": statuses},
    )


@login_not_required
@require_GET
def track_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        track = tracks_public.public_track_get(pk=pk)
    except Track.DoesNotExist as exc:
        raise Http404(_("No such development track.")) from exc
    return render(request, "public/track_detail.html", {"track": track})


@login_not_required
@require_GET
def product_download(request: HttpRequest, pk: int) -> FileResponse:
    try:
        product = tracks_public.public_product_get(pk=pk)
    except KnowledgeProduct.DoesNotExist as exc:
        raise Http404(_("No such knowledge product.")) from exc
    try:
        handle = product.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing.")) from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=product.original_name,
        content_type=product.content_type,
    )


@login_not_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/report_list.html",
        {
            "documents": list(monitoring_public.published_documents()),
            "may_publish": monitoring_permissions.can_request_status_report(request.user),
        },
    )


@login_not_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    try:
        document = monitoring_public.public_document_get(pk=pk)
    except StatusReportDocument.DoesNotExist as exc:
        raise Http404(_("No such status report.")) from exc
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing.")) from exc
    name = "klimaalliancen-" + pdf_name(STATUS_REPORT_NAMES, document.language, document.round.year)
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


def report_publishing(request: HttpRequest) -> HttpResponse:
    """The secretariat publishes finished status reports on the open pages, or withdraws them."""
    if not monitoring_permissions.can_request_status_report(request.user):
        raise PermissionDenied(_("Only the secretariat publishes the status report."))
    if request.method == "POST":
        document = (
            StatusReportDocument.objects.select_related("round")
            .filter(pk=request.POST.get("document") or 0)
            .first()
            if str(request.POST.get("document", "")).isdigit()
            else None
        )
        if document is None:
            raise Http404(_("No such status report."))
        try:
            if request.POST.get("action") == "unpublish":
                monitoring_services.status_report_unpublish(document=document, by=request.user)
                messages.success(
                    request, _("%(report)s is no longer public.") % {"report": document}
                )
            else:
                monitoring_services.status_report_publish(document=document, by=request.user)
                messages.success(request, _("%(report)s is published.") % {"report": document})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("public-report-publishing")
    documents = (
        StatusReportDocument.objects.filter(
            status=StatusReportDocument.Status.DONE, is_preview=False
        )
        .select_related("round", "publication", "requested_by")
        .order_by("-round__year", "language", "-requested_at")[:100]
    )
    return render(request, "public/report_publishing.html", {"documents": documents})


def _figures_context(request: HttpRequest, dgo: DGO | None, dgos: list[DGO]) -> dict:
    rounds = monitoring_public.public_rounds()
    years = [r.year for r in rounds]
    form = YearForm(request.GET or None, years=years)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    round = next((r for r in rounds if r.year == year), None)
    if round is None:
        round = monitoring_public.default_round(rounds)
        form = YearForm(initial={"year": round.year if round else None}, years=years)
    return {
        "dgo": dgo,
        "dgos": dgos,
        "form": form,
        "round": round,
        "figures": aggregates(round=round, dgo=dgo),
    }


@login_not_required
@require_GET
def figures(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    dgos = list(DGO.objects.order_by("name"))
    dgo = None
    if slug is not None:
        dgo = next((d for d in dgos if d.slug == slug), None)
        if dgo is None:
            raise Http404(_("No such DGO."))
    return render(request, "public/figures.html", _figures_context(request, dgo, dgos))


def _licence() -> dict:
    return {
        "name": monitoring_public.LICENCE_NAME,
        "url": monitoring_public.LICENCE_URL,
        "attribution": monitoring_public.ATTRIBUTION,
    }


@login_not_required
@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/open_data.html",
        {
            "datasets": list(monitoring_public.DATASETS.values()),
            "licence": _licence(),
            "municipal_fields": monitoring_public.MUNICIPAL_FIELDS,
            "municipal_description": monitoring_public.MUNICIPAL_DESCRIPTION,
            "unit": monitoring_public.UNIT,
        },
    )


@login_not_required
@require_GET
def open_data_file(request: HttpRequest, dataset: str, fmt: str) -> HttpResponse:
    spec = monitoring_public.DATASETS.get(dataset)
    if spec is None or fmt not in ("csv", "json"):
        raise Http404(_("No such data set."))
    rows = monitoring_public.dataset_rows(dataset)
    fields = [name for name, _meaning in spec.fields]
    about = request.build_absolute_uri(reverse("public-open-data"))
    filename = f"klimaalliancen-{dataset}.{fmt}"
    if fmt == "csv":
        response = exports.attachment(
            exports.open_data_csv(rows, fields),
            filename=filename,
            content_type="text/csv; charset=utf-8",
        )
    else:
        metadata = {
            "title": str(spec.title),
            "description": str(spec.description),
            "licence": _licence(),
            "publisher": "Klimaalliancen",
            "source": about,
            "generated": timezone.now().isoformat(timespec="seconds"),
            "fields": [
                {"name": name, "description": str(meaning)} for name, meaning in spec.fields
            ],
        }
        response = exports.attachment(
            exports.open_data_json(rows, metadata),
            filename=filename,
            content_type="application/json; charset=utf-8",
        )
    return exports.licence_headers(
        response, licence_url=monitoring_public.LICENCE_URL, about_url=about
    )


# --- open data per municipality: streamed, one query however many rows ---------------------

STREAM_CHUNK = 2000


def _municipal_rows():
    figures = open_municipal_emissions().iterator(chunk_size=STREAM_CHUNK)
    return monitoring_public.municipal_emission_rows(figures)


def _streamed(request: HttpRequest, content, *, filename: str, content_type: str):
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    about = request.build_absolute_uri(reverse("public-open-data"))
    return exports.licence_headers(
        response, licence_url=monitoring_public.LICENCE_URL, about_url=about
    )


@login_not_required
@require_GET
def municipal_emissions(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """kommuner-emissioner.csv (comma, UTF-8 without BOM, decimal point) or .json."""
    if fmt not in ("csv", "json"):
        raise Http404(_("No such data set."))
    name = monitoring_public.MUNICIPAL_EMISSIONS
    fields = monitoring_public.municipal_field_names()
    if fmt == "csv":
        return _streamed(
            request,
            exports.stream_csv(_municipal_rows(), fields),
            filename=f"{name}.csv",
            content_type="text/csv; charset=utf-8",
        )
    metadata = {
        "title": "Klimaalliancen: udledninger pr. kommune, år og sektor",
        "description": str(monitoring_public.MUNICIPAL_DESCRIPTION),
        "licence": _licence(),
        "publisher": "Klimaalliancen",
        "source": request.build_absolute_uri(reverse("public-open-data")),
        "schema": request.build_absolute_uri(reverse("public-open-data-package")),
        "generated": timezone.now().isoformat(timespec="seconds"),
        "unit": monitoring_public.UNIT,
        "fields": [
            {"name": f.name, "type": f.type, "description": str(f.description)}
            for f in monitoring_public.MUNICIPAL_FIELDS
        ],
    }
    return _streamed(
        request,
        exports.stream_json(_municipal_rows(), metadata),
        filename=f"{name}.json",
        content_type="application/json; charset=utf-8",
    )


@login_not_required
@require_GET
def municipal_emissions_excel(request: HttpRequest) -> StreamingHttpResponse:
    """The same rows for Danish Excel: UTF-8 with BOM, semicolons, decimal comma."""
    return _streamed(
        request,
        exports.stream_csv(
            _municipal_rows(),
            monitoring_public.municipal_field_names(),
            delimiter=";",
            bom=True,
            decimal_comma=True,
        ),
        filename=f"{monitoring_public.MUNICIPAL_EMISSIONS}-excel.csv",
        content_type="text/csv; charset=utf-8",
    )


@login_not_required
@require_GET
def open_data_package(request: HttpRequest) -> JsonResponse:
    """datapackage.json: the Frictionless Data Package (Table Schema) of the csv files."""
    package = monitoring_public.datapackage(
        csv_path=reverse("public-open-data-municipal", kwargs={"fmt": "csv"}).rsplit("/", 1)[1],
        excel_path=reverse("public-open-data-municipal-excel").rsplit("/", 1)[1],
        homepage=request.build_absolute_uri(reverse("public-open-data")),
    )
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    response["Link"] = f'<{monitoring_public.LICENCE_URL}>; rel="license"'
    return response
