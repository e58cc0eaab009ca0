"""People and access administration: invitations, roles, leaving, the contact directory."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core import spreadsheet as reader
from core import uploads
from core.forms import add_service_errors

from . import mfa, selectors, services
from . import spreadsheet as sheet
from .forms import (
    AcceptInvitationForm,
    DirectoryFilterForm,
    InviteForm,
    PeopleFilterForm,
    PeopleImportForm,
    ReasonForm,
)
from .mfa import safe_next
from .models import DGO, DirectoryVisibility, Municipality, Organisation, RoleAssignment, User
from .permissions import (
    ROLE_REVOKE_REFUSED,
    can_deactivate_person,
    can_import_people,
    can_invite,
    can_manage_people,
    can_reset_authenticator_of,
    can_revoke_role,
    can_view_people_of_dgo,
    can_view_people_of_municipality,
)

PAGE_SIZE = 50
IMPORT_SESSION_KEY = "people-import"
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _safe_next_or_blank(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _people_managers_only(request: HttpRequest) -> None:
    _require(
        can_manage_people(request.user),
        _("Only the secretariat and administrators administer people."),
    )


# --- people pages per municipality and DGO -----------------------------------------------


def municipality_people(request: HttpRequest, code: str) -> HttpResponse:
    municipality = get_object_or_404(Municipality.objects.select_related("dgo"), code=code)
    _require(
        can_view_people_of_municipality(request.user, municipality),
        _("Only the secretariat and the DGO's coordinators see who holds roles here."),
    )
    return render(
        request,
        "partners/municipality_people.html",
        {
            "municipality": municipality,
            "assignments": selectors.municipality_people(municipality=municipality),
            "can_invite": can_invite(request.user, "municipal_contact", municipality=municipality),
            "can_revoke": can_invite(request.user, "municipal_contact", municipality=municipality),
        },
    )


def dgo_people(request: HttpRequest, slug: str) -> HttpResponse:
    dgo = get_object_or_404(DGO.objects.select_related("region"), slug=slug)
    _require(
        can_view_people_of_dgo(request.user, dgo),
        _("Only the secretariat and the DGO's coordinators see who holds roles here."),
    )
    assignments = list(selectors.dgo_people(dgo=dgo))
    return render(
        request,
        "partners/dgo_people.html",
        {
            "dgo": dgo,
            "coordinators": [
                a for a in assignments if a.role == RoleAssignment.Role.DGO_COORDINATOR
            ],
            "contacts": [a for a in assignments if a.role == RoleAssignment.Role.MUNICIPAL_CONTACT],
            "can_invite_coordinator": can_invite(request.user, "dgo_coordinator", dgo=dgo),
            "can_invite_contact": can_invite(request.user, "municipal_contact"),
            "can_revoke_coordinator": can_manage_people(request.user),
            "can_revoke_contact": True,  # the page is only for the DGO's coordinators and up
        },
    )


# --- everyone, one person ------------------------------------------------------------------


def people_list(request: HttpRequest) -> HttpResponse:
    _people_managers_only(request)
    form = PeopleFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.people_list(search=filters.get("q", ""), status=filters.get("status", ""))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "partners/people_list.html", {"form": form, "page": page})


def _person(request: HttpRequest, pk: int) -> User:
    _people_managers_only(request)
    try:
        return selectors.person_get(pk=pk)
    except User.DoesNotExist as exc:
        raise Http404(_("No such person.")) from exc


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return render(
        request,
        "partners/person_detail.html",
        {
            "person": person,
            "assignments": selectors.role_assignments_of(user=person).order_by(
                "ends_on", "-starts_on"
            ),
            "seats": services.seats().seats_of(person=person),
            "invitations": selectors.person_invitations(user=person),
            "reason_form": ReasonForm(),
            "can_deactivate": can_deactivate_person(request.user, person),
            "can_reset_authenticator": can_reset_authenticator_of(request.user, person),
        },
    )


def _posted_reason(request: HttpRequest) -> str | None:
    """The reason posted, for the service to judge (it says when one is missing); None, with
    the form's message shown, when it is longer than the trail keeps."""
    form = ReasonForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["reason"]
    for error in form.errors.get("reason", []):
        messages.error(request, error)
    return None


@require_POST
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    reason = _posted_reason(request)
    if reason is not None:
        try:
            services.user_deactivate_checked(user=person, by=request.user, reason=reason)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(person)s is deactivated: signed out, roles and seats ended, records kept.")
                % {"person": person},
            )
    return redirect("person-detail", pk=person.pk)


@require_POST
def person_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    reason = _posted_reason(request)
    if reason is not None:
        try:
            services.user_reactivate(user=person, by=request.user, reason=reason)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(person)s can sign in again. Grant the roles they need.") % {"person": person},
            )
    return redirect("person-detail", pk=person.pk)


@require_POST
def person_reinvite(request: HttpRequest, pk: int) -> HttpResponse:
    """A new invitation link (the old one stops working), e.g. after the first expired."""
    person = _person(request, pk)
    if not person.is_active:
        messages.error(request, _("Reactivate the person first."))
    elif person.has_usable_password():
        messages.info(request, _("The person has a password already; they can sign in."))
    else:
        current = services.roles_summary(user=person)
        services.invitation_send(user=person, by=request.user, roles=current)
        messages.success(
            request, _("A new invitation is on its way to %(email)s.") % {"email": person.email}
        )
    return redirect("person-detail", pk=person.pk)


@require_POST
def person_mfa_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator resets a person's lost authenticator (with a reason, audited)."""
    person = _person(request, pk)
    if mfa.reauthentication_needed(request):
        return mfa.reauthenticate_redirect(request, reverse("person-detail", args=[person.pk]))
    reason = _posted_reason(request)
    if reason is None:
        return redirect("person-detail", pk=person.pk)
    try:
        mfa.mfa_reset(user=person, by=request.user, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(person)s's authenticator is reset; they set up a new one at the next sign-in.")
            % {"person": person},
        )
    return redirect("person-detail", pk=person.pk)


@require_POST
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("user", "municipality", "dgo"), pk=pk
    )
    _require(can_revoke_role(request.user, assignment), str(ROLE_REVOKE_REFUSED))
    reason = _posted_reason(request)
    if reason is not None:
        try:
            services.role_revoke_checked(assignment=assignment, by=request.user, reason=reason)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(person)s no longer holds the role %(role)s.")
                % {"person": assignment.user, "role": assignment.get_role_display()},
            )
    return redirect(safe_next(request, default="profile"))


# --- inviting ------------------------------------------------------------------------------


def person_invite(request: HttpRequest) -> HttpResponse:
    _require(
        can_invite(request.user, "municipal_contact") or can_manage_people(request.user),
        _("Only the secretariat and DGO coordinators invite people."),
    )
    if mfa.reauthentication_needed(request):
        # Granting roles is sensitive: the secretariat and administrators confirm their factor.
        return mfa.reauthenticate_redirect(request)
    form = InviteForm(request.POST or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = services.person_invite(
                by=request.user,
                email=data["email"],
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                title=data["title"],
                organisation=data.get("organisation"),
                dgo=data.get("dgo"),
                municipality=data.get("municipality"),
                body=data.get("body"),
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not outcome.granted:
                messages.info(
                    request,
                    _("%(person)s already holds this role; nothing was changed.")
                    % {"person": outcome.user},
                )
            elif outcome.invitation is not None:
                messages.success(
                    request,
                    _("%(email)s is invited as %(role)s.")
                    % {"email": outcome.user.email, "role": outcome.role},
                )
            else:
                messages.success(
                    request,
                    _("%(person)s already has an account and now holds the role %(role)s.")
                    % {"person": outcome.user, "role": outcome.role},
                )
            target = _safe_next_or_blank(request)
            if target:
                return redirect(target)
            if can_manage_people(request.user):
                return redirect("person-detail", pk=outcome.user.pk)
            return redirect("person-invite")
    return render(
        request,
        "partners/person_invite.html",
        {
            "form": form,
            "next": _safe_next_or_blank(request),
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
    )


@login_not_required
@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    check = services.invitation_check(token=token)
    if not check.usable:
        return render(
            request,
            "partners/invitation_problem.html",
            {"message": services.invitation_problem_message(check.problem)},
            status=410 if check.problem in ("used", "revoked", "expired") else 404,
        )
    invitation = check.invitation
    if request.user.is_authenticated and request.user.pk != invitation.user_id:
        return render(
            request,
            "partners/invitation_problem.html",
            {
                "message": _(
                    "You are signed in as someone else. Sign out first, then open the link again."
                )
            },
            status=403,
        )
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                token=token,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                directory_visibility=form.cleaned_data["directory_visibility"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                form.add_error("password1", error)
        else:
            messages.success(request, _("Your password is set. Sign in with it now."))
            return redirect("login")
    return render(
        request, "partners/invitation_accept.html", {"form": form, "invitation": invitation}
    )


# --- bulk import -----------------------------------------------------------------------------


def _import_reference() -> dict:
    from .models import InviteRole

    return {
        "role": list(InviteRole.choices),
        "dgo": [(d.slug, d.name) for d in DGO.objects.order_by("name")],
        "body": [(b.code, b.name) for b in services.seats().bodies().order_by("position", "name")],
        "organisation": [(o.code, o.name) for o in Organisation.objects.order_by("name")],
    }


def people_import_template(request: HttpRequest) -> HttpResponse:
    _require(can_import_people(request.user), _("Only the secretariat imports people."))
    file_format = request.GET.get("format", "xlsx")
    if file_format not in CONTENT_TYPES:
        return HttpResponse(_("Choose the format xlsx or csv."), status=400)
    content = sheet.template_file(file_format, reference=_import_reference())
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="people-template.{file_format}"'
    return response


def people_import(request: HttpRequest) -> HttpResponse:
    """Upload → dry run (nothing written) → confirm, as the monitoring import."""
    _require(can_import_people(request.user), _("Only the secretariat imports people."))
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    result = token = None
    if request.method == "POST" and form.is_valid():
        result, token = uploads.check(
            request,
            key=IMPORT_SESSION_KEY,
            upload=form.cleaned_data["file"],
            max_bytes=reader.MAX_BYTES,
            run=partial(services.people_import, by=request.user),
        )
    return render(
        request, "partners/people_import.html", {"form": form, "result": result, "token": token}
    )


@require_POST
def people_import_confirm(request: HttpRequest) -> HttpResponse:
    _require(can_import_people(request.user), _("Only the secretariat imports people."))
    if mfa.reauthentication_needed(request):
        return mfa.reauthenticate_redirect(request, reverse("people-import"))
    result = uploads.confirm(
        request, key=IMPORT_SESSION_KEY, run=partial(services.people_import, by=request.user)
    )
    if result is None:
        messages.error(request, _("The checked file has expired; upload it again."))
        return redirect("people-import")
    if result.written:
        counts = result.counts
        messages.success(
            request,
            _(
                "Imported: %(new)s new people, %(added)s roles for people already in the portal, "
                "%(unchanged)s unchanged. %(invited)s invitations are being sent."
            )
            % {**counts, "invited": result.invited},
        )
        return redirect("people-list")
    return render(
        request,
        "partners/people_import.html",
        {"form": PeopleImportForm(), "result": result, "token": None},
    )


# --- contact directory and the person's own choice -------------------------------------------


def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.directory(
        municipality=filters.get("municipality"),
        dgo=filters.get("dgo"),
        search=filters.get("q", ""),
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/directory.html",
        {"form": form, "page": page, "show_email": DirectoryVisibility.EMAIL},
    )


@require_POST
def profile_visibility(request: HttpRequest) -> HttpResponse:
    # The service checks the choice (and says so); the profile page draws the VisibilityForm.
    try:
        services.directory_visibility_set(
            user=request.user, visibility=request.POST.get("directory_visibility", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your choice for the contact directory is saved."))
    return redirect("profile")
