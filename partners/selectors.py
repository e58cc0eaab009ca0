"""Reads for the partners app's pages and API, each built for the page that shows it."""

import hashlib
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from .models import DGO, ApiToken, Municipality, Organisation, RoleAssignment, User

MUNICIPALITY_SORTS = {
    "name": ("name",),
    "-name": ("-name",),
    "code": ("code",),
    "-code": ("-code",),
    "population": ("population", "name"),
    "-population": ("-population", "name"),
    "dgo": ("dgo__name", "name"),
    "-dgo": ("-dgo__name", "name"),
}


def municipality_list(
    *, search: str = "", dgo: DGO | None = None, region_code: int | None = None, sort: str = "name"
) -> QuerySet[Municipality]:
    municipalities = Municipality.objects.select_related("dgo", "dgo__region")
    if search:
        municipalities = municipalities.filter(
            Q(name__icontains=search) | Q(code__startswith=search)
        )
    if dgo is not None:
        municipalities = municipalities.filter(dgo=dgo)
    if region_code is not None:
        municipalities = municipalities.filter(dgo__region_code=region_code)
    return municipalities.order_by(*MUNICIPALITY_SORTS.get(sort, MUNICIPALITY_SORTS["name"]))


def municipality_get(*, code: str) -> Municipality:
    return Municipality.objects.select_related("dgo", "dgo__region", "dgo__kkr").get(code=code)


def dgo_list() -> QuerySet[DGO]:
    return (
        DGO.objects.select_related("region", "kkr")
        .annotate(
            municipality_count=Count("municipalities"),
            pilot_count=Count("municipalities", filter=Q(municipalities__dk2020_pilot=True)),
        )
        .order_by("name")
    )


def dgo_get(*, slug: str) -> DGO:
    return dgo_list().get(slug=slug)


def dgo_coordinators(*, dgo: DGO) -> QuerySet[User]:
    active = RoleAssignment.objects.active().filter(
        role=RoleAssignment.Role.DGO_COORDINATOR, dgo=dgo
    )
    return User.objects.filter(is_active=True, pk__in=active.values("user_id")).select_related(
        "organisation", "municipality"
    )


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.all().order_by("kind", "region_code", "name")


@dataclass
class Partnership:
    """Who every communication names (§9): the parties, the secretariat and the knowledge
    partners, each in the agreement's order."""

    parties: list[Organisation]
    secretariat: list[Organisation]
    knowledge_partners: list[Organisation]

    @property
    def everyone(self) -> list[Organisation]:
        seen, result = set(), []
        for organisation in (*self.parties, *self.secretariat, *self.knowledge_partners):
            if organisation.pk not in seen:
                seen.add(organisation.pk)
                result.append(organisation)
        return result


# KL first, then the regions, then Realdania (the agreement's order, §1); likewise below.
_KIND_ORDER = {
    Organisation.Kind.KL: 0,
    Organisation.Kind.REGION: 1,
    Organisation.Kind.DANSKE_REGIONER: 2,
    Organisation.Kind.FOUNDATION: 3,
    Organisation.Kind.KNOWLEDGE_PARTNER: 4,
}


def partnership() -> Partnership:
    """The parties (KL, the five regions, Realdania), the secretariat (KL and Danske
    Regioner) and the knowledge partners (CONCITO, C40): one query."""
    organisations = sorted(
        Organisation.objects.filter(
            Q(is_party=True) | Q(is_secretariat=True) | Q(is_knowledge_partner=True)
        ),
        key=lambda o: (_KIND_ORDER.get(o.kind, 9), o.region_code or 0, o.name),
    )
    return Partnership(
        parties=[o for o in organisations if o.is_party],
        secretariat=[o for o in organisations if o.is_secretariat],
        knowledge_partners=[o for o in organisations if o.is_knowledge_partner],
    )


def role_assignments_of(*, user: User) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user).select_related(
        "user", "dgo", "municipality", "organisation"
    )


# --- People and access ---------------------------------------------------------------------


def _with_people(assignments: QuerySet[RoleAssignment]) -> QuerySet[RoleAssignment]:
    from .models import Invitation

    return assignments.select_related(
        "user", "user__organisation", "user__municipality", "dgo", "municipality", "organisation"
    ).prefetch_related(
        Prefetch(
            "user__invitations",
            queryset=Invitation.objects.order_by("-created_at"),
            to_attr="invitation_list",
        )
    )


def municipality_people(*, municipality: Municipality) -> QuerySet[RoleAssignment]:
    """Who is (and who was) a contact person of the municipality; current first."""
    return _with_people(
        RoleAssignment.objects.filter(municipality=municipality).order_by(
            F("ends_on").desc(nulls_first=True), "user__last_name", "user__first_name"
        )
    )


def dgo_people(*, dgo: DGO) -> QuerySet[RoleAssignment]:
    """The DGO's coordinators and the contact persons of its municipalities, today."""
    return _with_people(
        RoleAssignment.objects.active()
        .filter(Q(dgo=dgo) | Q(municipality__dgo=dgo))
        .order_by("role", "municipality__name", "user__last_name", "user__first_name")
    )


def people_list(*, search: str = "", status: str = "") -> QuerySet[User]:
    people = User.objects.filter(anonymised_at__isnull=True).select_related(
        "organisation", "municipality"
    )
    if search:
        people = people.filter(
            Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
            | Q(username__icontains=search)
        )
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "inactive":
        people = people.filter(is_active=False)
    return people.prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.active().select_related(
                "dgo", "municipality", "organisation"
            ),
            to_attr="current_roles",
        )
    ).order_by("last_name", "first_name", "username")


def person_get(*, pk: int) -> User:
    return User.objects.select_related("organisation", "municipality").get(
        pk=pk, anonymised_at__isnull=True
    )


def person_invitations(*, user: User):
    from .models import Invitation

    return Invitation.objects.filter(user=user).select_related("created_by").order_by("-created_at")


def directory(
    *, municipality: Municipality | None = None, dgo: DGO | None = None, search: str = ""
) -> QuerySet[RoleAssignment]:
    """Contact persons (of municipalities) and coordinators (of DGOs) who chose to be listed."""
    from .models import DirectoryVisibility

    Role = RoleAssignment.Role
    entries = (
        RoleAssignment.objects.active()
        .filter(role__in=(Role.MUNICIPAL_CONTACT, Role.DGO_COORDINATOR), user__is_active=True)
        .exclude(user__directory_visibility=DirectoryVisibility.HIDDEN)
        .select_related("user", "user__organisation", "user__municipality", "municipality", "dgo")
    )
    if municipality is not None:
        entries = entries.filter(Q(municipality=municipality) | Q(dgo=municipality.dgo_id))
    elif dgo is not None:
        entries = entries.filter(Q(dgo=dgo) | Q(municipality__dgo=dgo))
    if search:
        entries = entries.filter(
            Q(user__first_name__icontains=search)
            | Q(user__last_name__icontains=search)
            | Q(municipality__name__icontains=search)
            | Q(dgo__name__icontains=search)
        )
    return entries.order_by(
        Coalesce("municipality__name", "dgo__name"), "role", "user__last_name", "user__first_name"
    )


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """A person's tokens for the profile page: live ones first, newest first."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-pk"
    )


def api_token_find(*, secret: str) -> ApiToken | None:
    """The token with this secret, with its person, or None (looked up by its SHA-256 hash,
    as partners.services.token_hash makes it)."""
    digest = hashlib.sha256(secret.encode()).hexdigest()
    return ApiToken.objects.select_related("user").filter(token_hash=digest).first()
