import time

import factory
from factory.django import DjangoModelFactory

from partners.models import DGO, Municipality, Organisation, RoleAssignment, User
from partners.services import role_grant


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.dk")
    password = factory.django.Password("a long test passphrase")


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality

    code = factory.Sequence(lambda n: f"{1000 + n}")
    name = factory.Sequence(lambda n: f"Testkommune {n}")
    dgo = factory.LazyFunction(lambda: DGO.objects.order_by("pk").first())
    population = 50_000
    population_year = 2020


def make_user(
    role: str | None = None, *, dgo_slug: str | None = None, org_code: str | None = None, **fields
) -> User:
    """A user holding one portal role, granted through the service as in production."""
    user = UserFactory(**fields)
    if role:
        role_grant(
            user=user,
            role=role,
            by=None,
            dgo=DGO.objects.get(slug=dgo_slug) if dgo_slug else None,
            organisation=Organisation.objects.get(code=org_code) if org_code else None,
        )
    return user


Role = RoleAssignment.Role


def verify_mfa(client, user: User) -> None:
    """Mark the client's session as having passed two-factor authentication."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session["mfa_verified_at"] = int(time.time())
    session.save()


def sign_in(client, user: User):
    """Sign a test client in as the user, past two-factor authentication where it applies."""
    client.force_login(user)
    verify_mfa(client, user)
    return client
