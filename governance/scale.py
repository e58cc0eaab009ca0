"""Scale data for governance: every body seated (through the membership service, so the body
permissions follow), and `meetings_per_year` meetings per body and year with agendas and
decisions that were voted on.

Decisions follow the rule the services enforce (§8): adopted only when every voting seat voted
yes; a decision with a no is rejected. Past meetings are held with approved minutes; this
year's later meetings are planned or have a published agenda.
"""

import datetime

from django.utils import timezone

from core.scale import USER_PREFIX, Preset, rng_for
from partners.models import Organisation, User

from . import services
from .models import VOTING_ROLES, AgendaItem, Body, Decision, Meeting, Membership, SeatRole, Vote

R = SeatRole
AGENDA = [
    "Godkendelse af dagsorden",
    "Status på Klimaalliancen",
    "Sager til beslutning",
    "Eventuelt",
]


def _seat(body: Body, people: list[User], named: dict[str, User], start: datetime.date) -> int:
    orgs = {o.code: o for o in Organisation.objects.all()}
    if body.dgo_id:
        dgo = body.dgo
        seats = [
            (R.CHAIR, dgo.kkr),
            (R.VICE_CHAIR, dgo.region),
            (R.MEMBER, dgo.kkr),
            (R.MEMBER, dgo.kkr),
            (R.MEMBER, dgo.region),
            (R.OBSERVER, orgs["concito"]),
        ]
    else:
        seats = [
            (R.CHAIR, orgs["kl"]),
            (R.VICE_CHAIR, orgs["danske-regioner"]),
            (R.MEMBER, orgs["kl"]),
            (R.MEMBER, orgs["danske-regioner"]),
            (R.MEMBER, orgs["realdania"]),
            (R.OBSERVER, orgs["realdania"]),
            (R.OBSERVER, orgs["concito"]),
            (R.OBSERVER, orgs["c40"]),
        ]
    if body.code == "fu":  # the named benchmark users hold these seats
        seats[2] = (R.MEMBER, orgs["kl"], named.get("fu-medlem"))
        seats[5] = (R.OBSERVER, orgs["realdania"], named.get("observator"))
    for seat in seats:
        role, org, person = (*seat, None)[:3]
        services.membership_add(
            body=body,
            person=person or people.pop(),
            seat_role=role,
            appointed_by=org,
            geography=body.dgo
            if org.kind in (Organisation.Kind.KKR, Organisation.Kind.REGION)
            else None,
            capacity="Skaladata",
            starts_on=start,
            by=None,
        )
    return len(seats)


def seed(preset: Preset, seed: int) -> list[str]:
    rng = rng_for("governance", seed)
    secretariat = User.objects.filter(username=f"{USER_PREFIX}sekretariat").first()
    bodies = list(Body.objects.select_related("dgo__kkr", "dgo__region").order_by("pk"))
    if secretariat is None or Meeting.objects.exists():
        return []
    start = datetime.date(preset.years[0], 1, 1)
    named = {
        u.username.removeprefix(USER_PREFIX): u
        for u in User.objects.filter(
            username__in=[f"{USER_PREFIX}fu-medlem", f"{USER_PREFIX}observator"]
        )
    }
    # Seat holders: the people without a portal role, then anyone else, each in a few bodies.
    scale_users = User.objects.filter(username__startswith=USER_PREFIX).exclude(
        username__in=[u.username for u in named.values()]
    )
    pool = list(scale_users.filter(role_assignments__isnull=True).order_by("username"))
    others = list(
        scale_users.filter(role_assignments__isnull=False).distinct().order_by("username")
    )
    seats = 0
    for body in bodies:
        people = list(pool)
        rng.shuffle(people)
        seats += _seat(body, others + people, named, start)  # pop() takes the role-less first

    voting = {}
    for membership in Membership.objects.filter(seat_role__in=VOTING_ROLES):
        voting.setdefault(membership.body_id, []).append(membership)
    now = timezone.now()
    tz = timezone.get_current_timezone()
    meetings, plans = [], []
    for body in bodies:
        for year in preset.years:
            for number in range(1, preset.meetings_per_year + 1):
                month = 1 + (number - 1) * 12 // preset.meetings_per_year
                starts = datetime.datetime(year, month, rng.randint(1, 27), 10, tzinfo=tz)
                past = starts < now
                soon = starts < now + datetime.timedelta(days=45)
                status = (
                    Meeting.Status.MINUTES_APPROVED
                    if past
                    else Meeting.Status.AGENDA_PUBLISHED
                    if soon
                    else Meeting.Status.PLANNED
                )
                meetings.append(
                    Meeting(
                        body=body,
                        title=f"{body.short_name}-møde {number}/{year}",
                        starts_at=starts,
                        ends_at=starts + datetime.timedelta(hours=2),
                        location="KL-huset, København",
                        status=status,
                        minutes="Dagsordenen blev godkendt. (Skaladata.)" if past else "",
                        agenda_published_at=starts - datetime.timedelta(days=7)
                        if past or soon
                        else None,
                        minutes_approved_at=starts + datetime.timedelta(days=14) if past else None,
                        created_by=secretariat,
                    )
                )
                plans.append(past)
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    AgendaItem.objects.bulk_create(
        (
            AgendaItem(meeting=m, position=p, title=t)
            for m in meetings
            for p, t in enumerate(AGENDA, start=1)
        ),
        batch_size=5000,
    )
    decisions, ballots = [], []
    for meeting, past in zip(meetings, plans, strict=True):
        if not past:
            continue
        voters = voting.get(meeting.body_id, [])
        for number in range(preset.decisions_per_meeting):
            rejected = rng.random() < 0.1
            decision = Decision(
                body_id=meeting.body_id,
                title=f"Beslutning {number + 1} på {meeting.title}",
                text="Indstilling fra sekretariatet. (Skaladata.)",
                meeting=meeting,
                mode=Decision.Mode.AT_MEETING,
                deadline=meeting.starts_at,
                status=Decision.Status.REJECTED if rejected else Decision.Status.ADOPTED,
                opened_by=secretariat,
                opened_at=meeting.starts_at - datetime.timedelta(days=7),
                closed_by=secretariat,
                closed_at=meeting.starts_at + datetime.timedelta(hours=1),
            )
            decisions.append(decision)
            no = rng.randrange(len(voters)) if rejected and voters else -1
            ballots.append(
                (decision, [(seat, "no" if i == no else "yes") for i, seat in enumerate(voters)])
            )
    Decision.objects.bulk_create(decisions, batch_size=2000)
    Vote.objects.bulk_create(
        (
            Vote(
                decision=decision,
                seat=seat,
                cast_through=seat,
                cast_by_id=seat.person_id,
                choice=choice,
                cast_at=decision.opened_at + datetime.timedelta(days=1),
            )
            for decision, votes in ballots
            for seat, choice in votes
        ),
        batch_size=5000,
    )
    return [f"{seats} seats", f"{len(meetings)} meetings", f"{len(decisions)} decisions"]
