"""The governance bodies and their composition rules, from the partnership agreement §8.

Loaded by `manage.py load_reference_data` after partners' reference data, idempotently: bodies
are matched on their code and seat rules on (body, key).

- The national bodies (FU §8.2, PUG §8.3, APS §8.4) follow the agreement: running the loader again
  restores their names and seat rules. Their cadence is only set when the body is created.
- The DGO steering groups (§8.1, §8.5) are set by each KKR and region. They are seeded with the
  arrangement of the Midtjylland cooperation agreement (political: the regional council chair and
  the KKR chairmanship, quarterly; administrative: five municipal and two regional
  representatives) as an editable default: once created, the loader leaves their cadence and rules
  alone, so a geography's own arrangement entered in the admin is kept.
"""

from dataclasses import dataclass

from django.db import transaction

from partners.models import DGO, Organisation
from partners.reference import LoadResult

from .models import Body, SeatRule

K = Organisation.Kind
S = SeatRule.Seat


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    seat: str
    min_count: int
    max_count: int
    organisation: str | None = None  # an Organisation code
    kinds: tuple[str, ...] = ()
    per_geography: bool = False
    must_sit_in: str | None = None  # a Body code
    different_municipalities: bool = False


@dataclass(frozen=True)
class BodySpec:
    code: str
    short_name: str
    name: str
    position: int
    meetings_per_year: int
    chair_rule: str
    remit: str
    reference: str
    rules: tuple[Rule, ...]


# Names and rule labels are in Danish, as in the agreement they quote (they are data, not UI).
NATIONAL_BODIES = (
    BodySpec(
        "fu", "FU", "Forretningsudvalget", 1, 2,
        "Formand fra KL, næstformand fra regionerne; møderne ledes af formanden (§8.2).",
        "Sikrer den overordnede politiske, økonomiske og strategiske ramme; godkender projektplan "
        "og aktiviteter, herunder prioritering og godkendelse af klimaudviklingsspor og "
        "monitoreringssystemet.",
        "§8.2",
        (
            Rule("realdania-rep", "1 repræsentant udpeget af Realdania", S.VOTING, 1, 1,
                 organisation="realdania"),
            Rule("realdania-observer", "1 observatør udpeget af Realdania", S.OBSERVER, 1, 1,
                 organisation="realdania"),
            Rule("kl-political", "2 politiske repræsentanter udpeget af KL", S.VOTING, 2, 2,
                 organisation="kl"),
            Rule("dr-political", "2 politiske repræsentanter udpeget af Danske Regioner",
                 S.VOTING, 2, 2, organisation="danske-regioner"),
            Rule("concito-observer", "CONCITO's adm. direktør (observatør)", S.OBSERVER, 1, 1,
                 organisation="concito"),
            Rule("c40-observer", "C40's direktør i Danmark (observatør)", S.OBSERVER, 1, 1,
                 organisation="c40"),
            Rule("chair-kl", "Formanden kommer fra KL", S.CHAIR, 1, 1, organisation="kl"),
            Rule("vice-chair-regions", "Næstformanden kommer fra regionerne", S.VICE_CHAIR, 1, 1,
                 kinds=(K.DANSKE_REGIONER, K.REGION)),
        ),
    ),
    BodySpec(
        "pug", "PUG", "Politisk udviklingsgruppe", 2, 2,
        "Møderne ledes af formanden for forretningsudvalget (§8.3).",
        "Fastlægger det strategiske fokus for klimaudviklingsspor og implementeringsstøtte, "
        "sikrer politisk forankring og videndeling på tværs.",
        "§8.3",
        (
            Rule("kkr-political", "1 politisk repræsentant fra kommunerne i hver KKR-geografi",
                 S.VOTING, 1, 1, kinds=(K.KKR,), per_geography=True),
            Rule("region-political", "1 politisk repræsentant fra hver region", S.VOTING, 1, 1,
                 kinds=(K.REGION,), per_geography=True),
            Rule("fu-kl", "1 politisk repræsentant fra forretningsudvalget udpeget af KL",
                 S.VOTING, 1, 1, organisation="kl", must_sit_in="fu"),
            Rule("fu-dr",
                 "1 politisk repræsentant fra forretningsudvalget udpeget af Danske Regioner",
                 S.VOTING, 1, 1, organisation="danske-regioner", must_sit_in="fu"),
            Rule("chair-fu", "Ledes af forretningsudvalgets formand (KL)", S.CHAIR, 1, 1,
                 organisation="kl", must_sit_in="fu"),
            Rule("realdania-observer", "1 repræsentant udpeget af Realdania (observatør)",
                 S.OBSERVER, 1, 1, organisation="realdania"),
            Rule("concito-observer", "1 repræsentant udpeget af CONCITO (observatør)",
                 S.OBSERVER, 1, 1, organisation="concito"),
            Rule("c40-observer", "1 repræsentant udpeget af C40 (observatør)", S.OBSERVER, 1, 1,
                 organisation="c40"),
        ),
    ),
    BodySpec(
        "aps", "APS", "Administrativ projektstyregruppe", 3, 6,
        "Aftalen fastsætter ikke et formandskab; sekretariatet forbereder møderne (§8.4).",
        "Følger tidsplan, kommunikation, budget og ressourcer samt input fra de fem DGO'er; "
        "fører bruttolisten over klimaudviklingsspor og kvalificerer dem med videnspartnerne.",
        "§8.4",
        (
            Rule("kl-rep", "1 repræsentant udpeget af KL", S.VOTING, 1, 1, organisation="kl"),
            Rule("kl-substitute", "1 suppleant udpeget af KL", S.SUBSTITUTE, 1, 1,
                 organisation="kl"),
            Rule("regions-rep", "1 repræsentant udpeget af regionerne", S.VOTING, 1, 1,
                 kinds=(K.DANSKE_REGIONER, K.REGION)),
            Rule("regions-substitute", "1 suppleant udpeget af regionerne", S.SUBSTITUTE, 1, 1,
                 kinds=(K.DANSKE_REGIONER, K.REGION)),
            Rule("realdania-rep", "1 repræsentant udpeget af Realdania", S.VOTING, 1, 1,
                 organisation="realdania"),
            Rule("concito-observer", "1 repræsentant udpeget af CONCITO (observatør)",
                 S.OBSERVER, 1, 1, organisation="concito"),
            Rule("c40-observer", "1 repræsentant udpeget af C40 (observatør)", S.OBSERVER, 1, 1,
                 organisation="c40"),
        ),
    ),
)  # fmt: skip

# The editable default for each geography's steering groups (the Midtjylland arrangement).
DGO_POLITICAL_RULES = (
    Rule("region-chair", "Regionsrådsformanden", S.VOTING, 1, 1, kinds=(K.REGION,)),
    Rule("kkr-chairmanship", "KKR-formandskabet", S.VOTING, 1, 2, kinds=(K.KKR,)),
)
DGO_ADMINISTRATIVE_RULES = (
    Rule(
        "municipal-reps",
        "5 repræsentanter fra 5 forskellige kommuner (direktør-/fagchefniveau)",
        S.VOTING,
        5,
        5,
        kinds=(K.KKR,),
        different_municipalities=True,
    ),
    Rule("region-reps", "2 repræsentanter fra regionen", S.VOTING, 2, 2, kinds=(K.REGION,)),
)
DGO_MEETINGS_PER_YEAR = 4


def _upsert_body(result: LoadResult, code: str, values: dict, create_only: dict) -> Body:
    body = Body.objects.filter(code=code).first()
    if body is None:
        body = Body.objects.create(code=code, **values, **create_only)
        result.count(body, created=True, changed=False)
        return body
    changed = [name for name, value in values.items() if getattr(body, name) != value]
    for name in changed:
        setattr(body, name, values[name])
    if changed:
        body.save(update_fields=changed)
    result.count(body, created=False, changed=bool(changed))
    return body


def _upsert_rule(
    result: LoadResult,
    body: Body,
    position: int,
    rule: Rule,
    organisations: dict[str, Organisation],
    update: bool,
) -> None:
    values = {
        "position": position,
        "label": rule.label,
        "seat": rule.seat,
        "appointed_by": organisations[rule.organisation] if rule.organisation else None,
        "appointed_by_kinds": list(rule.kinds),
        "per_geography": rule.per_geography,
        "must_sit_in": Body.objects.get(code=rule.must_sit_in) if rule.must_sit_in else None,
        "min_count": rule.min_count,
        "max_count": rule.max_count,
        "different_municipalities": rule.different_municipalities,
    }
    existing = SeatRule.objects.filter(body=body, key=rule.key).first()
    if existing is None:
        SeatRule.objects.create(body=body, key=rule.key, **values)
        result.count(None, created=True, changed=False)
        return
    if not update:
        result.count(existing, created=False, changed=False)
        return
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    for name in changed:
        setattr(existing, name, values[name])
    if changed:
        existing.save(update_fields=changed)
    result.count(existing, created=False, changed=bool(changed))


@transaction.atomic
def load() -> LoadResult:
    result = LoadResult()
    organisations = {o.code: o for o in Organisation.objects.all()}
    for spec in NATIONAL_BODIES:
        body = _upsert_body(
            result,
            spec.code,
            {
                "short_name": spec.short_name,
                "name": spec.name,
                "kind": Body.Kind.NATIONAL,
                "dgo": None,
                "position": spec.position,
                "chair_rule": spec.chair_rule,
                "remit": spec.remit,
                "agreement_reference": spec.reference,
            },
            {"meetings_per_year": spec.meetings_per_year},
        )
        for position, rule in enumerate(spec.rules, start=1):
            _upsert_rule(result, body, position, rule, organisations, update=True)
    for offset, dgo in enumerate(DGO.objects.select_related("region", "kkr").order_by("name")):
        geography = dgo.geography
        groups = (
            (
                "pol",
                Body.Kind.DGO_POLITICAL,
                f"Politisk styregruppe, {geography}",
                f"Pol. styregr. {geography}",
                "Regionsrådsformanden og KKR-formandskabet; fastsættes af KKR og region.",
                DGO_POLITICAL_RULES,
            ),
            (
                "adm",
                Body.Kind.DGO_ADMINISTRATIVE,
                f"Administrativ styregruppe, {geography}",
                f"Adm. styregr. {geography}",
                "Fastsættes af KKR og region i geografien.",
                DGO_ADMINISTRATIVE_RULES,
            ),
        )
        for index, (suffix, kind, name, short_name, chair_rule, rules) in enumerate(groups):
            body = _upsert_body(
                result,
                f"dgo-{dgo.slug}-{suffix}",
                {
                    "short_name": short_name,
                    "name": name,
                    "kind": kind,
                    "dgo": dgo,
                    "position": 10 + offset * 2 + index,
                    "agreement_reference": "§8.5",
                },
                {
                    "meetings_per_year": DGO_MEETINGS_PER_YEAR,
                    "chair_rule": chair_rule,
                    "remit": (
                        "Styregruppe for den geografiske organisering (DGO) i "
                        f"{geography}: KKR og regionen fastlægger selv sammensætning og mødeplan."
                    ),
                },
            )
            for position, rule in enumerate(rules, start=1):
                _upsert_rule(result, body, position, rule, organisations, update=False)
    return result
