"""Who may do what in monitoring: the one place these rules live.

A DGO coordinator's reach comes from partners.permissions.roles_of (the django-guardian object
permission on the DGO, bounded by the role's dates). The secretariat sees and reviews
everything; administrators and the secretariat import and export rounds.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from partners.models import Municipality, User
from partners.permissions import can_edit_municipality, roles_of

from .models import Round, StatusReport, published_q

AnyUser = User | AnonymousUser
State = StatusReport.State


def visible_reports_q(user: AnyUser, prefix: str = "") -> Q:
    """Reports a user may read: the secretariat all; a coordinator their own DGO's in any state;
    every other signed-in user the published ones (approved, or locked after approval)."""
    roles = roles_of(user)
    if not user.is_authenticated:
        return Q(pk__in=[])
    if roles.secretariat:
        return Q()
    published = published_q(prefix)
    if roles.coordinated_dgo_ids:
        return published | Q(**{f"{prefix}municipality__dgo_id__in": roles.coordinated_dgo_ids})
    return published


def visible_figures_q(user: AnyUser) -> Q:
    """Emission figures a user may read: those of reports they may read, and figures not tied
    to any report (loaded from the published accounts)."""
    if roles_of(user).secretariat:
        return Q(pk__isnull=False)  # all (an empty Q would vanish when OR-ed)
    return Q(report__isnull=True) | visible_reports_q(user, prefix="report__")


def published_figures_q() -> Q:
    """Emission figures anyone may read: those not tied to a report, and published reports'."""
    return Q(report__isnull=True) | published_q("report__")


def visible_reports(user: AnyUser) -> QuerySet[StatusReport]:
    """The reports a user may read (visible_reports_q), for lists, pages and the API."""
    return StatusReport.objects.filter(visible_reports_q(user))


def can_view_report(user: AnyUser, report: StatusReport) -> bool:
    roles = roles_of(user)
    if not user.is_authenticated:
        return False
    return (
        roles.secretariat
        or report.municipality.dgo_id in roles.coordinated_dgo_ids
        or report.is_published
    )


def can_enter_for(user: AnyUser, municipality: Municipality) -> bool:
    """Who may fill in a municipality's reports at all: its DGO's coordinators, the secretariat."""
    return can_edit_municipality(user, municipality)


def report_is_editable(report: StatusReport | None, round: Round) -> bool:
    """A report (or a not yet started one) may change while its round is open and it is a draft
    or has changes requested."""
    if not round.is_open:
        return False
    return report is None or report.state in StatusReport.EDITABLE_STATES


def can_edit_report(
    user: AnyUser, *, round: Round, municipality: Municipality, report: StatusReport | None
) -> bool:
    return can_enter_for(user, municipality) and report_is_editable(report, round)


def can_submit_report(user: AnyUser, report: StatusReport) -> bool:
    return can_edit_report(
        user, round=report.round, municipality=report.municipality, report=report
    )


def can_review(user: AnyUser) -> bool:
    return roles_of(user).secretariat


def can_review_report(user: AnyUser, report: StatusReport) -> bool:
    """The secretariat approves a submitted report or sends it back, while the round is open;
    an approved report may be reopened with a request for changes."""
    return (
        can_review(user)
        and report.round.is_open
        and report.state in (State.SUBMITTED, State.APPROVED)
    )


def can_manage_rounds(user: AnyUser) -> bool:
    """Open and close rounds, send reminders: the secretariat."""
    return roles_of(user).secretariat


def can_import(user: AnyUser) -> bool:
    roles = roles_of(user)
    return roles.secretariat or roles.administrator


def can_export(user: AnyUser) -> bool:
    """An export holds unpublished drafts: the same people who import."""
    return can_import(user)


def can_request_status_report(user: AnyUser) -> bool:
    """Produce the annual status report (PDF): the secretariat."""
    return user.is_authenticated and roles_of(user).secretariat


def can_view_status_report_document(user: AnyUser, document) -> bool:
    """A finished status report is for everyone signed in; pending and failed ones for the
    secretariat only."""
    if not user.is_authenticated:
        return False
    return document.is_done or roles_of(user).secretariat
