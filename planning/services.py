"""Writes for plans, communications and risks: every change goes through these functions
(views, admin, demo, tests).

A plan's workflow state is read and written with its row locked (`_lock_plan`): putting it to
FU, FU's outcome (`on_fu_decision_closed`, run inside governance's decision_close) and edits
cannot cross each other, so an approved plan is never changed by an edit already under way.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.locking import lock_for_edit
from core.notifications import absolute_url, notify
from governance import services as governance_services
from governance.models import AgendaItem, Body, Decision, Meeting
from governance.notices import seated
from partners.models import RoleAssignment, User

from . import notices
from . import permissions as perms
from .models import Activity, Communication, Plan, PlanComment, Risk, RiskReview

logger = logging.getLogger(__name__)
S = Plan.Status
Role = RoleAssignment.Role

PLAN_FIELDS = ("title", "summary")
ACTIVITY_FIELDS = (
    "title",
    "description",
    "owner_person",
    "owner_organisation",
    "starts_on",
    "ends_on",
    "budget_line",
)
RISK_FIELDS = ("title", "description", "likelihood", "impact", "owner", "mitigation", "review_on")


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _lock_plan(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _with_role(*roles: str) -> QuerySet[User]:
    held = RoleAssignment.objects.active().filter(role__in=roles)
    return User.objects.filter(is_active=True, pk__in=held.values("user_id")).order_by("pk")


def _only(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


# --- Plans -------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, by: User, kind: str, year: int, title: str, summary: str = "") -> Plan:
    """A draft plan for a year. Every year keeps its own plan: a second one is refused."""
    _require(perms.can_draft(by), _(perms.SECRETARIAT_ONLY))
    plan = Plan(kind=kind, year=year, title=title, summary=summary, created_by=by)
    if Plan.objects.filter(kind=kind, year=year).exists():
        raise ValidationError({"year": _("There is already a plan of this kind for that year.")})
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, by: User, expected_version: str | None = None, **fields) -> Plan:
    """`expected_version`: the version the edit form was based on (core.locking)."""
    _only(fields, PLAN_FIELDS)
    plan = lock_for_edit(plan, expected_version)
    _require(perms.can_draft(by), _(perms.SECRETARIAT_ONLY))
    _require_draft(plan)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save(update_fields=list(fields))
    return plan


def _require_draft(plan: Plan) -> None:
    if plan.is_locked:
        raise ValidationError(
            _(perms.PLAN_LOCKED),
            code="locked",
        )


def _check_activity(plan: Plan, activity: Activity) -> None:
    errors: dict[str, str] = {}
    if not activity.owner_person_id and not activity.owner_organisation_id:
        errors["owner_person"] = _("Give the activity an owner: a person, an organisation or both.")
    if activity.starts_on and activity.ends_on:
        if activity.ends_on < activity.starts_on:
            errors["ends_on"] = _("The activity must end on or after the day it starts.")
        elif not (activity.starts_on.year <= plan.year <= activity.ends_on.year):
            errors["starts_on"] = _("The period must include part of the plan's year %(year)s.") % {
                "year": plan.year
            }
    if activity.budget_line_id and activity.budget_line.year != plan.year:
        errors["budget_line"] = _("Choose a budget line of the plan's year %(year)s.") % {
            "year": plan.year
        }
    if errors:
        raise ValidationError(errors)
    activity.full_clean(exclude=["plan"])


@transaction.atomic
def activity_save(
    *,
    plan: Plan,
    by: User,
    activity: Activity | None = None,
    tracks=(),
    dgos=(),
    expected_version: str | None = None,
    **fields,
) -> Activity:
    """Add an activity to a draft project plan, or change one of its activities."""
    _only(fields, ACTIVITY_FIELDS)
    plan = _lock_plan(plan)
    _require(perms.can_draft(by), _(perms.SECRETARIAT_ONLY))
    _require_draft(plan)
    if plan.kind != Plan.Kind.PROJECT:
        raise ValidationError(_("Activities belong to a project plan."))
    if activity is None:
        activity = Activity(plan=plan)
    elif activity.plan_id != plan.pk:
        raise ValidationError(_("The activity belongs to another plan."))
    else:
        activity = lock_for_edit(activity, expected_version)
    for name, value in fields.items():
        setattr(activity, name, value)
    _check_activity(plan, activity)
    activity.save()
    activity.tracks.set(tracks)
    activity.dgos.set(dgos)
    return activity


@transaction.atomic
def plan_comment_add(*, plan: Plan, by: User, text: str) -> PlanComment:
    """The knowledge partners' input; the secretariat is told."""
    plan = _lock_plan(plan)
    _require(perms.can_comment(by, plan), _(perms.COMMENTERS_ONLY))
    if not text.strip():
        raise ValidationError({"text": _("Write the comment.")})
    comment = PlanComment(plan=plan, author=by, text=text.strip())
    comment.full_clean()
    comment.save()
    notify(
        kind=notices.COMMENTED,
        users=_with_role(Role.SECRETARIAT).exclude(pk=by.pk),
        subject=gettext_lazy("New comment on %(plan)s"),
        subject_values={"plan": plan.title},
        context={"plan": plan, "comment": comment},
        url=plan.get_absolute_url(),
    )
    return comment


@transaction.atomic
def plan_put_to_fu(
    *, plan: Plan, by: User, deadline: datetime.datetime, meeting: Meeting | None = None
) -> Decision:
    """Ask FU to approve a draft plan: an FU decision with the plan as its subject.

    Governance decides who may open FU decisions and applies the unanimity rule;
    `on_fu_decision_closed` approves (and locks) the plan or returns it to draft.
    """
    plan = _lock_plan(plan)
    _require(perms.can_draft(by), _(perms.SECRETARIAT_ONLY))
    if plan.status != S.DRAFT:
        raise ValidationError(_("Only a draft plan is put to FU."), code="state")
    if plan.kind == Plan.Kind.PROJECT and not plan.activities.exists():
        raise ValidationError(_("Add the plan's activities before putting it to FU."))
    with translation.override(settings.LANGUAGE_CODE):  # stored text: in the portal's language
        title = _("Approval of %(plan)s") % {"plan": plan.title}
        text = _(
            "The secretariat asks FU to approve %(plan)s (§8.2). The plan, its activities and "
            "the knowledge partners' comments are on its page: %(url)s"
        ) % {"plan": plan.title, "url": absolute_url(plan.get_absolute_url())}
    decision = governance_services.decision_open(
        body=Body.objects.get(code="fu"),
        title=title[:300],
        text=text,
        deadline=deadline,
        by=by,
        subject=plan,
        meeting=meeting,
    )
    plan.status = S.AT_FU
    plan.decision = decision
    plan.save(update_fields=["status", "decision"])
    return decision


def on_fu_decision_closed(*, decision: Decision, subject) -> None:
    """Governance's outcome handler for decisions about a plan (registered in apps.py).

    Runs inside decision_close's transaction with the decision row locked. Adopted: the plan
    is approved and locked. Rejected or closed without outcome: it returns to draft, to be
    revised and put to FU again.
    """
    if decision.body.code != "fu" or subject is None:
        return
    plan = _lock_plan(subject)
    if plan.status != S.AT_FU or plan.decision_id != decision.pk:
        logger.warning("FU decision %s closed on plan %s in %s", decision.pk, plan.pk, plan.status)
        return
    if decision.status == Decision.Status.ADOPTED:
        plan.status, plan.approved_at = S.APPROVED, decision.closed_at
    else:
        plan.status = S.DRAFT
    plan.save(update_fields=["status", "approved_at"])
    people = _with_role(Role.SECRETARIAT, Role.KNOWLEDGE_PARTNER)
    if plan.status == S.APPROVED:
        people = people | seated(Body.objects.get(code="aps").pk)
    notify(
        kind=notices.DECIDED,
        users=people.distinct(),
        subject=gettext_lazy("%(plan)s: %(outcome)s"),
        subject_values={"plan": plan.title, "outcome": decision.outcome_summary},
        context={"plan": plan, "decision": decision},
        url=plan.get_absolute_url(),
    )


@transaction.atomic
def activity_status_set(*, activity: Activity, by: User, status: str, note: str = "") -> Activity:
    """Report an activity's progress (planned, under way, delayed, done) on an approved plan."""
    activity = Activity.objects.select_for_update().select_related("plan").get(pk=activity.pk)
    _require(perms.can_update_status(by, activity), _(perms.STATUS_REFUSED))
    if activity.plan.status != S.APPROVED:
        raise ValidationError(_(perms.STATUS_ON_APPROVED_ONLY), code="state")
    if status not in Activity.Status.values:
        raise ValidationError({"status": _("Choose one of the statuses.")})
    if status == Activity.Status.DELAYED and not note.strip():
        raise ValidationError({"note": _("Say why the activity is delayed.")})
    activity.status, activity.status_note = status, note.strip()
    activity.status_changed_at, activity.status_changed_by = timezone.now(), by
    activity.full_clean(exclude=["plan"])
    activity.save(update_fields=["status", "status_note", "status_changed_at", "status_changed_by"])
    return activity


# --- Communications ---------------------------------------------------------------------------


@transaction.atomic
def communication_record(
    *,
    plan: Plan,
    by: User,
    kind: str,
    title: str,
    published_on: datetime.date,
    named_parties,
    url: str = "",
    involves_knowledge_partners: bool = False,
) -> Communication:
    """Record a communication under the year's communication plan with the parties it names.

    One that does not name them all is still recorded (it was published): the list shows
    which parties it leaves out, so the secretariat can correct the next one.
    """
    _require(perms.can_draft(by), _(perms.SECRETARIAT_ONLY))
    if plan.kind != Plan.Kind.COMMUNICATION:
        raise ValidationError(_(perms.COMMUNICATION_PLAN_ONLY))
    communication = Communication(
        plan=plan,
        kind=kind,
        title=title,
        published_on=published_on,
        url=url,
        involves_knowledge_partners=involves_knowledge_partners,
        recorded_by=by,
    )
    if published_on and published_on.year != plan.year:
        raise ValidationError(
            {
                "published_on": _("The date must lie in the plan's year %(year)s.")
                % {"year": plan.year}
            }
        )
    communication.full_clean()
    communication.save()
    communication.named_parties.set(named_parties)
    return communication


# --- Risks -------------------------------------------------------------------------------------


def _tell_owner(risk: Risk, by: User) -> None:
    if risk.owner_id != by.pk:
        notify(
            kind=notices.RISK_OWNED,
            users=[risk.owner],
            subject=gettext_lazy("You own the risk: %(title)s"),
            subject_values={"title": risk.title},
            context={"risk": risk},
            url=risk.get_absolute_url(),
        )


@transaction.atomic
def risk_create(*, by: User, **fields) -> Risk:
    _only(fields, RISK_FIELDS)
    _require(perms.can_draft(by), _(perms.SECRETARIAT_ONLY))
    risk = Risk(created_by=by, **fields)
    risk.full_clean()
    risk.save()
    _tell_owner(risk, by)
    return risk


@transaction.atomic
def risk_update(
    *,
    risk: Risk,
    by: User,
    status: str | None = None,
    expected_version: str | None = None,
    **fields,
) -> Risk:
    """`expected_version`: the version the edit form was based on (core.locking)."""
    _only(fields, RISK_FIELDS)
    _require(perms.can_draft(by), _(perms.SECRETARIAT_ONLY))
    risk = lock_for_edit(risk, expected_version)
    owner_before = risk.owner_id
    for name, value in fields.items():
        setattr(risk, name, value)
    if status is not None:
        risk.status = status
    risk.full_clean()
    risk.save()
    if risk.owner_id != owner_before:
        _tell_owner(risk, by)
    return risk


@transaction.atomic
def risk_review(
    *,
    risk: Risk,
    by: User,
    meeting: Meeting,
    likelihood: int,
    impact: int,
    review_on: datetime.date,
    note: str = "",
    agenda_item: AgendaItem | None = None,
) -> RiskReview:
    """Record APS's review of a risk at one of its meetings: the judgement then, and the
    register updated to it with the next review date."""
    _require(perms.can_review_risk(by), _(perms.REVIEW_REFUSED))
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    errors: dict[str, str] = {}
    if meeting.body.code != "aps":
        errors["meeting"] = _("Risks are reviewed at APS's meetings.")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        errors["agenda_item"] = _("The agenda item must be one of that meeting's.")
    meeting_day = timezone.localdate(meeting.starts_at)
    if review_on and review_on <= meeting_day:
        errors["review_on"] = _("The next review must come after the meeting.")
    if errors:
        raise ValidationError(errors)
    review = RiskReview(
        risk=risk,
        meeting=meeting,
        agenda_item=agenda_item,
        likelihood=likelihood,
        impact=impact,
        note=note.strip(),
        reviewed_by=by,
    )
    review.full_clean()
    review.save()
    risk.likelihood, risk.impact, risk.review_on = likelihood, impact, review_on
    risk.full_clean()
    risk.save(update_fields=["likelihood", "impact", "review_on"])
    return review


# --- APS's agenda ------------------------------------------------------------------------------


def aps_agenda_add(*, meeting: Meeting, by: User, what: str) -> AgendaItem:
    """Put the risk register ("risks") or the project plan's status list (a plan) on an APS
    meeting's agenda: an agenda item whose description links the page."""
    _require(perms.can_draft(by), _(perms.SECRETARIAT_ONLY))
    if meeting.body.code != "aps":
        raise ValidationError({"meeting": _("Choose one of APS's meetings.")})
    with translation.override(settings.LANGUAGE_CODE):
        if isinstance(what, Plan):
            title = _("Status of the activities of %(plan)s") % {"plan": what.title}
            url = reverse("plan-status", kwargs={"pk": what.pk})
        else:
            title = _("Review of the risk register")
            url = reverse("risk-list")
        description = _("The list is in the portal: %(url)s") % {"url": absolute_url(url)}
    return governance_services.agenda_item_add(
        meeting=meeting, by=by, title=title, description=description
    )
