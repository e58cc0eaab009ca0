"""Reads for the partners app's pages and API, each built for the page that shows it."""

from django.db.models import Count, Q, QuerySet

from .models import DGO, Municipality, Organisation, RoleAssignment, User

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


def role_assignments_of(*, user: User) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user).select_related(
        "dgo", "municipality", "organisation"
    )
