"""Reads for the plans and risks pages: each builds the queryset its page needs, so a page's
query count does not grow with the activities, communications, risks or reviews it shows."""

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from governance.models import Meeting
from partners.models import Organisation, User

from . import permissions as perms
from .models import Activity, Communication, Plan, PlanComment, Risk, RiskReview


def plan_list(*, user: User) -> QuerySet[Plan]:
    """Every year's plans (all are kept), newest year first, with their activities counted."""
    if not perms.can_view_planning(user):
        return Plan.objects.none()
    return Plan.objects.select_related("decision").annotate(
        activity_count=Count("activities", distinct=True),
        delayed_count=Count(
            "activities", filter=Q(activities__status=Activity.Status.DELAYED), distinct=True
        ),
    )


def plan_get(*, pk: int) -> Plan:
    """The plan, or Plan.DoesNotExist for a missing one (readers only: the view refuses
    others before asking)."""
    return Plan.objects.select_related("decision__body", "created_by").get(pk=pk)


def plan_activities(*, plan: Plan) -> QuerySet[Activity]:
    return (
        plan.activities.select_related(
            "owner_person",
            "owner_organisation",
            "budget_line__contribution__contributor",
            "status_changed_by",
        )
        .prefetch_related("tracks", "dgos")
        .order_by("starts_on", "title", "pk")
    )


def plan_comments(*, plan: Plan) -> QuerySet[PlanComment]:
    return plan.comments.select_related("author")


def required_parties(*, involves_knowledge_partners: bool) -> QuerySet[Organisation]:
    """The organisations a communication must name: KL, the five regions and Realdania (the
    parties, §9), and CONCITO and C40 when the knowledge partners contributed."""
    named = Q(is_party=True) | Q(kind=Organisation.Kind.REGION)
    if involves_knowledge_partners:
        named |= Q(is_knowledge_partner=True)
    return Organisation.objects.filter(named).order_by("kind", "name")


@dataclass
class CommunicationRow:
    communication: Communication
    missing: list[Organisation]


def communication_rows(*, plan: Plan) -> list[CommunicationRow]:
    """Each communication with the parties it fails to name (empty when it names them all).

    Three queries however many communications: the parties, the communications, their names.
    """
    parties = list(required_parties(involves_knowledge_partners=False))
    knowledge_partners = list(Organisation.objects.filter(is_knowledge_partner=True))
    rows = []
    for communication in plan.communications.select_related("recorded_by").prefetch_related(
        Prefetch("named_parties", queryset=Organisation.objects.only("pk"))
    ):
        named = {org.pk for org in communication.named_parties.all()}
        required = parties + (
            knowledge_partners if communication.involves_knowledge_partners else []
        )
        rows.append(CommunicationRow(communication, [o for o in required if o.pk not in named]))
    return rows


def risk_list(*, user: User, status: str = Risk.Status.OPEN) -> QuerySet[Risk]:
    """The register, highest score first; `status` "" for every risk."""
    if not perms.can_view_planning(user):
        return Risk.objects.none()
    risks = Risk.objects.select_related("owner").annotate(
        score_value=F("likelihood") * F("impact"), review_count=Count("reviews")
    )
    if status:
        risks = risks.filter(status=status)
    return risks.order_by("-score_value", "review_on", "pk")


def risk_get(*, pk: int) -> Risk:
    return Risk.objects.select_related("owner", "created_by").get(pk=pk)


def risk_reviews(*, risk: Risk) -> QuerySet[RiskReview]:
    return risk.reviews.select_related("meeting", "agenda_item", "reviewed_by")


@dataclass
class HistoryRow:
    entry: LogEntry
    changes: list[tuple[str, str, str]]  # field's name, before, after


def risk_history(*, risk: Risk, limit: int = 50) -> list[HistoryRow]:
    """The audit trail of the risk's own fields (who changed what, when), newest first.

    One query: the stored values are shown as recorded (auditlog's display dict would look
    up each changed reference again, a query per entry).
    """
    names = {field.name: str(field.verbose_name) for field in Risk._meta.fields}
    entries = (
        LogEntry.objects.get_for_object(risk).select_related("actor").order_by("-timestamp")
    )[:limit]
    return [
        HistoryRow(
            entry,
            [
                (names.get(field, field), str(before), str(after))
                for field, (before, after) in (entry.changes_dict or {}).items()
                if field in names and field not in ("id", "created_by", "created_at")
            ],
        )
        for entry in entries
    ]


def aps_meetings(*, upcoming: bool | None = None) -> QuerySet[Meeting]:
    """APS's meetings for the forms: all, or only those still to come (an agenda changes only
    before the meeting is held)."""
    meetings = Meeting.objects.filter(body__code="aps").select_related("body")
    if upcoming:
        meetings = meetings.filter(
            status__in=(Meeting.Status.PLANNED, Meeting.Status.AGENDA_PUBLISHED),
            starts_at__gte=timezone.now(),
        )
    return meetings.order_by("-starts_at")
