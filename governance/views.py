import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST, require_safe

from core.exports import Column, export_list
from core.forms import add_service_errors
from partners.models import DGO

from . import calendar, selectors, services
from .composition import check_composition
from .filters import DecisionFilterForm, MeetingFilterForm
from .forms import (
    AbsenceForm,
    AgendaChangeForm,
    AgendaItemEditForm,
    AgendaItemForm,
    AttendanceForm,
    CommentForm,
    CompositionForm,
    DecisionForm,
    MeetingForm,
    MinutesApprovalForm,
    MinutesForm,
    NextMeetingForm,
    PaperForm,
    RecordVotesForm,
    SeatEndForm,
    SeatForm,
    SeatRuleFormSet,
    SubstituteCallForm,
    person_empty_label,
    person_label,
    seat_label,
)
from .models import (
    AgendaItem,
    Body,
    CalendarFeed,
    Decision,
    Meeting,
    Membership,
    Paper,
    SeatRole,
    Vote,
)
from .permissions import (
    ABSENCE_REFUSED,
    CLOSE_REFUSED,
    COMMENT_REFUSED,
    COMPOSITION_REFUSED,
    DECISION_CLOSED,
    MANAGERS_ONLY,
    RECORD_VOTES_REFUSED,
    SEAT_RULES_REFUSED,
    SEATS_REFUSED,
    SUBSTITUTES_REFUSED,
    can_appoint,
    can_approve_minutes,
    can_comment,
    can_download_pack,
    can_edit_composition,
    can_manage_body,
    can_manage_decisions,
    can_record_votes,
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
            "can_edit_composition": can_edit_composition(request.user, body),
        },
    )


def body_minutes_setting(request: HttpRequest, code: str) -> HttpResponse:
    body = _body(code)
    if not can_appoint(request.user, body):
        raise PermissionDenied(str(SEAT_RULES_REFUSED))
    form = MinutesApprovalForm(
        request.POST or None, initial={"minutes_approval": body.minutes_approval}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.body_set_minutes_approval(
                body=body, by=request.user, minutes_approval=form.cleaned_data["minutes_approval"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The body's rule for its minutes is saved."))
            return redirect(body)
    return render(
        request,
        "governance/body_setting.html",
        {"body": body, "form": form, "title": _("How minutes are approved")},
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
                expected_version=form.expected_version,
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


def _prepare_actions(meeting: Meeting, has_items: bool) -> list[str]:
    """What is left to prepare; an empty list means the box is not shown at all."""
    status = meeting.status
    if status == Meeting.Status.MINUTES_APPROVED:
        return []
    actions = ["edit", "decision", "attendance"]
    if status in (Meeting.Status.PLANNED, Meeting.Status.AGENDA_PUBLISHED):
        actions.append("agenda")
    if has_items:
        actions.append("paper")
    if status == Meeting.Status.HELD:
        actions.append("minutes")
    return actions


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    can_content = can_view_body_content(request.user, meeting.body)
    can_manage = can_manage_body(request.user, meeting.body)
    agenda = list(selectors.meeting_agenda(meeting=meeting))
    minutes_vote = (
        services.minutes_decision(meeting=meeting)
        if meeting.status == Meeting.Status.HELD
        else None
    )
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "meeting": meeting,
            "body": meeting.body,
            "agenda": agenda,
            "agenda_changes": (
                selectors.meeting_agenda_changes(meeting=meeting) if meeting.is_published else []
            ),
            "decisions": (
                selectors.decision_list(user=request.user).filter(meeting=meeting)
                if can_content
                else None
            ),
            "attendance": (selectors.meeting_attendance(meeting=meeting) if can_content else None),
            "can_content": can_content,
            "can_manage": can_manage,
            "prepare": _prepare_actions(meeting, bool(agenda)) if can_manage else [],
            "can_approve_minutes": can_approve_minutes(request.user, meeting),
            "minutes_vote": minutes_vote,
            "minutes_by_chair": meeting.body.minutes_approval == Body.MinutesApproval.CHAIR,
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


def _agenda_item(meeting: Meeting, item_pk: int) -> AgendaItem:
    try:
        return meeting.agenda_items.get(pk=item_pk)
    except AgendaItem.DoesNotExist as exc:
        raise Http404(_("No such agenda item.")) from exc


def agenda_item_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require_manager(request, meeting.body)
    agenda_item = _agenda_item(meeting, item)
    form = AgendaItemEditForm(
        request.POST or None,
        item=agenda_item,
        published=meeting.status == Meeting.Status.AGENDA_PUBLISHED,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_update(
                item=agenda_item,
                by=request.user,
                expected_version=form.expected_version,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("The agenda item is saved."))
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_subform.html",
        {"meeting": meeting, "form": form, "title": _("Edit the agenda item")},
    )


AGENDA_CHANGES = {
    "up": (gettext_lazy("Move the item up"), gettext_lazy("The item is moved up.")),
    "down": (gettext_lazy("Move the item down"), gettext_lazy("The item is moved down.")),
    "remove": (gettext_lazy("Remove the item"), gettext_lazy("The agenda item is removed.")),
}


def agenda_item_change(request: HttpRequest, pk: int, item: int, action: str) -> HttpResponse:
    """Move or remove an item. A planned agenda's buttons post straight here; a published
    agenda's lead to this page first, for the change note the members read."""
    meeting = _meeting(request, pk)
    _require_manager(request, meeting.body)
    agenda_item = _agenda_item(meeting, item)
    title, done = AGENDA_CHANGES[action]
    form = AgendaChangeForm(
        request.POST if request.method == "POST" else None,  # bound even with no fields sent
        published=meeting.status == Meeting.Status.AGENDA_PUBLISHED,
    )
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data.get("note", "")
        try:
            if action == "remove":
                services.agenda_item_remove(item=agenda_item, by=request.user, note=note)
            else:
                services.agenda_item_move(
                    item=agenda_item, by=request.user, offset=-1 if action == "up" else 1, note=note
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, str(done))
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_subform.html",
        {
            "meeting": meeting,
            "form": form,
            "title": title,
            "lead": agenda_item,
            "submit": title,
        },
        status=400 if request.method == "POST" else 200,
    )


def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require_manager(request, meeting.body)
    seats = selectors.meeting_seats(meeting=meeting)
    current = {a.membership_id: a for a in selectors.meeting_attendance(meeting=meeting)}
    form = AttendanceForm(request.POST or None, seats=seats, current=current)
    if request.method == "POST" and form.is_valid():
        entries = [
            services.AttendanceEntry(membership=seat, status=status, substitute=substitute)
            for seat, status, substitute in form.entries()
        ]
        try:
            services.attendance_record(meeting=meeting, by=request.user, entries=entries)
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(
                request,
                _(
                    "The attendance is recorded. Absent members are absent for the meeting's "
                    "decisions."
                ),
            )
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_subform.html",
        {"meeting": meeting, "form": form, "title": _("Attendance")},
    )


def meeting_minutes_to_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require_manager(request, meeting.body)
    form = NextMeetingForm(request.POST or None, meetings=selectors.later_meetings(meeting=meeting))
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.minutes_put_to_meeting(
                meeting=meeting, next_meeting=form.cleaned_data["next_meeting"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(
                request,
                _("The minutes are put to the next meeting; adopting the decision approves them."),
            )
            return redirect(decision)
    return render(
        request,
        "governance/meeting_subform.html",
        {"meeting": meeting, "form": form, "title": _("Put the minutes to the next meeting")},
    )


@require_GET
def meeting_pack(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda and every paper in one PDF, for the body's members (others: 404)."""
    from .pack import render_meeting_pack

    meeting = _meeting(request, pk)
    if not can_download_pack(request.user, meeting):
        raise Http404(_("No such meeting."))
    pdf = render_meeting_pack(meeting=meeting)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="moedepakke-{meeting.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


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


def paper_remove(request: HttpRequest, pk: int, paper: int) -> HttpResponse:
    """Take a paper off the agenda. A planned agenda's button posts straight here; a published
    agenda's leads to this page first, for the change note the members read."""
    meeting = _meeting(request, pk)
    _require_manager(request, meeting.body)
    try:
        removed = Paper.objects.get(pk=paper, agenda_item__meeting=meeting)
    except Paper.DoesNotExist as exc:
        raise Http404(_("No such paper.")) from exc
    title = _("Remove the paper")
    form = AgendaChangeForm(
        request.POST if request.method == "POST" else None,  # bound even with no fields sent
        published=meeting.status == Meeting.Status.AGENDA_PUBLISHED,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_remove(
                paper=removed, by=request.user, note=form.cleaned_data.get("note", "")
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("The paper is removed."))
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_subform.html",
        {"meeting": meeting, "form": form, "title": title, "lead": removed, "submit": title},
        status=400 if request.method == "POST" else 200,
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
    if not (action == "approve" and can_approve_minutes(request.user, meeting)):
        _require_manager(request, meeting.body)
    service, done = MEETING_TRANSITIONS[action]
    try:
        service(meeting=meeting, by=request.user)
    except PermissionDenied as denied:
        messages.error(request, str(denied))
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
    corrects_pk = request.GET.get("corrects", "")
    correctable = selectors.correctable_decisions(body=body)
    if corrects_pk.isdigit():
        earlier = correctable.filter(pk=corrects_pk).first()
        if earlier is not None:
            initial.update(
                corrects=earlier.pk,
                title=_("Correction: %(title)s") % {"title": earlier.title},
                text=earlier.text,
            )
    form = DecisionForm(
        request.POST or None, meetings=meetings, correctable=correctable, initial=initial
    )
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
                corrects=data["corrects"],
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
        "corrections": list(decision.corrections.order_by("opened_at")),
        "can_correct": (
            not decision.is_open
            and not decision.is_corrected
            and can_manage_decisions(request.user, decision.body)
        ),
        "can_record_votes": decision.is_open and can_record_votes(request.user, decision.body),
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
    """A vote cannot be changed: the first POST shows a page that names the choice and says
    so; only the POST from that page (`confirm=yes`) records it. Works without JavaScript."""
    decision = _decision(request, pk)
    choice = request.POST.get("choice", "")
    try:
        services.vote_choice_check(choice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _decision_page(request, decision, status=400)
    if request.POST.get("confirm") != "yes":
        check = can_vote(request.user, decision)
        if not check:
            messages.error(request, check.reason)
            return _decision_page(request, decision, status=409 if check.conflict else 403)
        return render(
            request,
            "governance/decision_vote_confirm.html",
            {
                "decision": decision,
                "body": decision.body,
                "choice": choice,
                "choice_label": Vote.Choice(choice).label,
                "vote_check": check,
            },
        )
    try:
        services.vote_cast(decision=decision, by=request.user, choice=choice)
    except PermissionDenied as denied:
        messages.error(request, str(denied))
        return _decision_page(request, decision, status=403)
    except services.Conflict as conflict:
        messages.error(request, conflict.message)
        return _decision_page(request, decision, status=409)
    messages.success(request, _("Your vote is counted."))
    return redirect(decision)


def decision_record_votes(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretariat or the chair puts into the portal the votes cast in the room."""
    decision = _decision(request, pk)
    if not can_record_votes(request.user, decision.body):
        raise PermissionDenied(str(RECORD_VOTES_REFUSED))
    if not decision.is_open and request.method != "POST":
        messages.error(request, DECISION_CLOSED)
        return redirect(decision)
    tally = services.decision_tally(decision=decision)
    seats = []
    for seat_vote in tally.missing:
        seats.append((seat_vote.seat, seat_label(seat_vote.seat)))
        if seat_vote.absent:
            seats.extend(
                (sub, seat_label(sub, member=seat_vote.seat)) for sub in seat_vote.substitutes
            )
    meetings = selectors.meetings_for_recording(decision=decision)
    form = RecordVotesForm(request.POST or None, meetings=meetings, seats=seats)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            recorded = [
                services.RecordedVote(seat=seat, choice=choice) for seat, choice in form.recorded()
            ]
            try:
                services.votes_record_at_meeting(
                    decision=decision,
                    meeting=form.cleaned_data["meeting"],
                    by=request.user,
                    votes=recorded,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except services.Conflict as conflict:  # closed, past the deadline, seat voted
                form.add_error(None, conflict.message)
                status = 409
            else:
                messages.success(
                    request,
                    _("%(count)s votes cast at the meeting are recorded.")
                    % {"count": len(recorded)},
                )
                return redirect(decision)
    return render(
        request,
        "governance/decision_record_votes.html",
        {"decision": decision, "body": decision.body, "form": form, "tally": tally},
        status=status,
    )


@require_POST
def decision_close(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if not can_manage_decisions(request.user, decision.body):
        raise PermissionDenied(str(CLOSE_REFUSED))
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
        raise PermissionDenied(str(COMMENT_REFUSED))
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
        raise PermissionDenied(str(ABSENCE_REFUSED))
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
        raise PermissionDenied(str(SUBSTITUTES_REFUSED))
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
@require_safe  # HEAD too: calendar programs and link checkers ask before they fetch
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
        calendar.render_feed(
            meetings=meetings,
            base_url=settings.PORTAL_BASE_URL,
            entries=calendar.registered_entries(user=feed.user),
        ),
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
        raise PermissionDenied(str(SEATS_REFUSED))
    return render(
        request,
        "governance/body_people.html",
        {
            "body": body,
            "members": selectors.body_members(body=body),
            "former_members": selectors.body_former_members(body=body)[:100],
        },
    )


def _require_appointer(request: HttpRequest, body: Body) -> None:
    if not can_appoint(request.user, body):
        raise PermissionDenied(str(SEATS_REFUSED))


def _seat(body: Body, pk: int) -> Membership:
    try:
        return Membership.objects.select_related(
            "person", "appointed_by", "geography", "substitute_for__person"
        ).get(pk=pk, body=body)
    except Membership.DoesNotExist as exc:
        raise Http404(_("No such seat.")) from exc


SEAT_FORM_FIELDS = ("seat_role", "substitute_for", "appointed_by", "geography", "capacity")


def seat_create(request: HttpRequest, code: str) -> HttpResponse:
    """Add a seat; `?rule=<id>&geography=<slug>` (the composition table's link for a vacancy)
    arrives prefilled with that rule's seat, party and geography."""
    return _seat_create_page(request, code, title=_("Add a seat"))


def _seat_create_page(request: HttpRequest, code: str, *, title: str) -> HttpResponse:
    body = _body(code)
    _require_appointer(request, body)
    initial: dict = {"starts_on": timezone.localdate()}
    rule = None
    rule_id = request.GET.get("rule", "")
    if rule_id.isdigit():
        rule = body.seat_rules.select_related("appointed_by").filter(pk=int(rule_id)).first()
    if rule is not None:
        geography = DGO.objects.filter(slug=request.GET.get("geography", "")).first()
        initial.update(selectors.seat_prefill(body=body, rule=rule, geography=geography))
    query = request.GET.get("q", "").strip()[:100]
    offered = selectors.seat_candidates_matching(query=query)
    form = SeatForm(
        request.POST or None,
        initial=initial,
        body=body,
        members=selectors.body_voting_seats(body=body),
        people=selectors.seat_candidates(),
        offered_people=offered,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = services.seat_appoint(
                body=body,
                by=request.user,
                person=data["person"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                reason=data["reason"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                **{name: data[name] for name in SEAT_FORM_FIELDS},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        else:
            messages.success(
                request,
                _("%(person)s holds a seat in %(body)s from %(date)s.")
                % {
                    "person": outcome.membership.person,
                    "body": body.short_name,
                    "date": date_format(outcome.membership.starts_on, "DATE_FORMAT"),
                },
            )
            return redirect(body)
    return render(
        request,
        "governance/seat_form.html",
        {
            "body": body,
            "form": form,
            "rule": rule,
            "title": title,
            "person_search": {
                "q": query,
                "too_short": 0 < len(query) < selectors.SEAT_SEARCH_MIN_LENGTH,
                "found": len(offered),
                "limit": selectors.SEAT_SEARCH_LIMIT,
                "rule": rule.pk if rule else "",
                "geography": request.GET.get("geography", "") if rule else "",
            },
        },
    )


@require_safe
def seat_person_search(request: HttpRequest, code: str) -> HttpResponse:
    """The seat form's person search as type-ahead: for htmx the matching people as the
    options of the form's person list; without JavaScript the seat form itself, filtered
    (the same `?q=` the form's search button sends)."""
    body = _body(code)
    _require_appointer(request, body)
    if not request.headers.get("HX-Request"):
        return _seat_create_page(request, code, title=_("Add a seat: find the person"))
    query = request.GET.get("q", "").strip()[:100]
    people = selectors.seat_candidates_matching(query=query)
    return render(
        request,
        "governance/seat_person_options.html",
        {
            "options": [(person.pk, person_label(person)) for person in people],
            "empty_label": person_empty_label(people),
        },
    )


def seat_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    body = _body(code)
    _require_appointer(request, body)
    membership = _seat(body, pk)
    initial = {
        name: getattr(membership, name) for name in (*SEAT_FORM_FIELDS, "starts_on", "ends_on")
    }
    form = SeatForm(
        request.POST or None,
        initial=initial,
        body=body,
        members=selectors.body_voting_seats(body=body).exclude(pk=membership.pk),
        seat=membership,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.membership_update(
                membership=membership,
                by=request.user,
                expected_version=form.expected_version,
                **{name: data[name] for name in (*SEAT_FORM_FIELDS, "starts_on", "ends_on")},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            from partners.services import audit_note

            audit_note(membership, by=request.user, reason=data["reason"])
            messages.success(request, _("The seat is saved."))
            return redirect(body)
    return render(
        request,
        "governance/seat_form.html",
        {
            "body": body,
            "form": form,
            "membership": membership,
            "title": _("Edit the seat of %(person)s") % {"person": membership.person},
        },
    )


@require_POST
def body_seat_end(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """End a seat, today (at once) or from a later day, with a reason for the audit trail."""
    body = _body(code)
    _require_appointer(request, body)
    membership = _seat(body, pk)
    form = SeatEndForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("body-people", code=body.code)
    try:
        ended = services.seat_end_with_reason(
            membership=membership,
            by=request.user,
            reason=form.cleaned_data["reason"],
            ends_on=form.cleaned_data["ends_on"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if ended.ends_on <= timezone.localdate():
            text = _("The seat of %(person)s has ended; it no longer counts from today, %(date)s.")
        else:
            text = _("The seat of %(person)s ends on %(date)s: it counts until the day before.")
        messages.success(
            request,
            text % {"person": membership.person, "date": date_format(ended.ends_on, "DATE_FORMAT")},
        )
    return redirect("body-people", code=body.code)


def body_composition(request: HttpRequest, code: str) -> HttpResponse:
    """A DGO steering group's cadence, chairmanship and composition rules (§8.1)."""
    body = _body(code)
    if not can_edit_composition(request.user, body):
        raise PermissionDenied(str(COMPOSITION_REFUSED))
    rules = {rule.pk: rule for rule in body.seat_rules.all()}
    initial_rules = [
        {
            "rule": rule.pk,
            "label": rule.label,
            "seat": rule.seat,
            "appointed_by_kind": (rule.appointed_by_kinds or ["kkr"])[0],
            "min_count": rule.min_count,
            "max_count": rule.max_count,
            "different_municipalities": rule.different_municipalities,
        }
        for rule in rules.values()
    ]
    form = CompositionForm(
        request.POST or None,
        body=body,
        initial={"meetings_per_year": body.meetings_per_year, "chair_rule": body.chair_rule},
    )
    formset = SeatRuleFormSet(request.POST or None, initial=initial_rules, prefix="rules")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        changes = [
            services.RuleChange(
                label=row.get("label", ""),
                seat=row["seat"],
                appointed_by_kind=row["appointed_by_kind"],
                min_count=row["min_count"],
                max_count=row["max_count"],
                different_municipalities=row.get("different_municipalities", False),
                rule=rules.get(row.get("rule")),
                delete=row.get("delete", False),
            )
            for row in formset.cleaned_data
            if row
        ]
        try:
            services.composition_update(
                body=body,
                by=request.user,
                meetings_per_year=form.cleaned_data["meetings_per_year"],
                chair_rule=form.cleaned_data["chair_rule"],
                rules=changes,
                reason=form.cleaned_data["reason"],
                expected_version=form.expected_version,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The composition is saved."))
            return redirect(body)
    return render(
        request,
        "governance/composition_form.html",
        {"body": body, "form": form, "formset": formset},
    )
