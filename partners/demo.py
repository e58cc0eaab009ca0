"""Demo users for `make run`. Clearly fake people; the password is public (see README)."""

from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .models import DGO, Organisation, RoleAssignment, User
from .services import api_token_create, organisation_logo_set, role_grant

DEMO_PASSWORD = "klima2030"  # noqa: S105 - demo only; seed_demo refuses to run without DEBUG
Role = RoleAssignment.Role
ACTS_FOR = (Role.KNOWLEDGE_PARTNER, Role.PARTY_APPROVER)  # roles held for the employer


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    organisation: str
    title: str
    description: str
    role: str | None = None
    dgo: str | None = None
    superuser: bool = False


DEMO_USERS = [
    DemoUser("sekretariat", "Sara", "Sekretær (demo)", "kl", "Projektleder, sekretariatet",
             _("secretariat: sees and manages everything"), Role.SECRETARIAT),
    DemoUser("koordinator-midt", "Mads", "Midtgaard (demo)", "kkr-midtjylland",
             "Klimakoordinator, DGO Midtjylland",
             _("coordinator of DGO Midtjylland"), Role.DGO_COORDINATOR, "midtjylland"),
    DemoUser("koordinator-hovedstaden", "Hanne", "Hovedstad (demo)", "kkr-hovedstaden",
             "Klimakoordinator, DGO Hovedstaden",
             _("coordinator of DGO Hovedstaden"), Role.DGO_COORDINATOR, "hovedstaden"),
    DemoUser("fu-medlem", "Frederik", "Udvalgsen (demo)", "kl", "Borgmester, KL-repræsentant i FU",
             _("voting member of the business committee (FU)")),
    DemoUser("observator", "Olivia", "Observatør (demo)", "realdania", "Programchef, Realdania",
             _("observer in FU and PUG")),
    DemoUser("videnspartner", "Vera", "Videnspartner (demo)", "concito", "Chefkonsulent, CONCITO",
             _("knowledge partner (CONCITO): writes climate assessments"), Role.KNOWLEDGE_PARTNER),
    DemoUser("realdania", "Ruth", "Realdania (demo)", "realdania", "Økonomichef, Realdania",
             _("approves allocations from Realdania's liquid track funds"), Role.PARTY_APPROVER),
    DemoUser("admin", "Anders", "Administrator (demo)", "kl", "Systemadministrator",
             _("administrator: users, imports and the Django admin"), Role.ADMINISTRATOR,
             superuser=True),
]  # fmt: skip


DEMO_USERNAMES = frozenset(user.username for user in DEMO_USERS)
# Text marks made for the demo (no real logo is copied): one PNG per party and knowledge
# partner, named by the organisation's code.
DEMO_LOGOS = Path(__file__).parent / "data" / "logos"


def seed_logos() -> int:
    """Give each organisation that has a demo mark and no logo yet its mark."""
    added = 0
    for organisation in Organisation.objects.filter(logo=""):
        path = DEMO_LOGOS / f"{organisation.code}.png"
        if path.exists():
            organisation_logo_set(
                organisation=organisation, content=path.read_bytes(), filename=path.name
            )
            added += 1
    return added


def seed() -> list[str]:
    seed_logos()
    created = []
    organisations = {o.code: o for o in Organisation.objects.all()}
    for demo in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@demo.klimaalliancen.dk",
                "organisation": organisations[demo.organisation],
                "title": demo.title,
                # The demo people chose to show their e-mail in the contact directory.
                "directory_visibility": "email",
                "is_staff": demo.superuser,
                "is_superuser": demo.superuser,
            },
        )
        if not was_created:
            continue
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        if demo.role:
            role_grant(
                user=user,
                role=demo.role,
                by=None,
                reason="Demo data",
                dgo=DGO.objects.get(slug=demo.dgo) if demo.dgo else None,
                organisation=organisations[demo.organisation] if demo.role in ACTS_FOR else None,
            )
        # A read-only token on each profile (its secret is not kept: the list shows it only).
        api_token_create(user=user, name="Rapportudtræk (demo)", read_only=True)
        created.append(demo.username)
    return created
