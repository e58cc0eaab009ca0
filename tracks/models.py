"""Development tracks (klimaudviklingsspor, §6) and the budget that funds the partnership (§5, §11).

Writes go through tracks.services; reads through tracks.selectors; who may do what is decided in
tracks.permissions. Money is stored as exact decimals in DKK (two decimal places, never floats).
"""

from decimal import Decimal

from django.core.files.storage import storages
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.links import web_url
from governance.models import Decision
from partners.models import DGO, Municipality, Organisation, User

# The partnership runs 1 April 2023 – 31 December 2027 (§7).
FIRST_YEAR = 2023
LAST_YEAR = 2027
YEAR_VALIDATORS = [MinValueValidator(2000)]
POSITIVE = [MinValueValidator(Decimal("0.01"))]


def money(verbose_name, **kwargs) -> models.DecimalField:
    """An amount in DKK: up to 999.999.999.999,99 kr., exact."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def product_storage():
    """Knowledge product files are served by a view that checks sign-in, never from MEDIA_URL."""
    return storages["private"]


class FocusArea(models.Model):
    """A strategic focus area for tracks, set by PUG for a year (§8.3).

    The secretariat (or PUG's chair) records a proposal; PUG adopts it by a decision
    (`services.focus_area_put_to_pug`), and only adopted focus areas frame tracks.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed to PUG")
        ADOPTED = "adopted", _("Adopted by PUG")

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    name_da = models.CharField(_("name (Danish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    adopted_by_decision = models.ForeignKey(
        Decision,
        verbose_name=_("adopted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["-year", "position", "name_da"]
        constraints = [
            models.UniqueConstraint(fields=["year", "name_da"], name="focus_area_unique_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    @property
    def name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_da

    @property
    def is_adopted(self) -> bool:
        return self.status == self.Status.ADOPTED


class TrackQuerySet(models.QuerySet):
    def for_user(self, user) -> "TrackQuerySet":
        """The one visibility rule for tracks, used by every list, page, API and export.

        Submitted tracks (and everything after) are visible to every signed-in user. A track
        that was never submitted exists only for its proposers (the coordinators of its DGOs)
        and the secretariat: for anyone else it is a 404, like a missing track.
        """
        from partners.permissions import roles_of

        if not user.is_authenticated or not user.is_active:
            return self.none()
        roles = roles_of(user)
        if roles.secretariat:
            return self
        private = models.Q(submitted_at__isnull=True)
        own = models.Q(proposed_by=user)
        if roles.coordinated_dgo_ids:
            own |= models.Q(
                pk__in=Track.dgos.through.objects.filter(
                    dgo_id__in=roles.coordinated_dgo_ids
                ).values("track_id")
            )
        return self.filter(~private | own)


class Track(models.Model):
    """A development track: from proposal through APS, the knowledge partners and FU to its end."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted (on the long list)")
        IN_QUALIFICATION = "in_qualification", _("In qualification")
        ASSESSED = "assessed", _("Climate assessment published")
        RECOMMENDED = "recommended", _("Recommended by APS")
        APPROVED = "approved", _("Approved by FU")
        REJECTED = "rejected", _("Rejected by FU")
        RUNNING = "running", _("Running")
        EVALUATED = "evaluated", _("Evaluated")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(
        _("problem"),
        blank=True,
        help_text=_("The problem in the climate work the track addresses."),
    )
    ambition = models.TextField(
        _("ambition"), blank=True, help_text=_("What the track aims to achieve, stated clearly.")
    )
    development_element = models.TextField(
        _("development, test or demonstration element"),
        blank=True,
        help_text=_(
            "What is new: what the track develops, tests or demonstrates. Rolling out known, "
            "proven solutions is not a track."
        ),
    )
    knowledge_sharing_plan = models.TextField(
        _("knowledge-sharing plan"),
        blank=True,
        help_text=_(
            "How the track's knowledge reaches all municipalities and regions, via the "
            "secretariat and the knowledge partners (the openness principle)."
        ),
    )
    evaluation_plan = models.TextField(
        _("evaluation plan"), blank=True, help_text=_("How and when the track is evaluated.")
    )
    focus_area = models.ForeignKey(
        FocusArea,
        verbose_name=_("focus area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tracks",
    )
    dgos = models.ManyToManyField(
        DGO, verbose_name=_("DGOs involved"), related_name="tracks", blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    proposed_by = models.ForeignKey(
        User, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # A track FU rejected may be revised and go through APS and FU again: a new round, with
    # the earlier rounds' steps, assessments and judgements kept.
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = TrackQuerySet.as_manager()

    class Meta:
        verbose_name = _("development track")
        verbose_name_plural = _("development tracks")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(status="withdrawn")
                | models.Q(submitted_at__isnull=False),
                name="track_submitted_at_after_draft",
            )
        ]
        indexes = [
            models.Index(fields=["status"]),
            # The track list (page and API) orders by the latest change.
            models.Index(fields=["-updated_at", "-id"], name="track_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("track-detail", kwargs={"pk": self.pk})

    # State lists for the templates (the lists themselves are below the class).
    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_approved(self) -> bool:
        """FU approved it, and it may since have started, been evaluated or closed."""
        return self.status in APPROVED_STATES

    @property
    def has_started(self) -> bool:
        return self.status in STARTED_STATES

    @property
    def is_evaluated(self) -> bool:
        return self.status == self.Status.EVALUATED


WITHDRAWABLE = (
    Track.Status.DRAFT,
    Track.Status.REJECTED,
    Track.Status.SUBMITTED,
    Track.Status.IN_QUALIFICATION,
    Track.Status.ASSESSED,
    Track.Status.RECOMMENDED,
)
ASSESSABLE = (Track.Status.IN_QUALIFICATION, Track.Status.ASSESSED, Track.Status.RECOMMENDED)
FUNDABLE = (Track.Status.APPROVED, Track.Status.RUNNING)  # liquid funds: once FU approved
APPROVED_STATES = (
    Track.Status.APPROVED,
    Track.Status.RUNNING,
    Track.Status.EVALUATED,
    Track.Status.CLOSED,
)
STARTED_STATES = (Track.Status.RUNNING, Track.Status.EVALUATED, Track.Status.CLOSED)


class TrackParticipant(models.Model):
    """A municipality or a region taking part in a track; exactly one of the two."""

    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.CASCADE, related_name="participants"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="track_participations",
    )
    region = models.ForeignKey(
        Organisation,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="track_participations",
        limit_choices_to={"kind": Organisation.Kind.REGION},
    )
    is_lead = models.BooleanField(_("lead"), default=False)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["-is_lead", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(municipality__isnull=False, region__isnull=True)
                | models.Q(municipality__isnull=True, region__isnull=False),
                name="participant_municipality_or_region",
            ),
            models.UniqueConstraint(
                fields=["track"], condition=models.Q(is_lead=True), name="participant_one_lead"
            ),
            models.UniqueConstraint(
                fields=["track", "municipality"], name="participant_municipality_once"
            ),
            models.UniqueConstraint(fields=["track", "region"], name="participant_region_once"),
        ]

    def __str__(self) -> str:
        return str(self.municipality or self.region)

    @property
    def party(self):
        return self.municipality or self.region


class TrackContact(models.Model):
    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role in the track"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class TrackTransition(models.Model):
    """One step in a track's life: who moved it from which status to which, when and why.

    What happened is stored as an `event` with its `params`, and put into words in the
    reader's language when shown (`description`); `reason` holds only what the person wrote.
    """

    class Event(models.TextChoices):
        PROPOSED = "proposed", _("Proposal started.")
        SUBMITTED = "submitted", _("Submitted to APS's long list.")
        WITHDRAWN = "withdrawn", _("The track is withdrawn.")
        QUALIFICATION = "qualification", _("APS qualifies the track with the knowledge partners.")
        ASSESSED = "assessed", _("The climate assessment is published.")
        RECOMMENDED = "recommended", _("Recommended by APS to FU.")
        REVISED = "revised", _("Revised after FU's rejection: a new round.")
        PUT_TO_APS = "put_to_aps", _("Put to APS for decision.")
        APS_DECIDED = "aps_decided", _("APS's decision is closed.")
        PUT_TO_FU = "put_to_fu", _("Put to FU for decision.")
        FU_DECIDED = "fu_decided", _("FU's decision is closed.")
        STARTED = "started", _("The track has started.")
        EVALUATED = "evaluated", _("The evaluation is written.")
        CLOSED = "closed", _("The track is closed.")

    # Events told with their parameters; without them (or with broken ones) the label is used.
    DETAILED = {
        Event.ASSESSED: _(
            "%(organisation)s published the climate assessment (version %(version)s)."
        ),
        Event.FU_DECIDED: _("FU's decision “%(title)s”: %(outcome)s."),
        Event.APS_DECIDED: _("APS's decision “%(title)s”: %(outcome)s."),
    }

    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Track.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Track.Status.choices)
    by = models.ForeignKey(
        User,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decision = models.ForeignKey(
        "governance.Decision",
        verbose_name=_("decision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("track transition")
        verbose_name_plural = _("track transitions")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.track}: {self.from_status or '–'} → {self.to_status}"

    @property
    def description(self) -> str:
        """What happened, in the active language."""
        params = dict(self.params or {})
        if "outcome" in params:  # a decision's status, named in the reader's language
            status = params["outcome"]
            params["outcome"] = (
                Decision.Status(status).label if status in Decision.Status.values else status
            )
        detailed = self.DETAILED.get(self.event)
        if detailed is not None and params:
            try:
                return str(detailed) % params
            except (KeyError, TypeError, ValueError):
                pass
        return str(self.get_event_display()) if self.event else ""

    @property
    def note(self) -> str:
        """The timeline's line about the step: the reason the person gave, else what happened."""
        return self.reason or self.description


class Principle(models.TextChoices):
    """The principles of §6 that every development track must meet."""

    PROBLEM = "problem", _("A relevant problem with a clear ambition")
    DEVELOPMENT = "development", _("A development, test or demonstration element")
    OPENNESS = "openness", _("Openness: the knowledge reaches all municipalities and regions")
    PARTICIPANTS = "participants", _("Several participants: at least three")
    EVALUATION = "evaluation", _("Knowledge-supported and evaluated")


class PrincipleJudgement(models.Model):
    """APS's judgement in qualification of whether a track meets one principle of §6, beside
    the knowledge partners' climate assessment. APS recommends a track to FU only when every
    principle is judged met. A new judgement replaces the last; the audit log keeps each."""

    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.CASCADE, related_name="judgements"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    principle = models.CharField(_("principle"), max_length=20, choices=Principle.choices)
    met = models.BooleanField(_("met"))
    note = models.TextField(_("note"), blank=True)
    judged_by = models.ForeignKey(
        User, verbose_name=_("judged by"), on_delete=models.PROTECT, related_name="+"
    )
    judged_at = models.DateTimeField(_("judged"), default=timezone.now)

    class Meta:
        verbose_name = _("principle judgement")
        verbose_name_plural = _("principle judgements")
        ordering = ["track", "principle"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "round", "principle"], name="one_judgement_per_principle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.track}: {self.get_principle_display()}"


class ClimateAssessment(models.Model):
    """The knowledge partners' climate assessment of a track (klimafaglig vurdering, §8.7).

    Written only by CONCITO or C40. A published version never changes: a new version is
    published instead, and the old ones stay visible.
    """

    class Conclusion(models.TextChoices):
        SUPPORTED = "supported", _("Recommended from a climate perspective")
        CONDITIONAL = "conditional", _("Recommended with reservations")
        NOT_SUPPORTED = "not_supported", _("Not recommended from a climate perspective")

    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.PROTECT, related_name="assessments"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("assessment"))
    conclusion = models.CharField(_("conclusion"), max_length=20, choices=Conclusion.choices)
    author = models.ForeignKey(
        User, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("knowledge partner"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"is_knowledge_partner": True},
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("climate assessment")
        verbose_name_plural = _("climate assessments")
        ordering = ["track", "version"]
        constraints = [
            models.UniqueConstraint(fields=["track", "version"], name="assessment_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.track} – v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class StatusUpdate(models.Model):
    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.CASCADE, related_name="status_updates"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    progress = models.TextField(_("progress"))
    risks = models.TextField(_("risks"), blank=True)
    author = models.ForeignKey(
        User, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.track}: {self.date}"


class KnowledgeProduct(models.Model):
    """A result of a track, a file or a link, open to every signed-in user (openness principle)."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")

    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.CASCADE, related_name="products"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    file = models.FileField(
        _("file"), storage=product_storage, upload_to="products/", max_length=200, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    content_type = models.CharField(_("type"), max_length=120, blank=True)
    url = models.URLField(_("link"), blank=True, max_length=500)
    added_by = models.ForeignKey(
        User, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        verbose_name = _("knowledge product")
        verbose_name_plural = _("knowledge products")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="file") & ~models.Q(file="") & models.Q(url=""))
                | (models.Q(kind="link") & models.Q(file="") & ~models.Q(url="")),
                name="product_file_or_link",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.is_link:
            return web_url(self.url)
        return reverse("product-download", kwargs={"pk": self.pk})

    @property
    def is_link(self) -> bool:
        return self.kind == self.Kind.LINK

    @property
    def is_file(self) -> bool:
        return self.kind == self.Kind.FILE


class Evaluation(models.Model):
    track = models.OneToOneField(
        Track, verbose_name=_("track"), on_delete=models.CASCADE, related_name="evaluation"
    )
    text = models.TextField(_("evaluation"))
    author = models.ForeignKey(
        User, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"), default=timezone.localdate)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.track}: {self.date}"


# --- Budget -------------------------------------------------------------------------------------


class Contribution(models.Model):
    """What a party contributes to the partnership (§5.2): cash or working hours, over years."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Cash")
        HOURS = "hours", _("Working hours")

    key = models.SlugField(_("key"), max_length=60, unique=True)
    contributor = models.ForeignKey(
        Organisation,
        verbose_name=_("contributor"),
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    on_behalf_of = models.CharField(
        _("on behalf of"),
        max_length=200,
        blank=True,
        help_text=_("E.g. 'the five KKRs' when KL contributes for them."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CASH)
    amount = money(_("amount (DKK)"), validators=POSITIVE)
    hours = models.DecimalField(
        _("hours"), max_digits=10, decimal_places=2, null=True, blank=True, validators=POSITIVE
    )
    year_from = models.PositiveSmallIntegerField(_("from year"), validators=YEAR_VALIDATORS)
    year_to = models.PositiveSmallIntegerField(_("to year"), validators=YEAR_VALIDATORS)
    earmark = models.CharField(
        _("earmarked for"),
        max_length=200,
        blank=True,
        help_text=_("E.g. 'CONCITO/C40 knowledge partners'. Empty when not earmarked."),
    )
    description = models.TextField(_("description"), blank=True)
    dgo = models.ForeignKey(
        DGO,
        verbose_name=_("DGO co-financing"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cofinancing",
        help_text=_(
            "Set for a KKR's, a region's or Realdania's co-financing of one DGO's work (§8.5): "
            "outside the partnership's 82.1 mio, with the DGO's own lines and ledger."
        ),
    )

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["contributor__name", "key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="cash", hours__isnull=True)
                | models.Q(kind="hours", hours__isnull=False),
                name="contribution_hours_iff_working_hours",
            ),
            models.CheckConstraint(
                condition=models.Q(year_to__gte=models.F("year_from")),
                name="contribution_years_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="contribution_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_dgo_cofinancing(self) -> bool:
        return self.dgo_id is not None


class HourlyRate(models.Model):
    """A party's hourly rate for one year (§5.2: contributions may be working hours): hours ×
    the party's rate for the year is their DKK equivalent, in the budget and in the ledger.

    Set by the secretariat. Once hours are booked at a rate it is fixed, so the ledger's DKK
    equivalents never drift from the rate they were booked at (each entry also keeps its rate).
    """

    party = models.ForeignKey(
        Organisation,
        verbose_name=_("party"),
        on_delete=models.PROTECT,
        related_name="hourly_rates",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    rate = money(_("hourly rate (DKK)"), validators=POSITIVE)
    note = models.CharField(_("note"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        User,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set"), default=timezone.now)

    class Meta:
        verbose_name = _("hourly rate")
        verbose_name_plural = _("hourly rates")
        ordering = ["party__name", "year"]
        constraints = [
            models.UniqueConstraint(fields=["party", "year"], name="hourly_rate_one_per_year"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="hourly_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.year}"


class LiquidPool(models.Model):
    """Liquid funds for tracks (likvide midler): using them needs the contributing party's
    approval (§5.2); approved allocations can never exceed the pool's size."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    contribution = models.OneToOneField(
        Contribution,
        verbose_name=_("contribution"),
        on_delete=models.PROTECT,
        related_name="pool",
    )
    name = models.CharField(_("name"), max_length=200)
    size = money(_("size (DKK)"), validators=POSITIVE)
    year_from = models.PositiveSmallIntegerField(_("from year"), validators=YEAR_VALIDATORS)
    year_to = models.PositiveSmallIntegerField(_("to year"), validators=YEAR_VALIDATORS)

    class Meta:
        verbose_name = _("liquid pool")
        verbose_name_plural = _("liquid pools")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_to__gte=models.F("year_from")),
                name="pool_years_in_order",
            ),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="pool_size_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pool-detail", kwargs={"key": self.key})

    @property
    def organisation(self) -> Organisation:
        return self.contribution.contributor


class FundingRequest(models.Model):
    """Funding a track asks for, by year and source (part of the proposal)."""

    class Source(models.TextChoices):
        POOL = "pool", _("Liquid track funds (a pool)")
        OWN = "own", _("Participants' own funding")
        EXTERNAL = "external", _("External funding")
        OTHER = "other", _("Other")

    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.CASCADE, related_name="funding_requests"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    pool = models.ForeignKey(
        LiquidPool,
        verbose_name=_("pool"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_requests",
    )
    amount = money(_("amount (DKK)"), validators=POSITIVE)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("funding request")
        verbose_name_plural = _("funding requests")
        ordering = ["year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source="pool", pool__isnull=False)
                | (~models.Q(source="pool") & models.Q(pool__isnull=True)),
                name="funding_request_pool_iff_pool_source",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="funding_request_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track}: {self.year}"


class ExternalFunding(models.Model):
    """Funding sought outside the partnership, e.g. EU LIFE or another foundation (§6, §11)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SOUGHT = "sought", _("Applied for")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.CASCADE, related_name="external_funding"
    )
    funder = models.CharField(_("funder"), max_length=200)
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    amount = money(_("amount (DKK)"), validators=POSITIVE)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    lead_dgo = models.ForeignKey(
        DGO,
        verbose_name=_("leading DGO"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The DGO that leads the application (§8.5), if one does."),
    )

    class Meta:
        verbose_name = _("external funding")
        verbose_name_plural = _("external funding")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="external_funding_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.funder}: {self.programme}"

    def next_statuses(self) -> list[tuple[str, str]]:
        """Where an application may go from here: planned → applied for → granted or refused."""
        S = self.Status
        allowed = {S.PLANNED: (S.SOUGHT,), S.SOUGHT: (S.GRANTED, S.REFUSED)}
        return [(status.value, status.label) for status in allowed.get(self.status, ())]


class Allocation(models.Model):
    """Liquid funds for a track from one pool. Counts only once the pool's party approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the party's approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        # The track closed (or was withdrawn) while the request waited: nothing left to approve.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    pool = models.ForeignKey(
        LiquidPool, verbose_name=_("pool"), on_delete=models.PROTECT, related_name="allocations"
    )
    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.PROTECT, related_name="allocations"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    amount = money(_("amount (DKK)"), validators=POSITIVE)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="allocation_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status="pending", decided_by__isnull=True, decided_at__isnull=True
                )
                | (
                    ~models.Q(status="pending")
                    & models.Q(decided_by__isnull=False, decided_at__isnull=False)
                ),
                name="allocation_decided_iff_not_pending",
            ),
        ]
        indexes = [models.Index(fields=["pool", "status"])]

    def __str__(self) -> str:
        return f"{self.pool}: {self.track}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class BudgetLine(models.Model):
    """What a contribution pays for in one year, e.g. 'Secretariat and DGOs 2025'."""

    key = models.SlugField(_("key"), max_length=80, unique=True, null=True, blank=True)
    contribution = models.ForeignKey(
        Contribution,
        verbose_name=_("contribution"),
        on_delete=models.PROTECT,
        related_name="budget_lines",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    purpose = models.CharField(_("purpose"), max_length=200)
    amount = money(_("budgeted (DKK)"), validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["year", "contribution__contributor__name", "purpose"]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "year", "purpose"], name="budget_line_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="budget_line_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.year}"


class BudgetChange(models.Model):
    """Moving budget from one line to another of the same contribution, approved by the party.

    A change moves money; it never adds any, so the budget still reconciles to the contributions.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("to line"),
        on_delete=models.PROTECT,
        related_name="changes_in",
    )
    from_line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("from line"),
        on_delete=models.PROTECT,
        related_name="changes_out",
    )
    amount = money(_("amount (DKK)"), validators=POSITIVE)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("budget change")
        verbose_name_plural = _("budget changes")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="budget_change_amount_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(line=models.F("from_line")),
                name="budget_change_between_two_lines",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_line} → {self.line}"


class Spending(models.Model):
    """One entry of the ledger: an actual cost booked on a budget line (support never exceeds
    costs incurred, §11.2), or the reversal of an earlier entry.

    Entries are never edited or deleted: a correction is a reversing entry (the same line,
    track and allocation, the amount negated, with a reason), so the ledger always shows what
    was booked and when. Working hours are booked as hours; `amount` then holds their DKK
    equivalent at the party's hourly rate for the line's year, and `hourly_rate` that rate.
    """

    budget_line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budget line"),
        on_delete=models.PROTECT,
        related_name="spending",
    )
    date = models.DateField(_("date"))
    amount = money(_("amount (DKK)"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For a contribution of working hours: the hours used."),
    )
    hourly_rate = money(
        _("hourly rate (DKK)"),
        null=True,
        blank=True,
        help_text=_("For working hours: the party's rate for the year they were booked at."),
    )
    description = models.CharField(_("description"), max_length=300)
    track = models.ForeignKey(
        Track,
        verbose_name=_("track"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spending",
    )
    allocation = models.ForeignKey(
        "Allocation",
        verbose_name=_("allocation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spending",
        help_text=_("For liquid funds: the approved allocation the spending draws on."),
    )
    document_reference = models.CharField(
        _("document reference"),
        max_length=100,
        help_text=_("E.g. the invoice or voucher number in the bookkeeping."),
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
    )
    reason = models.TextField(_("reason for the correction"), blank=True)
    entered_by = models.ForeignKey(
        User, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        verbose_name = _("spending")
        verbose_name_plural = _("spending")
        ordering = ["-date", "-pk"]
        constraints = [
            # A booking is positive; only a reversal (of exactly one booking) is negative.
            models.CheckConstraint(
                condition=models.Q(reverses__isnull=True, amount__gt=0)
                | models.Q(reverses__isnull=False, amount__lt=0),
                name="spending_positive_unless_reversal",
            ),
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True)
                | models.Q(reverses__isnull=True, hours__gt=0)
                | models.Q(reverses__isnull=False, hours__lt=0),
                name="spending_hours_sign_as_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True, hourly_rate__isnull=True)
                | models.Q(hours__isnull=False, hourly_rate__gt=0),
                name="spending_hours_have_their_rate",
            ),
        ]
        indexes = [models.Index(fields=["date", "id"], name="spending_ledger_order")]

    def __str__(self) -> str:
        return f"{self.date}: {self.description}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None
