"""The secretariat's upload of the national energy and CO2 accounts: upload → dry run per
municipality (what changes against the previous release) → confirm (core.uploads)."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import uploads
from core.spreadsheet import max_bytes
from monitoring import permissions, selectors
from monitoring.forms import AccountsImportForm
from monitoring.imports.accounts import SOURCE_DEFAULT, national_accounts_import

IMPORT_SESSION_KEY = "monitoring_accounts_import"


def _require_importer(request: HttpRequest) -> None:
    if not permissions.can_import(request.user):
        raise PermissionDenied(_("Only the secretariat imports the national accounts."))


def _page(request, form, result=None, token=None, scope=None) -> HttpResponse:
    return render(
        request,
        "monitoring/accounts_import.html",
        {
            "form": form,
            "result": result,
            "token": token,
            "scope": scope,
            "releases": selectors.data_release_list(),
        },
    )


def accounts_import(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = AccountsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        release = form.cleaned_data["release"].strip()
        source = form.cleaned_data["source"].strip() or SOURCE_DEFAULT
        scope = [release, source]
        result, token = uploads.check(
            request,
            key=IMPORT_SESSION_KEY,
            upload=form.cleaned_data["file"],
            max_bytes=max_bytes(),
            run=partial(national_accounts_import, release=release, source=source, by=request.user),
            scope=scope,
        )
        return _page(request, form, result, token, scope)
    return _page(request, form)


@require_POST
def accounts_import_confirm(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    release = request.POST.get("release", "")
    source = request.POST.get("source", "")
    result = uploads.confirm(
        request,
        key=IMPORT_SESSION_KEY,
        run=partial(national_accounts_import, release=release, source=source, by=request.user),
        scope=[release, source],
    )
    if result is None:
        messages.error(request, _("The checked file has expired; upload it again."))
        return redirect("monitoring-accounts-import")
    if result.written:
        messages.success(
            request,
            _("The release %(release)s is imported: %(new)s municipalities new, %(changed)s "
              "changed, %(unchanged)s unchanged.")
            % {"release": release, **result.counts},
        )  # fmt: skip
        return redirect("monitoring-accounts-import")
    return _page(request, AccountsImportForm(), result)
