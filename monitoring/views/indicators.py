"""Pages of decision support: the indicator catalogue and its import, peer comparison, what is
due and the digest preference. Who may: monitoring.permissions; the rules: monitoring.insight
(indicators, peers, due, digest)."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import uploads
from core.forms import add_service_errors
from monitoring import exports, permissions
from monitoring.forms import DigestForm, ImportForm, IndicatorForm, PeerKindForm
from monitoring.imports import indicators as indicator_imports
from monitoring.insight import digest, due, indicators, peers
from monitoring.models import Indicator
from monitoring.views.rounds import _download, _municipality, _round

IMPORT_SESSION_KEY = "monitoring_indicator_import"


def _require(allowed: bool, reason: str) -> None:
    if not allowed:
        raise PermissionDenied(reason)


def _indicator(key: str) -> Indicator:
    try:
        return indicators.indicator_get(key=key)
    except Indicator.DoesNotExist as exc:
        raise Http404(_("No indicator has the key %(key)s.") % {"key": key}) from exc


# --- the catalogue -----------------------------------------------------------------------


def indicator_list(request: HttpRequest) -> HttpResponse:
    items = indicators.indicator_list()
    groups = [
        (key, label, [i for i in items if i.group == key]) for key, label in Indicator.Group.choices
    ]
    return render(
        request,
        "monitoring/indicator_list.html",
        {"groups": groups, "can_edit": permissions.can_edit_catalogue(request.user)},
    )


def indicator_detail(request: HttpRequest, key: str) -> HttpResponse:
    indicator = _indicator(key)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    overview = indicators.indicator_overview(indicator=indicator, user=request.user, year=year)
    return render(
        request,
        "monitoring/indicator_detail.html",
        {
            "indicator": indicator,
            "overview": overview,
            "can_edit": permissions.can_edit_catalogue(request.user),
        },
    )


def _indicator_form(request: HttpRequest, indicator: Indicator | None) -> HttpResponse:
    _require(
        permissions.can_edit_catalogue(request.user),
        _("Only the secretariat and the knowledge partners edit indicators."),
    )
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            saved = indicators.indicator_save(
                indicator=indicator,
                by=request.user,
                expected_version=form.expected_version,
                fields={name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The indicator is saved."))
            return redirect(saved)
    return render(request, "monitoring/indicator_form.html", {"form": form, "indicator": indicator})


def indicator_create(request: HttpRequest) -> HttpResponse:
    return _indicator_form(request, None)


def indicator_edit(request: HttpRequest, key: str) -> HttpResponse:
    return _indicator_form(request, _indicator(key))


# --- import ------------------------------------------------------------------------------


def _import_form(*args) -> ImportForm:
    """The round import's form, with this import's own limits (a year's template fits)."""
    form = ImportForm(*args)
    form.fields["file"].help_text = _(
        "At most 5 MB, and as many rows as a year's template. Use the template."
    )
    return form


def indicator_template(request: HttpRequest, year: int) -> HttpResponse:
    round = _round(year)
    _require(permissions.can_import_values(request.user), permissions.IMPORT_REFUSED)
    build = partial(exports.indicator_template_file, user=request.user)
    return _download(request, round, build, "indicator-values-{year}-template")


def indicator_import(request: HttpRequest, year: int) -> HttpResponse:
    """Upload → dry run (nothing written) → confirm, as the round import."""
    round = _round(year)
    _require(permissions.can_import_values(request.user), permissions.IMPORT_REFUSED)
    form = _import_form(request.POST or None, request.FILES or None)
    result = token = None
    if request.method == "POST" and form.is_valid():
        result, token = uploads.check(
            request,
            key=IMPORT_SESSION_KEY,
            upload=form.cleaned_data["file"],
            max_bytes=exports.MAX_UPLOAD,
            run=partial(indicator_imports.indicator_import, round=round, by=request.user),
            scope=round.year,
        )
    return render(
        request,
        "monitoring/indicator_import.html",
        {
            "round": round,
            "form": form,
            "result": result,
            "token": token,
            "columns": indicator_imports.import_columns(),
        },
    )


@require_POST
def indicator_import_confirm(request: HttpRequest, year: int) -> HttpResponse:
    round = _round(year)
    _require(permissions.can_import_values(request.user), permissions.IMPORT_REFUSED)
    result = uploads.confirm(
        request,
        key=IMPORT_SESSION_KEY,
        run=partial(indicator_imports.indicator_import, round=round, by=request.user),
        scope=round.year,
    )
    if result is None:
        messages.error(request, _("The checked file has expired; upload it again."))
        return redirect("monitoring-indicator-import", year=round.year)
    if result.written:
        messages.success(
            request,
            _("Imported: %(new)s new and %(changed)s changed values, %(unchanged)s unchanged.")
            % result.counts,
        )
        return redirect("monitoring-indicator-list")
    return render(
        request,
        "monitoring/indicator_import.html",
        {
            "round": round,
            "form": _import_form(),
            "result": result,
            "token": None,
            "columns": indicator_imports.import_columns(),
        },
    )


# --- peers, what is due, the digest ------------------------------------------------------


def municipality_peers(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(code)
    form = PeerKindForm(request.GET or None)
    kind = form.cleaned_data.get("kind") if form.is_valid() else "profile"
    if not form.is_bound or not form.is_valid():
        form = PeerKindForm(initial={"kind": kind or "profile"})
    comparison = peers.peer_comparison(municipality=municipality, kind=kind or "profile")
    return render(
        request,
        "monitoring/peers.html",
        {"municipality": comparison.municipality, "form": form, "comparison": comparison},
    )


def due_page(request: HttpRequest) -> HttpResponse:
    result = due.due_for(request.user)
    _require(
        result is not None, _("What is due is shown to the secretariat and the DGO coordinators.")
    )
    if request.GET.get("panel"):  # the dashboard panel's lists, fetched by htmx
        return render(
            request,
            "monitoring/includes/due_lists.html",
            {"due": result, "suffix": "-panel", "limit": 5, "limit_neg": -5},
        )
    return render(request, "monitoring/due.html", {"due": result})


def digest_preference(request: HttpRequest) -> HttpResponse:
    form = DigestForm(
        request.POST if request.method == "POST" else None,
        initial={"weekly_digest": digest.wants_digest(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        digest.set_digest_preference(
            user=request.user, weekly_digest=form.cleaned_data["weekly_digest"]
        )
        if form.cleaned_data["weekly_digest"]:
            messages.success(request, _("You will receive the weekly e-mail about what is due."))
        else:
            messages.success(request, _("You will no longer receive the weekly e-mail."))
        return redirect("monitoring-digest")
    return render(
        request,
        "monitoring/digest.html",
        {"form": form, "receives": permissions.can_see_due(request.user)},
    )
