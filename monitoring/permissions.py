"""Who may do what in monitoring: the one place these rules live.

A DGO coordinator's reach comes from partners.permissions.roles_of (the django-guardian object
permission on the DGO, bounded by the role's dates). The secretariat sees and reviews
everything; administrators and the secretariat import and export rounds.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import Municipality, User
from partners.permissions import can_edit_municipality, roles_of

from .models import Round, StatusReport, published_q

AnyUser = User | AnonymousUser

# Said by the pages that refuse and by the services that refuse: one wording per rule.
IMPORT_REFUSED = gettext_lazy("Only the secretariat and administrators import round data.")
ROUND_OPEN_REFUSED = gettext_lazy("Only the secretariat opens monitoring rounds.")
ROUND_CLOSE_REFUSED = gettext_lazy("Only the secretariat closes monitoring rounds.")
ROUND_REOPEN_REFUSED = gettext_lazy("Only the secretariat reopens monitoring rounds.")
STATUS_REPORT_REFUSED = gettext_lazy("Only the secretariat produces the status report.")
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


def api_reports_q(user: AnyUser) -> Q:
    """Reports the API lists: the secretariat all, everyone else the published ones (drafts
    are read on the pages, where a coordinator sees their own DGO's)."""
    return Q() if roles_of(user).secretariat else published_q()


def can_view_report(user: AnyUser, report: StatusReport) -> bool:
    if not user.is_authenticated:
        return False
    return can_view_report_of(
        user,
        dgo_id=report.municipality.dgo_id,
        state=report.state,
        approved_at=report.approved_at,
    )


def can_view_report_of(user: AnyUser, *, dgo_id: int, state: str, approved_at) -> bool:
    """can_view_report for a list row that carries only the report's DGO, state and approval."""
    roles = roles_of(user)
    return (
        roles.secretariat
        or dgo_id in roles.coordinated_dgo_ids
        or StatusReport.state_is_published(state, approved_at)
    )


def can_enter_report_of(user: AnyUser, *, dgo_id: int, state: str | None) -> bool:
    """A list row's "enter" link: the DGO's coordinators and the secretariat, while the report
    is not started, a draft or sent back for changes (the round being open is the page's)."""
    roles = roles_of(user)
    return (roles.secretariat or dgo_id in roles.coordinated_dgo_ids) and (
        state is None or state in StatusReport.EDITABLE_STATES
    )


def reports_to_fill_dgo_ids(user: AnyUser) -> frozenset[int]:
    """The DGOs whose reports the dashboard asks the user to fill in: a coordinator's own (the
    secretariat may enter any report, but filling them in is the coordinators' work)."""
    return roles_of(user).coordinated_dgo_ids


def can_enter_for(user: AnyUser, municipality: Municipality) -> bool:
    """Who may fill in a municipality's reports at all: its DGO's coordinators, the secretariat."""
    return can_edit_municipality(user, municipality)


def report_is_editable(report: StatusReport | None, round: Round) -> bool:
    """A report (or a not yet started one) may change while its round is open and it is a draft
    or has changes requested."""
    if not round.is_open:
        return False
    return report is None or report.state in StatusReport.EDITABLE_STATES


def report_edit_refusal(
    user: AnyUser, *, round: Round, municipality: Municipality, report: StatusReport | None
) -> str | None:
    """Why the user may not change this report now, or None when they may (can_edit_report,
    with the reason the page and the service both give)."""
    if not can_enter_for(user, municipality):
        return _("You may only report for the municipalities of your own DGO.")
    if not round.is_open:
        return _("The round is closed; its reports can no longer change.")
    if report is not None and report.state not in StatusReport.EDITABLE_STATES:
        return _("The report is %(state)s and can no longer be edited.") % {
            "state": report.get_state_display().lower()
        }
    return None


def can_edit_report(
    user: AnyUser, *, round: Round, municipality: Municipality, report: StatusReport | None
) -> bool:
    return can_enter_for(user, municipality) and report_is_editable(report, round)


def can_submit_report(user: AnyUser, report: StatusReport) -> bool:
    return can_edit_report(
        user, round=report.round, municipality=report.municipality, report=report
    )


def report_withdraw_refusal(user: AnyUser, report: StatusReport) -> str | None:
    """Why the user may not withdraw this report now, or None: its DGO's coordinators (and
    the secretariat) take a submitted report back while the round is open and before the
    secretariat has reviewed it (once approved or sent back it is no longer waiting)."""
    if not can_enter_for(user, report.municipality):
        return _("You may only withdraw the reports of your own DGO's municipalities.")
    if not report.round.is_open:
        return _("The round is closed; its reports can no longer change.")
    if report.state != State.SUBMITTED:
        return _(
            "Only a submitted report that has not been reviewed can be withdrawn; this one "
            "is %(state)s."
        ) % {"state": report.get_state_display().lower()}
    return None


def can_withdraw_report(user: AnyUser, report: StatusReport) -> bool:
    return report_withdraw_refusal(user, report) is None


def can_reopen_round(user: AnyUser, round: Round) -> bool:
    """The secretariat reopens a closed round for a correction."""
    return can_manage_rounds(user) and not round.is_open


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


def can_edit_catalogue(user: AnyUser) -> bool:
    """The indicator catalogue: the secretariat and the knowledge partners."""
    roles = roles_of(user)
    return roles.secretariat or roles.knowledge_partner


def can_import_values(user: AnyUser) -> bool:
    """Indicator values are imported by those who import rounds."""
    return can_import(user)


def published_values_q(prefix: str = "") -> Q:
    """Indicator values anyone signed in may read: imported (no report) or from a published
    report."""
    return Q(**{f"{prefix}report__isnull": True}) | published_q(f"{prefix}report__")


def visible_values_q(user: AnyUser) -> Q:
    """The published values; the secretariat all; a coordinator also their own DGO's drafts."""
    roles = roles_of(user)
    if roles.secretariat:
        return Q(pk__isnull=False)
    visible = published_values_q()
    if roles.coordinated_dgo_ids:
        visible |= Q(municipality__dgo_id__in=roles.coordinated_dgo_ids)
    return visible


def can_see_due(user: AnyUser) -> bool:
    """What is due (the page, the dashboard panel, the weekly digest): the secretariat and the
    DGO coordinators."""
    roles = roles_of(user)
    return roles.secretariat or roles.coordinator


def due_dgo_ids(user: AnyUser) -> frozenset[int] | None:
    """The DGOs whose due list the user sees: None for every DGO (the secretariat), their own
    for a DGO coordinator, none for anyone else (can_see_due says whether there is a list)."""
    roles = roles_of(user)
    if roles.secretariat:
        return None
    return roles.coordinated_dgo_ids


def can_request_status_report(user: AnyUser) -> bool:
    """Produce the annual status report (PDF): the secretariat."""
    return user.is_authenticated and roles_of(user).secretariat


def can_view_status_report_document(user: AnyUser, document) -> bool:
    """A finished status report is for everyone signed in; pending and failed ones for the
    secretariat only. A preview with the draft text is for those who read the draft."""
    if not user.is_authenticated:
        return False
    if document.is_preview:
        return can_read_edition_draft(user)
    return document.is_done or roles_of(user).secretariat


# --- the knowledge partners' text of the status report (ReportEdition) ------------------------


def can_read_edition_draft(user: AnyUser) -> bool:
    """The editorial text before it is published: the knowledge partners who write it, and
    the secretariat, who reads it (and never edits it)."""
    roles = roles_of(user)
    return user.is_authenticated and (roles.knowledge_partner or roles.secretariat)


def edition_edit_refusal(user: AnyUser, edition) -> str | None:
    """Why the user may not write or publish the edition's text, or None when they may. The
    knowledge partners own the text (§8.7), as they own the climate assessments: nobody else
    writes it, and once published it is locked."""
    if not roles_of(user).knowledge_partner:
        return _("Only the knowledge partners write the status report's text.")
    if edition is not None and edition.is_published:
        return _("The text is published and locked; it can no longer be changed.")
    return None


def can_edit_edition(user: AnyUser, edition) -> bool:
    return edition_edit_refusal(user, edition) is None


def can_download_dgo_pack(user: AnyUser, dgo) -> bool:
    """A DGO's status pack (for its political steering group): its coordinators and the
    secretariat."""
    if not user.is_authenticated:
        return False
    roles = roles_of(user)
    return roles.secretariat or dgo.pk in roles.coordinated_dgo_ids


DGO_PACK_REFUSED = gettext_lazy(
    "Only the DGO's coordinators and the secretariat download its status pack."
)
