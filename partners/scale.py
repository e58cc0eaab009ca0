"""Scale data for partners: synthetic DGOs and municipalities, and people in every role.

Named people for the benchmarks (no password; the benchmark signs them in with a session):
scale-sekretariat, scale-admin, scale-koordinator (the first real DGO by name, or the first
synthetic one), scale-videnspartner (CONCITO), scale-approver-realdania,
scale-approver-regioner; governance seats scale-fu-medlem and scale-observator.
"""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.utils import timezone

from core.scale import FIRST_SYNTHETIC_CODE, USER_PREFIX, Preset, rng_for

from .models import DGO, DGOUserObjectPermission, Municipality, Organisation, RoleAssignment, User

Role = RoleAssignment.Role
FIRST_NAMES = [
    "Anne",
    "Bo",
    "Camilla",
    "Dennis",
    "Emma",
    "Frank",
    "Gitte",
    "Hans",
    "Ida",
    "Jens",
    "Karen",
    "Lars",
    "Mette",
    "Niels",
    "Ole",
    "Pia",
    "Rasmus",
    "Sofie",
    "Tina",
    "Ulla",
]
LAST_NAMES = [
    "Andersen",
    "Bech",
    "Christensen",
    "Dahl",
    "Eriksen",
    "Frost",
    "Holm",
    "Jensen",
    "Kjær",
    "Lund",
    "Madsen",
    "Nielsen",
    "Olsen",
    "Poulsen",
    "Søndergaard",
]


def _synthetic_dgos(count: int) -> list[DGO]:
    organisations = []
    for i in range(1, count + 1):
        organisations += [
            Organisation(
                code=f"skala-region-{i:02d}",
                name=f"Skalaregion {i:02d}",
                short_name=f"SR {i:02d}",
                kind=Organisation.Kind.REGION,
                is_party=True,
            ),
            Organisation(
                code=f"skala-kkr-{i:02d}",
                name=f"KKR Skala {i:02d}",
                short_name=f"KKR S{i:02d}",
                kind=Organisation.Kind.KKR,
                is_party=True,
            ),
        ]
    Organisation.objects.bulk_create(organisations)
    dgos = [
        DGO(
            name=f"Skalageografi {i:02d}",
            slug=f"skala-{i:02d}",
            region_code=2000 + i,
            region=organisations[2 * (i - 1)],
            kkr=organisations[2 * (i - 1) + 1],
        )
        for i in range(1, count + 1)
    ]
    return DGO.objects.bulk_create(dgos)


def _synthetic_municipalities(rng, count: int, dgos: list[DGO]) -> None:
    now = timezone.now()
    rows = (
        Municipality(
            code=str(FIRST_SYNTHETIC_CODE + i),
            name=f"Skalakommune {i:05d}",
            dgo=dgos[i % len(dgos)],
            population=int(rng.lognormvariate(10.6, 0.7)) + 2000,
            population_year=2025,
            dk2020_pilot=rng.random() < 0.2,
            updated_at=now,
        )
        for i in range(count)
    )
    Municipality.objects.bulk_create(rows, batch_size=2000)


def _user(rng, username: str, **fields) -> User:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return User(
        username=username,
        first_name=fields.pop("first_name", first),
        last_name=fields.pop("last_name", f"{last} (skala)"),
        email=f"{username}@skala.klimaalliancen.invalid",
        password=make_password(None),
        **fields,
    )


def _people(rng, preset: Preset, dgos: list[DGO]) -> tuple[list[User], list[tuple[int, dict]]]:
    """The users and, per user index, the role they get (or None)."""
    orgs = {o.code: o for o in Organisation.objects.all()}
    municipalities = list(Municipality.objects.order_by("code").values_list("pk", flat=True))
    named = [
        ("sekretariat", orgs["kl"], {"role": Role.SECRETARIAT}),
        ("admin", orgs["kl"], {"role": Role.ADMINISTRATOR}),
        ("koordinator", dgos[0].kkr, {"role": Role.DGO_COORDINATOR, "dgo": dgos[0]}),
        (
            "videnspartner",
            orgs["concito"],
            {"role": Role.KNOWLEDGE_PARTNER, "organisation": orgs["concito"]},
        ),
        (
            "approver-realdania",
            orgs["realdania"],
            {"role": Role.PARTY_APPROVER, "organisation": orgs["realdania"]},
        ),
        (
            "approver-regioner",
            orgs["danske-regioner"],
            {"role": Role.PARTY_APPROVER, "organisation": orgs["danske-regioner"]},
        ),
        ("fu-medlem", orgs["kl"], None),
        ("observator", orgs["realdania"], None),
    ]
    users, roles = [], []
    for username, org, role in named:
        roles.append(role)
        users.append(_user(rng, USER_PREFIX + username, organisation=org))
    # The rest: secretariat and administrators, two coordinators per DGO, knowledge partners,
    # seat holders without a portal role, and municipal contacts.
    plan = [(Role.SECRETARIAT, 8), (Role.ADMINISTRATOR, 3), (Role.KNOWLEDGE_PARTNER, 12)]
    plan.append((Role.DGO_COORDINATOR, min(2 * len(dgos), preset.users // 4)))
    plan.append((None, preset.users // 10))  # seats in bodies only
    i = 0
    for role, count in plan:
        for _ in range(count):
            if len(users) >= preset.users:
                break
            i += 1
            if role == Role.DGO_COORDINATOR:
                dgo = dgos[i % len(dgos)]
                users.append(_user(rng, f"{USER_PREFIX}{i:05d}", organisation=dgo.kkr))
                roles.append({"role": role, "dgo": dgo})
            elif role == Role.KNOWLEDGE_PARTNER:
                org = orgs["concito"] if i % 2 else orgs["c40"]
                users.append(_user(rng, f"{USER_PREFIX}{i:05d}", organisation=org))
                roles.append({"role": role, "organisation": org})
            elif role is None:
                org = orgs[rng.choice(["kl", "danske-regioner", "realdania"])]
                users.append(_user(rng, f"{USER_PREFIX}{i:05d}", organisation=org))
                roles.append(None)
            else:
                users.append(_user(rng, f"{USER_PREFIX}{i:05d}", organisation=orgs["kl"]))
                roles.append({"role": role})
    while len(users) < preset.users:
        i += 1
        municipality = municipalities[rng.randrange(len(municipalities))]
        users.append(_user(rng, f"{USER_PREFIX}{i:05d}", municipality_id=municipality))
        roles.append({"role": Role.MUNICIPAL_CONTACT, "municipality_id": municipality})
    return users, list(enumerate(roles))


def seed(preset: Preset, seed: int) -> list[str]:
    rng = rng_for("partners", seed)
    created = []
    if preset.synthetic_dgos:
        dgos = _synthetic_dgos(preset.synthetic_dgos)
        created.append(f"{len(dgos)} DGOs")
    else:
        dgos = list(DGO.objects.order_by("name"))
        dgos.insert(0, dgos.pop(next(i for i, d in enumerate(dgos) if d.slug == "midtjylland")))
    if preset.synthetic_municipalities:
        _synthetic_municipalities(rng, preset.synthetic_municipalities, dgos)
        created.append(f"{preset.synthetic_municipalities} municipalities")

    users, roles = _people(rng, preset, dgos)
    User.objects.bulk_create(users, batch_size=1000)
    today = timezone.localdate()
    start = today.replace(year=today.year - 3)
    assignments = [
        RoleAssignment(user=users[i], starts_on=start, reason="Skaladata", **role)
        for i, role in roles
        if role
    ]
    RoleAssignment.objects.bulk_create(assignments, batch_size=1000)
    permission = Permission.objects.get(
        codename="coordinate_dgo", content_type__app_label="partners"
    )
    DGOUserObjectPermission.objects.bulk_create(
        DGOUserObjectPermission(permission=permission, user=a.user, content_object=a.dgo)
        for a in assignments
        if a.role == Role.DGO_COORDINATOR
    )
    created.append(f"{len(users)} users")
    return created
