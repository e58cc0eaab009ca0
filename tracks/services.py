"""Writes to the tracks app: the track life cycle and the budget. Views, admin, API and demo call
these, never the ORM.

Every step of a track's life is a function here that checks who may take it (tracks.permissions),
whether the track is in the state it starts from, and the rules of the step; it then moves the
track and records a TrackTransition with who, when and why, in one transaction holding the track's
row lock. Approval happens only through an adopted FU decision (governance): `track_put_to_fu`
opens it, and `on_fu_decision_closed` (registered in TracksConfig.ready) moves the track when
FU closes it. Errors: PermissionDenied (the role), Conflict (the track's state), ValidationError
(the input or the principles, one message each).
"""

import datetime
import logging
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import dkk
from core.locking import lock_for_edit
from core.notifications import notify
from core.text import clean_text
from governance import services as governance_services
from governance.models import Body, Decision
from governance.services import Conflict
from partners.models import DGO, Organisation, RoleAssignment, User

from . import notices
from . import permissions as perms
from .files import check_product
from .models import (
    ASSESSABLE,
    FIRST_YEAR,
    FUNDABLE,
    LAST_YEAR,
    WITHDRAWABLE,
    Allocation,
    BudgetChange,
    BudgetLine,
    ClimateAssessment,
    Contribution,
    Evaluation,
    ExternalFunding,
    FocusArea,
    FundingRequest,
    HourlyRate,
    KnowledgeProduct,
    LiquidPool,
    Principle,
    PrincipleJudgement,
    Spending,
    StatusUpdate,
    Track,
    TrackContact,
    TrackParticipant,
    TrackTransition,
)

logger = logging.getLogger(__name__)
S = Track.Status
Event = TrackTransition.Event
MIN_PARTICIPANTS = 3
TRACK_FIELDS = (
    "title",
    "problem",
    "ambition",
    "development_element",
    "knowledge_sharing_plan",
    "evaluation_plan",
    "focus_area",
)

__all__ = ["Conflict"]  # re-exported: callers catch tracks.services.Conflict


# --- Helpers ------------------------------------------------------------------------------------


def _lock(track: Track) -> Track:
    return Track.objects.select_for_update().get(pk=track.pk)


def _record(
    track: Track,
    *,
    to: str,
    event: str,
    by: User | None,
    reason: str = "",
    decision: Decision | None = None,
    params: dict | None = None,
) -> TrackTransition:
    """Move a locked track to `to` and record the step on its timeline: the event (put into
    words when shown, in the reader's language) and the reason the person gave, if any."""
    transition = TrackTransition.objects.create(
        track=track,
        from_status=track.status,
        to_status=to,
        event=event,
        params=params or {},
        by=by,
        reason=reason.strip(),
        decision=decision,
    )
    track.status = to
    track.updated_at = timezone.now()
    fields = ["status", "updated_at"]
    if to == S.SUBMITTED and track.submitted_at is None:
        track.submitted_at = transition.at
        fields.append("submitted_at")
    track.save(update_fields=fields)
    return transition


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_state(track: Track, states: tuple[str, ...] | str, message: str) -> None:
    states = (states,) if isinstance(states, str) else states
    if track.status not in states:
        raise Conflict(message)


def _proposer_only() -> str:
    return str(perms.PROPOSERS_ONLY)


def _mail(kind: str, subject, to: Iterable[User], context: dict, url: str = "") -> None:
    notify(
        kind=kind,
        users=to,
        subject=subject,
        subject_values=context.get("subject_values", {}),
        context=context,
        url=url,
    )


def _role_people(role: str, **filters) -> models.QuerySet[User]:
    holders = RoleAssignment.objects.active().filter(role=role, **filters).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True).order_by("pk")


# --- Proposals ----------------------------------------------------------------------------------


def _validate_children(
    *, participants: list[dict], funding_requests: list[dict], external: list[dict]
) -> None:
    errors: list[ValidationError] = []
    seen: set[tuple[str, int]] = set()
    leads = 0
    for data in participants:
        party = data.get("municipality") or data.get("region")
        if party is None or (data.get("municipality") and data.get("region")):
            errors.append(
                ValidationError(_("Each participant is either a municipality or a region."))
            )
            continue
        key = ("m" if data.get("municipality") else "r", party.pk)
        if key in seen:
            errors.append(
                ValidationError(_("%(party)s is named twice as participant.") % {"party": party})
            )
        seen.add(key)
        leads += bool(data.get("is_lead"))
    if leads > 1:
        errors.append(ValidationError(_("Only one participant can be the lead.")))
    for data in funding_requests:
        year = data.get("year")
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            errors.append(
                ValidationError(
                    _("Funding is requested for the partnership's years, %(first)s–%(last)s.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR}
                )
            )
        source, pool = data.get("source"), data.get("pool")
        if (source == FundingRequest.Source.POOL) != (pool is not None):
            errors.append(
                ValidationError(_("Choose a pool when, and only when, the source is a pool."))
            )
        elif pool is not None and year is not None and not pool.year_from <= year <= pool.year_to:
            errors.append(
                ValidationError(
                    _("%(pool)s covers %(first)s–%(last)s only.")
                    % {"pool": pool, "first": pool.year_from, "last": pool.year_to}
                )
            )
    for data in external:
        if not data.get("funder"):
            errors.append(ValidationError(_("Name the funder of the external funding.")))
    if errors:
        raise ValidationError(errors)


def _replace_children(track: Track, model, related: str, rows: list[dict]) -> None:
    getattr(track, related).all().delete()
    objects = []
    for data in rows:
        obj = model(track=track, **data)
        obj.full_clean(exclude=["track"])
        objects.append(obj)
    model.objects.bulk_create(objects)


def _check_dgos(by: User, dgos: list[DGO]) -> None:
    if not perms.proposes_for(by, {dgo.pk for dgo in dgos}):
        raise ValidationError(
            {"dgos": _("A coordinator's proposal involves at least one of the coordinator's DGOs.")}
        )


def _save_track(
    track: Track,
    *,
    by: User,
    dgos: list[DGO] | None,
    participants: list[dict] | None,
    funding_requests: list[dict] | None,
    external_funding: list[dict] | None,
    contacts: list[dict] | None,
    fields: dict,
) -> Track:
    unknown = set(fields) - set(TRACK_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(track, name, value.strip() if isinstance(value, str) else value)
    track.updated_at = timezone.now()
    track.full_clean(exclude=["proposed_by"])
    if dgos is not None:
        _check_dgos(by, dgos)
    _validate_children(
        participants=participants or [],
        funding_requests=funding_requests or [],
        external=external_funding or [],
    )
    track.save()
    if dgos is not None:
        track.dgos.set(dgos)
    for model, related, rows in (
        (TrackParticipant, "participants", participants),
        (FundingRequest, "funding_requests", funding_requests),
        (ExternalFunding, "external_funding", external_funding),
        (TrackContact, "contacts", contacts),
    ):
        if rows is not None:
            _replace_children(track, model, related, rows)
    return track


@transaction.atomic
def track_create(
    *,
    by: User,
    dgos: list[DGO],
    participants: list[dict] | None = None,
    funding_requests: list[dict] | None = None,
    external_funding: list[dict] | None = None,
    contacts: list[dict] | None = None,
    **fields,
) -> Track:
    """Start a proposal as a draft. Participants, funding and contacts are lists of dicts with
    the models' field names. A coordinator's proposal involves one of the coordinator's DGOs."""
    _require(
        perms.can_propose(by),
        str(perms.PROPOSE_REFUSED),
    )
    track = Track(proposed_by=by, status=S.DRAFT)
    track = _save_track(
        track,
        by=by,
        dgos=dgos,
        participants=participants or [],
        funding_requests=funding_requests or [],
        external_funding=external_funding or [],
        contacts=contacts or [],
        fields=fields,
    )
    TrackTransition.objects.create(
        track=track, from_status="", to_status=S.DRAFT, event=Event.PROPOSED, by=by
    )
    return track


@transaction.atomic
def track_update(
    *,
    track: Track,
    by: User,
    dgos: list[DGO] | None = None,
    participants: list[dict] | None = None,
    funding_requests: list[dict] | None = None,
    external_funding: list[dict] | None = None,
    contacts: list[dict] | None = None,
    expected_version: str | None = None,
    **fields,
) -> Track:
    """Change a draft. A list given for participants etc. replaces the track's current one.
    `expected_version`: the version the edit form was based on (core.locking)."""
    track = lock_for_edit(track, expected_version)
    _require(perms.is_proposer(by, track), _proposer_only())
    _require_state(track, S.DRAFT, str(perms.DRAFTS_ONLY))
    return _save_track(
        track,
        by=by,
        dgos=dgos,
        participants=participants,
        funding_requests=funding_requests,
        external_funding=external_funding,
        contacts=contacts,
        fields=fields,
    )


# "-", "x" or "se bilag" is not a description of a development element.
MIN_WORDS, MIN_LETTERS = 3, 10


def _described(text: str) -> bool:
    """Whether a text says something: three words or more, ten letters or more."""
    words = [word for word in clean_text(text or "").split() if any(c.isalnum() for c in word)]
    letters = sum(c.isalpha() for c in text or "")
    return len(words) >= MIN_WORDS and letters >= MIN_LETTERS


def track_check_principles(*, track: Track) -> list[ValidationError]:
    """The §6 principles a track must meet to be submitted: one error per failing principle."""
    failures = []
    participants = list(track.participants.all())
    if len(participants) < MIN_PARTICIPANTS:
        failures.append(
            ValidationError(
                _(
                    "A track needs at least %(minimum)s participating municipalities or regions; "
                    "this one has %(count)s."
                )
                % {"minimum": MIN_PARTICIPANTS, "count": len(participants)},
                code="participants",
            )
        )
    elif not any(p.is_lead for p in participants):
        failures.append(ValidationError(_("Name one of the participants as lead."), code="lead"))
    if not _described(track.problem) or not _described(track.ambition):
        failures.append(
            ValidationError(
                _("Describe the problem the track addresses and its ambition."), code="ambition"
            )
        )
    if not _described(track.development_element):
        failures.append(
            ValidationError(
                _(
                    "Describe the track's development, test or demonstration element: "
                    "what it develops, tests or demonstrates that is not known and proven."
                ),
                code="development_element",
            )
        )
    if not _described(track.knowledge_sharing_plan):
        failures.append(
            ValidationError(
                _(
                    "Describe the knowledge-sharing plan: how the track's knowledge reaches all "
                    "municipalities and regions."
                ),
                code="knowledge_sharing_plan",
            )
        )
    if not _described(track.evaluation_plan):
        failures.append(
            ValidationError(
                _("Describe the evaluation plan: how the track will be evaluated."),
                code="evaluation_plan",
            )
        )
    if track.focus_area_id is None:
        failures.append(
            ValidationError(_("Choose one of PUG's focus areas for the track."), code="focus_area")
        )
    elif not track.focus_area.is_adopted:
        failures.append(
            ValidationError(
                _("The track's focus area is still a proposal: PUG has not adopted it."),
                code="focus_area",
            )
        )
    return failures


@transaction.atomic
def track_submit(*, track: Track, by: User, reason: str = "") -> Track:
    """Submit a draft to APS's long list, if it meets every principle (one message for each
    that fails). The secretariat is told by e-mail."""
    track = _lock(track)
    _require(perms.is_proposer(by, track), _proposer_only())
    _require_state(track, S.DRAFT, _("Only a draft can be submitted."))
    failures = track_check_principles(track=track)
    if failures:
        raise ValidationError(failures)
    _record(track, to=S.SUBMITTED, event=Event.SUBMITTED, by=by, reason=reason)
    _mail(
        notices.TRACK_SUBMITTED,
        gettext_lazy("New development track on the long list: %(title)s"),
        _role_people(RoleAssignment.Role.SECRETARIAT),
        {"track": track, "by": by, "subject_values": {"title": track.title}},
        url=track.get_absolute_url(),
    )
    return track


def _open_decision(subject: models.Model, body_code: str | None = None) -> Decision | None:
    decisions = Decision.objects.filter(
        subject_content_type=ContentType.objects.get_for_model(type(subject)),
        subject_object_id=subject.pk,
        status=Decision.Status.OPEN,
    )
    if body_code is not None:
        decisions = decisions.filter(body__code=body_code)
    return decisions.first()


def _open_fu_decision(track: Track) -> Decision | None:
    return _open_decision(track, "fu")


@transaction.atomic
def track_withdraw(*, track: Track, by: User, reason: str) -> Track:
    """Withdraw a track before FU has approved it. Not while FU is deciding on it."""
    track = _lock(track)
    _require(perms.is_proposer(by, track), _proposer_only())
    _require_state(track, WITHDRAWABLE, _("A track can only be withdrawn before FU approves it."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the track is withdrawn.")})
    if _open_decision(track) is not None:
        raise Conflict(
            _("A body is deciding on the track: it can be withdrawn once the decision is closed.")
        )
    _record(track, to=S.WITHDRAWN, event=Event.WITHDRAWN, by=by, reason=reason)
    _withdraw_pending_allocations(track, by, _("The track is withdrawn."), reason)
    return track


# --- APS's decisions ----------------------------------------------------------------------------

# APS's steps with a track (§8.4): each is an APS decision, unanimous among its voting seats,
# whose adoption moves the track (`on_aps_decision_closed`). Taking a submitted track onto the
# long list and starting its qualification is one decision; the recommendation to FU another.
APS_STEPS = {
    "qualification": (S.SUBMITTED, S.IN_QUALIFICATION, Event.QUALIFICATION),
    "recommendation": (S.ASSESSED, S.RECOMMENDED, Event.RECOMMENDED),
}


def _aps_deadline(deadline: datetime.datetime | None) -> datetime.datetime:
    return deadline or timezone.now() + datetime.timedelta(days=14)


def unmet_principles(track: Track) -> list[str]:
    """The §6 principles APS has not (yet) judged met for the track, in the agreement's order."""
    met = set(
        track.judgements.filter(round=track.round, met=True).values_list("principle", flat=True)
    )
    return [principle.label for principle in Principle if principle.value not in met]


@transaction.atomic
def track_put_to_aps(
    *,
    track: Track,
    by: User,
    step: str,
    deadline: datetime.datetime | None = None,
    reason: str = "",
    meeting=None,
) -> Decision:
    """Open APS's decision on one of its steps with the track (see APS_STEPS).

    Governance decides who may open APS decisions (the secretariat, APS's chair and
    vice-chair) and applies the unanimity rule; the recommendation also needs every principle
    judged met in qualification.
    """
    track = _lock(track)
    from_status, _to, _event = APS_STEPS[step]
    _require(
        perms.can_put_to_aps_role(by),
        _("Only the secretariat and APS's chair and vice-chair put matters to APS."),
    )
    if step == "qualification":
        _require_state(track, from_status, _("Only a submitted track can go into qualification."))
    else:
        _require_state(
            track,
            from_status,
            _(
                "APS recommends a track once the knowledge partners' climate assessment is "
                "published."
            ),
        )
        unmet = unmet_principles(track)
        if unmet:
            raise ValidationError(
                _(
                    "APS recommends a track only when every principle is judged met; not yet "
                    "judged met: %(principles)s."
                )
                % {"principles": "; ".join(str(label) for label in unmet)}
            )
    if _open_decision(track, "aps") is not None:
        raise Conflict(_("APS is already deciding on this track."))
    with translation.override(settings.LANGUAGE_CODE):  # stored text: in the portal's language
        if step == "qualification":
            title = _("Long list and qualification of the development track “%(title)s”")
            text = _(
                "APS takes the development track “%(title)s” onto its long list and qualifies "
                "it with the knowledge partners' climate assessment."
            )
        else:
            title = _("Recommendation to FU of the development track “%(title)s”")
            text = _(
                "APS recommends that FU approves the development track “%(title)s”: every "
                "principle of §6 is judged met, beside the knowledge partners' climate "
                "assessment on the track's page."
            )
        title = title % {"title": track.title}
        text = text % {"title": track.title}
        if reason.strip():
            text = f"{text}\n\n{reason.strip()}"
    decision = governance_services.decision_open(
        body=Body.objects.get(code="aps"),
        title=title[:300],
        text=text,
        deadline=_aps_deadline(deadline),
        by=by,
        subject=track,
        meeting=meeting,
    )
    TrackTransition.objects.create(
        track=track,
        from_status=track.status,
        to_status=track.status,
        event=Event.PUT_TO_APS,
        params={"step": step},
        by=by,
        reason=reason.strip(),
        decision=decision,
    )
    return decision


@transaction.atomic
def track_revise(*, track: Track, by: User, reason: str = "") -> Track:
    """A track FU rejected is revised for a new round: back to a draft its proposers edit and
    submit again, through APS and FU as before. Its earlier steps, climate assessments and
    APS's judgements stay on record; the new round is judged anew."""
    track = _lock(track)
    _require(perms.is_proposer(by, track), _proposer_only())
    _require_state(track, S.REJECTED, _("Only a track FU has rejected is revised for a new round."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the revision changes.")})
    track.round += 1
    track.save(update_fields=["round"])
    _record(
        track, to=S.DRAFT, event=Event.REVISED, params={"round": track.round}, by=by,
        reason=reason,
    )  # fmt: skip
    return track


def track_start_qualification(
    *, track: Track, by: User, reason: str = "", deadline: datetime.datetime | None = None
) -> Decision:
    """Put a submitted track to APS for its long list and qualification."""
    return track_put_to_aps(
        track=track, by=by, step="qualification", deadline=deadline, reason=reason
    )


def track_recommend(
    *, track: Track, by: User, reason: str = "", deadline: datetime.datetime | None = None
) -> Decision:
    """Put an assessed track, every principle judged met, to APS for recommendation to FU."""
    return track_put_to_aps(
        track=track, by=by, step="recommendation", deadline=deadline, reason=reason
    )


def on_aps_decision_closed(*, decision: Decision, subject) -> None:
    """Governance's outcome handler for APS's decisions about a track (registered in apps.py).

    Runs inside decision_close's transaction. An adopted decision takes the step it was opened
    for; a rejected or lapsed one is recorded and leaves the track where it was (it may be put
    to APS again, or withdrawn by its proposers).
    """
    if decision.body.code != "aps" or subject is None:
        return
    track = _lock(subject)
    opened = (
        TrackTransition.objects.filter(decision=decision, event=Event.PUT_TO_APS)
        .order_by("pk")
        .first()
    )
    step = (opened.params or {}).get("step") if opened else None
    if step not in APS_STEPS:
        return
    from_status, to_status, event = APS_STEPS[step]
    params = {"title": decision.title, "outcome": decision.status}
    if decision.status == Decision.Status.ADOPTED and track.status == from_status:
        _record(
            track, to=to_status, event=event, params=params, by=decision.closed_by,
            decision=decision,
        )  # fmt: skip
        return
    if track.status != from_status:
        logger.warning(
            "APS decision %s closed on track %s in %s", decision.pk, track.pk, track.status
        )
    _record(
        track, to=track.status, event=Event.APS_DECIDED, params=params, by=decision.closed_by,
        decision=decision,
    )  # fmt: skip


@transaction.atomic
def principles_judge(
    *, track: Track, by: User, judgements: dict[str, tuple[bool, str]]
) -> list[PrincipleJudgement]:
    """Record APS's judgement of the §6 principles in qualification: for each principle, met
    or not, with a note. A principle judged not met needs a note saying why."""
    track = _lock(track)
    _require(
        perms.is_qualifier(by),
        _("Only APS members and the secretariat judge a track against the principles."),
    )
    _require_state(
        track,
        ASSESSABLE,
        _("The principles are judged while APS qualifies the track, before FU decides."),
    )
    unknown = set(judgements) - set(Principle.values)
    if unknown:
        raise ValueError(f"Not a principle: {sorted(unknown)}")
    errors = {
        principle: _("Say why the principle is not met.")
        for principle, (met, note) in judgements.items()
        if not met and not clean_text(note).strip()
    }
    if errors:
        raise ValidationError(errors)
    saved = []
    for principle, (met, note) in judgements.items():
        judgement, _created = PrincipleJudgement.objects.update_or_create(
            track=track,
            round=track.round,
            principle=principle,
            defaults={
                "met": met,
                "note": clean_text(note).strip(),
                "judged_by": by,
                "judged_at": timezone.now(),
            },
        )
        saved.append(judgement)
    return saved


# --- Climate assessments ------------------------------------------------------------------------


def _knowledge_org(by: User):
    orgs = perms.knowledge_org_ids(by)
    return min(orgs)  # a person acts for one knowledge partner; the lowest id if ever two


def _assessment_checks(track: Track, by: User) -> None:
    _require(
        perms.is_knowledge_partner(by),
        str(perms.ASSESSORS_ONLY),
    )
    _require_state(
        track,
        ASSESSABLE,
        _("A climate assessment is written while the track is qualified, before FU decides."),
    )


@transaction.atomic
def assessment_draft_save(
    *, track: Track, by: User, text: str, conclusion: str
) -> ClimateAssessment:
    """Save the knowledge partners' unpublished draft (one per track) for the next version."""
    track = _lock(track)
    _assessment_checks(track, by)
    draft = track.assessments.filter(published_at__isnull=True).first()
    if draft is None:
        last = track.assessments.aggregate(last=models.Max("version"))["last"] or 0
        draft = ClimateAssessment(track=track, version=last + 1)
    draft.text = text.strip()
    draft.conclusion = conclusion
    draft.author = by
    draft.organisation_id = _knowledge_org(by)
    draft.created_at = timezone.now()
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def assessment_publish(
    *, track: Track, by: User, text: str, conclusion: str, reason: str = ""
) -> ClimateAssessment:
    """Publish a new version of the climate assessment (the draft, if there is one).

    A published version is never changed again: there is no service that edits one, and the
    admin shows them read-only. The first publication moves the track from in qualification
    to assessed.
    """
    assessment = assessment_draft_save(track=track, by=by, text=text, conclusion=conclusion)
    track = _lock(track)
    assessment.published_at = timezone.now()
    assessment.save(update_fields=["published_at"])
    if track.status == S.IN_QUALIFICATION:
        _record(
            track,
            to=S.ASSESSED,
            event=Event.ASSESSED,
            params={"organisation": str(assessment.organisation), "version": assessment.version},
            by=by,
            reason=reason,
        )
    return assessment


# --- FU's decision ------------------------------------------------------------------------------


@transaction.atomic
def track_put_to_fu(
    *,
    track: Track,
    by: User,
    deadline: datetime.datetime,
    text: str = "",
    meeting=None,
) -> Decision:
    """Ask FU to approve a recommended track: opens an FU decision with the track as subject.

    Governance decides who may open FU decisions (the secretariat, FU's chair and vice-chair)
    and applies the unanimity rule; `on_fu_decision_closed` moves the track when it closes.
    """
    track = _lock(track)
    _require(
        perms.can_put_to_fu_role(by),
        str(perms.PUT_TO_FU_REFUSED),
    )
    _require_state(track, S.RECOMMENDED, _("Only a track APS has recommended is put to FU."))
    if _open_fu_decision(track) is not None:
        raise Conflict(_("FU is already deciding on this track."))
    with translation.override(settings.LANGUAGE_CODE):  # stored text: in the portal's language
        title = _("Approval of the development track “%(title)s”") % {"title": track.title}
        text = text.strip() or _(
            "APS recommends that FU approves the development track “%(title)s” within the focus "
            "area %(focus_area)s. The knowledge partners' climate assessment and the proposal "
            "are on the track's page."
        ) % {"title": track.title, "focus_area": track.focus_area}
    decision = governance_services.decision_open(
        body=Body.objects.get(code="fu"),
        title=title[:300],
        text=text,
        deadline=deadline,
        by=by,
        subject=track,
        meeting=meeting,
    )
    TrackTransition.objects.create(
        track=track,
        from_status=track.status,
        to_status=track.status,
        event=Event.PUT_TO_FU,
        by=by,
        decision=decision,
    )
    return decision


def on_fu_decision_closed(*, decision: Decision, subject) -> None:
    """Governance's outcome handler for decisions about a track (registered in apps.py).

    Runs inside decision_close's transaction with the decision row locked. Only FU approves
    tracks: an adopted FU decision approves a recommended track, a rejected one rejects it, and
    one closed without outcome leaves it recommended (it may be put to FU again).
    """
    if decision.body.code != "fu" or subject is None:
        return
    track = _lock(subject)
    outcome = {
        Decision.Status.ADOPTED: S.APPROVED,
        Decision.Status.REJECTED: S.REJECTED,
    }.get(decision.status, S.RECOMMENDED)
    if track.status != S.RECOMMENDED:
        # Withdrawal is refused while a decision is open, so this means the track moved on
        # through another decision: record nothing rather than roll back FU's closing.
        logger.warning(
            "FU decision %s closed on track %s in %s", decision.pk, track.pk, track.status
        )
        return
    _record(
        track,
        to=outcome,
        event=Event.FU_DECIDED,
        params={"title": decision.title, "outcome": decision.status},
        by=decision.closed_by,
        decision=decision,
    )


# --- Running, evaluating, closing ---------------------------------------------------------------


@transaction.atomic
def track_start(*, track: Track, by: User, reason: str = "") -> Track:
    track = _lock(track)
    _require(perms.is_proposer(by, track), _proposer_only())
    _require_state(track, S.APPROVED, _("Only a track FU has approved can start."))
    _record(track, to=S.RUNNING, event=Event.STARTED, by=by, reason=reason)
    return track


@transaction.atomic
def status_update_add(
    *, track: Track, by: User, date: datetime.date, progress: str, risks: str = ""
) -> StatusUpdate:
    track = _lock(track)
    _require(perms.is_proposer(by, track), _proposer_only())
    _require_state(track, S.RUNNING, _("Status updates are written while the track runs."))
    update = StatusUpdate(
        track=track, date=date, progress=progress.strip(), risks=risks.strip(), author=by
    )
    update.full_clean()
    update.save()
    Track.objects.filter(pk=track.pk).update(updated_at=timezone.now())
    return update


@transaction.atomic
def knowledge_product_add(
    *,
    track: Track,
    by: User,
    title: str,
    description: str = "",
    url: str = "",
    upload: UploadedFile | None = None,
) -> KnowledgeProduct:
    """Add a result, a file or a link, open to every signed-in user (the openness principle).
    A file is accepted by its content (magic bytes), at most 20 MB."""
    track = _lock(track)
    _require(
        perms.adds_products(by, track),
        str(perms.PRODUCT_ADDERS_ONLY),
    )
    _require_state(
        track,
        (S.RUNNING, S.EVALUATED, S.CLOSED),
        _("Knowledge products are added once the track runs."),
    )
    if bool(url) == bool(upload):
        raise ValidationError(_("Give either a file or a link."))
    product = KnowledgeProduct(
        track=track,
        title=title.strip(),
        description=description.strip(),
        kind=KnowledgeProduct.Kind.LINK if url else KnowledgeProduct.Kind.FILE,
        url=url,
        added_by=by,
    )
    if upload is not None:
        checked = check_product(upload)
        product.original_name = checked.original_name
        product.size = checked.size
        product.content_type = checked.content_type
        upload.seek(0)
        product.file.save(checked.stored_name, upload, save=False)
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def track_evaluate(*, track: Track, by: User, text: str) -> Evaluation:
    """Record the track's evaluation and move it from running to evaluated."""
    track = _lock(track)
    _require(perms.is_evaluator(by), perms.EVALUATORS_ONLY)
    _require_state(track, S.RUNNING, _("A running track is evaluated."))
    evaluation = Evaluation(track=track, text=text.strip(), author=by)
    evaluation.full_clean()
    evaluation.save()
    _record(track, to=S.EVALUATED, event=Event.EVALUATED, by=by)
    return evaluation


@transaction.atomic
def track_close(*, track: Track, by: User, reason: str = "") -> Track:
    track = _lock(track)
    _require(perms.is_secretariat(by), _("The secretariat closes development tracks."))
    _require_state(track, S.EVALUATED, _("A track is closed once it is evaluated."))
    _record(track, to=S.CLOSED, event=Event.CLOSED, by=by, reason=reason)
    _withdraw_pending_allocations(track, by, _("The track is closed."), reason)
    return track


@transaction.atomic
def external_funding_set_status(
    *, funding: ExternalFunding, by: User, status: str
) -> ExternalFunding:
    """Record the funder's step: the application is sent, granted or refused. Only forward
    (a granted or refused application is the record); audited like every write."""
    funding = ExternalFunding.objects.select_for_update().select_related("track").get(pk=funding.pk)
    _require(
        perms.can_update_external_funding(by, funding.track),
        _("The track's proposers and the secretariat record the external funding's status."),
    )
    if status not in dict(funding.next_statuses()):
        raise ValidationError(
            {
                "status": _("An application that is %(now)s cannot become %(new)s.")
                % {
                    "now": funding.get_status_display().lower(),
                    "new": str(dict(ExternalFunding.Status.choices).get(status, status)).lower(),
                }
            }
        )
    funding.status = status
    funding.save(update_fields=["status"])
    return funding


def _withdraw_pending_allocations(track: Track, by: User, why: str, reason: str) -> None:
    """A track that ends leaves nothing for a party to approve: its waiting requests are
    withdrawn with the reason, and each pool's approvers are told."""
    pending = list(
        Allocation.objects.select_for_update(of=("self",))
        .select_related("pool__contribution__contributor")
        .filter(track=track, status=Allocation.Status.PENDING)
    )
    note = f"{why} {reason}".strip()[:300]
    now = timezone.now()
    for allocation in pending:
        allocation.status = Allocation.Status.WITHDRAWN
        allocation.decided_by = by
        allocation.decided_at = now
        allocation.decision_note = note
        allocation.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        with translation.override(settings.LANGUAGE_CODE):
            amount_text = dkk(allocation.amount)
        _mail(
            notices.ALLOCATION_WITHDRAWN,
            gettext_lazy("Allocation request withdrawn: %(amount)s for %(title)s"),
            _role_people(
                RoleAssignment.Role.PARTY_APPROVER,
                organisation=allocation.pool.contribution.contributor,
            ),
            {
                "allocation": allocation,
                "amount": amount_text,
                "note": note,
                "subject_values": {"amount": amount_text, "title": track.title},
            },
            url=reverse("allocation-approvals"),
        )


# --- Focus areas --------------------------------------------------------------------------------

FOCUS_AREA_FIELDS = ("year", "name_da", "name_en", "description", "position")


@transaction.atomic
@transaction.atomic
def focus_area_save(
    *,
    by: User,
    focus_area: FocusArea | None = None,
    expected_version: str | None = None,
    **fields,
) -> FocusArea:
    """Record one of PUG's focus areas (the secretariat or PUG's chair); a change is based on
    `expected_version` (core.locking)."""
    _require(
        perms.can_edit_focus_areas(by),
        str(perms.FOCUS_AREAS_REFUSED),
    )
    unknown = set(fields) - set(FOCUS_AREA_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if focus_area is not None:
        focus_area = lock_for_edit(focus_area, expected_version)
        if focus_area.is_adopted:
            raise ValidationError(
                _("PUG has adopted this focus area: a change is a new proposal for PUG to adopt.")
            )
        if _open_decision(focus_area, "pug") is not None:
            raise Conflict(_("PUG is deciding on this focus area: it cannot change meanwhile."))
    focus_area = focus_area or FocusArea(status=FocusArea.Status.PROPOSED)
    for name, value in fields.items():
        setattr(focus_area, name, value.strip() if isinstance(value, str) else value)
    focus_area.full_clean()
    focus_area.save()
    return focus_area


@transaction.atomic
def focus_area_put_to_pug(
    *, focus_area: FocusArea, by: User, deadline: datetime.datetime | None = None
) -> Decision:
    """Open PUG's decision to adopt a proposed focus area (§8.3); `on_pug_decision_closed`
    adopts it when PUG does, unanimously among its voting seats."""
    focus_area = FocusArea.objects.select_for_update().get(pk=focus_area.pk)
    _require(
        perms.can_put_to_pug_role(by),
        _("Only the secretariat and PUG's chair put matters to PUG."),
    )
    if focus_area.is_adopted:
        raise Conflict(_("PUG has already adopted this focus area."))
    if _open_decision(focus_area, "pug") is not None:
        raise Conflict(_("PUG is already deciding on this focus area."))
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Focus area %(year)s: %(name)s") % {
            "year": focus_area.year,
            "name": focus_area.name_da,
        }
        text = _(
            "PUG adopts “%(name)s” as a strategic focus area for development tracks in "
            "%(year)s (§8.3)."
        ) % {"name": focus_area.name_da, "year": focus_area.year}
        if focus_area.description:
            text = f"{text}\n\n{focus_area.description}"
    return governance_services.decision_open(
        body=Body.objects.get(code="pug"),
        title=title[:300],
        text=text,
        deadline=_aps_deadline(deadline),
        by=by,
        subject=focus_area,
    )


def on_pug_decision_closed(*, decision: Decision, subject) -> None:
    """Governance's outcome handler for decisions about a focus area: PUG's adoption."""
    if decision.body.code != "pug" or subject is None:
        return
    if decision.status != Decision.Status.ADOPTED:
        return  # it stays proposed: it may be changed and put to PUG again
    FocusArea.objects.filter(pk=subject.pk).update(
        status=FocusArea.Status.ADOPTED, adopted_by_decision=decision
    )


# --- Liquid-fund allocations --------------------------------------------------------------------


def pool_totals(pool: LiquidPool) -> dict[str, Decimal]:
    """Approved and pending sums of a pool (no lock: for pages; services re-sum under lock)."""
    sums = pool.allocations.aggregate(
        approved=models.Sum("amount", filter=models.Q(status=Allocation.Status.APPROVED)),
        pending=models.Sum("amount", filter=models.Q(status=Allocation.Status.PENDING)),
    )
    approved = sums["approved"] or Decimal("0")
    pending = sums["pending"] or Decimal("0")
    return {"approved": approved, "pending": pending, "left": pool.size - approved}


@transaction.atomic
def allocation_request(
    *,
    track: Track,
    pool: LiquidPool,
    by: User,
    year: int,
    amount: Decimal,
    purpose: str = "",
) -> Allocation:
    """Ask for liquid funds from one pool. Counts for nothing until the pool's party approves."""
    track = _lock(track)
    _require(perms.is_proposer(by, track), _proposer_only())
    _require_state(track, FUNDABLE, _("Liquid funds are requested for a track FU has approved."))
    allocation = Allocation(
        pool=pool, track=track, year=year, amount=amount, purpose=purpose.strip(), requested_by=by
    )
    allocation.full_clean()
    if not pool.year_from <= year <= pool.year_to:
        raise ValidationError(
            {
                "year": _("%(pool)s covers %(first)s–%(last)s only.")
                % {"pool": pool, "first": pool.year_from, "last": pool.year_to}
            }
        )
    left = pool_totals(pool)["left"]
    if amount > left:
        raise ValidationError({"amount": _not_enough(pool, left)})
    allocation.save()

    with translation.override(settings.LANGUAGE_CODE):
        amount_text = dkk(amount)
    _mail(
        notices.ALLOCATION_REQUESTED,
        gettext_lazy("Allocation to approve: %(amount)s for %(title)s"),
        _role_people(
            RoleAssignment.Role.PARTY_APPROVER, organisation=pool.contribution.contributor
        ),
        {
            "allocation": allocation,
            "amount": amount_text,
            "subject_values": {"amount": amount_text, "title": track.title},
        },
        url=reverse("allocation-approvals"),
    )
    return allocation


def _not_enough(pool: LiquidPool, left: Decimal) -> str:

    return _(
        "%(pool)s has only %(left)s left: the pool can never be allocated beyond its size."
    ) % {
        "pool": pool,
        "left": dkk(left),
    }


def _lock_allocation(allocation: Allocation) -> tuple[LiquidPool, Allocation]:
    """Lock the pool row first, then the allocation: every approval of one pool runs in turn."""
    pool = (
        LiquidPool.objects.select_for_update()
        .select_related("contribution")
        .get(pk=allocation.pool_id)
    )
    locked = Allocation.objects.select_for_update().get(pk=allocation.pk)
    locked.pool = pool
    return pool, locked


@transaction.atomic
def allocation_approve(*, allocation: Allocation, by: User, note: str = "") -> Allocation:
    """The pool's party approves an allocation, which then counts.

    Holds the pool's row lock (select_for_update) while it re-sums the approved allocations,
    so two approvals from the same pool run one after the other and can never together take
    the pool beyond its size.
    """
    pool, allocation = _lock_allocation(allocation)
    _require(
        perms.is_pool_approver(by, pool),
        str(perms.POOL_APPROVER_ONLY) % {"party": pool.contribution.contributor},
    )
    if allocation.status != Allocation.Status.PENDING:
        raise Conflict(_("The allocation is already decided."))
    track = Track.objects.get(pk=allocation.track_id)
    if track.status not in (S.APPROVED, S.RUNNING):
        raise ValidationError(
            _("Liquid funds go to approved and running tracks: this track is %(status)s.")
            % {"status": track.get_status_display().lower()}
        )
    approved = pool.allocations.filter(status=Allocation.Status.APPROVED).aggregate(
        total=models.Sum("amount")
    )["total"] or Decimal("0")
    if approved + allocation.amount > pool.size:
        raise ValidationError(_not_enough(pool, pool.size - approved))
    allocation.status = Allocation.Status.APPROVED
    allocation.decided_by = by
    allocation.decided_at = timezone.now()
    allocation.decision_note = note.strip()
    allocation.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _mail_decided(allocation)
    return allocation


@transaction.atomic
def allocation_refuse(*, allocation: Allocation, by: User, note: str = "") -> Allocation:
    pool, allocation = _lock_allocation(allocation)
    _require(
        perms.is_pool_approver(by, pool),
        str(perms.POOL_APPROVER_ONLY) % {"party": pool.contribution.contributor},
    )
    if allocation.status != Allocation.Status.PENDING:
        raise Conflict(_("The allocation is already decided."))
    allocation.status = Allocation.Status.REFUSED
    allocation.decided_by = by
    allocation.decided_at = timezone.now()
    allocation.decision_note = note.strip()
    allocation.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _mail_decided(allocation)
    return allocation


def _mail_decided(allocation: Allocation) -> None:
    status = lazy(lambda: str(Allocation.Status(allocation.status).label).lower(), str)()
    _mail(
        notices.ALLOCATION_DECIDED,
        gettext_lazy("Allocation %(status)s: %(title)s"),
        [allocation.requested_by],
        {
            "allocation": allocation,
            "subject_values": {"status": status, "title": allocation.track.title},
        },
        url=allocation.track.get_absolute_url(),
    )


# --- Budget lines, spending and changes ---------------------------------------------------------


def line_budget(line: BudgetLine) -> Decimal:
    """The line's budget: its amount plus approved changes into it, minus those out of it."""
    moved_in = line.changes_in.filter(status=BudgetChange.Status.APPROVED).aggregate(
        total=models.Sum("amount")
    )["total"] or Decimal("0")
    moved_out = line.changes_out.filter(status=BudgetChange.Status.APPROVED).aggregate(
        total=models.Sum("amount")
    )["total"] or Decimal("0")
    return line.amount + moved_in - moved_out


def line_spent(line: BudgetLine) -> Decimal:
    return line.spending.aggregate(total=models.Sum("amount"))["total"] or Decimal("0")


def allocation_spent(allocation: Allocation) -> Decimal:
    return allocation.spending.aggregate(total=models.Sum("amount"))["total"] or Decimal("0")


def _spending_allocation(
    line: BudgetLine, allocation: Allocation | None, track: Track | None
) -> Allocation | None:
    """For a liquid pool's line: the approved allocation of that pool and year, row-locked.
    Locks after the line (always line, then allocation), so concurrent bookings run in turn."""
    pool = LiquidPool.objects.filter(contribution_id=line.contribution_id).first()
    if pool is None:
        if allocation is not None:
            raise ValidationError(
                {"allocation": _("Only spending of liquid funds draws on an allocation.")}
            )
        return None
    if allocation is None:
        raise ValidationError(
            {
                "allocation": _(
                    "Spending of %(pool)s draws on an allocation its party has approved: "
                    "name the allocation."
                )
                % {"pool": pool}
            }
        )
    allocation = (
        Allocation.objects.select_for_update().select_related("track").get(pk=allocation.pk)
    )
    if allocation.pool_id != pool.pk or allocation.year != line.year:
        raise ValidationError(
            {
                "allocation": _("The allocation is not from %(pool)s for %(year)s.")
                % {"pool": pool, "year": line.year}
            }
        )
    if allocation.status != Allocation.Status.APPROVED:
        raise ValidationError(
            {
                "allocation": _(
                    "The allocation is %(status)s: only an allocation its party has approved "
                    "can be spent."
                )
                % {"status": allocation.get_status_display().lower()}
            }
        )
    if track is not None and track.pk != allocation.track_id:
        raise ValidationError({"track": _("The allocation belongs to another track.")})
    return allocation


def hourly_rate_for(*, party: Organisation, year: int) -> Decimal:
    """The party's hourly rate for the year, or a refusal naming what is missing."""
    rate = HourlyRate.objects.filter(party=party, year=year).values_list("rate", flat=True).first()
    if rate is None:
        raise ValidationError(
            {
                "hours": _(
                    "%(party)s has no hourly rate for %(year)s: the secretariat sets it under "
                    "Budget → Hourly rates before hours can be valued."
                )
                % {"party": party, "year": year}
            }
        )
    return rate


def hours_in_dkk(hours: Decimal, rate: Decimal) -> Decimal:
    """Hours × the rate, to the øre (half up, as the bookkeeping rounds)."""
    return (hours * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)


def hours_booked_at(*, party: Organisation, year: int) -> int:
    """How many bookings (not reversed, and not reversals) valued hours at the party's rate
    for the year. Reversed ones keep the rate they were booked at, so they do not fix it."""
    return Spending.objects.filter(
        hours__isnull=False,
        reverses__isnull=True,
        reversal__isnull=True,
        budget_line__year=year,
        budget_line__contribution__contributor=party,
    ).count()


@transaction.atomic
def hourly_rate_set(
    *, party: Organisation, year: int, rate: Decimal, by: User, note: str = ""
) -> HourlyRate:
    """Set a party's hourly rate for a year (the secretariat; the audit trail records who and
    what). A rate hours are already booked at is fixed: changing it would make the ledger's
    DKK equivalents disagree with the rate, so the bookings are reversed first. Holds the rate's
    row lock (or the party's, for a new rate) so a booking cannot slip in between."""
    _require(perms.is_budget_keeper(by), str(perms.HOURLY_RATES_REFUSED))
    Organisation.objects.select_for_update().filter(pk=party.pk).first()
    existing = HourlyRate.objects.select_for_update().filter(party=party, year=year).first()
    entry = existing or HourlyRate(party=party, year=year)
    if existing is not None and existing.rate != rate:
        booked = hours_booked_at(party=party, year=year)
        if booked:
            raise ValidationError(
                {
                    "rate": _(
                        "Hours are already booked at %(party)s's rate for %(year)s (%(rate)s): "
                        "reverse those bookings before the rate changes."
                    )
                    % {"party": party, "year": year, "rate": dkk(existing.rate)}
                }
            )
    entry.rate = rate
    entry.note = clean_text(note or "").strip()
    entry.set_by = by
    entry.set_at = timezone.now()
    entry.full_clean()
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            {
                "year": _("The partnership runs %(first)s–%(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            }
        )
    entry.save()
    return entry


def _spending_amount(
    line: BudgetLine, amount: Decimal | None, hours: Decimal | None
) -> tuple[Decimal, Decimal | None]:
    """The booking's DKK amount and the rate it used: given for cash; for working hours,
    hours × the party's rate for the line's year."""
    contribution = line.contribution
    if contribution.kind == contribution.Kind.HOURS:
        if hours is None or hours <= 0:
            raise ValidationError(
                {
                    "hours": _(
                        "%(contribution)s is contributed as working hours: book the hours used."
                    )
                    % {"contribution": contribution}
                }
            )
        if amount is not None:
            raise ValidationError(
                {
                    "amount": _(
                        "Working hours are booked in hours; the amount follows from the party's "
                        "hourly rate for the year."
                    )
                }
            )
        # Locked: the rate cannot change while the booking is being written.
        rate = (
            HourlyRate.objects.select_for_update()
            .filter(party_id=contribution.contributor_id, year=line.year)
            .values_list("rate", flat=True)
            .first()
        )
        if rate is None:
            hourly_rate_for(party=contribution.contributor, year=line.year)  # raises
        return hours_in_dkk(hours, rate), rate
    if hours is not None:
        raise ValidationError(
            {
                "hours": _("%(contribution)s is contributed in cash: book an amount, not hours.")
                % {"contribution": contribution}
            }
        )
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Book an amount above 0 kr.")})
    return amount, None


@transaction.atomic
def spending_add(
    *,
    budget_line: BudgetLine,
    by: User,
    date: datetime.date,
    description: str,
    document_reference: str,
    amount: Decimal | None = None,
    hours: Decimal | None = None,
    track: Track | None = None,
    allocation: Allocation | None = None,
) -> Spending:
    """Book an actual cost (§11.2: support never exceeds costs actually incurred).

    Never beyond the line's budget (that needs an approved change first), never dated in the
    future or outside the line's year, and spending of liquid funds draws on an approved
    allocation and never beyond it (§5.2). A contribution of working hours is spent in hours,
    booked at their DKK equivalent (hours × the party's hourly rate for the line's year).
    Holds the budget line's row lock, then the rate's and the allocation's, while it sums what
    is already spent, so two bookings run one after the other.
    """
    line = (
        BudgetLine.objects.select_for_update(of=("self",))
        .select_related("contribution")
        .get(pk=budget_line.pk)
    )
    _require(
        perms.can_book_on(by, line),
        str(perms.BOOKERS_ONLY),
    )
    amount, rate = _spending_amount(line, amount, hours)
    allocation = _spending_allocation(line, allocation, track)
    if allocation is not None:
        track = allocation.track
    spending = Spending(
        budget_line=line,
        allocation=allocation,
        date=date,
        amount=amount,
        hours=hours,
        hourly_rate=rate,
        description=description.strip(),
        document_reference=document_reference.strip(),
        track=track,
        entered_by=by,
    )
    spending.full_clean()
    if date > timezone.localdate():
        raise ValidationError(
            {"date": _("Spending is booked when the cost is incurred: the date is in the future.")}
        )
    if date.year != line.year:
        raise ValidationError(
            {
                "date": _("The line %(line)s is for %(year)s: the date is in another year.")
                % {"line": line, "year": line.year}
            }
        )
    if track is not None and track.status not in (
        S.APPROVED,
        S.RUNNING,
        S.EVALUATED,
        S.CLOSED,
    ):
        raise ValidationError({"track": _("Spending is booked on tracks FU has approved.")})
    budget, spent = line_budget(line), line_spent(line)
    if spent + amount > budget:
        raise ValidationError(
            {
                "amount": _(
                    "The line %(line)s has %(left)s left of its budget: spending beyond it needs "
                    "an approved budget change first."
                )
                % {"line": line, "left": dkk(budget - spent)}
            }
        )
    if allocation is not None:
        left = allocation.amount - allocation_spent(allocation)
        if amount > left:
            raise ValidationError(
                {
                    "amount": _(
                        "The allocation has %(left)s left of the %(approved)s its party approved: "
                        "spending beyond it needs a new approved allocation."
                    )
                    % {"left": dkk(left), "approved": dkk(allocation.amount)}
                }
            )
    spending.save()
    return spending


@transaction.atomic
def spending_reverse(*, spending: Spending, by: User, reason: str) -> Spending:
    """Correct a booking by a reversing entry: the same line, track and allocation with the
    amount (and hours) negated, dated today, with the reason. The ledger never loses an entry,
    so what was booked, corrected and why stays visible to the annual accounts."""
    line = (
        BudgetLine.objects.select_for_update(of=("self",))
        .select_related("contribution")
        .get(pk=spending.budget_line_id)
    )
    _require(perms.can_book_on(by, line), str(perms.CORRECTORS_ONLY))
    reason = clean_text(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the booking is corrected.")})
    original = Spending.objects.select_for_update().get(pk=spending.pk)
    if original.is_reversal:
        raise ValidationError(
            _("This entry is itself a correction: book the cost again instead of reversing it.")
        )
    if Spending.objects.filter(reverses=original).exists():
        raise Conflict(_("The booking is already reversed."))
    reversal = Spending(
        budget_line_id=original.budget_line_id,
        allocation_id=original.allocation_id,
        track_id=original.track_id,
        date=timezone.localdate(),
        amount=-original.amount,
        hours=-original.hours if original.hours is not None else None,
        hourly_rate=original.hourly_rate,
        description=_("Correction of: %(description)s") % {"description": original.description},
        document_reference=original.document_reference,
        reverses=original,
        reason=reason,
        entered_by=by,
    )
    reversal.save()
    return reversal


@transaction.atomic
def budget_change_request(
    *, from_line: BudgetLine, to_line: BudgetLine, amount: Decimal, reason: str, by: User
) -> BudgetChange:
    """Ask to move budget between two lines of the same contribution."""
    _require(perms.is_budget_keeper(by), str(perms.BUDGET_CHANGE_REFUSED))
    change = BudgetChange(
        line=to_line, from_line=from_line, amount=amount, reason=reason.strip(), requested_by=by
    )
    change.full_clean()
    if from_line.pk == to_line.pk:
        raise ValidationError(_("Move budget between two different lines."))
    if from_line.contribution_id != to_line.contribution_id:
        raise ValidationError(
            _("Budget moves between lines of the same contribution: each party's total stays.")
        )
    change.save()
    return change


@transaction.atomic
def budget_change_approve(*, change: BudgetChange, by: User) -> BudgetChange:
    """The contributing party approves a change. Locks both lines (in id order) and checks the
    line giving the money has that much unspent."""
    change = BudgetChange.objects.select_for_update().get(pk=change.pk)
    lines = {
        line.pk: line
        for line in BudgetLine.objects.select_for_update()
        .select_related("contribution__contributor")
        .filter(pk__in=[change.line_id, change.from_line_id])
        .order_by("pk")
    }
    change.line, change.from_line = lines[change.line_id], lines[change.from_line_id]
    _require(
        perms.is_budget_line_approver(by, change),
        str(perms.LINE_APPROVER_ONLY) % {"party": change.line.contribution.contributor},
    )
    if change.status != BudgetChange.Status.PENDING:
        raise Conflict(_("The budget change is already decided."))
    source = change.from_line
    unspent = line_budget(source) - line_spent(source)
    if change.amount > unspent:
        raise ValidationError(
            _("The line %(line)s has only %(left)s unspent.")
            % {"line": source, "left": dkk(unspent)}
        )
    change.status = BudgetChange.Status.APPROVED
    change.decided_by = by
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    return change


@transaction.atomic
def budget_change_refuse(*, change: BudgetChange, by: User) -> BudgetChange:
    change = (
        BudgetChange.objects.select_for_update()
        .select_related("line__contribution__contributor")
        .get(pk=change.pk)
    )
    _require(
        perms.is_budget_line_approver(by, change),
        str(perms.LINE_APPROVER_ONLY) % {"party": change.line.contribution.contributor},
    )
    if change.status != BudgetChange.Status.PENDING:
        raise Conflict(_("The budget change is already decided."))
    change.status = BudgetChange.Status.REFUSED
    change.decided_by = by
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    return change


# --- DGO co-financing (§8.5) --------------------------------------------------------------------


def dgo_cofinancing_parties(dgo: DGO) -> models.QuerySet[Organisation]:
    """Who co-finances a DGO (§8.5 and the Midtjylland agreement): its KKR, its region, and
    Realdania with its regional share."""
    return Organisation.objects.filter(
        models.Q(pk__in=[dgo.kkr_id, dgo.region_id])
        | models.Q(kind=Organisation.Kind.FOUNDATION, is_funder=True)
    ).order_by("kind", "name")


def _line_value(
    *, party: Organisation, kind: str, year: int, amount: Decimal | None, hours: Decimal | None
) -> Decimal:
    """A new line's DKK amount: given for cash; hours × the party's rate for the year."""
    if kind == Contribution.Kind.HOURS:
        if hours is None or hours <= 0:
            raise ValidationError({"hours": _("A contribution of working hours budgets hours.")})
        if amount is not None:
            raise ValidationError(
                {
                    "amount": _(
                        "Working hours are budgeted in hours; the amount follows from the "
                        "party's hourly rate for the year."
                    )
                }
            )
        return hours_in_dkk(hours, hourly_rate_for(party=party, year=year))
    if hours is not None:
        raise ValidationError({"hours": _("A cash contribution budgets an amount, not hours.")})
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Budget an amount above 0 kr.")})
    return amount


def _check_line(year: int, purpose: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            {
                "year": _("The partnership runs %(first)s–%(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            }
        )
    if not purpose:
        raise ValidationError({"purpose": _("Say what the line pays for.")})


@transaction.atomic
def dgo_contribution_add(
    *,
    dgo: DGO,
    party: Organisation,
    name: str,
    kind: str,
    lines: list[dict],
    by: User,
    description: str = "",
) -> Contribution:
    """Record a party's co-financing of a DGO's work (§8.5) with its yearly budget lines, each
    `{"year", "purpose", "amount" | "hours"}`. The contribution is what its lines add up to
    (hours at the party's rate for each year), so the DGO's budget reconciles. Kept by the
    secretariat and the DGO's coordinators (its joint secretariat keeps its economy, §8.5)."""
    _require(
        perms.keeps_dgo_budget(by, dgo.pk),
        str(perms.DGO_BUDGET_KEEPERS_ONLY),
    )
    if not dgo_cofinancing_parties(dgo).filter(pk=party.pk).exists():
        raise ValidationError(
            {
                "party": _(
                    "%(party)s does not co-finance %(dgo)s: its KKR, its region and Realdania do."
                )
                % {"party": party, "dgo": dgo}
            }
        )
    name = clean_text(name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the contribution.")})
    if kind not in Contribution.Kind.values:
        raise ValidationError({"kind": _("Choose cash or working hours.")})
    if not lines:
        raise ValidationError(_("Add at least one budget line."))
    seen: set[tuple[int, str]] = set()
    values = []
    for line in lines:
        purpose = clean_text(line.get("purpose") or "").strip()
        _check_line(line["year"], purpose)
        if (line["year"], purpose) in seen:
            raise ValidationError(
                {"purpose": _("Two lines of %(year)s pay for the same.") % {"year": line["year"]}}
            )
        seen.add((line["year"], purpose))
        amount = _line_value(
            party=party,
            kind=kind,
            year=line["year"],
            amount=line.get("amount"),
            hours=line.get("hours"),
        )
        values.append((line["year"], purpose, amount, line.get("hours")))
    years = [year for year, *_rest in values]
    base = f"{dgo.slug}-{party.code}"[:50]
    key, number = base, 1
    while Contribution.objects.filter(key=key).exists():
        number += 1
        key = f"{base}-{number}"
    contribution = Contribution(
        key=key,
        contributor=party,
        name=name,
        kind=kind,
        amount=sum((amount for _y, _p, amount, _h in values), Decimal("0")),
        hours=(
            sum((hours for *_rest, hours in values), Decimal("0"))
            if kind == Contribution.Kind.HOURS
            else None
        ),
        year_from=min(years),
        year_to=max(years),
        dgo=dgo,
        description=clean_text(description or "").strip(),
    )
    contribution.full_clean()
    contribution.save()
    for year, purpose, amount, _hours in values:
        BudgetLine.objects.create(
            contribution=contribution, year=year, purpose=purpose, amount=amount
        )
    return contribution


@transaction.atomic
def dgo_budget_line_add(
    *,
    contribution: Contribution,
    year: int,
    purpose: str,
    by: User,
    amount: Decimal | None = None,
    hours: Decimal | None = None,
) -> BudgetLine:
    """Add a budget line to a DGO's co-financing: the party co-finances more, so the
    contribution grows by the line (the partnership's own contributions are the agreement's
    amounts and change only by approved budget changes). Holds the contribution's row lock."""
    contribution = (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("contributor", "dgo")
        .get(pk=contribution.pk)
    )
    if contribution.dgo_id is None:
        raise ValidationError(
            _(
                "The partnership's contributions are the agreement's amounts: move budget "
                "between their lines by an approved budget change."
            )
        )
    _require(
        perms.keeps_dgo_budget(by, contribution.dgo_id),
        str(perms.DGO_BUDGET_KEEPERS_ONLY),
    )
    purpose = clean_text(purpose or "").strip()
    _check_line(year, purpose)
    if contribution.budget_lines.filter(year=year, purpose=purpose).exists():
        raise ValidationError(
            {"purpose": _("The contribution already has this line for %(year)s.") % {"year": year}}
        )
    value = _line_value(
        party=contribution.contributor,
        kind=contribution.kind,
        year=year,
        amount=amount,
        hours=hours,
    )
    line = BudgetLine(contribution=contribution, year=year, purpose=purpose, amount=value)
    line.full_clean()
    line.save()
    contribution.amount += value
    if contribution.kind == Contribution.Kind.HOURS:
        contribution.hours = (contribution.hours or Decimal("0")) + hours
    contribution.year_from = min(contribution.year_from, year)
    contribution.year_to = max(contribution.year_to, year)
    contribution.save(update_fields=["amount", "hours", "year_from", "year_to"])
    return line
