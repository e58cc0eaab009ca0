"""Scale data for tracks: `preset.tracks` tracks spread over every state, each with its DGOs,
participants (the first the lead), funding requests, its history of transitions, a published
climate assessment once assessed, an adopted (or rejected) FU decision with every voting seat's
vote once past FU, status updates and allocations while running, an evaluation at the end.

Allocations respect the pools: approved sums stay well inside each pool's size and its years.
"""

import datetime
import itertools
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.scale import USER_PREFIX, Preset, rng_for
from governance.models import VOTING_ROLES, Body, Decision, Membership, Vote
from partners.models import DGO, Municipality, Organisation, RoleAssignment, User

from .models import (
    Allocation,
    ClimateAssessment,
    Evaluation,
    FocusArea,
    FundingRequest,
    LiquidPool,
    StatusUpdate,
    Track,
    TrackParticipant,
    TrackTransition,
)

S = Track.Status
PATH = [
    S.DRAFT,
    S.SUBMITTED,
    S.IN_QUALIFICATION,
    S.ASSESSED,
    S.RECOMMENDED,
    S.APPROVED,
    S.RUNNING,
    S.EVALUATED,
    S.CLOSED,
]
STATES = [*PATH, S.REJECTED, S.WITHDRAWN]
THEMES = [
    "Biogas",
    "Lavbundsjorder",
    "Fjernvarme",
    "Ladeinfrastruktur",
    "Cirkulært byggeri",
    "Skybrud",
    "Energifællesskaber",
    "Tung transport",
    "Skovrejsning",
    "Forbrugsudledninger",
]


E = TrackTransition.Event
# The timeline's event of each step the scale data takes, by the status it reaches.
EVENT_OF = {
    S.DRAFT: E.PROPOSED,
    S.SUBMITTED: E.SUBMITTED,
    S.WITHDRAWN: E.WITHDRAWN,
    S.IN_QUALIFICATION: E.QUALIFICATION,
    S.ASSESSED: E.ASSESSED,
    S.RECOMMENDED: E.RECOMMENDED,
    S.APPROVED: E.FU_DECIDED,
    S.REJECTED: E.FU_DECIDED,
    S.RUNNING: E.STARTED,
    S.EVALUATED: E.EVALUATED,
    S.CLOSED: E.CLOSED,
}


def _path_to(state: str) -> list[str]:
    if state == S.REJECTED:
        return [*PATH[: PATH.index(S.RECOMMENDED) + 1], S.REJECTED]
    if state == S.WITHDRAWN:
        return [S.DRAFT, S.SUBMITTED, S.WITHDRAWN]
    return PATH[: PATH.index(state) + 1]


def seed(preset: Preset, seed: int) -> list[str]:
    rng = rng_for("tracks", seed)
    users = {
        u.username.removeprefix(USER_PREFIX): u
        for u in User.objects.filter(
            username__in=[
                f"{USER_PREFIX}{n}"
                for n in ("sekretariat", "videnspartner", "approver-realdania", "approver-regioner")
            ]
        )
    }
    if len(users) < 4 or Track.objects.exists():
        return []
    secretariat = users["sekretariat"]
    coordinators = list(
        RoleAssignment.objects.filter(
            role=RoleAssignment.Role.DGO_COORDINATOR, user__username__startswith=USER_PREFIX
        ).select_related("user", "dgo")
    )
    dgos = list(DGO.objects.filter(pk__in={c.dgo_id for c in coordinators}).order_by("pk"))
    by_dgo = {}
    for municipality in (
        Municipality.objects.filter(dgo__in=dgos).order_by("code").only("pk", "dgo")
    ):
        by_dgo.setdefault(municipality.dgo_id, []).append(municipality.pk)
    coordinator_of = {}
    for c in coordinators:
        coordinator_of.setdefault(c.dgo_id, c.user)
    concito = Organisation.objects.get(code="concito")
    pools = {p.key: p for p in LiquidPool.objects.all()}
    budget = {key: pool.size * Decimal("0.8") for key, pool in pools.items()}
    area_years = sorted({min(max(y, 2023), 2100) for y in preset.years[-3:]})
    areas = FocusArea.objects.bulk_create(
        FocusArea(year=year, name_da=f"{theme} ({year})", name_en=theme, position=i)
        for year in area_years
        for i, theme in enumerate(THEMES[:4])
    )
    fu = Body.objects.filter(code="fu").first()
    fu_seats = list(Membership.objects.filter(body=fu, seat_role__in=VOTING_ROLES)) if fu else []
    track_type = ContentType.objects.get_for_model(Track)
    now = timezone.now()

    tracks, meta = [], []
    for i in range(preset.tracks):
        state = STATES[i % len(STATES)]
        dgo = dgos[i % len(dgos)]
        created = now - datetime.timedelta(days=30 + 10 * (preset.tracks - i))
        path = _path_to(state)
        tracks.append(
            Track(
                title=f"{THEMES[i % len(THEMES)]}: udviklingsspor {i + 1}",
                problem="Et problem i klimaarbejdet, som kommunerne deler. (Skaladata.)",
                ambition="En målbar ambition for sporet.",
                development_element="Et nyt element, der udvikles, testes og demonstreres.",
                knowledge_sharing_plan="Deles via sekretariatet og videnspartnerne.",
                evaluation_plan="Midtvejsstatus og slutevaluering.",
                focus_area=areas[i % len(areas)],
                status=state,
                proposed_by=coordinator_of.get(dgo.pk, secretariat),
                submitted_at=created + datetime.timedelta(days=1) if len(path) > 1 else None,
                created_at=created,
                updated_at=created + datetime.timedelta(days=len(path)),
            )
        )
        meta.append((dgo, path, created))
    Track.objects.bulk_create(tracks)

    through, participants, requests, transitions = [], [], [], []
    assessments, updates, allocations, evaluations = [], [], [], []
    decisions, ballots = [], []
    for track, (dgo, path, created) in zip(tracks, meta, strict=True):
        second = dgos[(dgos.index(dgo) + 1) % len(dgos)]
        through.append(Track.dgos.through(track=track, dgo=dgo))
        if rng.random() < 0.3 and second != dgo:
            through.append(Track.dgos.through(track=track, dgo=second))
        chosen = rng.sample(by_dgo[dgo.pk], min(4, len(by_dgo[dgo.pk])))
        participants += [
            TrackParticipant(track=track, municipality_id=m, is_lead=n == 0)
            for n, m in enumerate(chosen)
        ]
        participants.append(TrackParticipant(track=track, region=dgo.region))
        pool = pools["regioner-likvide"] if rng.random() < 0.5 else pools["realdania-likvide"]
        year = rng.randint(pool.year_from, pool.year_to)
        amount = Decimal(rng.randrange(50, 200) * 1000)
        requests.append(
            FundingRequest(track=track, year=year, source="pool", pool=pool, amount=amount)
        )
        stamp = created
        for source, target in itertools.pairwise(path):
            stamp += datetime.timedelta(days=1)
            decision = None
            if target in (S.APPROVED, S.REJECTED) and fu_seats:
                decision = Decision(
                    body=fu,
                    title=f"Godkendelse af udviklingssporet “{track.title}”"[:300],
                    text="APS indstiller sporet til godkendelse. (Skaladata.)",
                    mode=Decision.Mode.IN_WRITING,
                    deadline=stamp,
                    status=Decision.Status.ADOPTED
                    if target == S.APPROVED
                    else Decision.Status.REJECTED,
                    subject_content_type=track_type,
                    subject_object_id=track.pk,
                    opened_by=secretariat,
                    opened_at=stamp - datetime.timedelta(hours=12),
                    closed_by=secretariat,
                    closed_at=stamp,
                )
                decisions.append(decision)
                ballots.append((decision, target == S.REJECTED))
            transitions.append(
                TrackTransition(
                    track=track,
                    from_status=source,
                    to_status=target,
                    event=EVENT_OF[target],
                    params={"title": decision.title, "outcome": decision.status}
                    if decision is not None
                    else {},
                    by=track.proposed_by if target == S.SUBMITTED else secretariat,
                    at=stamp,
                    decision=decision,
                )
            )
            if target == S.ASSESSED:
                assessments.append(
                    ClimateAssessment(
                        track=track,
                        version=1,
                        text="Sporet adresserer en væsentlig kilde. (Skaladata.)",
                        conclusion=ClimateAssessment.Conclusion.SUPPORTED,
                        author=users["videnspartner"],
                        organisation=concito,
                        created_at=stamp,
                        published_at=stamp,
                    )
                )
            if target == S.RUNNING:
                approver = users[
                    "approver-regioner" if pool.key.startswith("regioner") else "approver-realdania"
                ]
                approve = budget[pool.key] >= amount
                if approve:
                    budget[pool.key] -= amount
                allocations.append(
                    Allocation(
                        pool=pool,
                        track=track,
                        year=year,
                        amount=amount,
                        purpose="Afprøvning",
                        status=Allocation.Status.APPROVED if approve else Allocation.Status.PENDING,
                        requested_by=secretariat,
                        requested_at=stamp,
                        decided_by=approver if approve else None,
                        decided_at=stamp if approve else None,
                    )
                )
                for n in range(preset.updates_per_track):
                    updates.append(
                        StatusUpdate(
                            track=track,
                            date=(stamp + datetime.timedelta(days=n)).date(),
                            progress=f"Statusopdatering {n + 1}: arbejdet skrider frem.",
                            author=track.proposed_by,
                            created_at=stamp,
                        )
                    )
            if target == S.EVALUATED:
                evaluations.append(
                    Evaluation(
                        track=track,
                        text="Sporet nåede sine delmål.",
                        author=users["videnspartner"],
                        date=stamp.date(),
                    )
                )
        if path[-1] == S.APPROVED:  # approved, funds requested, awaiting the party
            allocations.append(
                Allocation(
                    pool=pool,
                    track=track,
                    year=year,
                    amount=amount,
                    requested_by=secretariat,
                    requested_at=stamp,
                )
            )
    Track.dgos.through.objects.bulk_create(through)
    TrackParticipant.objects.bulk_create(participants)
    FundingRequest.objects.bulk_create(requests)
    Decision.objects.bulk_create(decisions)
    votes = []
    for decision, rejected in ballots:
        for n, seat in enumerate(fu_seats):
            votes.append(
                Vote(
                    decision=decision,
                    seat=seat,
                    cast_through=seat,
                    cast_by_id=seat.person_id,
                    choice="no" if rejected and n == 0 else "yes",
                    cast_at=decision.opened_at,
                )
            )
    Vote.objects.bulk_create(votes)
    TrackTransition.objects.bulk_create(transitions)
    ClimateAssessment.objects.bulk_create(assessments)
    StatusUpdate.objects.bulk_create(updates)
    Allocation.objects.bulk_create(allocations)
    Evaluation.objects.bulk_create(evaluations)
    return [
        f"{len(tracks)} tracks",
        f"{len(participants)} participants",
        f"{len(updates)} status updates",
        f"{len(allocations)} allocations",
    ]
