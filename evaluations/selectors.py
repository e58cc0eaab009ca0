"""Reads for the evaluation pages: one queryset per page, its rows fetched in a fixed number
of queries whatever the data."""

from django.db.models import Count, Q, QuerySet

from governance.models import Membership
from partners.models import RoleAssignment, User

from .models import Evaluation, FollowUpAction
from .permissions import READING_BODIES

FA = FollowUpAction.Status


def evaluation_list() -> QuerySet[Evaluation]:
    """Every evaluation with its follow-up actions counted (the caller checked the reader)."""
    return (
        Evaluation.objects.select_related("arranged_by")
        .annotate(
            actions_total=Count("actions"),
            actions_done=Count("actions", filter=Q(actions__status=FA.DONE)),
        )
        .order_by("-created_at", "-pk")
    )


def evaluation_get(*, pk: int) -> Evaluation:
    return Evaluation.objects.select_related(
        "arranged_by",
        "created_by",
        "aps_decision__body",
        "fu_decision__body",
    ).get(pk=pk)


def evaluation_actions(*, evaluation: Evaluation) -> QuerySet[FollowUpAction]:
    return evaluation.actions.select_related("owner").order_by("due_on", "pk")


def action_get(*, evaluation: Evaluation, pk: int) -> FollowUpAction:
    return FollowUpAction.objects.select_related("owner", "evaluation").get(
        pk=pk, evaluation=evaluation
    )


def possible_owners() -> QuerySet[User]:
    """Owners of a follow-up action: APS's and FU's seats today and the secretariat."""
    seated = Membership.objects.active().filter(body__code__in=READING_BODIES)
    secretariat = RoleAssignment.objects.active().filter(role=RoleAssignment.Role.SECRETARIAT)
    return User.objects.filter(
        Q(pk__in=seated.values("person_id")) | Q(pk__in=secretariat.values("user_id")),
        is_active=True,
    ).order_by("first_name", "last_name", "username")
