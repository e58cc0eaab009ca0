"""Reads for the tracks and budget pages and API, each built for the page that shows it.

`Track.objects.for_user(user)` is the one visibility rule for tracks: every list, page, API and
export reads through `tracks_for(user)`, so a draft someone may not see is a 404 like a missing one.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from auditlog.models import LogEntry
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from governance.models import Decision
from governance.permissions import can_see_votes
from partners.models import DGO, Organisation, User

from . import permissions as perms
from .models import (
    ASSESSABLE,
    FIRST_YEAR,
    LAST_YEAR,
    Allocation,
    BudgetChange,
    BudgetLine,
    ClimateAssessment,
    Contribution,
    ExternalFunding,
    FocusArea,
    HourlyRate,
    KnowledgeProduct,
    LiquidPool,
    Principle,
    PrincipleJudgement,
    Spending,
    StatusUpdate,
    Track,
    TrackParticipant,
    TrackTransition,
)

ZERO = Decimal("0")
S = Track.Status

TRACK_SORTS = {
    "-updated": ("-updated_at", "-pk"),
    "title": ("title", "pk"),
    "status": ("status", "title"),
    "-created": ("-created_at", "-pk"),
}


def tracks_for(user: User) -> QuerySet[Track]:
    return Track.objects.for_user(user)


def _dgos_prefetch() -> Prefetch:
    return Prefetch("dgos", queryset=DGO.objects.select_related("region").order_by("name"))


def _participants_prefetch() -> Prefetch:
    return Prefetch(
        "participants",
        queryset=TrackParticipant.objects.select_related("municipality", "region").order_by(
            "-is_lead", "pk"
        ),
    )


def track_list(
    *,
    user: User,
    search: str = "",
    status: str = "",
    focus_area_id: int | None = None,
    dgo_slug: str = "",
    municipality_id: int | None = None,
    region_id: int | None = None,
    sort: str = "-updated",
) -> QuerySet[Track]:
    """Three queries for any page of tracks: the tracks, their DGOs and their participants."""
    tracks = tracks_for(user).select_related("focus_area")
    if search:
        tracks = tracks.filter(
            Q(title__icontains=search)
            | Q(problem__icontains=search)
            | Q(ambition__icontains=search)
        )
    if status:
        tracks = tracks.filter(status=status)
    if focus_area_id is not None:
        tracks = tracks.filter(focus_area_id=focus_area_id)
    through = Track.dgos.through.objects
    if dgo_slug:
        tracks = tracks.filter(pk__in=through.filter(dgo__slug=dgo_slug).values("track_id"))
    if municipality_id is not None:
        tracks = tracks.filter(
            pk__in=TrackParticipant.objects.filter(municipality_id=municipality_id).values(
                "track_id"
            )
        )
    if region_id is not None:
        tracks = tracks.filter(
            pk__in=TrackParticipant.objects.filter(region_id=region_id).values("track_id")
        )
    return tracks.prefetch_related(_dgos_prefetch(), _participants_prefetch()).order_by(
        *TRACK_SORTS.get(sort, TRACK_SORTS["-updated"])
    )


ASSESSED_STATES = (
    S.IN_QUALIFICATION, S.ASSESSED, S.RECOMMENDED, S.APPROVED, S.REJECTED, S.RUNNING,
    S.EVALUATED, S.CLOSED, S.WITHDRAWN,
)  # fmt: skip
FUNDED_STATES = (S.APPROVED, S.RUNNING, S.EVALUATED, S.CLOSED)
PROGRESS_STATES = (S.RUNNING, S.EVALUATED, S.CLOSED)


def track_get(*, user: User, pk: int) -> Track:
    """The track with what its page shows in the track's state, in a fixed number of queries:
    the track, its DGOs, participants and timeline; the assessments once it is qualified; the
    allocations once approved; updates and products once running. The proposal's funding
    requests, external funding and contacts are on the proposal page (track_proposal_get)."""
    track = (
        tracks_for(user)
        .select_related("focus_area", "proposed_by", "evaluation__author")
        .get(pk=pk)
    )
    lookups = [
        _dgos_prefetch(),
        _participants_prefetch(),
        Prefetch(
            "transitions",
            queryset=TrackTransition.objects.select_related("by", "decision__body").order_by(
                "at", "pk"
            ),
        ),
    ]
    if track.status in ASSESSED_STATES:
        lookups.append(
            Prefetch(
                "assessments",
                queryset=ClimateAssessment.objects.select_related(
                    "author", "organisation"
                ).order_by("-version"),
            )
        )
    if track.status in ASSESSABLE:  # APS's judgements matter while it qualifies the track
        lookups.append(
            Prefetch(
                "judgements",
                queryset=PrincipleJudgement.objects.select_related("judged_by"),
            )
        )
    if track.status in FUNDED_STATES:
        lookups.append(
            Prefetch(
                "allocations",
                queryset=with_spent(
                    Allocation.objects.select_related("pool", "requested_by", "decided_by")
                ).order_by("-requested_at", "-pk"),
            )
        )
    if track.status in PROGRESS_STATES:
        lookups += [
            Prefetch(
                "status_updates",
                queryset=StatusUpdate.objects.select_related("author").order_by("-date", "-pk"),
            ),
            Prefetch(
                "products",
                queryset=KnowledgeProduct.objects.select_related("added_by").order_by(
                    "-published_at", "-pk"
                ),
            ),
        ]
    prefetch_related_objects([track], *lookups)
    return track


def track_proposal_get(*, user: User, pk: int) -> Track:
    """The proposal as submitted: texts, requested funding, external funding, contacts."""
    return (
        tracks_for(user)
        .select_related("focus_area", "proposed_by")
        .prefetch_related(
            _dgos_prefetch(),
            _participants_prefetch(),
            "funding_requests__pool",
            Prefetch(
                "external_funding", queryset=ExternalFunding.objects.select_related("lead_dgo")
            ),
            "contacts",
        )
        .get(pk=pk)
    )


# Steps that a decision's closing took: their `by` is the body's last voter.
DECIDED_EVENTS = (
    TrackTransition.Event.FU_DECIDED,
    TrackTransition.Event.APS_DECIDED,
    TrackTransition.Event.QUALIFICATION,
    TrackTransition.Event.RECOMMENDED,
)


def hides_voter(user: User | AnonymousUser, step: TrackTransition) -> bool:
    """Whether the step's `by` must be hidden from the user: a step an FU or APS decision took
    when it closed names its last voter, so only readers who may see the votes read it."""
    return (
        step.event in DECIDED_EVENTS
        and step.decision_id is not None
        and not can_see_votes(user, step.decision.body_id)
    )


def timeline(*, user: User, track: Track) -> list[TrackTransition]:
    """The track's steps as `user` may read them. FU's decision is closed by its last vote, so
    who closed it names a voter: only those who may see the votes
    (governance.permissions.can_see_votes) read it; everyone else reads the outcome, "Afvist af
    FU den 2. december 2026". Each step gets `shown_by` (a user or None) and `outcome`."""
    steps = list(track.transitions.all())
    for step in steps:
        hidden = hides_voter(user, step)
        step.shown_by = None if hidden else step.by
        step.outcome = step.decision.outcome_summary if hidden and step.decision_id else ""
    return steps


def track_decisions(*, track: Track) -> QuerySet[Decision]:
    return Decision.objects.filter(
        subject_content_type=ContentType.objects.get_for_model(Track), subject_object_id=track.pk
    )


def focus_areas(*, year: int | None = None) -> QuerySet[FocusArea]:
    areas = FocusArea.objects.annotate(track_count=Count("tracks"))
    if year is not None:
        areas = areas.filter(year=year)
    return areas.order_by("-year", "position", "name_da")


# --- Dashboard lists -------------------------------------------------------------------------


def tracks_awaiting_qualification(*, user: User) -> QuerySet[Track]:
    """Submitted tracks to take into qualification, and assessed ones to recommend."""
    return (
        tracks_for(user)
        .filter(status__in=(S.SUBMITTED, S.ASSESSED))
        .select_related("focus_area")
        .order_by("submitted_at", "pk")
    )


def assessments_to_write(*, user: User) -> QuerySet[Track]:
    """Tracks in qualification that have no published climate assessment yet."""
    return (
        tracks_for(user)
        .filter(status=S.IN_QUALIFICATION)
        .exclude(assessments__published_at__isnull=False)
        .select_related("focus_area")
        .order_by("updated_at", "pk")
    )


def allocations_awaiting(*, user: User) -> QuerySet[Allocation]:
    """Pending allocations from the pools of the user's parties (all of them for the secretariat,
    who follows but does not approve)."""
    allocations = Allocation.objects.filter(
        perms.allocations_in_reach_q(user), status=Allocation.Status.PENDING
    )
    return allocations.select_related(
        "pool__contribution__contributor", "track", "requested_by"
    ).order_by("requested_at", "pk")


def allocations_decided(*, user: User) -> QuerySet[Allocation]:
    allocations = Allocation.objects.filter(perms.allocations_in_reach_q(user)).exclude(
        status=Allocation.Status.PENDING
    )
    return allocations.select_related("pool", "track", "decided_by").order_by("-decided_at", "-pk")


def budget_changes_awaiting(*, user: User) -> QuerySet[BudgetChange]:
    changes = BudgetChange.objects.filter(
        perms.budget_changes_in_reach_q(user), status=BudgetChange.Status.PENDING
    )
    return changes.select_related(
        "line__contribution__contributor", "from_line", "requested_by"
    ).order_by("requested_at", "pk")


# --- Pools -------------------------------------------------------------------------------------


def pool_list() -> QuerySet[LiquidPool]:
    approved = Q(allocations__status=Allocation.Status.APPROVED)
    pending = Q(allocations__status=Allocation.Status.PENDING)
    return (
        LiquidPool.objects.select_related("contribution__contributor")
        .annotate(
            approved=Sum("allocations__amount", filter=approved, default=ZERO),
            pending=Sum("allocations__amount", filter=pending, default=ZERO),
        )
        .annotate(
            left=ExpressionWrapper(
                F("size") - F("approved"),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
        .order_by("name")
    )


def pool_get(*, key: str) -> LiquidPool:
    return pool_list().get(key=key)


def with_spent(allocations: QuerySet[Allocation]) -> QuerySet[Allocation]:
    """Each allocation with `spent` (booked on it) and `left` (approved amount less spent)."""
    money = DecimalField(max_digits=14, decimal_places=2)
    spent = Coalesce(
        Subquery(
            Spending.objects.filter(allocation=OuterRef("pk"))
            .values("allocation")
            .annotate(total=Sum("amount"))
            .values("total"),
            output_field=money,
        ),
        Value(ZERO, output_field=money),
        output_field=money,
    )
    return allocations.annotate(spent=spent, left=F("amount") - spent)


def approved_allocations() -> QuerySet[Allocation]:
    """Every approved allocation with what is spent of it and what is left (budget overview)."""
    return with_spent(
        Allocation.objects.filter(status=Allocation.Status.APPROVED).select_related("pool", "track")
    ).order_by("pool__name", "year", "track__title", "pk")


def pool_allocations(*, pool: LiquidPool) -> QuerySet[Allocation]:
    return with_spent(
        pool.allocations.select_related("track", "requested_by", "decided_by")
    ).order_by("status", "-requested_at", "-pk")


def pool_for_track_form() -> QuerySet[LiquidPool]:
    return LiquidPool.objects.select_related("contribution__contributor").order_by("name")


# --- The budget overview ----------------------------------------------------------------------


@dataclass
class Figures:
    budgeted: Decimal = ZERO
    allocated: Decimal = ZERO
    spent: Decimal = ZERO
    remaining: Decimal = ZERO

    def add(self, other: "Figures") -> None:
        self.budgeted += other.budgeted
        self.allocated += other.allocated
        self.spent += other.spent
        self.remaining += other.remaining


@dataclass
class ContributorBudget:
    contributor: Organisation
    on_behalf_of: str
    contributed: Decimal
    liquid: Decimal
    earmarked: list[tuple[str, Decimal]]
    years: dict[int, Figures] = field(default_factory=dict)
    total: Figures = field(default_factory=Figures)


@dataclass
class BudgetOverview:
    contributors: list[ContributorBudget]
    years: list[int]
    year_totals: dict[int, Figures]
    total: Figures
    contributed: Decimal


def _by_key(rows, key_fields: tuple[str, str]) -> dict[tuple[int, int], Decimal]:
    return {(row[key_fields[0]], row[key_fields[1]]): row["total"] or ZERO for row in rows}


@dataclass
class BudgetSums:
    """What every budget table is built from, read once per page in four queries: the
    contributions, per contribution and year what is budgeted (lines with approved changes)
    and spent (amount and hours), and the parties' hourly rates. Few rows: five contributions
    over five years."""

    contributions: dict[int, Contribution]
    budgeted: dict[tuple[int, int], Decimal]
    spent: dict[tuple[int, int], Decimal]
    spent_hours: dict[tuple[int, int], Decimal]
    # (party id, year) → the party's hourly rate for the year
    rates: dict[tuple[int, int], Decimal] = field(default_factory=dict)


def budget_sums() -> BudgetSums:
    contributions = {
        c.pk: c for c in Contribution.objects.select_related("contributor", "pool", "dgo")
    }
    # Each line's budget with its approved changes in and out, in the lines' one query.
    approved = BudgetChange.objects.filter(status=BudgetChange.Status.APPROVED).order_by()
    money = DecimalField(max_digits=14, decimal_places=2)

    def moved(side: str) -> Coalesce:
        total = (
            approved.filter(**{side: OuterRef("pk")})
            .values(side)
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return Coalesce(Subquery(total, output_field=money), Value(ZERO), output_field=money)

    budgeted: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for contribution_id, year, amount in (
        BudgetLine.objects.order_by()
        .annotate(
            budget=ExpressionWrapper(
                F("amount") + moved("line") - moved("from_line"), output_field=money
            )
        )
        .values_list("contribution_id", "year", "budget")
    ):
        budgeted[(contribution_id, year)] += amount
    spent: dict[tuple[int, int], Decimal] = {}
    spent_hours: dict[tuple[int, int], Decimal] = {}
    for row in (
        Spending.objects.values("budget_line__contribution_id", "budget_line__year")
        .annotate(amount=Sum("amount", default=ZERO), hours=Sum("hours", default=ZERO))
        .order_by()
    ):
        key = (row["budget_line__contribution_id"], row["budget_line__year"])
        spent[key], spent_hours[key] = row["amount"], row["hours"]
    rates = {
        (party_id, year): rate
        for party_id, year, rate in HourlyRate.objects.order_by().values_list(
            "party_id", "year", "rate"
        )
    }
    return BudgetSums(contributions, dict(budgeted), spent, spent_hours, rates)


def budget_overview(sums: BudgetSums | None = None) -> BudgetOverview:
    """Per contributor and year: budgeted, allocated, spent and remaining, for the partnership's
    own contributions (DGO co-financing is beside the 82.1 mio: `dgo_budgets`). Five queries,
    or one given the page's `budget_sums`.

    - budgeted: the budget lines, with approved budget changes moved in and out;
    - allocated: approved liquid-fund allocations (pending ones count for nothing);
    - spent: actual spending booked on the lines;
    - remaining: budgeted − spent − allocated funds not yet paid out (an approved allocation
      binds the money even before it is spent).
    """
    sums = sums or budget_sums()
    contributions = [c for c in sums.contributions.values() if c.dgo_id is None]
    budgeted: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    spending: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    spent_on_pools: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for (contribution_id, year), amount in sums.budgeted.items():
        contribution = sums.contributions[contribution_id]
        if contribution.dgo_id is None:
            budgeted[(contribution.contributor_id, year)] += amount
    for (contribution_id, year), amount in sums.spent.items():
        contribution = sums.contributions[contribution_id]
        if contribution.dgo_id is None:
            spending[(contribution.contributor_id, year)] += amount
            if hasattr(contribution, "pool"):
                spent_on_pools[(contribution.contributor_id, year)] += amount
    org = "contribution__contributor_id"
    allocated = _by_key(
        Allocation.objects.filter(status=Allocation.Status.APPROVED)
        .values(f"pool__{org}", "year")
        .annotate(total=Sum("amount"))
        .order_by(),
        (f"pool__{org}", "year"),
    )
    keys = set(budgeted) | set(spending) | set(allocated)
    years = sorted({year for _org, year in keys} | set(range(FIRST_YEAR, LAST_YEAR + 1)))
    by_org: dict[int, ContributorBudget] = {}
    for contribution in sorted(contributions, key=lambda c: c.pk):  # the agreement's order
        entry = by_org.get(contribution.contributor_id)
        if entry is None:
            entry = by_org[contribution.contributor_id] = ContributorBudget(
                contributor=contribution.contributor,
                on_behalf_of=contribution.on_behalf_of,
                contributed=ZERO,
                liquid=ZERO,
                earmarked=[],
            )
        entry.contributed += contribution.amount
        if hasattr(contribution, "pool"):
            entry.liquid += contribution.pool.size
        if contribution.earmark:
            entry.earmarked.append((contribution.earmark, contribution.amount))
    year_totals = {year: Figures() for year in years}
    total = Figures()
    for org_id, entry in by_org.items():
        for year in years:
            key = (org_id, year)
            figures = Figures(
                budgeted=budgeted.get(key, ZERO),
                allocated=allocated.get(key, ZERO),
                spent=spending.get(key, ZERO),
            )
            unpaid = max(figures.allocated - spent_on_pools.get(key, ZERO), ZERO)
            figures.remaining = figures.budgeted - figures.spent - unpaid
            entry.years[year] = figures
            entry.total.add(figures)
            year_totals[year].add(figures)
        total.add(entry.total)
    return BudgetOverview(
        contributors=list(by_org.values()),
        years=years,
        year_totals=year_totals,
        total=total,
        contributed=sum((c.amount for c in contributions), ZERO),
    )


def external_funding(*, user: User) -> QuerySet[ExternalFunding]:
    """The external funding applications of the tracks the user may see (the overview)."""
    return (
        ExternalFunding.objects.filter(track__in=tracks_for(user))
        .select_related("track", "lead_dgo")
        .order_by("track__title", "pk")
    )


@dataclass
class DGOBudget:
    """One DGO's co-financing (§8.5): each contribution with what it budgets and what its
    lines have spent, and the DGO's totals."""

    dgo: DGO
    # (contribution, budgeted, spent, left)
    contributions: list[tuple[Contribution, Decimal, Decimal, Decimal]] = field(
        default_factory=list
    )
    budgeted: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def left(self) -> Decimal:
        return self.budgeted - self.spent


def dgo_budgets(sums: BudgetSums | None = None) -> list[DGOBudget]:
    """Every DGO with co-financing, in the DGOs' order (from the page's `budget_sums`)."""
    sums = sums or budget_sums()
    contributions = sorted(
        (c for c in sums.contributions.values() if c.dgo_id is not None),
        key=lambda c: (c.dgo.name, c.pk),
    )
    budgeted: dict[int, Decimal] = defaultdict(lambda: ZERO)
    spent: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (contribution_id, _year), amount in sums.budgeted.items():
        budgeted[contribution_id] += amount
    for (contribution_id, _year), amount in sums.spent.items():
        spent[contribution_id] += amount
    budgets: dict[int, DGOBudget] = {}
    for contribution in contributions:
        entry = budgets.setdefault(contribution.dgo_id, DGOBudget(dgo=contribution.dgo))
        amount, used = budgeted[contribution.pk], spent.get(contribution.pk, ZERO)
        entry.contributions.append((contribution, amount, used, amount - used))
        entry.budgeted += amount
        entry.spent += used
    return list(budgets.values())


def budget_lines() -> QuerySet[BudgetLine]:
    return BudgetLine.objects.select_related(
        "contribution__contributor", "contribution__dgo"
    ).order_by("year", "contribution__contributor__name", "purpose")


def lines_to_book_on(*, user: User) -> QuerySet[BudgetLine]:
    """The lines the user books spending on: all for the secretariat, a coordinator's DGO's
    co-financing lines for a coordinator (the same rule as permissions.can_book_on)."""
    return budget_lines().filter(perms.lines_to_book_on_q(user))


def recent_spending(*, limit: int = 20) -> QuerySet[Spending]:
    return ledger()[:limit]


@dataclass(frozen=True)
class LedgerFilter:
    """What part of the ledger to list: any combination, none for the whole ledger."""

    track: Track | None = None
    pool: LiquidPool | None = None
    party: Organisation | None = None
    year: int | None = None
    dgo: DGO | None = None

    def applied(self) -> bool:
        values = (self.track, self.pool, self.party, self.year, self.dgo)
        return any(value is not None for value in values)


def ledger(filters: LedgerFilter | None = None) -> QuerySet[Spending]:
    """Every entry of the ledger, newest first, with what a row shows (one query): bookings and
    their reversals alike, so the sum of any selection is what is spent."""
    entries = Spending.objects.select_related(
        "budget_line__contribution__contributor",
        "budget_line__contribution__dgo",
        "track",
        "allocation__pool",
        "entered_by",
        "reverses",
    ).annotate(reversed_by_id=F("reversal__id"))
    filters = filters or LedgerFilter()
    if filters.track is not None:
        entries = entries.filter(track=filters.track)
    if filters.pool is not None:
        entries = entries.filter(budget_line__contribution=filters.pool.contribution_id)
    if filters.party is not None:
        entries = entries.filter(budget_line__contribution__contributor=filters.party)
    if filters.year is not None:
        entries = entries.filter(budget_line__year=filters.year)
    if filters.dgo is not None:
        entries = entries.filter(budget_line__contribution__dgo=filters.dgo)
    return entries.order_by("-date", "-pk")


@dataclass
class LedgerSums:
    amount: Decimal
    hours: Decimal
    entries: int


def ledger_sums(entries: QuerySet[Spending]) -> LedgerSums:
    sums = entries.order_by().aggregate(
        amount=Sum("amount", default=ZERO), hours=Sum("hours", default=ZERO), entries=Count("pk")
    )
    return LedgerSums(**sums)


def ledger_parties() -> QuerySet[Organisation]:
    """The parties with a contribution: the ledger's party filter."""
    return Organisation.objects.filter(contributions__isnull=False).distinct().order_by("name")


@dataclass
class Reconciliation:
    """One party's year for the annual accounts: what it contributed and what was used, in
    cash and in working hours (hours at their DKK equivalent too)."""

    party: Organisation
    year: int
    dgo: DGO | None = None
    cash_budgeted: Decimal = ZERO
    cash_spent: Decimal = ZERO
    hours_budgeted: Decimal = ZERO
    hours_spent: Decimal = ZERO
    hours_budgeted_dkk: Decimal = ZERO
    hours_spent_dkk: Decimal = ZERO
    hourly_rate: Decimal | None = None  # the party's rate for the year, when set

    @property
    def budgeted(self) -> Decimal:
        return self.cash_budgeted + self.hours_budgeted_dkk

    @property
    def spent(self) -> Decimal:
        return self.cash_spent + self.hours_spent_dkk

    @property
    def left(self) -> Decimal:
        return self.budgeted - self.spent


def reconciliation(sums: BudgetSums | None = None) -> list[Reconciliation]:
    """Per party and year: contributed (budget lines with approved changes) against used (the
    ledger), split into cash and hours; DGO co-financing in rows of its own. From the page's
    `budget_sums`; the partnership's rows sum to the contributions (82.1 mio)."""
    sums = sums or budget_sums()
    contributions = sums.contributions
    budgeted: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for (contribution_id, year), amount in sums.budgeted.items():
        budgeted[contribution_id][year] = amount
    spent = {key: (amount, sums.spent_hours.get(key, ZERO)) for key, amount in sums.spent.items()}
    rows: dict[tuple[int, int | None, int], Reconciliation] = {}
    for contribution_id, years in budgeted.items():
        contribution = contributions[contribution_id]
        for year, amount in years.items():
            party, dgo = contribution.contributor, contribution.dgo
            row = rows.setdefault(
                (party.pk, contribution.dgo_id, year),
                Reconciliation(party=party, year=year, dgo=dgo),
            )
            used_amount, used_hours = spent.get((contribution_id, year), (ZERO, ZERO))
            if contribution.kind == Contribution.Kind.HOURS:
                rate = sums.rates.get((party.pk, year))
                row.hourly_rate = rate
                row.hours_budgeted_dkk += amount
                if rate:  # without a rate the budget's hours are unknown, not zero
                    row.hours_budgeted += (amount / rate).quantize(Decimal("0.01"))
                row.hours_spent += used_hours
                row.hours_spent_dkk += used_amount
            else:
                row.cash_budgeted += amount
                row.cash_spent += used_amount
    return sorted(
        rows.values(),
        key=lambda row: (
            row.dgo is not None,
            row.dgo.name if row.dgo else "",
            row.party.name,
            row.year,
        ),
    )


def visible_tracks_for_choice(*, user: User) -> QuerySet[Track]:
    return tracks_for(user).filter(status__in=(S.APPROVED, S.RUNNING, S.EVALUATED, S.CLOSED))


def track_actions(*, user: User, track: Track) -> dict[str, bool]:
    """Which buttons the user sees on the track's page (the services check again)."""
    return {
        "edit": perms.can_edit_track(user, track),
        "submit": perms.can_submit(user, track),
        "withdraw": perms.can_withdraw(user, track),
        "qualify": perms.can_start_qualification(user, track),
        "judge": perms.can_judge_principles(user, track),
        "revise": perms.can_revise(user, track),
        "assess": perms.can_write_assessment(user, track),
        "recommend": perms.can_recommend(user, track),
        "put_to_fu": perms.can_put_to_fu(user, track),
        "start": perms.can_start(user, track),
        "status_update": perms.can_add_status_update(user, track),
        "product": perms.can_add_product(user, track),
        "evaluate": perms.can_evaluate(user, track),
        "close": perms.can_close(user, track),
        "allocation": perms.can_request_allocation(user, track),
    }


def principle_judgements(track: Track) -> list[tuple[str, str, PrincipleJudgement | None]]:
    """Each §6 principle with APS's judgement, or None while not judged (prefetched)."""
    judged = {j.principle: j for j in track.judgements.all() if j.round == track.round}
    return [
        (principle.value, principle.label, judged.get(principle.value)) for principle in Principle
    ]


def grouped_focus_areas() -> dict[int, list[FocusArea]]:
    grouped: dict[int, list[FocusArea]] = defaultdict(list)
    for area in focus_areas():
        grouped[area.year].append(area)
    return dict(grouped)


# --- The annual status report -------------------------------------------------------------

REPORTED_STATES = (S.RUNNING, S.EVALUATED)  # the tracks the status report describes one by one


def _sum_of(model, field: str = "amount", **conditions):
    """A correlated subquery summing `model.field` over the outer track's rows."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    rows = (
        model.objects.filter(track=OuterRef("pk"), **conditions)
        .order_by()
        .values("track")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(
        Subquery(rows, output_field=DecimalField(max_digits=14, decimal_places=2)), ZERO
    )


def tracks_for_report() -> list[Track]:
    """The running and evaluated tracks for the status report (published to every signed-in
    user, so never a draft), with their focus area, evaluation, DGOs, participants, latest
    status update and funding: approved liquid funds (`allocated`), costs booked on the track
    (`spent`), external funding granted (`external`) and the number of knowledge products.
    Four queries, however many tracks."""
    tracks = (
        Track.objects.filter(status__in=REPORTED_STATES, submitted_at__isnull=False)
        .select_related("focus_area", "evaluation")
        .annotate(
            allocated=_sum_of(Allocation, status=Allocation.Status.APPROVED),
            spent=_sum_of(Spending),
            external=_sum_of(ExternalFunding, status=ExternalFunding.Status.GRANTED),
            product_count=Count("products", distinct=True),
        )
        .prefetch_related(
            _dgos_prefetch(),
            _participants_prefetch(),
            Prefetch(
                "status_updates",
                queryset=StatusUpdate.objects.order_by("-date", "-pk"),
                to_attr="updates_newest_first",
            ),
        )
        .order_by("-status", "title", "pk")  # running, then evaluated
    )
    return list(tracks)


def track_status_counts() -> list[tuple[str, str, int]]:
    """(status, label, tracks) for every status a submitted track can have (one query).
    Drafts are left out: they exist only for their proposers."""
    counts = dict(
        Track.objects.filter(submitted_at__isnull=False)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(key, label, counts.get(key, 0)) for key, label in S.choices if key != S.DRAFT]


# --- Hourly rates and DGO co-financing ------------------------------------------------------------


def contributing_parties() -> QuerySet[Organisation]:
    """The organisations that may contribute working hours: every party and co-financer
    (the knowledge partners are paid, they do not contribute)."""
    return Organisation.objects.exclude(kind=Organisation.Kind.KNOWLEDGE_PARTNER).order_by(
        "kind", "name"
    )


def hourly_rates() -> QuerySet[HourlyRate]:
    return HourlyRate.objects.select_related("party", "set_by").order_by("party__name", "year")


def hourly_rate_history(*, limit: int = 20):
    """The audit trail's latest changes to the rates: who set which rate when."""
    return (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(HourlyRate))
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:limit]
    )


@dataclass
class DGOLine:
    line: BudgetLine
    budgeted: Decimal
    spent: Decimal
    hours: Decimal | None  # for working hours: the line's hours at the party's rate
    rate: Decimal | None

    @property
    def left(self) -> Decimal:
        return self.budgeted - self.spent


def dgo_budget(*, dgo: DGO) -> list[tuple[Contribution, list[DGOLine]]]:
    """A DGO's co-financing, contribution by contribution, each line with its budget (approved
    changes included), spending and, for working hours, the hours at the party's rate. Four
    queries however many lines."""
    contributions = list(
        Contribution.objects.filter(dgo=dgo).select_related("contributor").order_by("pk")
    )
    lines = list(
        BudgetLine.objects.filter(contribution__dgo=dgo)
        .annotate(
            spent=Coalesce(Sum("spending__amount"), ZERO, output_field=DecimalField()),
        )
        .order_by("year", "purpose", "pk")
    )
    moved: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for to_line, from_line, amount in BudgetChange.objects.filter(
        status=BudgetChange.Status.APPROVED, line__contribution__dgo=dgo
    ).values_list("line_id", "from_line_id", "amount"):
        moved[to_line] += amount
        moved[from_line] -= amount
    rates = {
        (party_id, year): rate
        for party_id, year, rate in HourlyRate.objects.filter(
            party__in={c.contributor_id for c in contributions}
        ).values_list("party_id", "year", "rate")
    }
    by_contribution: dict[int, list[DGOLine]] = defaultdict(list)
    kinds = {c.pk: c for c in contributions}
    for line in lines:
        contribution = kinds[line.contribution_id]
        budgeted = line.amount + moved[line.pk]
        rate = (
            rates.get((contribution.contributor_id, line.year))
            if contribution.kind == Contribution.Kind.HOURS
            else None
        )
        hours = (budgeted / rate).quantize(Decimal("0.01")) if rate else None
        by_contribution[line.contribution_id].append(
            DGOLine(line=line, budgeted=budgeted, spent=line.spent, hours=hours, rate=rate)
        )
    return [(contribution, by_contribution[contribution.pk]) for contribution in contributions]


def dgo_list() -> QuerySet[DGO]:
    return DGO.objects.order_by("name")
