"""Helpers that build tracks and budget data through the services, as production does."""

import datetime
from decimal import Decimal

from django.utils import timezone

from governance import services as governance_services
from governance.models import Body, Decision, SeatRole
from partners.models import DGO, Municipality, Organisation, RoleAssignment, User
from tests.factories import UserFactory, make_user
from tests.governance.factories import seat
from tracks import services
from tracks.models import FocusArea, LiquidPool, Principle, Track

Role = RoleAssignment.Role
S = Track.Status


def focus_area(year: int = 2026, name: str = "Tung transport") -> FocusArea:
    area, _created = FocusArea.objects.get_or_create(
        year=year, name_da=name, defaults={"status": FocusArea.Status.ADOPTED}
    )
    return area


def participants(*codes: str, lead: int = 0) -> list[dict]:
    """Participants by municipality code ('751') or region code ('region-midtjylland')."""
    rows = []
    for index, code in enumerate(codes):
        if code.startswith("region-"):
            rows.append(
                {"municipality": None, "region": Organisation.objects.get(code=code),
                 "is_lead": index == lead}
            )  # fmt: skip
        else:
            rows.append(
                {"municipality": Municipality.objects.get(code=code), "region": None,
                 "is_lead": index == lead}
            )  # fmt: skip
    return rows


COMPLETE = {
    "problem": "Tung transport udleder meget.",
    "ambition": "Fossilfri lastbiler i 2030.",
    "development_element": "Test af fælles ladehubs.",
    "knowledge_sharing_plan": "Webinarer og vidensbank for alle kommuner.",
    "evaluation_plan": "Slutevaluering ved videnspartnerne.",
}


def draft(
    by: User,
    *,
    dgos: tuple[str, ...] = ("midtjylland",),
    codes: tuple[str, ...] = ("751", "740", "657"),
    complete: bool = True,
    title: str = "Ladehubs for lastbiler",
    **fields,
) -> Track:
    values = {**(COMPLETE if complete else {}), **fields}
    if complete and "focus_area" not in values:
        values["focus_area"] = focus_area()
    return services.track_create(
        by=by,
        dgos=list(DGO.objects.filter(slug__in=dgos)),
        participants=participants(*codes),
        title=title,
        **values,
    )


class People:
    """The people a track's life needs: a proposer, APS, a knowledge partner, FU, approvers."""

    def __init__(self):
        self.coordinator = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland")
        self.other_coordinator = make_user(Role.DGO_COORDINATOR, dgo_slug="hovedstaden")
        self.secretariat = make_user(Role.SECRETARIAT)
        self.aps = seat("aps", appointed_by="kl", starts_on=datetime.date(2023, 4, 1)).person
        self.aps_observer = seat(
            "aps",
            role=SeatRole.OBSERVER,
            appointed_by="concito",
            starts_on=datetime.date(2023, 4, 1),
        ).person
        self.knowledge_partner = make_user(Role.KNOWLEDGE_PARTNER, org_code="concito")
        self.c40 = make_user(Role.KNOWLEDGE_PARTNER, org_code="c40")
        self.fake_partner = make_user(Role.KNOWLEDGE_PARTNER, org_code="kl")  # not CONCITO/C40
        self.realdania = make_user(Role.PARTY_APPROVER, org_code="realdania")
        self.regions = make_user(Role.PARTY_APPROVER, org_code="danske-regioner")
        self.observer = UserFactory()
        fu = Body.objects.get(code="fu")
        self.fu_chair = seat(fu, role=SeatRole.CHAIR, appointed_by="kl").person
        self.fu_member = seat(fu, appointed_by="realdania").person

    def keys(self) -> dict[str, int]:
        return {name: user.pk for name, user in vars(self).items()}

    @classmethod
    def read(cls, keys: dict[str, int]) -> "People":
        """The same people read afresh (objects of their own: nothing cached on them)."""
        people = cls.__new__(cls)
        found = User.objects.in_bulk(keys.values())
        for name, pk in keys.items():
            setattr(people, name, found[pk])
        return people


def advance(track: Track, to: str, people: People) -> Track:
    """Move a complete draft along the life cycle to `to`, each step through its service."""
    steps = [
        (S.SUBMITTED, lambda: services.track_submit(track=track, by=people.coordinator)),
        (S.IN_QUALIFICATION, lambda: aps_decides(track, "qualification", people)),
        (S.ASSESSED, lambda: services.assessment_publish(
            track=track, by=people.knowledge_partner, text="Vurdering.", conclusion="supported")),
        (S.RECOMMENDED, lambda: (judge_all_met(track, people),
                                 aps_decides(track, "recommendation", people))),
        (S.APPROVED, lambda: fu_adopts(track, people)),
        (S.RUNNING, lambda: services.track_start(track=track, by=people.coordinator)),
        (S.EVALUATED, lambda: services.track_evaluate(
            track=track, by=people.secretariat, text="Evaluering.")),
        (S.CLOSED, lambda: services.track_close(track=track, by=people.secretariat)),
    ]  # fmt: skip
    track.refresh_from_db()
    start = [S.DRAFT, *(state for state, _step in steps)].index(track.status)
    for _state, step in steps[start:]:
        if track.status == to:
            break
        step()
        track.refresh_from_db()
    assert track.status == to, (track.status, to)
    return track


def judge_all_met(track: Track, people: People) -> None:
    """APS judges every §6 principle met (what a recommendation needs)."""
    services.principles_judge(
        track=track,
        by=people.aps,
        judgements={principle: (True, "") for principle in Principle.values},
    )


def aps_decides(track: Track, step: str, people: People, choice: str = "yes") -> Decision:
    """The secretariat puts the step to APS; APS's one voting seat (people.aps) votes."""
    decision = services.track_put_to_aps(track=track, by=people.secretariat, step=step)
    governance_services.vote_cast(decision=decision, by=people.aps, choice=choice)
    decision.refresh_from_db()
    return decision


def put_to_fu(track: Track, people: People) -> Decision:
    return services.track_put_to_fu(
        track=track, by=people.secretariat, deadline=timezone.now() + datetime.timedelta(days=7)
    )


def fu_adopts(track: Track, people: People, choice: str = "yes") -> Decision:
    decision = put_to_fu(track, people)
    governance_services.vote_cast(decision=decision, by=people.fu_chair, choice="yes")
    governance_services.vote_cast(decision=decision, by=people.fu_member, choice=choice)
    decision.refresh_from_db()
    return decision


def pool(key: str = "realdania-likvide") -> LiquidPool:
    return LiquidPool.objects.select_related("contribution").get(key=key)


def allocation(track: Track, people: People, amount: str = "100000.00", key="realdania-likvide"):
    return services.allocation_request(
        track=track,
        pool=pool(key),
        by=people.coordinator,
        year=2026,
        amount=Decimal(amount),
    )
