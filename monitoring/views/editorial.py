"""The knowledge partners' text of the status report: write, preview and publish it.

The knowledge partners write it (and only they); the secretariat reads the draft; the
published text is on the status report's page for everyone signed in, and in the PDF.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from monitoring import permissions, selectors, services
from monitoring.forms import EditionForm, EditionPublishForm, StatusReportRequestForm
from monitoring.status_report import editorial
from monitoring.views.rounds import _round


def _require_reader(request: HttpRequest) -> None:
    if not permissions.can_read_edition_draft(request.user):
        raise PermissionDenied(
            _("Only the knowledge partners and the secretariat read the draft text.")
        )


def _page(request, round, edition, form, *, status=200, publish_form=None, preview_form=None):
    may_edit = permissions.can_edit_edition(request.user, edition)
    figures = editorial.key_figures(round=round)
    values = editorial.token_values(figures)
    return render(
        request,
        "monitoring/edition.html",
        {
            "round": round,
            "edition": edition,
            # A refused POST (say, the text was published meanwhile) shows the service's error.
            "form": form if may_edit or form.is_bound else None,
            "publish_form": publish_form or EditionPublishForm(edition=edition),
            "publish_errors": publish_form is not None and bool(publish_form.errors),
            "preview_form": preview_form or StatusReportRequestForm(),
            "may_edit": may_edit,
            "refusal": permissions.edition_edit_refusal(request.user, edition),
            "text": editorial.edition_text(edition, figures),
            "chapters": editorial.chapter_list(),
            "tokens": [
                (token, label, values[token[1:-1]]) for token, label in editorial.token_help()
            ],
            "history": selectors.edition_history(edition=edition),
            "previews": selectors.edition_previews(round=round),
        },
        status=status,
    )


def edition(request: HttpRequest, year: int) -> HttpResponse:
    """The edition's text: the form for the knowledge partners, read-only for the secretariat."""
    round = _round(year)
    _require_reader(request)
    edition = selectors.edition_find(round=round)
    chapters = editorial.chapter_list()
    if request.method == "POST":
        # Who writes is checked here; whether the text is still open, by the service.
        if refusal := permissions.edition_edit_refusal(request.user, None):
            raise PermissionDenied(refusal)
        form = EditionForm(request.POST, edition=edition, chapters=chapters)
        if form.is_valid():
            try:
                services.edition_save(
                    round=round,
                    by=request.user,
                    expected_version=form.expected_version,
                    **form.service_arguments(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("monitoring-edition", year=round.year)
        return _page(request, round, edition, form, status=400)
    form = EditionForm(edition=edition, chapters=chapters)
    return _page(request, round, edition, form)


@require_POST
def edition_publish(request: HttpRequest, year: int) -> HttpResponse:
    round = _round(year)
    edition = selectors.edition_find(round=round)
    if refusal := permissions.edition_edit_refusal(request.user, None):
        raise PermissionDenied(refusal)
    form = EditionPublishForm(request.POST, edition=edition)
    if edition is None:
        form.is_valid()
        form.add_error(None, str(services.EDITION_EMPTY))
    elif form.is_valid():
        try:
            services.edition_publish(
                edition=edition, by=request.user, expected_version=form.expected_version
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The text is published and locked."))
            return redirect("monitoring-edition", year=round.year)
    chapters = editorial.chapter_list()
    return _page(
        request,
        round,
        edition,
        EditionForm(edition=edition, chapters=chapters),
        status=400,
        publish_form=form,
    )


@require_POST
def edition_preview(request: HttpRequest, year: int) -> HttpResponse:
    """Render the report with the draft text, in the background (its progress on the page)."""
    round = _round(year)
    _require_reader(request)
    edition = selectors.edition_find(round=round)
    form = StatusReportRequestForm(request.POST)
    status = 400
    if edition is None:
        form.is_valid()
        form.add_error(None, str(services.EDITION_EMPTY))
    elif form.is_valid():
        try:
            services.edition_request_preview(
                edition=edition, language=form.cleaned_data["language"], by=request.user
            )
        except services.ReportQueueUnavailable as error:
            form.add_error(None, str(error))
            status = 503
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The preview is being rendered."))
            return redirect("monitoring-edition", year=round.year)
    chapters = editorial.chapter_list()
    return _page(
        request,
        round,
        edition,
        EditionForm(edition=edition, chapters=chapters),
        status=status,
        preview_form=form,
    )
