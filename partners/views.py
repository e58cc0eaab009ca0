import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.exports import Column, export_list
from core.forms import add_service_errors
from core.portal_apps import portal_modules

from . import mfa, selectors, services
from .forms import ApiTokenForm, MunicipalityFilterForm, MunicipalityForm, VisibilityForm
from .models import DGO, Municipality
from .permissions import (
    MUNICIPALITY_EDIT_REFUSED,
    can_edit_municipality,
    can_view_people_of_dgo,
    can_view_people_of_municipality,
    roles_of,
)

PAGE_SIZE = 50

MUNICIPALITY_COLUMNS = [
    Column(gettext_lazy("Municipality code"), lambda m: m.code),
    Column(gettext_lazy("Municipality"), lambda m: m.name),
    Column(gettext_lazy("DGO"), lambda m: m.dgo.name),
    Column(gettext_lazy("Population"), lambda m: m.population),
    Column(gettext_lazy("Population year"), lambda m: m.population_year),
    Column(gettext_lazy("DK2020 pilot"), lambda m: m.dk2020_pilot),
    Column(gettext_lazy("Website"), lambda m: m.website),
]
DGO_COLUMNS = [
    Column(gettext_lazy("DGO"), lambda d: d.name),
    Column(gettext_lazy("Region"), lambda d: d.region.name),
    Column(gettext_lazy("KKR"), lambda d: d.kkr.name if d.kkr_id else ""),
    Column(gettext_lazy("Municipalities"), lambda d: d.municipality_count),
    Column(gettext_lazy("DK2020 pilots"), lambda d: d.pilot_count),
]
ORGANISATION_COLUMNS = [
    Column(gettext_lazy("Organisation"), lambda o: o.name),
    Column(gettext_lazy("Short name"), lambda o: o.short_name),
    Column(gettext_lazy("Kind"), lambda o: o.get_kind_display()),
    Column(
        gettext_lazy("Role in the partnership"), lambda o: ", ".join(map(str, o.partnership_roles))
    ),
    Column(gettext_lazy("Website"), lambda o: o.website),
]


def municipality_list(request: HttpRequest) -> HttpResponse:
    form = MunicipalityFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    municipalities = selectors.municipality_list(
        search=filters.get("q", ""), dgo=filters.get("dgo"), sort=filters.get("sort") or "name"
    )
    if export := export_list(
        request,
        name="kommuner",
        title=_("Municipalities"),
        columns=MUNICIPALITY_COLUMNS,
        objects=municipalities,
    ):
        return export
    page = Paginator(municipalities, PAGE_SIZE).get_page(request.GET.get("page"))
    roles = roles_of(request.user)
    return render(
        request,
        "partners/municipality_list.html",
        {
            "form": form,
            "page": page,
            "sort": filters.get("sort") or "name",
            "own_dgo_ids": roles.coordinated_dgo_ids,
        },
    )


def _get_municipality(code: str) -> Municipality:
    try:
        return selectors.municipality_get(code=code)
    except Municipality.DoesNotExist as exc:
        raise Http404(_("No municipality has the code %(code)s.") % {"code": code}) from exc


def municipality_detail(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _get_municipality(code)
    # Higher apps add their part of the page (monitoring: the figures) through a hook module.
    parts: dict = {}
    for _app, module in portal_modules("municipality_page"):
        parts.update(module.municipality_context(municipality=municipality, user=request.user))
    return render(
        request,
        "partners/municipality_detail.html",
        {
            "municipality": municipality,
            "coordinators": selectors.dgo_coordinators(dgo=municipality.dgo),
            "can_edit": can_edit_municipality(request.user, municipality),
            "can_see_people": can_view_people_of_municipality(request.user, municipality),
            **parts,
        },
    )


def municipality_edit(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _get_municipality(code)
    if not can_edit_municipality(request.user, municipality):
        raise PermissionDenied(str(MUNICIPALITY_EDIT_REFUSED))
    form = MunicipalityForm(request.POST or None, instance=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            services.municipality_update(
                municipality=municipality,
                by=request.user,
                expected_version=form.expected_version,
                website=form.cleaned_data["website"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The changes to %(name)s are saved.") % {"name": municipality}
            )
            return redirect(municipality)
    return render(
        request, "partners/municipality_edit.html", {"municipality": municipality, "form": form}
    )


def dgo_list(request: HttpRequest) -> HttpResponse:
    dgos = selectors.dgo_list()
    if export := export_list(
        request, name="dgoer", title=_("Geographies"), columns=DGO_COLUMNS, objects=dgos
    ):
        return export
    return render(request, "partners/dgo_list.html", {"dgos": dgos})


def dgo_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        dgo = selectors.dgo_get(slug=slug)
    except DGO.DoesNotExist as exc:
        raise Http404(_("No such DGO.")) from exc
    return render(
        request,
        "partners/dgo_detail.html",
        {
            "dgo": dgo,
            "municipalities": selectors.municipality_list(dgo=dgo),
            "coordinators": selectors.dgo_coordinators(dgo=dgo),
            "is_own": dgo.pk in roles_of(request.user).coordinated_dgo_ids,
            "can_see_people": can_view_people_of_dgo(request.user, dgo),
        },
    )


def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisation_list()
    if export := export_list(
        request,
        name="organisationer",
        title=_("Partners"),
        columns=ORGANISATION_COLUMNS,
        objects=organisations,
    ):
        return export
    return render(request, "partners/organisation_list.html", {"organisations": organisations})


def profile(request: HttpRequest) -> HttpResponse:
    return _profile_page(request)


def _profile_page(request: HttpRequest, *, token_form: ApiTokenForm | None = None) -> HttpResponse:
    return render(
        request,
        "partners/profile.html",
        {
            "api_tokens": selectors.api_tokens_of(user=request.user),
            "token_form": token_form or ApiTokenForm(),
            "assignments": selectors.role_assignments_of(user=request.user),
            # Body seats are roles too (governance's `people` hook).
            "seats": services.seats().seats_now(person=request.user),
            "mfa_enrolled": mfa.mfa_enrolled(request.user),
            "has_totp": mfa.has_totp(request.user),
            "passkey_count": mfa.passkeys_of(request.user).count(),
            "mfa_required": mfa.mfa_required(request.user),
            "recovery_codes_left": mfa.recovery_codes_left(request.user),
            "visibility_form": VisibilityForm(instance=request.user),
        },
    )


@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Make a personal API token; its secret is on this answer only (never stored, never
    shown again)."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = None
        if expires_on is not None:  # the end of that day, in the portal's time zone
            expires_at = timezone.make_aware(
                datetime.datetime.combine(expires_on + datetime.timedelta(days=1), datetime.time())
            )
        try:
            made = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["read_only"],
                expires_at=expires_at,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(
                request,
                "partners/api_token_created.html",
                {"token": made.token, "secret": made.secret},
            )
    return _profile_page(request, token_form=form)


@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own tokens exist here: another person's token is a 404 like a missing one.
    token = get_object_or_404(selectors.api_tokens_of(user=request.user), pk=pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("profile")
