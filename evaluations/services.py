"""Writes for the partnership's evaluations; every change goes through these functions.

The terms of reference pass two decisions (§10.1): the secretariat puts them to APS; when APS
adopts its recommendation, FU's decision is opened at once (the handler below); FU's adoption
approves them. A decision not adopted sends the terms back a step, to be changed or put again.
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.locking import lock_for_edit
from core.notifications import notify
from governance import services as governance_services
from governance.models import Body, Decision, Meeting
from governance.permissions import can_manage_decisions
from partners.models import Organisation, User
from tracks.files import check_product

from . import notices, selectors
from . import permissions as perms
from .models import Evaluation, FollowUpAction

logger = logging.getLogger(__name__)
S = Evaluation.Status
# FU's decision opened by APS's adoption runs in writing for this long.
FU_DECISION_DAYS = 21


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _lock(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.select_for_update().get(pk=evaluation.pk)


def _clean(evaluation: Evaluation) -> None:
    evaluation.title = evaluation.title.strip()
    evaluation.terms_of_reference = evaluation.terms_of_reference.strip()
    evaluation.full_clean(exclude=["report"])


@transaction.atomic
def evaluation_create(
    *, by: User, kind: str, title: str, terms_of_reference: str, arranged_by: Organisation
) -> Evaluation:
    """The secretariat drafts an evaluation and its terms of reference."""
    _require(perms.can_manage_evaluations(by), _(perms.SECRETARIAT_ONLY))
    evaluation = Evaluation(
        kind=kind,
        title=title,
        terms_of_reference=terms_of_reference,
        arranged_by=arranged_by,
        created_by=by,
    )
    _clean(evaluation)
    evaluation.save()
    return evaluation


@transaction.atomic
def evaluation_update(
    *,
    evaluation: Evaluation,
    by: User,
    kind: str,
    title: str,
    terms_of_reference: str,
    arranged_by: Organisation,
    expected_version: str | None = None,
) -> Evaluation:
    """Change the draft terms; once put to APS they are what the bodies decide on.
    `expected_version`: the version the edit form was based on (core.locking)."""
    evaluation = lock_for_edit(evaluation, expected_version)
    _require(perms.can_manage_evaluations(by), _(perms.SECRETARIAT_ONLY))
    if not evaluation.is_editable:
        raise ValidationError(_(perms.TERMS_LOCKED))
    evaluation.kind = kind
    evaluation.title = title
    evaluation.terms_of_reference = terms_of_reference
    evaluation.arranged_by = arranged_by
    _clean(evaluation)
    evaluation.save()
    return evaluation


def _decision_text(evaluation: Evaluation, lead: str) -> str:
    return f"{lead}\n\n{evaluation.terms_of_reference}"


@transaction.atomic
def terms_put_to_aps(
    *,
    evaluation: Evaluation,
    by: User,
    deadline: datetime.datetime,
    meeting: Meeting | None = None,
) -> Decision:
    """Open APS's decision: does APS recommend these terms of reference to FU?"""
    evaluation = _lock(evaluation)
    _require(perms.can_manage_evaluations(by), _(perms.SECRETARIAT_ONLY))
    if evaluation.status != S.DRAFT:
        raise ValidationError(_("Only draft terms of reference are put to APS."))
    decision = governance_services.decision_open(
        body=Body.objects.get(code="aps"),
        title=(_("Recommend the terms of reference: %(title)s") % {"title": evaluation.title})[
            :300
        ],
        text=_decision_text(
            evaluation,
            _("APS recommends to FU the terms of reference of the evaluation below (§10.1)."),
        ),
        deadline=deadline,
        by=by,
        subject=evaluation,
        meeting=meeting,
    )
    evaluation.status = S.AT_APS
    evaluation.aps_decision = decision
    evaluation.save(update_fields=["status", "aps_decision"])
    return decision


def _open_fu(evaluation: Evaluation, by: User, deadline: datetime.datetime) -> Decision:
    decision = governance_services.decision_open(
        body=Body.objects.get(code="fu"),
        title=(_("Approve the terms of reference: %(title)s") % {"title": evaluation.title})[:300],
        text=_decision_text(
            evaluation,
            _("APS recommends the terms of reference below; FU decides and approves them (§10.1)."),
        ),
        deadline=deadline,
        by=by,
        subject=evaluation,
    )
    evaluation.status = S.AT_FU
    evaluation.fu_decision = decision
    evaluation.save(update_fields=["status", "fu_decision"])
    return decision


@transaction.atomic
def terms_put_to_fu(*, evaluation: Evaluation, by: User, deadline: datetime.datetime) -> Decision:
    """Put recommended terms to FU by hand: when FU's decision could not be opened on APS's
    adoption, or FU's decision closed without outcome."""
    evaluation = _lock(evaluation)
    _require(perms.can_manage_evaluations(by), _(perms.SECRETARIAT_ONLY))
    if evaluation.status != S.RECOMMENDED:
        raise ValidationError(_("Only terms APS has recommended are put to FU."))
    return _open_fu(evaluation, by, deadline)


def _fu_opener(decision: Decision) -> User | None:
    """Who opens FU's decision on APS's adoption: the one who closed APS's decision, or else the
    one who put it to APS, if they may put decisions to FU."""
    fu = Body.objects.get(code="fu")
    for person in (decision.closed_by, decision.opened_by):
        if person is not None and can_manage_decisions(person, fu):
            return person
    return None


def on_decision_closed(*, decision: Decision, subject) -> None:
    """Governance's outcome handler for decisions about an evaluation (registered in apps.py).

    Runs inside decision_close's transaction with the decision row locked. APS adopting its
    recommendation opens FU's decision in the same transaction; FU adopting approves the terms.
    A rejection sends the terms back to draft; a decision without outcome leaves them where a
    new decision can be put (APS: draft, FU: recommended).
    """
    if subject is None:
        return
    evaluation = _lock(subject)
    adopted = decision.status == Decision.Status.ADOPTED
    if decision.pk == evaluation.aps_decision_id and evaluation.status == S.AT_APS:
        if not adopted:
            evaluation.status = S.DRAFT
            evaluation.save(update_fields=["status"])
            return
        evaluation.status = S.RECOMMENDED
        evaluation.save(update_fields=["status"])
        opener = _fu_opener(decision)
        if opener is None:
            logger.warning("APS recommended evaluation %s; nobody to open FU's", evaluation.pk)
            return
        try:
            # In a savepoint: FU's decision failing to open (say FU has no voting seat today)
            # must not roll back APS's closing; the secretariat puts it to FU by hand then.
            with transaction.atomic():
                _open_fu(
                    evaluation,
                    opener,
                    timezone.now() + datetime.timedelta(days=FU_DECISION_DAYS),
                )
        except (ValidationError, PermissionDenied) as error:
            logger.warning("FU's decision on evaluation %s not opened: %s", evaluation.pk, error)
            evaluation.refresh_from_db()
    elif decision.pk == evaluation.fu_decision_id and evaluation.status == S.AT_FU:
        evaluation.status = {
            Decision.Status.ADOPTED: S.APPROVED,
            Decision.Status.REJECTED: S.DRAFT,
        }.get(decision.status, S.RECOMMENDED)
        evaluation.save(update_fields=["status"])


@transaction.atomic
def report_attach(*, evaluation: Evaluation, by: User, upload: UploadedFile) -> Evaluation:
    """Attach the evaluation report, checked by its content (magic bytes), at most 20 MB.
    Only for terms FU has approved; a new file replaces the report."""
    evaluation = _lock(evaluation)
    _require(perms.can_manage_evaluations(by), _(perms.SECRETARIAT_ONLY))
    if evaluation.status not in (S.APPROVED, S.REPORTED):
        raise ValidationError(
            {"report": _("The report is attached once FU has approved the terms of reference.")}
        )
    try:
        checked = check_product(upload)
    except ValidationError as error:
        raise ValidationError({"report": error.messages}) from error
    first = evaluation.status == S.APPROVED
    old_name = evaluation.report.name if evaluation.report else ""
    upload.seek(0)
    evaluation.report.save(checked.stored_name, upload, save=False)
    evaluation.report_name = checked.original_name
    evaluation.report_size = checked.size
    evaluation.report_type = checked.content_type
    evaluation.report_received_at = timezone.now()
    evaluation.status = S.REPORTED
    evaluation.save()
    if old_name:
        storage = evaluation.report.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    if first:
        notify(
            kind=notices.REPORT_RECEIVED,
            users=selectors.possible_owners().exclude(pk=by.pk),
            subject=gettext_lazy("Evaluation report received: %(title)s"),
            subject_values={"title": evaluation.title},
            context={"evaluation": evaluation},
            url=evaluation.get_absolute_url(),
        )
    return evaluation


def _check_action(action: FollowUpAction) -> None:
    action.recommendation = action.recommendation.strip()
    action.action = action.action.strip()
    action.note = action.note.strip()
    action.full_clean()
    if not perms.can_view_evaluations(action.owner):
        raise ValidationError(
            {"owner": _("The owner must sit in APS or FU or work in the secretariat.")}
        )


@transaction.atomic
def action_add(
    *,
    evaluation: Evaluation,
    by: User,
    recommendation: str,
    action: str,
    owner: User,
    due_on: datetime.date,
) -> FollowUpAction:
    """Turn one of the report's recommendations into a follow-up action; its owner is told."""
    evaluation = _lock(evaluation)
    _require(perms.can_manage_evaluations(by), _(perms.SECRETARIAT_ONLY))
    if evaluation.status != S.REPORTED:
        raise ValidationError(_("Follow-up actions come from the report: attach it first."))
    follow_up = FollowUpAction(
        evaluation=evaluation,
        recommendation=recommendation,
        action=action,
        owner=owner,
        due_on=due_on,
        created_by=by,
    )
    _check_action(follow_up)
    follow_up.save()
    if owner.pk != by.pk:
        notify(
            kind=notices.ACTION_ASSIGNED,
            users=[owner],
            subject=gettext_lazy("Follow-up action for you: %(title)s"),
            subject_values={"title": evaluation.title},
            context={"action": follow_up},
            url=evaluation.get_absolute_url(),
        )
    return follow_up


@transaction.atomic
def action_set_status(
    *, action: FollowUpAction, by: User, status: str, note: str = ""
) -> FollowUpAction:
    """The owner (or the secretariat) reports how far the action is."""
    action = FollowUpAction.objects.select_for_update().select_related("owner").get(pk=action.pk)
    _require(perms.can_update_action(by, action), _(perms.OWNER_OR_SECRETARIAT))
    action.status = status
    action.note = note
    action.updated_at = timezone.now()
    _check_action(action)
    action.save(update_fields=["status", "note", "updated_at"])
    return action
