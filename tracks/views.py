from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import formset_factory
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.exports import Column, export_list, list_export, requested_export
from core.formatting import dkk
from core.forms import add_service_errors
from partners.models import DGO

from . import exports, selectors, services
from . import permissions as perms
from .forms import (
    AllocationRequestForm,
    AssessmentForm,
    BudgetChangeForm,
    ContactForm,
    DecisionNoteForm,
    DGOBudgetLineForm,
    DGOContributionForm,
    DGOLineFormSet,
    EvaluationForm,
    ExternalFundingForm,
    FocusAreaForm,
    FundingRequestForm,
    HourlyRateForm,
    KnowledgeProductForm,
    LedgerFilterForm,
    ParticipantForm,
    PrincipleJudgementForm,
    PutToFUForm,
    ReasonForm,
    SpendingForm,
    SpendingReverseForm,
    StatusUpdateForm,
    TrackFilterForm,
    TrackForm,
    WithdrawForm,
    default_deadline,
    participant_choices,
)
from .models import (
    ASSESSABLE,
    Allocation,
    BudgetChange,
    Contribution,
    ExternalFunding,
    FocusArea,
    KnowledgeProduct,
    LiquidPool,
    Track,
)

PAGE_SIZE = 25

TRACK_COLUMNS = [
    Column(gettext_lazy("Track"), lambda t: t.title),
    Column(gettext_lazy("Status"), lambda t: t.get_status_display()),
    Column(gettext_lazy("Focus area"), lambda t: t.focus_area.name if t.focus_area_id else ""),
    Column(gettext_lazy("DGOs"), lambda t: ", ".join(d.name for d in t.dgos.all())),
    Column(
        gettext_lazy("Participants"),
        lambda t: ", ".join(str(p.party) for p in t.participants.all()),
    ),
    Column(
        gettext_lazy("Lead"),
        lambda t: next((str(p.party) for p in t.participants.all() if p.is_lead), ""),
    ),
    Column(
        gettext_lazy("Submitted"), lambda t: t.submitted_at and timezone.localtime(t.submitted_at)
    ),
    Column(gettext_lazy("Last changed"), lambda t: timezone.localtime(t.updated_at)),
]
FOCUS_AREA_COLUMNS = [
    Column(gettext_lazy("Year"), lambda a: a.year),
    Column(gettext_lazy("Focus area"), lambda a: a.name_da),
    Column(gettext_lazy("Focus area (English)"), lambda a: a.name_en),
    Column(gettext_lazy("Description"), lambda a: a.description),
    Column(gettext_lazy("Tracks"), lambda a: a.track_count),
]
ALLOCATION_COLUMNS = [
    Column(gettext_lazy("Track"), lambda a: a.track.title),
    Column(gettext_lazy("Year"), lambda a: a.year),
    Column(gettext_lazy("Amount (DKK)"), lambda a: a.amount),
    Column(gettext_lazy("Purpose"), lambda a: a.purpose),
    Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
    Column(gettext_lazy("Requested"), lambda a: timezone.localtime(a.requested_at)),
    Column(gettext_lazy("Decided"), lambda a: a.decided_at and timezone.localtime(a.decided_at)),
    Column(gettext_lazy("Note on the decision"), lambda a: a.decision_note),
]


def _track(request: HttpRequest, pk: int) -> Track:
    try:
        return selectors.track_get(user=request.user, pk=pk)
    except Track.DoesNotExist as exc:
        raise Http404(_("No such development track.")) from exc


# --- Tracks ------------------------------------------------------------------------------------


def track_list(request: HttpRequest) -> HttpResponse:
    form = TrackFilterForm(request.GET or None)
    tracks = selectors.track_list(user=request.user, **form.filters())
    if export := export_list(
        request,
        name="udviklingsspor",
        title=_("Development tracks"),
        columns=TRACK_COLUMNS,
        objects=tracks,
    ):
        return export
    page = Paginator(tracks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracks/track_list.html",
        {"form": form, "page": page, "can_propose": perms.can_propose(request.user)},
    )


def _formsets(data=None, track: Track | None = None):
    """The proposal's four formsets, filled from the track when editing."""
    choices = participant_choices()
    initial: dict[str, list] = {"participants": [], "funding": [], "external": [], "contacts": []}
    if track is not None:
        initial["participants"] = [
            {
                "participant": f"m:{p.municipality_id}"
                if p.municipality_id
                else f"r:{p.region_id}",
                "is_lead": p.is_lead,
            }
            for p in track.participants.all()
        ]
        initial["funding"] = [
            {"year": f.year, "source": f.source, "pool": f.pool, "amount": f.amount, "note": f.note}
            for f in track.funding_requests.all()
        ]
        initial["external"] = [
            {
                "funder": e.funder,
                "programme": e.programme,
                "amount": e.amount,
                "status": e.status,
                "lead_dgo": e.lead_dgo,
            }
            for e in track.external_funding.all()
        ]
        initial["contacts"] = [
            {
                "name": c.name,
                "organisation": c.organisation,
                "role": c.role,
                "email": c.email,
                "phone": c.phone,
            }
            for c in track.contacts.all()
        ]
    spec = {
        "participants": (ParticipantForm, 3, {"choices": choices}),
        "funding": (FundingRequestForm, 2, {}),
        "external": (ExternalFundingForm, 1, {}),
        "contacts": (ContactForm, 1, {}),
    }
    return {
        prefix: formset_factory(form, extra=extra, can_delete=True)(
            data, initial=initial[prefix], prefix=prefix, form_kwargs=kwargs
        )
        for prefix, (form, extra, kwargs) in spec.items()
    }


def _children(formsets) -> dict:
    def rows(name):
        return [data for form in formsets[name].forms if (data := _as_data(form))]

    return {
        "participants": rows("participants"),
        "funding_requests": rows("funding"),
        "external_funding": rows("external"),
        "contacts": rows("contacts"),
    }


def _as_data(form):
    if not hasattr(form, "cleaned_data") or not form.cleaned_data:
        return None
    return form.as_data()


def _proposal(request: HttpRequest, track: Track | None) -> HttpResponse:
    form = TrackForm(request.POST or None, instance=track)
    if track is None and not request.POST:
        own = list(perms.roles_of(request.user).coordinated_dgo_ids)
        form.fields["dgos"].initial = own
    formsets = _formsets(request.POST or None, track)
    if request.method == "POST":
        valid = form.is_valid() & all([fs.is_valid() for fs in formsets.values()])
        if valid:
            fields = {name: form.cleaned_data[name] for name in services.TRACK_FIELDS}
            try:
                if track is None:
                    track = services.track_create(
                        by=request.user,
                        dgos=list(form.cleaned_data["dgos"]),
                        **_children(formsets),
                        **fields,
                    )
                else:
                    track = services.track_update(
                        track=track,
                        by=request.user,
                        expected_version=form.expected_version,
                        dgos=list(form.cleaned_data["dgos"]),
                        **_children(formsets),
                        **fields,
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            except services.Conflict as conflict:
                form.add_error(None, conflict.message)
            else:
                messages.success(
                    request,
                    _(
                        "The draft is saved. Submit it to APS's long list from the track's page "
                        "once it meets the principles."
                    ),
                )
                return redirect(track)
    return render(
        request,
        "tracks/track_form.html",
        {"form": form, "track": track, **formsets},
        status=400 if request.method == "POST" else 200,
    )


def track_create(request: HttpRequest) -> HttpResponse:
    if not perms.can_propose(request.user):
        raise PermissionDenied(str(perms.PROPOSE_REFUSED))
    return _proposal(request, None)


def track_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        track = selectors.track_proposal_get(user=request.user, pk=pk)
    except Track.DoesNotExist as exc:
        raise Http404(_("No such development track.")) from exc
    if not perms.is_proposer(request.user, track):
        raise PermissionDenied(str(perms.PROPOSERS_ONLY))
    if not perms.can_edit_track(request.user, track):
        messages.error(request, perms.DRAFTS_ONLY)
        return redirect(track)
    return _proposal(request, track)


def track_detail(request: HttpRequest, pk: int) -> HttpResponse:
    track = _track(request, pk)
    user = request.user
    assessments = []
    if track.status in selectors.ASSESSED_STATES:
        assessments = [
            a for a in track.assessments.all() if a.is_published or perms.is_knowledge_partner(user)
        ]
    allocations = list(track.allocations.all()) if track.status in selectors.FUNDED_STATES else []
    return render(
        request,
        "tracks/track_detail.html",
        {
            "track": track,
            "can": selectors.track_actions(user=user, track=track),
            "principles": (
                services.track_check_principles(track=track)
                if track.status == Track.Status.DRAFT
                else []
            ),
            "transitions": selectors.timeline(user=user, track=track),
            # FU's decisions are read by its seats and the secretariat (governance): the link
            # is shown to the secretariat; members find them under their decisions.
            "link_decisions": perms.is_secretariat(user),
            "assessments": assessments,
            "published": [a for a in assessments if a.is_published],
            "allocations": allocations,
            "approved_total": sum(
                (a.amount for a in allocations if a.status == Allocation.Status.APPROVED), 0
            ),
            "withdraw_form": WithdrawForm(),
            "show_assessments": track.status in selectors.ASSESSED_STATES,
            "judgements": (
                selectors.principle_judgements(track) if track.status in ASSESSABLE else []
            ),
        },
    )


def track_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        track = selectors.track_proposal_get(user=request.user, pk=pk)
    except Track.DoesNotExist as exc:
        raise Http404(_("No such development track.")) from exc
    return render(
        request,
        "tracks/track_proposal.html",
        {
            "track": track,
            "can_update_funding": perms.can_update_external_funding(request.user, track),
        },
    )


@require_POST
def external_funding_status(request: HttpRequest, pk: int, funding: int) -> HttpResponse:
    track = _track(request, pk)
    try:
        application = track.external_funding.get(pk=funding)
    except ExternalFunding.DoesNotExist as exc:
        raise Http404(_("No such application for external funding.")) from exc
    try:
        services.external_funding_set_status(
            funding=application, by=request.user, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The external funding's status is saved."))
    return redirect("track-proposal", pk=track.pk)


TRANSITIONS = {
    "submit": (services.track_submit, _("The track is submitted to APS's long list.")),
    "withdraw": (services.track_withdraw, _("The track is withdrawn.")),
    "qualify": (
        services.track_start_qualification,
        _("The track is put to APS: its voting members decide on the long list and qualification."),
    ),
    "recommend": (
        services.track_recommend,
        _("The track is put to APS: its voting members decide on the recommendation to FU."),
    ),
    "revise": (
        services.track_revise,
        _("The track is a draft again for a new round: revise it and submit it to APS."),
    ),
    "start": (services.track_start, _("The track is running.")),
    "close": (services.track_close, _("The track is closed.")),
}


@require_POST
def track_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    track = _track(request, pk)
    service, done = TRANSITIONS[action]
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        service(track=track, by=request.user, reason=reason)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except services.Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, done)
    return redirect(track)


def _subpage(request, track, form, title, template="tracks/track_subform.html", **extra):
    return render(
        request,
        template,
        {"track": track, "form": form, "title": title, **extra},
        status=400 if request.method == "POST" else 200,
    )


def track_put_to_fu(request: HttpRequest, pk: int) -> HttpResponse:
    track = _track(request, pk)
    if not perms.can_put_to_fu_role(request.user):
        raise PermissionDenied(str(perms.PUT_TO_FU_REFUSED))
    form = PutToFUForm(request.POST or None, initial={"deadline": default_deadline()})
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.track_put_to_fu(
                track=track,
                by=request.user,
                deadline=form.cleaned_data["deadline"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(
                request,
                _("The track is put to FU. FU's voting members are notified by e-mail."),
            )
            return redirect(decision)
    return _subpage(request, track, form, _("Put the track to FU"))


def assessment_write(request: HttpRequest, pk: int) -> HttpResponse:
    track = _track(request, pk)
    if not perms.is_knowledge_partner(request.user):
        raise PermissionDenied(str(perms.ASSESSORS_ONLY))
    draft = next((a for a in track.assessments.all() if not a.is_published), None)
    initial = {"text": draft.text, "conclusion": draft.conclusion} if draft else {}
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        publish = "publish" in request.POST
        service = services.assessment_publish if publish else services.assessment_draft_save
        try:
            service(track=track, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(
                request,
                _("The climate assessment is published.") if publish else _("The draft is saved."),
            )
            return redirect(track)
    return _subpage(
        request,
        track,
        form,
        _("Write the climate assessment"),
        template="tracks/assessment_form.html",
        draft=draft,
    )


def principles_judge(request: HttpRequest, pk: int) -> HttpResponse:
    """APS's judgement of the §6 principles, beside the knowledge partners' assessment."""
    track = _track(request, pk)
    if not perms.can_judge_principles(request.user, track):
        raise PermissionDenied(
            _("Only APS members and the secretariat judge a track in qualification.")
        )
    form = PrincipleJudgementForm(
        request.POST or None, judgements=track.judgements.filter(round=track.round)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.principles_judge(track=track, by=request.user, judgements=form.judgements())
        except ValidationError as error:
            for principle, problems in error.message_dict.items():
                form.add_error(f"{principle}_note", problems)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("APS's judgement of the principles is saved."))
            return redirect(track)
    return _subpage(
        request,
        track,
        form,
        _("Judge the principles"),
        lede=_(
            "For each principle of §6: is it met? Say why when it is not. APS recommends the "
            "track to FU only when every principle is judged met."
        ),
    )


def track_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    track = _track(request, pk)
    if not perms.is_evaluator(request.user):
        raise PermissionDenied(perms.EVALUATORS_ONLY)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.track_evaluate(track=track, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("The evaluation is saved; the track is evaluated."))
            return redirect(track)
    return _subpage(request, track, form, _("Evaluate the track"))


def status_update_create(request: HttpRequest, pk: int) -> HttpResponse:
    track = _track(request, pk)
    if not perms.is_proposer(request.user, track):
        raise PermissionDenied(str(perms.PROPOSERS_ONLY))
    form = StatusUpdateForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.status_update_add(track=track, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("The status update is added."))
            return redirect(track)
    return _subpage(request, track, form, _("Add a status update"))


def product_create(request: HttpRequest, pk: int) -> HttpResponse:
    track = _track(request, pk)
    if not perms.adds_products(request.user, track):
        raise PermissionDenied(str(perms.PRODUCT_ADDERS_ONLY))
    form = KnowledgeProductForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.knowledge_product_add(
                track=track,
                by=request.user,
                title=data["title"],
                description=data["description"],
                url=data["url"],
                upload=data["file"],
            )
        except ValidationError as error:
            form.add_error("file" if data["file"] else None, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(
                request, _("The knowledge product is published to all signed-in users.")
            )
            return redirect(track)
    return _subpage(request, track, form, _("Add a knowledge product"), multipart=True)


@require_GET
def product_download(request: HttpRequest, pk: int) -> FileResponse:
    """Knowledge products are open to every signed-in user, served here (never from MEDIA_URL)."""
    product = (
        KnowledgeProduct.objects.filter(
            track__in=selectors.tracks_for(request.user), kind=KnowledgeProduct.Kind.FILE
        )
        .filter(pk=pk)
        .first()
    )
    if product is None:
        raise Http404(_("No such knowledge product."))
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


def allocation_request(request: HttpRequest, pk: int) -> HttpResponse:
    track = _track(request, pk)
    if not perms.is_proposer(request.user, track):
        raise PermissionDenied(str(perms.PROPOSERS_ONLY))
    form = AllocationRequestForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_request(track=track, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(
                request,
                _("The allocation is requested. It counts once the pool's party approves it."),
            )
            return redirect(track)
    return _subpage(
        request,
        track,
        form,
        _("Request liquid track funds"),
        pools=selectors.pool_list(),
        template="tracks/allocation_form.html",
    )


# --- Focus areas -------------------------------------------------------------------------------


def focus_area_list(request: HttpRequest) -> HttpResponse:
    if export := export_list(
        request,
        name="fokusomraader",
        title=_("Focus areas"),
        columns=FOCUS_AREA_COLUMNS,
        objects=selectors.focus_areas(),
    ):
        return export
    return render(
        request,
        "tracks/focus_area_list.html",
        {
            "years": sorted(selectors.grouped_focus_areas().items(), reverse=True),
            "can_edit": perms.can_edit_focus_areas(request.user),
            "can_put_to_pug": perms.can_put_to_pug_role(request.user),
        },
    )


@require_POST
def focus_area_put_to_pug(request: HttpRequest, pk: int) -> HttpResponse:
    focus_area = FocusArea.objects.filter(pk=pk).first()
    if focus_area is None:
        raise Http404(_("No such focus area."))
    try:
        services.focus_area_put_to_pug(focus_area=focus_area, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except services.Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(
            request,
            _("The focus area is put to PUG: its voting members decide on adopting it."),
        )
    return redirect("focus-area-list")


def focus_area_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not perms.can_edit_focus_areas(request.user):
        raise PermissionDenied(str(perms.FOCUS_AREAS_REFUSED))
    focus_area = None
    if pk is not None:
        focus_area = FocusArea.objects.filter(pk=pk).first()
        if focus_area is None:
            raise Http404(_("No such focus area."))
    form = FocusAreaForm(
        request.POST or None,
        instance=focus_area,
        initial=None if focus_area else {"year": timezone.localdate().year},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.focus_area_save(
                by=request.user,
                focus_area=focus_area,
                expected_version=form.expected_version,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The focus area is saved."))
            return redirect("focus-area-list")
    return render(
        request,
        "tracks/focus_area_form.html",
        {"form": form, "focus_area": focus_area},
        status=400 if request.method == "POST" else 200,
    )


# --- Budget ------------------------------------------------------------------------------------


def budget_overview(request: HttpRequest) -> HttpResponse:
    sums = selectors.budget_sums()  # one read for the overview, the DGOs and the reconciliation
    return render(
        request,
        "tracks/budget_overview.html",
        {
            "overview": selectors.budget_overview(sums),
            "pools": selectors.pool_list(),
            "allocations": selectors.approved_allocations(),
            "spending": selectors.recent_spending(),
            "reconciliation": selectors.reconciliation(sums),
            "dgo_budgets": selectors.dgo_budgets(sums),
            "dgos": selectors.dgo_list(),
            "external_funding": selectors.external_funding(user=request.user),
            "can_keep": perms.is_budget_keeper(request.user),
            "can_see_approvals": perms.can_see_approvals(request.user),
        },
    )


@require_GET
def budget_export(request: HttpRequest, fmt: str) -> HttpResponse:
    overview = selectors.budget_overview()
    if fmt == "csv":
        return exports.overview_csv(overview)
    return exports.overview_xlsx(overview)


def pool_detail(request: HttpRequest, key: str) -> HttpResponse:
    try:
        pool = selectors.pool_get(key=key)
    except LiquidPool.DoesNotExist as exc:
        raise Http404(_("No such pool.")) from exc
    allocations = selectors.pool_allocations(pool=pool)
    if export := export_list(
        request,
        name=f"tildelinger-{pool.key}",
        title=_("Allocations"),
        columns=ALLOCATION_COLUMNS,
        objects=allocations,
    ):
        return export
    return render(
        request,
        "tracks/pool_detail.html",
        {
            "pool": pool,
            "allocations": allocations,
            "is_approver": perms.is_pool_approver(request.user, pool),
        },
    )


def allocation_approvals(request: HttpRequest) -> HttpResponse:
    if not perms.can_see_approvals(request.user):
        raise PermissionDenied(
            _("This page is for the contributing parties' designated approvers.")
        )
    # The secretariat follows every request; only the party's own approver decides one.
    pending = list(selectors.allocations_awaiting(user=request.user))
    for allocation in pending:
        allocation.may_decide = perms.is_pool_approver(request.user, allocation.pool)
    changes = list(selectors.budget_changes_awaiting(user=request.user))
    for change in changes:
        change.may_decide = perms.is_budget_line_approver(request.user, change)
    return render(
        request,
        "tracks/allocation_approvals.html",
        {
            "pending": pending,
            "decided": selectors.allocations_decided(user=request.user)[:20],
            "changes": changes,
            "note_form": DecisionNoteForm(),
        },
    )


@require_POST
def allocation_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    allocation = (
        Allocation.objects.select_related("pool__contribution__contributor", "track")
        .filter(pk=pk)
        .first()
    )
    if allocation is None:
        raise Http404(_("No such allocation."))
    if not perms.is_pool_approver(request.user, allocation.pool):
        raise PermissionDenied(
            str(perms.POOL_APPROVER_ONLY) % {"party": allocation.pool.contribution.contributor}
        )
    form = DecisionNoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    service = services.allocation_approve if action == "approve" else services.allocation_refuse
    try:
        allocation = service(allocation=allocation, by=request.user, note=note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except services.Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(
            request,
            _("The allocation to %(track)s is %(status)s.")
            % {"track": allocation.track, "status": allocation.get_status_display().lower()},
        )
    return redirect("allocation-approvals")


def spending_create(request: HttpRequest) -> HttpResponse:
    if not perms.can_book_spending(request.user):
        raise PermissionDenied(str(perms.BOOKERS_ONLY))
    form = SpendingForm(
        request.POST or None,
        tracks=selectors.visible_tracks_for_choice(user=request.user),
        lines=selectors.lines_to_book_on(user=request.user),
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.spending_add(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The spending is booked."))
            return redirect("budget-overview")
    return render(
        request,
        "tracks/budget_form.html",
        {"form": form, "title": _("Book spending")},
        status=400 if request.method == "POST" else 200,
    )


LEDGER_PAGE_SIZE = 50
LEDGER_COLUMNS = [
    Column(gettext_lazy("Date"), lambda e: e.date),
    Column(gettext_lazy("Party"), lambda e: e.budget_line.contribution.contributor.name),
    Column(gettext_lazy("Contribution"), lambda e: e.budget_line.contribution.name),
    Column(gettext_lazy("Budget line"), lambda e: e.budget_line.purpose),
    Column(gettext_lazy("Year"), lambda e: e.budget_line.year),
    Column(gettext_lazy("Track"), lambda e: e.track.title if e.track_id else ""),
    Column(gettext_lazy("Pool"), lambda e: e.allocation.pool.name if e.allocation_id else ""),
    Column(gettext_lazy("Description"), lambda e: e.description),
    Column(gettext_lazy("Document reference"), lambda e: e.document_reference),
    Column(gettext_lazy("Amount (DKK)"), lambda e: e.amount),
    Column(gettext_lazy("Hours"), lambda e: e.hours),
    Column(gettext_lazy("Hourly rate (DKK)"), lambda e: e.hourly_rate),
    Column(gettext_lazy("Corrects entry"), lambda e: e.reverses_id),
    Column(gettext_lazy("Reason for the correction"), lambda e: e.reason),
    Column(gettext_lazy("Entry"), lambda e: e.pk),
    Column(gettext_lazy("Entered by"), lambda e: e.entered_by.get_full_name()),
    Column(gettext_lazy("Entered"), lambda e: timezone.localtime(e.entered_at)),
]


@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    """Every booking and correction, filtered by track, pool, party and year; the sum of a
    selection is what it has spent. `?export=xlsx` (numbers as numbers) or `?export=csv`
    (for Danish Excel: semicolons, BOM, decimal comma) gives the whole selection."""
    form = LedgerFilterForm(
        request.GET or None,
        tracks=selectors.visible_tracks_for_choice(user=request.user),
        parties=selectors.ledger_parties(),
    )
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.LedgerFilter(
        track=data.get("track"),
        pool=data.get("pool"),
        party=data.get("party"),
        year=data.get("year"),
        dgo=data.get("dgo"),
    )
    entries = selectors.ledger(filters)
    if fmt := requested_export(request):
        return list_export(
            fmt,
            name="regnskab",
            title=_("Ledger"),
            columns=LEDGER_COLUMNS,
            objects=entries,
            decimal_comma=fmt == "csv",
        )
    page = Paginator(entries, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for entry in page.object_list:
        # Who may correct each entry is the booking rule (the roles are cached per request).
        entry.may_correct = perms.can_book_on(request.user, entry.budget_line)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tracks/ledger.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "sums": selectors.ledger_sums(entries),
            "query": query.urlencode(),
            "can_book": perms.can_book_spending(request.user),
        },
        status=400 if request.GET and not form.is_valid() else 200,
    )


def spending_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.ledger().filter(pk=pk).first()
    if entry is None:
        raise Http404(_("No such entry in the ledger."))
    if not perms.can_book_on(request.user, entry.budget_line):
        raise PermissionDenied(str(perms.CORRECTORS_ONLY))
    form = SpendingReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.spending_reverse(spending=entry, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("The booking is reversed by a correcting entry."))
            return redirect("ledger")
    return render(
        request,
        "tracks/spending_reverse.html",
        {"form": form, "entry": entry},
        status=400 if request.method == "POST" else 200,
    )


def budget_change_create(request: HttpRequest) -> HttpResponse:
    if not perms.is_budget_keeper(request.user):
        raise PermissionDenied(str(perms.BUDGET_CHANGE_REFUSED))
    form = BudgetChangeForm(request.POST or None, lines=selectors.budget_lines())
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_change_request(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The budget change is requested from the contributing party.")
            )
            return redirect("budget-overview")
    return render(
        request,
        "tracks/budget_form.html",
        {
            "form": form,
            "title": _("Request a budget change"),
            "lede": _(
                "Budget moves between two lines of the same contribution, once the contributing "
                "party approves. Spending beyond a line's budget needs an approved change first."
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def budget_change_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    change = (
        BudgetChange.objects.select_related("line__contribution__contributor").filter(pk=pk).first()
    )
    if change is None:
        raise Http404(_("No such budget change."))
    service = (
        services.budget_change_approve if action == "approve" else services.budget_change_refuse
    )
    try:
        change = service(change=change, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except services.Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(
            request,
            _("The budget change is %(status)s.") % {"status": change.get_status_display().lower()},
        )
    return redirect("allocation-approvals")


# --- Hourly rates and DGO co-financing ------------------------------------------------------------


def hourly_rates(request: HttpRequest) -> HttpResponse:
    """The parties' hourly rates per year (everyone signed in reads; the secretariat sets),
    with the audit trail's latest changes."""
    can_set = perms.is_budget_keeper(request.user)
    form = HourlyRateForm(
        request.POST if request.method == "POST" else None,
        parties=selectors.contributing_parties(),
    )
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied(str(perms.HOURLY_RATES_REFUSED))
        if form.is_valid():
            try:
                rate = services.hourly_rate_set(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(party)s's hourly rate for %(year)s is %(rate)s.")
                    % {"party": rate.party, "year": rate.year, "rate": dkk(rate.rate)},
                )
                return redirect("hourly-rates")
    return render(
        request,
        "tracks/hourly_rates.html",
        {
            "rates": selectors.hourly_rates(),
            "history": selectors.hourly_rate_history(),
            "form": form if can_set else None,
        },
        status=400 if request.method == "POST" else 200,
    )


def _dgo(slug: str) -> DGO:
    dgo = DGO.objects.select_related("kkr", "region").filter(slug=slug).first()
    if dgo is None:
        raise Http404(_("No such DGO."))
    return dgo


@require_GET
def dgo_budget(request: HttpRequest, slug: str) -> HttpResponse:
    dgo = _dgo(slug)
    return render(
        request,
        "tracks/dgo_budget.html",
        {
            "dgo": dgo,
            "contributions": selectors.dgo_budget(dgo=dgo),
            "can_keep": perms.keeps_dgo_budget(request.user, dgo.pk),
        },
    )


def dgo_contribution_create(request: HttpRequest, slug: str) -> HttpResponse:
    dgo = _dgo(slug)
    if not perms.keeps_dgo_budget(request.user, dgo.pk):
        raise PermissionDenied(str(perms.DGO_BUDGET_KEEPERS_ONLY))
    data = request.POST if request.method == "POST" else None
    form = DGOContributionForm(data, parties=services.dgo_cofinancing_parties(dgo))
    lines = DGOLineFormSet(data, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        rows = [row for row in lines.cleaned_data if row]
        try:
            services.dgo_contribution_add(dgo=dgo, by=request.user, lines=rows, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The co-financing is recorded."))
            return redirect("dgo-budget", slug=dgo.slug)
    return render(
        request,
        "tracks/dgo_contribution_form.html",
        {"dgo": dgo, "form": form, "lines": lines},
        status=400 if request.method == "POST" else 200,
    )


def dgo_budget_line_create(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = (
        Contribution.objects.select_related("dgo", "contributor")
        .filter(pk=pk, dgo__isnull=False)
        .first()
    )
    if contribution is None:
        raise Http404(_("No such co-financing."))
    if not perms.keeps_dgo_budget(request.user, contribution.dgo_id):
        raise PermissionDenied(str(perms.DGO_BUDGET_KEEPERS_ONLY))
    form = DGOBudgetLineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dgo_budget_line_add(
                contribution=contribution, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget line is added."))
            return redirect("dgo-budget", slug=contribution.dgo.slug)
    return render(
        request,
        "tracks/dgo_budget_form.html",
        {
            "form": form,
            "dgo": contribution.dgo,
            "title": _("Add a budget line to %(contribution)s") % {"contribution": contribution},
            "lede": _(
                "%(party)s co-finances more: the contribution grows by the line. Working hours "
                "are valued at the party's hourly rate for the year."
            )
            % {"party": contribution.contributor},
        },
        status=400 if request.method == "POST" else 200,
    )
