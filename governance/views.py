import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.exports import Column, export_list
from core.forms import add_service_errors

from . import calendar, selectors, services
from .composition import check_composition
from .filters import DecisionFilterForm, MeetingFilterForm
from .forms import (
    AbsenceForm,
    AgendaItemForm,
    CommentForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    PaperForm,
    SubstituteCallForm,
    seat_label,
)
from .models import Body, CalendarFeed, Decision, Meeting, Membership, Paper, SeatRole
from .permissions import (
    MANAGERS_ONLY,
    can_appoint,
    can_comment,
    can_manage_body,
    can_manage_decisions,
    can_see_votes,
    can_view_body_content,
    can_vote,
)


def _body(code: str) -> Body:
    try:
        return selectors.body_get(code=code)
    except Body.DoesNotExist as exc:
        raise Http404(_("No such body.")) from exc


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    try:
        return selectors.meeting_get(user=request.user, pk=pk)
    except Meeting.DoesNotExist as exc:
        raise Http404(_("No such meeting.")) from exc


def _decision(request: HttpRequest, pk: int) -> Decision:
    try:
        return selectors.decision_get(user=request.user, pk=pk)
    except Decision.DoesNotExist as exc:
        raise Http404(_("No such decision.")) from exc


def _require_manager(request: HttpRequest, body: Body) -> None:
    if not can_manage_body(request.user, body):
        raise PermissionDenied(str(MANAGERS_ONLY))


PAGE_SIZE = 25


def _local(moment) -> datetime.datetime | None:
    return timezone.localtime(moment) if moment else None


BODY_COLUMNS = [
    Column(gettext_lazy("Body"), lambda b: b.name),
    Column(gettext_lazy("Short name"), lambda b: b.short_name),
    Column(gettext_lazy("Kind"), lambda b: b.get_kind_display()),
    Column(gettext_lazy("Geography"), lambda b: b.dgo.name if b.dgo_id else ""),
    Column(gettext_lazy("Seats filled"), lambda b: b.seat_count),
    Column(gettext_lazy("Meetings this year"), lambda b: b.meetings_this_year),
    Column(gettext_lazy("Meetings per year"), lambda b: b.meetings_per_year),
]
DECISION_COLUMNS = [
    Column(gettext_lazy("Decision"), lambda d: d.title),
    Column(gettext_lazy("Body"), lambda d: d.body.short_name),
    Column(gettext_lazy("Procedure"), lambda d: d.get_mode_display()),
    Column(gettext_lazy("Meeting"), lambda d: d.meeting.title if d.meeting_id else ""),
    Column(gettext_lazy("Opened"), lambda d: _local(d.opened_at)),
    Column(gettext_lazy("Deadline"), lambda d: _local(d.deadline)),
    Column(gettext_lazy("Status"), lambda d: d.get_status_display()),
    Column(gettext_lazy("Closed"), lambda d: _local(d.closed_at)),
    Column(gettext_lazy("Votes cast"), lambda d: d.vote_count),
]
MEETING_COLUMNS = [
    Column(gettext_lazy("Meeting"), lambda m: m.title),
    Column(gettext_lazy("Body"), lambda m: m.body.short_name),
    Column(gettext_lazy("Starts"), lambda m: _local(m.starts_at)),
    Column(gettext_lazy("Ends"), lambda m: _local(m.ends_at)),
    Column(gettext_lazy("Place"), lambda m: m.location),
    Column(gettext_lazy("Status"), lambda m: m.get_status_display()),
    Column(gettext_lazy("Agenda items"), lambda m: m.item_count),
]


# --- Bodies ------------------------------------------------------------------------------------


def body_list(request: HttpRequest) -> HttpResponse:
    bodies = list(selectors.body_list())
    if export := export_list(
        request, name="organer", title=_("Bodies"), columns=BODY_COLUMNS, objects=bodies
    ):
        return export
    return render(
        request,
        "governance/body_list.html",
        {
            "national": [b for b in bodies if b.kind == Body.Kind.NATIONAL],
            "regional": [b for b in bodies if b.kind != Body.Kind.NATIONAL],
            "year": timezone.localdate().year,
        },
    )


def body_detail(request: HttpRequest, code: str) -> HttpResponse:
    body = _body(code)
    today = timezone.localdate()
    members = selectors.body_members(body=body, on=today)
    can_content = can_view_body_content(request.user, body)
    meetings = list(selectors.body_meetings_in_year(body=body, user=request.user, year=today.year))
    return render(
        request,
        "governance/body_detail.html",
        {
            "body": body,
            "members": members,
            "composition": check_composition(body=body, on=today, memberships=members),
            "former_members": selectors.body_former_members(body=body)[:50],
            "meetings": meetings,
            "year": today.year,
            "cadence_gap": max(body.meetings_per_year - len(meetings), 0),
            "decisions": (
                selectors.decision_list(user=request.user, body=body)[:20] if can_content else None
            ),
            "can_content": can_content,
            "can_manage": can_manage_body(request.user, body),
            "can_appoint": can_appoint(request.user, body),
        },
    )


# --- Meetings ----------------------------------------------------------------------------------


def meeting_create(request: HttpRequest, code: str) -> HttpResponse:
    body = _body(code)
    _require_manager(request, body)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(body=body, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting is planned."))
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_form.html",
        {"body": body, "form": form, "title": _("Plan a meeting")},
    )


def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require_manager(request, meeting.body)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                meeting=meeting,
                by=request.user,
                **{name: form.cleaned_data[name] for name in services.MEETING_FIELDS},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_form.html",
        {"body": meeting.body, "meeting": meeting, "form": form, "title": _("Edit the meeting")},
    )


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    can_content = can_view_body_content(request.user, meeting.body)
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "meeting": meeting,
            "body": meeting.body,
            "agenda": selectors.meeting_agenda(meeting=meeting),
            "decisions": (
                selectors.decision_list(user=request.user).filter(meeting=meeting)
                if can_content
                else None
            ),
            "can_content": can_content,
            "can_manage": can_manage_body(request.user, meeting.body),
        },
    )


def agenda_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require_manager(request, meeting.body)
    form = AgendaItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_add(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("The agenda item is added."))
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_subform.html",
        {"meeting": meeting, "form": form, "title": _("Add an agenda item")},
    )


def paper_upload(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require_manager(request, meeting.body)
    form = PaperForm(
        request.POST or None, request.FILES or None, agenda_items=meeting.agenda_items.all()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_upload(
                agenda_item=form.cleaned_data["agenda_item"],
                by=request.user,
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("The paper is uploaded."))
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_subform.html",
        {"meeting": meeting, "form": form, "title": _("Upload a paper"), "multipart": True},
    )


def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require_manager(request, meeting.body)
    form = MinutesForm(request.POST or None, initial={"minutes": meeting.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_minutes_save(
                meeting=meeting, by=request.user, minutes=form.cleaned_data["minutes"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_subform.html",
        {"meeting": meeting, "form": form, "title": _("Write the minutes")},
    )


MEETING_TRANSITIONS = {
    "publish": (services.meeting_publish_agenda, _("The agenda is published.")),
    "held": (services.meeting_mark_held, _("The meeting is marked as held.")),
    "approve": (services.meeting_approve_minutes, _("The minutes are approved.")),
}


@require_POST
def meeting_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require_manager(request, meeting.body)
    service, done = MEETING_TRANSITIONS[action]
    try:
        service(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except services.Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, done)
    return redirect(meeting)


@require_GET
def paper_download(request: HttpRequest, pk: int) -> FileResponse:
    """Papers are served only here, to the body's seats and managers; never from MEDIA_URL."""
    try:
        paper = selectors.paper_get(user=request.user, pk=pk)
    except Paper.DoesNotExist as exc:
        raise Http404(_("No such paper.")) from exc
    try:
        handle = paper.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing.")) from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=paper.original_name,
        content_type=paper.content_type,
    )


# --- Decisions ---------------------------------------------------------------------------------


def decision_list(request: HttpRequest) -> HttpResponse:
    form = DecisionFilterForm(request.GET or None)
    decisions = selectors.decision_list(user=request.user, **form.filters())
    if export := export_list(
        request,
        name="beslutninger",
        title=_("Decisions"),
        columns=DECISION_COLUMNS,
        objects=decisions,
    ):
        return export
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/decision_list.html",
        {
            "form": form,
            "page": page,
            "decisions": page.object_list,
            "awaiting": selectors.decisions_awaiting_vote(user=request.user),
        },
    )


def meeting_list(request: HttpRequest) -> HttpResponse:
    form = MeetingFilterForm(request.GET or None)
    meetings = selectors.meeting_list(user=request.user, **form.filters())
    if export := export_list(
        request, name="moeder", title=_("Meetings"), columns=MEETING_COLUMNS, objects=meetings
    ):
        return export
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "governance/meeting_list.html", {"form": form, "page": page})


def decision_create(request: HttpRequest, code: str) -> HttpResponse:
    body = _body(code)
    _require_manager(request, body)
    meetings = body.meetings.exclude(status=Meeting.Status.MINUTES_APPROVED).order_by("starts_at")
    initial = {"deadline": timezone.localtime() + datetime.timedelta(days=14)}
    meeting_pk = request.GET.get("meeting", "")
    if meeting_pk.isdigit():
        initial.update(meeting=meeting_pk, mode=Decision.Mode.AT_MEETING)
    form = DecisionForm(request.POST or None, meetings=meetings, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decision_open(
                body=body,
                title=data["title"],
                text=data["text"],
                deadline=data["deadline"],
                meeting=data["meeting"] if data["mode"] == Decision.Mode.AT_MEETING else None,
                mode=data["mode"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The decision is put to the body. Its voting members are notified by e-mail."),
            )
            return redirect(decision)
    return render(request, "governance/decision_form.html", {"body": body, "form": form})


def _decision_page(
    request: HttpRequest, decision: Decision, status: int = 200, **forms
) -> HttpResponse:
    tally = services.decision_tally(decision=decision)
    manage = can_manage_decisions(request.user, decision.body) and decision.is_open
    seats = [seat_vote.seat for seat_vote in tally.seats]
    context = {
        "decision": decision,
        "body": decision.body,
        "tally": tally,
        "vote_check": can_vote(request.user, decision, voted_seat_ids=tally.voted_seat_ids),
        "can_comment": can_comment(request.user, decision),
        "see_votes": can_see_votes(request.user, decision.body_id),
        "can_manage": manage,
        "comments": selectors.decision_comments(decision=decision),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "deadline_passed": decision.deadline_passed(),
    }
    if manage:
        # The choices come from the tally already read: no query per option.
        absence_form = forms.get("absence_form") or AbsenceForm()
        absence_form.fields["membership"].choices = [("", "---------")] + [
            (seat.pk, seat_label(seat)) for seat in seats
        ]
        substitute_choices = [
            (substitute.pk, seat_label(substitute, member=seat_vote.seat))
            for seat_vote in tally.seats
            for substitute in seat_vote.substitutes
        ]
        substitute_form = forms.get("substitute_form") or SubstituteCallForm()
        substitute_form.fields["substitute"].choices = [("", "---------"), *substitute_choices]
        context.update(
            absence_form=absence_form,
            substitute_form=substitute_form,
            has_substitutes=bool(substitute_choices),
        )
    return render(request, "governance/decision_detail.html", context, status=status)


def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision_page(request, _decision(request, pk))


@require_POST
def decision_vote(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    try:
        services.vote_cast(
            decision=decision, by=request.user, choice=request.POST.get("choice", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except services.Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("Your vote is counted."))
    return redirect(decision)


@require_POST
def decision_close(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if not can_manage_decisions(request.user, decision.body):
        raise PermissionDenied(
            _("Only the chair, the vice-chair and the secretariat close decisions.")
        )
    try:
        decision = services.decision_close(decision=decision, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except services.Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(
            request,
            _("The decision is closed: %(outcome)s.") % {"outcome": decision.get_status_display()},
        )
    return redirect(decision)


@require_POST
def decision_comment(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if not can_comment(request.user, decision):
        raise PermissionDenied(_("Members and observers of the body comment on open decisions."))
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.decision_comment_add(
                decision=decision, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your comment is added."))
            return redirect(decision)
    return _decision_page(request, decision, status=400, comment_form=form)


@require_POST
def decision_absence(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if not can_manage_decisions(request.user, decision.body):
        raise PermissionDenied(
            _("Only the chair, the vice-chair and the secretariat record absence.")
        )
    form = AbsenceForm(
        request.POST, seats=Membership.objects.filter(body=decision.body).active().voting()
    )
    if form.is_valid():
        try:
            services.absence_record(
                decision=decision, membership=form.cleaned_data["membership"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("The absence is recorded."))
            return redirect(decision)
    return _decision_page(request, decision, status=400, absence_form=form)


@require_POST
def decision_substitute(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if not can_manage_decisions(request.user, decision.body):
        raise PermissionDenied(
            _("Only the chair, the vice-chair and the secretariat call in substitutes.")
        )
    form = SubstituteCallForm(
        request.POST,
        substitutes=Membership.objects.active().filter(
            body=decision.body, seat_role=SeatRole.SUBSTITUTE
        ),
    )
    if form.is_valid():
        try:
            services.substitute_call(
                decision=decision,
                substitute=form.cleaned_data["substitute"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(
                request, _("The substitute is called in and may now vote for the member.")
            )
            return redirect(decision)
    return _decision_page(request, decision, status=400, substitute_form=form)


# --- Calendar ----------------------------------------------------------------------------------


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's meetings as iCalendar. The secret in the address is the only credential."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404(_("No such calendar."))
    meetings = selectors.calendar_meetings(user=feed.user)
    response = HttpResponse(
        calendar.render_feed(meetings=meetings, base_url=settings.PORTAL_BASE_URL),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="klimaalliancen.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_regenerate(user=request.user)
    messages.success(request, _("You have a new calendar address. The old one no longer works."))
    return redirect("profile")


@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_revoke(user=request.user)
    messages.success(request, _("Your calendar address is revoked."))
    return redirect("profile")


# --- People of a body (people and access administration, partners.people_views) ----------------


def body_people(request: HttpRequest, code: str) -> HttpResponse:
    """Who holds which seat, now and earlier; the secretariat (and for a DGO's groups its
    coordinators) invite people to seats and end seats, with a reason for the audit trail."""
    body = _body(code)
    if not can_appoint(request.user, body):
        raise PermissionDenied(_("Only the secretariat records who sits in this body."))
    return render(
        request,
        "governance/body_people.html",
        {
            "body": body,
            "members": selectors.body_members(body=body),
            "former_members": selectors.body_former_members(body=body)[:100],
        },
    )


@require_POST
def body_seat_end(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    from partners.services import audit_note

    from .people import seat_end_now

    body = _body(code)
    if not can_appoint(request.user, body):
        raise PermissionDenied(_("Only the secretariat records who sits in this body."))
    try:
        membership = Membership.objects.select_related("person").get(pk=pk, body=body)
    except Membership.DoesNotExist as exc:
        raise Http404(_("No such seat.")) from exc
    reason = request.POST.get("reason", "").strip()[:300]
    if not reason:
        messages.error(request, _("Give a reason; it is kept in the audit trail."))
    else:
        try:
            ended = seat_end_now(membership=membership, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            audit_note(ended, by=request.user, reason=reason)
            messages.success(
                request,
                _("The seat of %(person)s ends %(date)s.")
                % {"person": membership.person, "date": ended.ends_on},
            )
    return redirect("body-people", code=body.code)
