# ruff: noqa: E501  (the demo tables read best one track per block)
"""Demo content for `make run`: PUG's focus areas, a dozen development tracks in every state,
climate assessments by CONCITO and C40, FU decisions (through governance), allocations from
both liquid pools (approved and pending), spending and a budget change awaiting approval.

Runs after partners' and governance's demo (the logins and FU's seats exist). Everything goes
through the services, as in production. Idempotent: once any track exists, nothing is added.
The logins `videnspartner` (CONCITO) and `realdania` (Realdania's approver) come from
partners.demo; two more demo people without a login act for C40 and for the regions' pool.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from governance import services as governance_services
from governance.models import VOTING_ROLES, Body, Membership
from partners.models import DGO, Municipality, Organisation, RoleAssignment, User
from partners.services import role_grant

from . import services
from .models import BudgetLine, Contribution, FocusArea, LiquidPool, Principle, Track

S = Track.Status
Role = RoleAssignment.Role
D = Decimal

FOCUS_AREAS = {
    2025: [
        ("Restudledninger fra landbrug og arealanvendelse", "Residual emissions from agriculture and land use",
         "Udledninger, der er svære at reducere: husdyr, lavbundsjorder og arealanvendelse."),
        ("Tung transport og mobilitet", "Heavy transport and mobility",
         "Lastbiler, arbejdsmaskiner og kollektiv trafik uden fossile brændsler."),
        ("Energi og forsyning", "Energy and supply",
         "Fjernvarme, el og fleksibilitet i et fossilfrit energisystem."),
    ],
    2026: [
        ("Restudledninger fra landbrug og arealanvendelse", "Residual emissions from agriculture and land use",
         "Videreført fra 2025 med særligt fokus på lavbundsjorder og biochar."),
        ("Forbrugsbaserede udledninger og cirkulær økonomi", "Consumption-based emissions and circular economy",
         "Metoder til at opgøre og reducere udledninger fra forbrug, indkøb og byggeri."),
        ("Tung transport og mobilitet", "Heavy transport and mobility",
         "Ladeinfrastruktur og fossilfri drift af tung transport."),
        ("Klimatilpasning på tværs af grænser", "Climate adaptation across boundaries",
         "Skybrud, havvandsstigning og vandoplande på tværs af kommunegrænser."),
    ],
}  # fmt: skip


@dataclass
class Spec:
    key: str
    title: str
    state: str
    proposer: str
    dgos: list[str]
    participants: list[str]  # municipality names; "Region X" for regions; the first is lead
    focus: tuple[int, str] | None
    problem: str
    ambition: str
    development: str
    sharing: str = (
        "Resultaterne deles via sekretariatet og videnspartnerne på Klimaalliancens netværksmøder, "
        "i en åben vidensbank og på et webinar for alle kommuner og regioner."
    )
    evaluation: str = (
        "Videnspartnerne følger sporet med en midtvejsstatus og en slutevaluering af effekt, "
        "læring og overførbarhed til andre kommuner."
    )
    funding: list[tuple[int, str, D]] = field(default_factory=list)  # year, pool key, amount
    external: list[tuple[str, str, D, str]] = field(default_factory=list)
    contacts: list[tuple[str, str, str]] = field(default_factory=list)


AGRI = (2026, "Restudledninger fra landbrug og arealanvendelse")
AGRI_25 = (2025, "Restudledninger fra landbrug og arealanvendelse")
TRANSPORT = (2026, "Tung transport og mobilitet")
TRANSPORT_25 = (2025, "Tung transport og mobilitet")
ENERGY = (2025, "Energi og forsyning")
CONSUMPTION = (2026, "Forbrugsbaserede udledninger og cirkulær økonomi")
ADAPTATION = (2026, "Klimatilpasning på tværs af grænser")

TRACKS = [
    Spec("materials", "Klimavenlige byggematerialer i kommunalt byggeri", S.DRAFT,
         "koordinator-midt", ["midtjylland"], ["Aarhus", "Silkeborg"], CONSUMPTION,
         "Byggematerialer står for en stor del af kommunernes forbrugsbaserede udledninger.",
         "Halvere CO2e pr. m² i nye kommunale byggerier inden 2030.", ""),
    Spec("peak-load", "Fjernvarme uden fossil spidslast", S.SUBMITTED,
         "koordinator-midt", ["midtjylland"], ["Herning", "Ikast-Brande", "Holstebro", "Region Midtjylland"],
         ENERGY,
         "Fjernvarmen bruger stadig olie og gas til spidslast på de koldeste dage.",
         "Fossilfri spidslast i tre fjernvarmeområder inden 2028.",
         "Test af varmelagre, elkedler og fleksibelt forbrug i tre forsyninger med forskellige "
         "forudsætninger, med fælles driftsdata.",
         funding=[(2026, "regioner-likvide", D("400000.00")), (2027, "regioner-likvide", D("300000.00"))]),
    Spec("lowland", "Lavbundsjorder: fra kortlægning til udtagning", S.IN_QUALIFICATION,
         "koordinator-midt", ["midtjylland", "nordjylland"], ["Viborg", "Skive", "Vesthimmerlands", "Region Midtjylland"],
         AGRI,
         "Kulstofrige lavbundsjorder udleder store mængder CO2, og udtagningen går langsomt.",
         "Udtage 1.500 ha lavbundsjord i de deltagende kommuner inden 2028.",
         "En ny model for helhedsplanlægning med lodsejere, hvor jordfordeling, natur og "
         "klimaeffekt vurderes samlet og afprøves i tre projektområder.",
         funding=[(2026, "realdania-likvide", D("600000.00"))],
         external=[("EU", "LIFE – klima", D("4500000.00"), "sought")]),
    Spec("consumption", "Forbrugsbaserede udledninger i kommunale klimaregnskaber", S.ASSESSED,
         "koordinator-hovedstaden", ["hovedstaden"], ["København", "Frederiksberg", "Gladsaxe", "Albertslund"],
         CONSUMPTION,
         "Kommunernes klimaregnskaber viser kun territoriale udledninger; forbruget mangler.",
         "En fælles metode, som alle 98 kommuner kan bruge fra 2027.",
         "Udvikling og test af en metode, der kobler indkøbsdata og forbrugsstatistik til "
         "udledninger, afprøvet i fire kommuner med forskellig størrelse."),
    Spec("trucks", "Tung transport: fælles ladeinfrastruktur for lastbiler", S.RECOMMENDED,
         "sekretariat", ["syddanmark", "hovedstaden"], ["Kolding", "Fredericia", "Vejle", "Høje-Taastrup", "Region Syddanmark"],
         TRANSPORT,
         "Eldrevne lastbiler mangler ladepladser langs de store transportkorridorer.",
         "Ti fælles ladehubs planlagt og tre i drift inden 2028.",
         "Demonstration af en fælleskommunal planlægningsmodel for ladehubs med vognmænd og "
         "netselskaber, afprøvet i trekantområdet og på Vestegnen.",
         funding=[(2026, "realdania-likvide", D("900000.00"))]),
    Spec("biochar", "Restudledninger fra landbruget: biochar og pyrolyse", S.APPROVED,
         "koordinator-midt", ["midtjylland"], ["Ringkøbing-Skjern", "Lemvig", "Struer", "Region Midtjylland"],
         AGRI,
         "Landbrugets restudledninger kan ikke fjernes med kendte virkemidler alene.",
         "Dokumentere effekten af biochar fra lokal pyrolyse på 500 ha inden 2028.",
         "Fuldskalatest af pyrolyseanlæg med halm og restfibre, hvor biochar nedmuldes på "
         "forsøgsmarker og effekten måles af universiteterne.",
         funding=[(2026, "realdania-likvide", D("800000.00"))],
         external=[("Innovationsfonden", "Grand Solutions", D("3000000.00"), "sought")],
         contacts=[("Mette Mark (demo)", "Ringkøbing-Skjern Kommune", "Projektleder")]),
    Spec("forest", "CO2-kompensation gennem lokale skovprojekter", S.REJECTED,
         "koordinator-hovedstaden", ["hovedstaden"], ["Hillerød", "Gribskov", "Halsnæs"],
         AGRI_25,
         "Borgere og virksomheder efterspørger lokal klimakompensation.",
         "Plante 200 ha skov finansieret af kompensation.",
         "Skovrejsning med en lokal kompensationsordning."),
    Spec("concrete", "Cirkulært byggeri: genbrug af beton og tegl", S.RUNNING,
         "koordinator-hovedstaden", ["hovedstaden", "sjaelland"], ["København", "Roskilde", "Køge", "Region Hovedstaden"],
         CONSUMPTION,
         "Nedrivningsmaterialer knuses til vejfyld i stedet for at blive genbrugt.",
         "30 procent genbrugte materialer i fem kommunale byggerier.",
         "Test af selektiv nedrivning, materialepas og krav i udbud, så beton og tegl kan "
         "genbruges i nye kommunale byggerier.",
         funding=[(2026, "realdania-likvide", D("1200000.00"))]),
    Spec("refuse", "Fossilfri renovationskøretøjer", S.RUNNING,
         "sekretariat", ["syddanmark", "nordjylland"], ["Odense", "Svendborg", "Aalborg", "Hjørring"],
         TRANSPORT_25,
         "Renovationskøretøjer kører på diesel og fornyes sjældent.",
         "Alle renovationskøretøjer i de fire kommuner fossilfri ved næste udbud.",
         "Demonstration af el- og biogasdrevne skraldebiler i forskellige ruter og terræn, "
         "med fælles udbudskrav og driftsdata.",
         funding=[(2026, "regioner-likvide", D("750000.00"))]),
    Spec("cloudburst", "Skybrudsplanlægning på tværs af vandoplande", S.EVALUATED,
         "koordinator-midt", ["midtjylland"], ["Randers", "Favrskov", "Syddjurs", "Norddjurs", "Region Midtjylland"],
         ADAPTATION,
         "Vand kender ikke kommunegrænser, men skybrudsplaner laves kommune for kommune.",
         "Én fælles skybrudsplan for Gudenåens nedre vandopland.",
         "Afprøvning af en fælles hydraulisk model og en ny samarbejdsaftale på tværs af fire "
         "kommuner og forsyninger.",
         funding=[(2025, "regioner-likvide", D("400000.00"))]),
    Spec("energy-communities", "Energifællesskaber i landdistrikter", S.CLOSED,
         "sekretariat", ["sjaelland"], ["Lolland", "Guldborgsund", "Vordingborg", "Region Sjælland"],
         ENERGY,
         "Lokale energifællesskaber strander på regler og finansiering.",
         "Fem energifællesskaber etableret i landdistrikter.",
         "Udvikling af en standardmodel for energifællesskaber med lokale forsyninger, "
         "afprøvet i fem landsbyer."),
    Spec("buildings-accounts", "Fælles klimaregnskab for kommunale bygninger", S.WITHDRAWN,
         "koordinator-hovedstaden", ["hovedstaden"], ["Ballerup", "Herlev", "Glostrup"],
         CONSUMPTION,
         "Kommunerne opgør bygningers energiforbrug forskelligt.",
         "Ensartede klimaregnskaber for alle kommunale bygninger.",
         "Udrulning af et eksisterende energistyringssystem."),
]  # fmt: skip

ASSESSMENT_TEXT = (
    "Sporet adresserer en væsentlig kilde til {theme} og har et tydeligt udviklingselement. "
    "Projektet kan give viden, som er relevant for mange kommuner, hvis resultaterne "
    "dokumenteres systematisk.\n\nVidenspartnerne anbefaler, at sporet fastsætter målbare "
    "delmål og deler data åbent, så effekten kan sammenlignes på tværs af kommunerne.\n\n"
    "(Demo-vurdering.)"
)


def _people() -> dict[str, User]:
    people = {u.username: u for u in User.objects.all()}
    organisations = {o.code: o for o in Organisation.objects.all()}
    extra = {
        "demo-clara": ("Clara", "Citynet (demo)", "c40", "Klimarådgiver, C40", Role.KNOWLEDGE_PARTNER),
        "demo-regitze": ("Regitze", "Regionalkasse (demo)", "danske-regioner",
                         "Økonomichef, godkender for regionernes likvide midler", Role.PARTY_APPROVER),
    }  # fmt: skip
    for username, (first, last, org, title, role) in extra.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.klimaalliancen.dk",
                "organisation": organisations[org],
                "title": title,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            role_grant(
                user=user, role=role, by=None, reason="Demo data", organisation=organisations[org]
            )
        people[username] = user
    return people


def pug_adopts(area: FocusArea, secretariat: User) -> None:
    """PUG adopts the focus area: every voting seat votes yes (unanimity)."""
    decision = services.focus_area_put_to_pug(focus_area=area, by=secretariat)
    voters = (
        Membership.objects.active()
        .filter(body__code="pug", seat_role__in=VOTING_ROLES)
        .select_related("person")
        .order_by("pk")
    )
    for seat in voters:
        governance_services.vote_cast(decision=decision, by=seat.person, choice="yes")
        decision.refresh_from_db()
        if not decision.is_open:
            break
    area.refresh_from_db()


def _focus_areas(secretariat: User) -> dict[tuple[int, str], FocusArea]:
    areas = {}
    for year, rows in FOCUS_AREAS.items():
        for position, (name_da, name_en, description) in enumerate(rows):
            area = FocusArea.objects.filter(year=year, name_da=name_da).first()
            if area is None:
                area = services.focus_area_save(
                    by=secretariat,
                    year=year,
                    name_da=name_da,
                    name_en=name_en,
                    description=description,
                    position=position,
                )
                pug_adopts(area, secretariat)
            areas[(year, name_da)] = area
    return areas


def _participant(name: str) -> dict:
    if name.startswith("Region "):
        region = Organisation.objects.get(kind=Organisation.Kind.REGION, name=name)
        return {"municipality": None, "region": region, "is_lead": False}
    return {
        "municipality": Municipality.objects.get(name=name),
        "region": None,
        "is_lead": False,
    }


def _create(spec: Spec, people, areas, pools) -> Track:
    participants = [_participant(name) for name in spec.participants]
    if participants:
        participants[0]["is_lead"] = True
    return services.track_create(
        by=people[spec.proposer],
        dgos=list(DGO.objects.filter(slug__in=spec.dgos)),
        title=spec.title,
        problem=spec.problem,
        ambition=spec.ambition,
        development_element=spec.development,
        knowledge_sharing_plan=spec.sharing if spec.state != S.DRAFT else "",
        evaluation_plan=spec.evaluation if spec.state != S.DRAFT else "",
        focus_area=areas[spec.focus] if spec.focus else None,
        participants=participants,
        funding_requests=[
            {"year": year, "source": "pool", "pool": pools[key], "amount": amount, "note": ""}
            for year, key, amount in spec.funding
        ],
        external_funding=[
            {"funder": funder, "programme": programme, "amount": amount, "status": status}
            for funder, programme, amount, status in spec.external
        ],
        contacts=[
            {"name": name, "organisation": org, "role": role, "email": "", "phone": ""}
            for name, org, role in spec.contacts
        ],
    )


ORDER = [
    S.DRAFT, S.SUBMITTED, S.IN_QUALIFICATION, S.ASSESSED, S.RECOMMENDED, S.APPROVED, S.RUNNING,
    S.EVALUATED, S.CLOSED,
]  # fmt: skip
FU_VOTERS = ("demo-karin", "demo-rikke", "demo-steen", "demo-rasmus", "fu-medlem")


def _fu_decide(track: Track, people, *, outcome: str) -> None:
    """Put the track to FU and, unless the decision is left open, let every seat vote."""
    decision = services.track_put_to_fu(
        track=track,
        by=people["sekretariat"],
        deadline=timezone.now() + datetime.timedelta(days=14),
    )
    if outcome == "open":
        for username in ("demo-karin", "demo-rikke"):
            governance_services.vote_cast(decision=decision, by=people[username], choice="yes")
        return
    for username in FU_VOTERS:
        choice = "no" if outcome == "reject" and username == "demo-steen" else "yes"
        governance_services.vote_cast(decision=decision, by=people[username], choice=choice)
        decision.refresh_from_db()
        if not decision.is_open:
            break


def aps_decides(track: Track, step: str, by, *, choice: str = "yes"):
    """Put one of APS's steps with the track to APS (`by`: the secretariat) and let every
    voting seat vote, as APS would at its meeting; one "no" rejects (unanimity, §8.4)."""
    decision = services.track_put_to_aps(track=track, by=by, step=step)
    voters = (
        Membership.objects.active()
        .filter(body__code="aps", seat_role__in=VOTING_ROLES)
        .select_related("person")
        .order_by("pk")
    )
    for seat in voters:
        governance_services.vote_cast(decision=decision, by=seat.person, choice=choice)
        decision.refresh_from_db()
        if not decision.is_open:
            break
    return decision


def _judge_all_met(track: Track, by) -> None:
    services.principles_judge(
        track=track,
        by=by,
        judgements={
            Principle.PROBLEM: (True, "Tydeligt afgrænset problem og en målbar ambition."),
            Principle.DEVELOPMENT: (True, "Tester en løsning, der ikke er afprøvet i Danmark."),
            Principle.OPENNESS: (True, "Videndeling via sekretariatet og videnspartnerne."),
            Principle.PARTICIPANTS: (True, "Mindst tre kommuner og regioner deltager."),
            Principle.EVALUATION: (True, "Evalueringsplan med før- og eftermålinger."),
        },
    )


def _advance(track: Track, spec: Spec, people) -> Track:
    secretariat, aps = people["sekretariat"], people["demo-kasper"]
    proposer = people[spec.proposer]
    target = spec.state
    if target == S.DRAFT:
        return track
    if target == S.WITHDRAWN:
        services.track_submit(track=track, by=proposer)
        aps_decides(track, "qualification", secretariat)
        services.track_withdraw(
            track=track,
            by=proposer,
            reason="APS og videnspartnerne vurderer, at sporet ruller en kendt løsning ud og "
            "mangler et udviklingselement. Ideen indgår i stedet i implementeringsstøtten.",
        )
        return track
    services.track_submit(track=track, by=proposer)
    if target == S.SUBMITTED:
        return track
    aps_decides(track, "qualification", secretariat)
    if target == S.IN_QUALIFICATION:
        return track
    theme = spec.focus[1].lower() if spec.focus else "udledninger"
    services.assessment_publish(
        track=track,
        by=people["videnspartner"],
        text=ASSESSMENT_TEXT.format(theme=theme),
        conclusion="supported" if target != S.REJECTED else "conditional",
    )
    if spec.key == "biochar":  # a second, later version by C40: the first stays visible
        services.assessment_publish(
            track=track,
            by=people["demo-clara"],
            text=ASSESSMENT_TEXT.format(theme=theme)
            + "\n\nTilføjelse: C40 peger på internationale erfaringer fra Sverige og Finland.",
            conclusion="supported",
        )
    if target == S.ASSESSED:
        return track
    _judge_all_met(track, aps)
    aps_decides(track, "recommendation", secretariat)
    if target == S.RECOMMENDED:
        _fu_decide(track, people, outcome="open")
        return track
    _fu_decide(track, people, outcome="reject" if target == S.REJECTED else "adopt")
    track.refresh_from_db()
    if target in (S.APPROVED, S.REJECTED):
        return track
    services.track_start(track=track, by=proposer)
    services.status_update_add(
        track=track,
        by=proposer,
        date=timezone.localdate() - datetime.timedelta(days=60),
        progress="Projektgruppen er etableret, og de første aftaler med partnerne er indgået.",
        risks="Tidsplanen er stram op til sommerferien.",
    )
    services.status_update_add(
        track=track,
        by=proposer,
        date=timezone.localdate() - datetime.timedelta(days=10),
        progress="Første afprøvning er gennemført; data indsamles og deles med videnspartnerne.",
    )
    services.knowledge_product_add(
        track=track,
        by=proposer,
        title=f"Erfaringsnotat: {track.title}",
        description="Kort notat om de første erfaringer, til alle kommuner og regioner.",
        url="https://example.dk/klimaalliancen/erfaringsnotat",
    )
    if target == S.RUNNING:
        return track
    services.track_evaluate(
        track=track,
        by=people["videnspartner"],
        text="Sporet har nået sine delmål og leveret en model, som andre kommuner kan bruge. "
        "Læringen er samlet i et erfaringsnotat. (Demo-evaluering.)",
    )
    if target == S.EVALUATED:
        return track
    services.track_close(track=track, by=secretariat, reason="Sporet er afsluttet og evalueret.")
    return track


def _funds(tracks: dict[str, Track], people, pools) -> None:
    secretariat = people["sekretariat"]
    realdania_pool, regions_pool = pools["realdania-likvide"], pools["regioner-likvide"]

    def request(key, pool, year, amount, purpose, by=secretariat):
        return services.allocation_request(
            track=tracks[key], pool=pool, by=by, year=year, amount=D(amount), purpose=purpose
        )

    concrete = request("concrete", realdania_pool, 2026, "1200000.00", "Materialepas og test")
    services.allocation_approve(allocation=concrete, by=people["realdania"], note="Godkendt.")
    request("biochar", realdania_pool, 2026, "800000.00", "Pyrolyseforsøg og målinger")
    refuse = services.allocation_request(
        track=tracks["concrete"],
        pool=realdania_pool,
        by=secretariat,
        year=2027,
        amount=D("2500000.00"),
        purpose="Udvidelse til ti byggerier",
    )
    services.allocation_refuse(
        allocation=refuse,
        by=people["realdania"],
        note="For stort i forhold til puljen; søg igen med en mindre ansøgning.",
    )
    refuse_track = request("refuse", regions_pool, 2026, "750000.00", "Demonstrationskøretøjer")
    services.allocation_approve(allocation=refuse_track, by=people["demo-regitze"])
    # Booked while the track ran; it is evaluated by now, so the allocation is requested earlier.
    lines = {line.key: line for line in BudgetLine.objects.all()}
    services.spending_add(
        budget_line=lines["regioner-likvide-2026"],
        by=secretariat,
        date=timezone.localdate() - datetime.timedelta(days=20),
        amount=D("300000.00"),
        description="Leje af el-skraldebil, første halvår",
        document_reference="FAK-2026-0412",
        allocation=refuse_track,
    )
    services.spending_add(
        budget_line=lines["realdania-likvide-2026"],
        by=secretariat,
        date=timezone.localdate() - datetime.timedelta(days=15),
        amount=D("450000.00"),
        description="Materialepas og laboratorietest af beton",
        document_reference="FAK-2026-0388",
        allocation=concrete,
    )
    services.spending_add(
        budget_line=lines["kl-kkr-2026"],
        by=secretariat,
        date=timezone.localdate() - datetime.timedelta(days=40),
        amount=D("1250000.00"),
        description="Sekretariatsbetjening og netværksmøder, første halvår",
        document_reference="BILAG-2026-017",
    )
    services.spending_add(
        budget_line=lines["realdania-videnspartnere-2026"],
        by=secretariat,
        date=timezone.localdate() - datetime.timedelta(days=30),
        amount=D("1700000.00"),
        description="CONCITO og C40: klimafaglige vurderinger og monitorering",
        document_reference="FAK-2026-0301",
    )
    services.budget_change_request(
        from_line=lines["realdania-videnspartnere-2027"],
        to_line=lines["realdania-videnspartnere-2026"],
        amount=D("500000.00"),
        reason="Den årlige statusrapport udvides i 2026; midlerne flyttes frem fra 2027.",
        by=secretariat,
    )


# Demo: Midtjylland's co-financing of its DGO (§8.5), in the shape of the DK2020 Midtjylland
# agreement (region 3 mio, the municipalities matching 3 mio, Realdania 2–3 mio per region).
# The partnership agreement gives no DGO amounts for 2025–2027: these are illustrative.
DGO_COFINANCING = (
    ("midt-region", "region-midtjylland", "Region Midtjyllands medfinansiering af DGO Midtjylland",
     "3000000.00", "Klimakoordinator, analyser, arrangementer og data"),
    ("midt-kkr", "kkr-midtjylland", "Kommunernes medfinansiering af DGO Midtjylland (KKR)",
     "3000000.00", "Klimakoordinator, ankerkommunemodel og workshops"),
    ("midt-realdania", "realdania", "Realdanias regionale andel til DGO Midtjylland",
     "2500000.00", "Puljer til konsulentbistand og videnspartner"),
)  # fmt: skip


def _dgo_cofinancing(people) -> None:
    from .reference import yearly_amounts

    dgo = DGO.objects.get(slug="midtjylland")
    for key, party, name, amount, purpose in DGO_COFINANCING:
        contribution, created = Contribution.objects.get_or_create(
            key=key,
            defaults={
                "contributor": Organisation.objects.get(code=party),
                "name": name,
                "amount": D(amount),
                "year_from": 2025,
                "year_to": 2027,
                "dgo": dgo,
                "description": "Demo: beløbene er illustrative.",
            },
        )
        if not created:
            continue
        for year, part in yearly_amounts(D(amount), 2025, 2027).items():
            BudgetLine.objects.create(
                key=f"{key}-{year}", contribution=contribution, year=year, purpose=purpose,
                amount=part,
            )  # fmt: skip
    secretariat = people.get("sekretariat")
    if secretariat is not None:
        # The parties' hourly rates for the year, as the secretariat keeps them: hours they
        # contribute are valued at these.
        for party in sorted({party for _key, party, *_rest in DGO_COFINANCING}):
            services.hourly_rate_set(
                party=Organisation.objects.get(code=party),
                year=2026,
                rate=D("650.00"),
                by=secretariat,
                note="Demo: timesats efter partens lønopgørelse for 2026.",
            )
    coordinator = people.get("koordinator-midt")
    if coordinator is not None:
        services.spending_add(
            budget_line=BudgetLine.objects.get(key="midt-region-2026"),
            by=coordinator,
            date=timezone.localdate() - datetime.timedelta(days=25),
            amount=D("185000.00"),
            description="Klimakoordinator, andet kvartal (Region Midtjylland)",
            document_reference="RM-2026-044",
        )


def seed() -> list[str]:
    created: list[str] = []
    people = _people()
    secretariat = people.get("sekretariat")
    if (
        secretariat is None
        or "videnspartner" not in people
        or not Body.objects.filter(code="fu").exists()
        or not Membership.objects.filter(body__code="fu").exists()
        or not LiquidPool.objects.exists()
    ):
        return created
    areas = _focus_areas(secretariat)
    if Track.objects.exists():
        return created
    _dgo_cofinancing(people)
    pools = {pool.key: pool for pool in LiquidPool.objects.all()}
    tracks: dict[str, Track] = {}
    for spec in TRACKS:
        track = _create(spec, people, areas, pools)
        if spec.key == "cloudburst":
            # Funds are approved while the track runs, before it is evaluated.
            _advance(track, Spec(**{**spec.__dict__, "state": S.RUNNING}), people)
            allocation = services.allocation_request(
                track=track,
                pool=pools["regioner-likvide"],
                by=secretariat,
                year=2025,
                amount=D("400000.00"),
                purpose="Fælles hydraulisk model",
            )
            services.allocation_approve(allocation=allocation, by=people["demo-regitze"])
            services.track_evaluate(
                track=track,
                by=people["videnspartner"],
                text="Den fælles model virker, og samarbejdsaftalen er vedtaget i alle fire "
                "kommuner. Erfaringerne er overførbare til andre vandoplande. (Demo-evaluering.)",
            )
        else:
            _advance(track, spec, people)
        tracks[spec.key] = track
        created.append(f"track:{track.pk}")
    _funds(tracks, people, pools)
    return created
