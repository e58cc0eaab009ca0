"""Demo content for `make run`: FU, PUG and APS seated with clearly fake people, this year's
meetings with agendas, one open decision awaiting fu-medlem's vote and one adopted decision.

Runs after partners' demo (the demo logins exist). Idempotent: a body that has seats, meetings
or decisions is left alone. PUG's KKR seat for Sjælland is left vacant on purpose, to show how
the body page reports a vacancy. The ten DGO steering groups are seated by their default rules.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from partners.models import DGO, Organisation, User

from . import services
from .models import Body, Decision, Membership, SeatRole

R = SeatRole


@dataclass(frozen=True)
class Seat:
    username: str
    role: str
    organisation: str
    capacity: str = ""
    geography: str | None = None
    substitute_for: str | None = None  # username of the member


# People who exist only for the demo (the logins come from partners.demo).
PEOPLE = {
    "demo-karin": ("Karin", "Kommunesen (demo)", "kl", "Borgmester, formand for FU"),
    "demo-rikke": ("Rikke", "Regionsen (demo)", "danske-regioner", "Regionsrådsformand"),
    "demo-steen": ("Steen", "Sundby (demo)", "danske-regioner", "Regionsrådsmedlem"),
    "demo-rasmus": ("Rasmus", "Realgaard (demo)", "realdania", "Direktør, Realdania"),
    "demo-camilla": ("Camilla", "Klimadal (demo)", "concito", "Adm. direktør, CONCITO"),
    "demo-carl": ("Carl", "Byström (demo)", "c40", "Direktør i Danmark, C40"),
    "demo-nina": ("Nina", "Nordby (demo)", "kkr-nordjylland", "Borgmester"),
    "demo-mikkel": ("Mikkel", "Midtby (demo)", "kkr-midtjylland", "Borgmester"),
    "demo-sofie": ("Sofie", "Sydby (demo)", "kkr-syddanmark", "Borgmester"),
    "demo-henrik": ("Henrik", "Hovedby (demo)", "kkr-hovedstaden", "Borgmester"),
    "demo-niels": ("Niels", "Nordregion (demo)", "region-nordjylland", "Regionsrådsmedlem"),
    "demo-maria": ("Maria", "Midtregion (demo)", "region-midtjylland", "Regionsrådsmedlem"),
    "demo-svend": ("Svend", "Sydregion (demo)", "region-syddanmark", "Regionsrådsmedlem"),
    "demo-hanna": ("Hanna", "Hovedregion (demo)", "region-hovedstaden", "Regionsrådsmedlem"),
    "demo-signe": ("Signe", "Sjællandsregion (demo)", "region-sjaelland", "Regionsrådsmedlem"),
    "demo-kasper": ("Kasper", "Kontorchef (demo)", "kl", "Kontorchef, KL"),
    "demo-kirsten": ("Kirsten", "Stedfortræder (demo)", "kl", "Chefkonsulent, KL"),
    "demo-randi": ("Randi", "Regional (demo)", "danske-regioner", "Kontorchef, Danske Regioner"),
    "demo-rune": ("Rune", "Reserve (demo)", "danske-regioner", "Chefkonsulent, Danske Regioner"),
    "demo-birgitte": ("Birgitte", "Byggefond (demo)", "realdania", "Projektchef, Realdania"),
    "demo-thea": ("Thea", "Vidensen (demo)", "concito", "Chefanalytiker, CONCITO"),
    "demo-jonas": ("Jonas", "Netværk (demo)", "c40", "Programleder, C40"),
}

SEATS = {
    "fu": [
        Seat("demo-karin", R.CHAIR, "kl", "Politisk repræsentant, formand"),
        Seat("fu-medlem", R.MEMBER, "kl", "Politisk repræsentant"),
        Seat("demo-rikke", R.VICE_CHAIR, "danske-regioner", "Politisk repræsentant, næstformand"),
        Seat("demo-steen", R.MEMBER, "danske-regioner", "Politisk repræsentant"),
        Seat("demo-rasmus", R.MEMBER, "realdania", "Repræsentant for Realdania"),
        Seat("observator", R.OBSERVER, "realdania", "Observatør for Realdania"),
        Seat("demo-camilla", R.OBSERVER, "concito", "CONCITO's adm. direktør"),
        Seat("demo-carl", R.OBSERVER, "c40", "C40's direktør i Danmark"),
    ],
    "pug": [
        Seat("demo-karin", R.CHAIR, "kl", "FU's formand, fra forretningsudvalget (KL)"),
        Seat("demo-rikke", R.MEMBER, "danske-regioner", "Fra FU (Danske Regioner)"),
        Seat("demo-nina", R.MEMBER, "kkr-nordjylland", "Kommunal repræsentant", "nordjylland"),
        Seat("demo-mikkel", R.MEMBER, "kkr-midtjylland", "Kommunal repræsentant", "midtjylland"),
        Seat("demo-sofie", R.MEMBER, "kkr-syddanmark", "Kommunal repræsentant", "syddanmark"),
        Seat("demo-henrik", R.MEMBER, "kkr-hovedstaden", "Kommunal repræsentant", "hovedstaden"),
        # KKR Sjælland's seat is vacant in the demo.
        Seat("demo-niels", R.MEMBER, "region-nordjylland", "Regional repræsentant", "nordjylland"),
        Seat("demo-maria", R.MEMBER, "region-midtjylland", "Regional repræsentant", "midtjylland"),
        Seat("demo-svend", R.MEMBER, "region-syddanmark", "Regional repræsentant", "syddanmark"),
        Seat("demo-hanna", R.MEMBER, "region-hovedstaden", "Regional repræsentant", "hovedstaden"),
        Seat("demo-signe", R.MEMBER, "region-sjaelland", "Regional repræsentant", "sjaelland"),
        Seat("observator", R.OBSERVER, "realdania", "Observatør for Realdania"),
        Seat("demo-camilla", R.OBSERVER, "concito", "Observatør for CONCITO"),
        Seat("demo-carl", R.OBSERVER, "c40", "Observatør for C40"),
    ],
    "aps": [
        Seat("demo-kasper", R.MEMBER, "kl", "Repræsentant for KL"),
        Seat("demo-kirsten", R.SUBSTITUTE, "kl", "Suppleant for KL", substitute_for="demo-kasper"),
        Seat("demo-randi", R.MEMBER, "danske-regioner", "Repræsentant for regionerne"),
        Seat("demo-rune", R.SUBSTITUTE, "danske-regioner", "Suppleant for regionerne",
             substitute_for="demo-randi"),
        Seat("demo-birgitte", R.MEMBER, "realdania", "Repræsentant for Realdania"),
        Seat("demo-thea", R.OBSERVER, "concito", "Observatør for CONCITO"),
        Seat("demo-jonas", R.OBSERVER, "c40", "Observatør for C40"),
    ],
}  # fmt: skip

# (month, day, hour) of this year's meetings, by body: the agreement's cadence.
MEETING_DATES = {
    "fu": [(3, 12, 13), (10, 8, 13)],
    "pug": [(4, 23, 10), (11, 19, 10)],
    "aps": [(1, 28, 9), (3, 25, 9), (5, 27, 9), (8, 26, 9), (10, 28, 9), (12, 9, 9)],
}
AGENDAS = {
    "fu": [
        ("Godkendelse af dagsorden", ""),
        ("Status på Klimaalliancen", "Sekretariatet orienterer om fremdrift og økonomi."),
        ("Klimaudviklingsspor til godkendelse", "Indstilling fra APS med klimafaglig vurdering."),
        ("Eventuelt", ""),
    ],
    "pug": [
        ("Godkendelse af dagsorden", ""),
        ("Strategiske fokusområder for klimaudviklingsspor", "Behov på tværs af DGO'erne."),
        ("Videndeling fra geografierne", "Kort nyt fra de fem DGO'er."),
        ("Eventuelt", ""),
    ],
    "aps": [
        ("Opfølgning på tidsplan og budget", ""),
        ("Bruttolisten over klimaudviklingsspor", "Kvalificering med videnspartnerne."),
        ("Input fra de fem DGO'er", ""),
        ("Eventuelt", ""),
    ],
}  # fmt: skip


def _people() -> dict[str, User]:
    organisations = {o.code: o for o in Organisation.objects.all()}
    people = {
        user.username: user
        for user in User.objects.filter(username__in=["fu-medlem", "observator"])
    }
    for username, (first, last, organisation, title) in PEOPLE.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.klimaalliancen.dk",
                "organisation": organisations[organisation],
                "title": title,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        people[username] = user
    return people


def _seat_bodies(people: dict[str, User], created: list[str]) -> None:
    organisations = {o.code: o for o in Organisation.objects.all()}
    geographies = {dgo.slug: dgo for dgo in DGO.objects.all()}
    start = datetime.date(2023, 4, 1)  # the partnership's start (§7)
    for code in ("fu", "pug", "aps"):
        body = Body.objects.get(code=code)
        if body.memberships.exists():
            continue
        seated: dict[str, Membership] = {}
        for seat in SEATS[code]:
            membership = services.membership_add(
                body=body,
                person=people[seat.username],
                seat_role=seat.role,
                appointed_by=organisations[seat.organisation],
                geography=geographies[seat.geography] if seat.geography else None,
                substitute_for=seated[seat.substitute_for] if seat.substitute_for else None,
                capacity=seat.capacity,
                starts_on=start,
                by=None,
            )
            seated[seat.username] = membership
            created.append(f"membership:{code}:{seat.username}")


def _demo_person(username: str, first: str, last: str, organisation: Organisation, **extra) -> User:
    user, was_created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.klimaalliancen.dk",
            "organisation": organisation,
            **extra,
        },
    )
    if was_created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _seat_dgo_groups(created: list[str]) -> None:
    """Each geography's two steering groups, seated as their default rules say: political =
    the regional council chair and the KKR chairmanship; administrative = five municipal
    representatives from five different municipalities and two from the region."""
    start = datetime.date(2023, 4, 1)
    for dgo in DGO.objects.select_related("region", "kkr").order_by("name"):
        geography = dgo.geography
        region, kkr = dgo.region, dgo.kkr
        political = Body.objects.filter(code=f"dgo-{dgo.slug}-pol").first()
        if political is not None and not political.memberships.exists():
            for number, (first, title, organisation) in enumerate(
                (
                    ("Regionsrådsformand", "Regionsrådsformand", region),
                    ("KKR-formand", "Formand for KKR, borgmester", kkr),
                    ("KKR-næstformand", "Næstformand for KKR, borgmester", kkr),
                ),
                start=1,
            ):
                person = _demo_person(
                    f"demo-{dgo.slug}-pol-{number}", first, f"{geography} (demo)", organisation,
                    title=title,
                )  # fmt: skip
                services.membership_add(
                    body=political, person=person, seat_role=R.MEMBER, appointed_by=organisation,
                    capacity=title, starts_on=start, by=None,
                )  # fmt: skip
                created.append(f"membership:{political.code}:{person.username}")
        administrative = Body.objects.filter(code=f"dgo-{dgo.slug}-adm").first()
        if administrative is None or administrative.memberships.exists():
            continue
        municipalities = list(dgo.municipalities.order_by("name")[:5])
        seats = [(f"Kommunaldirektør, {m.name}", kkr, m) for m in municipalities] + [
            ("Regionaldirektør", region, None),
            ("Chef for Regional Udvikling", region, None),
        ]
        for number, (title, organisation, municipality) in enumerate(seats, start=1):
            person = _demo_person(
                f"demo-{dgo.slug}-adm-{number}", "Direktør", f"{geography} {number} (demo)",
                organisation, title=title, municipality=municipality,
            )  # fmt: skip
            services.membership_add(
                body=administrative, person=person, seat_role=R.MEMBER,
                appointed_by=organisation, capacity=title, starts_on=start, by=None,
            )  # fmt: skip
            created.append(f"membership:{administrative.code}:{person.username}")


def _meetings(secretariat: User, created: list[str]) -> None:
    now = timezone.now()
    year = timezone.localdate().year
    tz = timezone.get_current_timezone()
    for code, dates in MEETING_DATES.items():
        body = Body.objects.get(code=code)
        if body.meetings.exists():
            continue
        for number, (month, day, hour) in enumerate(dates, start=1):
            starts = datetime.datetime(year, month, day, hour, 0, tzinfo=tz)
            meeting = services.meeting_create(
                body=body,
                by=secretariat,
                title=f"{body.short_name}-møde {number}/{year}",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=2, minutes=30),
                location="KL-huset, Weidekampsgade 10, København S"
                if number % 2
                else "Danske Regioner, Dampfærgevej 22, København Ø",
                video_url="https://video.example.dk/klimaalliancen-demo",
            )
            for title, description in AGENDAS[code]:
                services.agenda_item_add(
                    meeting=meeting, by=secretariat, title=title, description=description
                )
            if starts < now:
                services.meeting_publish_agenda(meeting=meeting, by=secretariat)
                services.meeting_mark_held(meeting=meeting, by=secretariat)
                services.meeting_minutes_save(
                    meeting=meeting,
                    by=secretariat,
                    minutes=(
                        "Dagsordenen blev godkendt.\n\nSekretariatet orienterede om status. "
                        "Gruppen tog orienteringen til efterretning.\n\n(Demo-referat.)"
                    ),
                )
                # Approved by the body before the portal: not the secretariat's act.
                services.meeting_approve_minutes(meeting=meeting, by=None)
            elif starts < now + datetime.timedelta(days=45):
                services.meeting_publish_agenda(meeting=meeting, by=secretariat)
            created.append(f"meeting:{meeting.pk}")


def _decisions(people: dict[str, User], secretariat: User, created: list[str]) -> None:
    fu = Body.objects.get(code="fu")
    if fu.decisions.exists():
        return
    now = timezone.now()
    adopted = services.decision_open(
        body=fu,
        title="Projektplan for Klimaalliancens næste år",
        text=(
            "Forretningsudvalget godkender sekretariatets projektplan for det kommende år, "
            "herunder aktiviteter, tidsplan og budgetramme.\n\n(Demo-beslutning.)"
        ),
        deadline=now + datetime.timedelta(days=7),
        mode=Decision.Mode.IN_WRITING,
        by=secretariat,
    )
    for username in ("demo-karin", "demo-rikke", "demo-steen", "demo-rasmus", "fu-medlem"):
        services.vote_cast(decision=adopted, by=people[username], choice="yes")
    created.append(f"decision:{adopted.pk}")

    open_decision = services.decision_open(
        body=fu,
        title="Godkendelse af monitoreringssystemets første version",
        text=(
            "Videnspartnerne CONCITO og C40 har på baggrund af drøftelser i APS fremlagt forslag "
            "til monitoreringssystem. Forretningsudvalget indstilles til at godkende forslaget, "
            "så dataindsamlingen kan begynde i næste monitoreringsrunde.\n\n(Demo-beslutning.)"
        ),
        deadline=now + datetime.timedelta(days=2),
        mode=Decision.Mode.IN_WRITING,
        by=secretariat,
    )
    # Opened a week ago with two days left: the demo's reminder run (seed_demo) reminds
    # fu-medlem, whose vote is missing, three days before the deadline.
    Decision.objects.filter(pk=open_decision.pk).update(opened_at=now - datetime.timedelta(days=7))
    for username in ("demo-karin", "demo-rikke", "demo-rasmus"):
        services.vote_cast(decision=open_decision, by=people[username], choice="yes")
    services.decision_comment_add(
        decision=open_decision,
        by=people["observator"],
        text="Realdania bakker op om forslaget og ser frem til den første statusrapport.",
    )
    created.append(f"decision:{open_decision.pk}")


def seed() -> list[str]:
    created: list[str] = []
    secretariat = User.objects.filter(username="sekretariat").first()
    if secretariat is None or not Body.objects.filter(code="fu").exists():
        return created
    people = _people()
    _seat_bodies(people, created)
    _seat_dgo_groups(created)
    _meetings(secretariat, created)
    _decisions(people, secretariat, created)
    return created
