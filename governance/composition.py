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
from django.utils.translation import gettext as _

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

    @property
    def is_vacant(self) -> bool:
        return self.state == "vacant"

    @property
    def is_over(self) -> bool:
        return self.state == "over"


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

    def one_per_municipality(candidates: list[Membership]) -> list[Membership]:
        """Only the first holder from each municipality counts; a holder from no municipality
        counts for none."""
        seen: set[int] = set()
        kept = []
        for membership in sorted(candidates, key=lambda m: (m.starts_on, m.pk or 0)):
            municipality = membership.person.municipality_id
            if municipality is not None and municipality not in seen:
                seen.add(municipality)
                kept.append(membership)
        return kept

    statuses = []
    matched: set[int] = set()
    for rule in rules:
        candidates = [m for m in memberships if fills(rule, m)]
        if rule.different_municipalities:
            candidates = one_per_municipality(candidates)
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


def _labels(rules: list[SeatRule]) -> str:
    return "; ".join(rule.label for rule in rules)


def seat_refusal(candidate: Membership, *, memberships: list[Membership] | None = None) -> str:
    """Why a new or changed seat breaks the body's composition rules, in the rules' own words;
    "" when it fits. `candidate` need not be saved. Checked on the day the seat starts, against
    the seats active then (other than the candidate itself)."""
    body = candidate.body
    rules = list(body.seat_rules.select_related("appointed_by", "must_sit_in"))
    if not rules:
        return ""
    day = candidate.starts_on
    if memberships is None:
        memberships = list(
            Membership.objects.active(day)
            .filter(body=body)
            .exclude(pk=candidate.pk)
            .select_related("person", "appointed_by", "geography")
        )
    composition = check_composition(
        body=body, on=day, memberships=[*memberships, candidate], rules=rules
    )
    held = [
        status for status in composition.statuses if any(h is candidate for h in status.holders)
    ]
    own_kind = [
        r for r in rules if r.seat != SeatRule.Seat.VOTING and candidate.seat_role in r.seat_roles()
    ]
    if own_kind and not any(status.rule in own_kind for status in held):
        return _("%(body)s's rules for this seat: %(rules)s. The seat fits none of them.") % {
            "body": body.short_name,
            "rules": _labels(own_kind),
        }
    for status in held:
        if status.excess:
            return _("%(rule)s: at most %(count)s, and the seat would be one more.") % {
                "rule": status.rule.label
                + (f" ({status.geography.geography})" if status.geography else ""),
                "count": status.rule.max_count,
            }
    if not held:
        same = [r for r in rules if candidate.seat_role in r.seat_roles()]
        if not same:
            return _("%(body)s's composition has no seat of this kind (%(seat)s).") % {
                "body": body.short_name,
                "seat": candidate.get_seat_role_display().lower(),
            }
        return _(
            "The seat fits no rule of %(body)s's composition (check the appointing party, the "
            "geography and the seat): %(rules)s."
        ) % {"body": body.short_name, "rules": _labels(same)}
    return ""
