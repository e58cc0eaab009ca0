from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.files import logo_name, validate_logo


class Organisation(models.Model):
    """A party, a secretariat organisation or a knowledge partner of the partnership (§1, §2)."""

    class Kind(models.TextChoices):
        KL = "kl", _("KL (Local Government Denmark)")
        KKR = "kkr", _("KKR (municipal contact council)")
        REGION = "region", _("Region")
        DANSKE_REGIONER = "danske_regioner", _("Danish Regions")
        FOUNDATION = "foundation", _("Foundation")
        KNOWLEDGE_PARTNER = "knowledge_partner", _("Knowledge partner")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    region_code = models.PositiveSmallIntegerField(
        _("region code"), null=True, blank=True, help_text=_("For regions and KKRs: 1081–1085.")
    )
    is_party = models.BooleanField(_("party to the agreement"), default=False)
    is_funder = models.BooleanField(_("contributes funding"), default=False)
    is_secretariat = models.BooleanField(_("runs the secretariat"), default=False)
    is_knowledge_partner = models.BooleanField(_("knowledge partner"), default=False)
    website = models.URLField(_("website"), blank=True)
    logo = models.FileField(
        _("logo"),
        upload_to=logo_name,
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG or JPEG, at most 512 KB: shown on the status report's cover."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def partnership_roles(self) -> list[str]:
        roles = []
        if self.is_party:
            roles.append(_("party"))
        if self.is_funder:
            roles.append(_("funder"))
        if self.is_secretariat:
            roles.append(_("secretariat"))
        if self.is_knowledge_partner:
            roles.append(_("knowledge partner"))
        return roles


class DGO(models.Model):
    """A geographic organisation: the joint climate organisation of one KKR and its region."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    region_code = models.PositiveSmallIntegerField(_("region code"), unique=True)
    region = models.OneToOneField(
        Organisation,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="dgo_as_region",
        limit_choices_to={"kind": Organisation.Kind.REGION},
    )
    kkr = models.OneToOneField(
        Organisation,
        verbose_name=_("KKR"),
        on_delete=models.PROTECT,
        related_name="dgo_as_kkr",
        limit_choices_to={"kind": Organisation.Kind.KKR},
    )

    class Meta:
        verbose_name = _("geographic organisation (DGO)")
        verbose_name_plural = _("geographic organisations (DGOs)")
        ordering = ["name"]
        permissions = [("coordinate_dgo", _("Can coordinate the DGO's municipalities"))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dgo-detail", kwargs={"slug": self.slug})

    @property
    def geography(self) -> str:
        """The name of the geography, e.g. 'Midtjylland'."""
        return self.region.name.removeprefix("Region ")


class DGOUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(DGO, on_delete=models.CASCADE)


class DGOGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(DGO, on_delete=models.CASCADE)


class Municipality(models.Model):
    # Official codes have three digits; longer ones exist only in synthetic scale data.
    code = models.CharField(_("municipality code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=100)
    dgo = models.ForeignKey(
        DGO, verbose_name=_("DGO"), on_delete=models.PROTECT, related_name="municipalities"
    )
    population = models.PositiveIntegerField(_("population"))
    population_year = models.PositiveSmallIntegerField(_("population year"))
    dk2020_pilot = models.BooleanField(
        _("DK2020 pilot"),
        default=False,
        help_text=_("One of the 20 DK2020 pilot municipalities of 2019."),
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(
        _("notes"),
        blank=True,
        help_text=_("Internal notes for the partnership, e.g. contact arrangements with the DGO."),
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        indexes = [
            models.Index(Lower("name"), name="municipality_name_lower"),
            # The municipality list's orderings and its DGO filter (partners.selectors).
            models.Index(fields=["name"], name="municipality_name"),
            models.Index(fields=["population", "name"], name="municipality_population"),
            models.Index(fields=["dgo", "name"], name="municipality_dgo_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{3,6}$"), name="municipality_code_digits"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("municipality-detail", kwargs={"code": self.code})


class PortalUserManager(UserManager):
    def get_by_natural_key(self, username: str) -> "User":
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class DirectoryVisibility(models.TextChoices):
    """What a person shows in the contact directory; each person chooses (privacy by default)."""

    EMAIL = "email", _("My name, role, organisation and e-mail address")
    NO_EMAIL = "no_email", _("My name, role and organisation, but not my e-mail address")
    HIDDEN = "hidden", _("Do not list me in the contact directory")


class User(AbstractUser):
    """A person who signs in. Signs in with username or e-mail (see partners.auth)."""

    email = models.EmailField(_("e-mail address"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        help_text=_("For people employed by a municipality."),
    )
    title = models.CharField(_("job title"), max_length=200, blank=True)
    directory_visibility = models.CharField(
        _("shown in the contact directory"),
        max_length=16,
        choices=DirectoryVisibility.choices,
        default=DirectoryVisibility.NO_EMAIL,
        help_text=_("What signed-in users see about you in the contact directory."),
    )
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["first_name", "last_name", "username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_email_unique_ci"
            )
        ]

    # The device that verified this request's session (django-otp's ``user.otp_device``), read
    # from the database when something first asks (partners.mfa.LazyOTPMiddleware): most
    # requests of people without a required second factor never ask.
    @property
    def otp_device(self):
        if "_otp_device" not in self.__dict__:
            load = self.__dict__.pop("_otp_device_loader", None)
            self.__dict__["_otp_device"] = load() if load else None
        return self.__dict__["_otp_device"]

    @otp_device.setter
    def otp_device(self, device) -> None:
        self.__dict__.pop("_otp_device_loader", None)
        self.__dict__["_otp_device"] = device

    def __getstate__(self):
        # The loader holds the request; a pickled user has no request to load from.
        state = super().__getstate__()
        state.pop("_otp_device_loader", None)
        return state

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def employer(self) -> str:
        if self.organisation_id:
            return str(self.organisation)
        if self.municipality_id:
            return _("%(name)s Municipality") % {"name": self.municipality}
        return ""


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self, on=None) -> "RoleAssignmentQuerySet":
        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day).filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gt=day)
        )


class RoleAssignment(models.Model):
    """A role a person holds in the portal, for a period. Body seats live in governance."""

    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", _("Secretariat")
        ADMINISTRATOR = "administrator", _("Administrator")
        DGO_COORDINATOR = "dgo_coordinator", _("DGO coordinator")
        KNOWLEDGE_PARTNER = "knowledge_partner", _("Knowledge partner")
        PARTY_APPROVER = "party_approver", _("Approver for a contributing party")
        MUNICIPAL_CONTACT = "municipal_contact", _("Municipal contact person")

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    dgo = models.ForeignKey(
        DGO, verbose_name=_("DGO"), on_delete=models.PROTECT, null=True, blank=True
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("For knowledge partners and party approvers: the organisation they act for."),
    )
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(
        _("ends"),
        null=True,
        blank=True,
        help_text=_("The role no longer applies from this day. Empty: until further notice."),
    )
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("granted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["role", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="dgo_coordinator") | models.Q(dgo__isnull=False),
                name="role_coordinator_has_dgo",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="municipal_contact")
                | models.Q(municipality__isnull=False),
                name="role_contact_has_municipality",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=["knowledge_partner", "party_approver"])
                | models.Q(organisation__isnull=False),
                name="role_partner_has_organisation",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="role_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        scope = self.dgo or self.municipality or self.organisation
        return f"{self.user}: {self.get_role_display()}" + (f" ({scope})" if scope else "")

    def is_active_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on > day)


class InviteRole(models.TextChoices):
    """The roles a person can be invited to (and imported with). Body seats live in governance."""

    DGO_COORDINATOR = "dgo_coordinator", _("Coordinator of a DGO")
    MUNICIPAL_CONTACT = "municipal_contact", _("Contact person of a municipality")
    BODY_MEMBER = "body_member", _("Member of a body")
    BODY_OBSERVER = "body_observer", _("Observer in a body")
    KNOWLEDGE_PARTNER = "knowledge_partner", _("Knowledge partner")
    PARTY_APPROVER = "party_approver", _("Approver for a contributing party")
    SECRETARIAT = "secretariat", _("Secretariat")


BODY_INVITE_ROLES = (InviteRole.BODY_MEMBER, InviteRole.BODY_OBSERVER)


class Invitation(models.Model):
    """A single-use link that lets an invited person set a password and sign in.

    Only a hash of the token is stored; the token itself is only in the e-mail. The role the
    person was invited to is granted when the invitation is sent (so re-inviting an existing
    person attaches the role); `roles` describes it for the pages and the e-mail.
    """

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    roles = models.CharField(_("invited as"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "accepted_at", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.created_at:%Y-%m-%d})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def get_status_display(self) -> str:
        return {
            "accepted": _("accepted"),
            "revoked": _("revoked"),
            "expired": _("expired"),
            "pending": _("waiting"),
        }[self.status]


class ApiToken(models.Model):
    """A personal API token: a person's program acts as the person (`Authorization: Bearer`).

    Only a SHA-256 hash of the secret is stored; the secret is shown once, when it is made.
    `prefix` (the secret's first characters, not secret on its own) names it in lists and logs.
    A token works while it is not revoked, not expired and its person is active; it is made on
    the profile page after signing in (with the second factor where the person needs one), so
    it carries no second factor of its own (README: API tokens).
    """

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(
        _("read only"), default=False, help_text=_("The token may read, but not change anything.")
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired() and self.user.is_active
