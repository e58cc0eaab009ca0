"""Does a body's membership match its composition rules (agreement §8)? Read-only.

Each SeatRule is a line of the agreement ("2 political reps appointed by KL"). A seat fills a
rule when its role is one the rule counts, its appointing party is the one the rule names, it
represents the right geography (for per-geography rules), and, where the rule says so, its holder
also sits in another body (PUG's FU representatives). One seat may fill several rules: FU's chair
is also one of KL's two representatives.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from partners.models import DGO, Organisation

from .models import Body, Membership, SeatRule

LOCAL_KINDS = (Organisation.Kind.REGION, Organisation.Kind.KKR)


@dataclass
class RuleStatus:
    rule: SeatRule
    geography: DGO | None
    holders: list[Membership] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.holders)

    @property
    def missing(self) -> int:
        return max(self.rule.min_count - self.count, 0)

    @property
    def excess(self) -> int:
        return max(self.count - self.rule.max_count, 0)

    @property
    def state(self) -> str:
        if self.missing:
            return "vacant"
        if self.excess:
            return "over"
        return "ok"


@dataclass
class Composition:
    body: Body
    on: datetime.date
    statuses: list[RuleStatus]
    unmatched: list[Membership]

    @property
    def problems(self) -> list[RuleStatus]:
        return [status for status in self.statuses if status.state != "ok"]

    @property
    def vacancies(self) -> int:
        return sum(status.missing for status in self.statuses)

    @property
    def is_complete(self) -> bool:
        return not self.problems and not self.unmatched


def _appointed_locally(body: Body, organisation: Organisation) -> bool:
    """A DGO group's regional or KKR seats come from its own region or KKR."""
    if body.dgo_id is None or organisation.kind not in LOCAL_KINDS:
        return True
    return organisation.region_code == body.dgo.region_code


def _represents(membership: Membership, geography: DGO) -> bool:
    if membership.geography_id != geography.pk:
        return False
    organisation = membership.appointed_by
    return organisation.kind not in LOCAL_KINDS or organisation.region_code == geography.region_code


def check_composition(
    *,
    body: Body,
    on: datetime.date | None = None,
    memberships: list[Membership] | None = None,
    rules: list[SeatRule] | None = None,
    geographies: list[DGO] | None = None,
) -> Composition:
    """The body's rules with who fills each and whether seats are vacant or over-filled.

    Pass `memberships` (active on `on`, with person, appointed_by and geography selected) to
    check a prepared or deliberately broken membership without touching the database.
    """
    day = on or timezone.localdate()
    if memberships is None:
        memberships = list(
            Membership.objects.active(day)
            .filter(body=body)
            .select_related("person", "appointed_by", "geography")
        )
    if rules is None:
        rules = list(body.seat_rules.select_related("appointed_by", "must_sit_in"))
    if geographies is None:
        geographies = (
            list(DGO.objects.order_by("name")) if any(r.per_geography for r in rules) else []
        )
    elsewhere: set[tuple[int, int, str]] = set()
    other_bodies = {rule.must_sit_in_id for rule in rules if rule.must_sit_in_id}
    if other_bodies:
        elsewhere = set(
            Membership.objects.active(day)
            .filter(body_id__in=other_bodies)
            .values_list("person_id", "body_id", "seat_role")
        )

    def fills(rule: SeatRule, membership: Membership) -> bool:
        if membership.seat_role not in rule.seat_roles():
            return False
        if not rule.appoints(membership.appointed_by):
            return False
        if not _appointed_locally(body, membership.appointed_by):
            return False
        if rule.must_sit_in_id:
            return any(
                (membership.person_id, rule.must_sit_in_id, role) in elsewhere
                for role in rule.seat_roles()
            )
        return True

    statuses = []
    matched: set[int] = set()
    for rule in rules:
        candidates = [m for m in memberships if fills(rule, m)]
        if rule.per_geography:
            for geography in geographies:
                holders = [m for m in candidates if _represents(m, geography)]
                matched.update(id(m) for m in holders)
                statuses.append(RuleStatus(rule, geography, holders))
        else:
            matched.update(id(m) for m in candidates)
            statuses.append(RuleStatus(rule, None, candidates))
    unmatched = [m for m in memberships if id(m) not in matched] if rules else []
    return Composition(body=body, on=day, statuses=statuses, unmatched=unmatched)
