"""The partnership's plans and risks (§8.6, §8.2, §9): the annual project plan with its
activities, the communication plan with the communications it records, and the risk register.

A plan is drafted by the secretariat, commented on by the knowledge partners and approved by FU
through a governance decision about it; once approved it is locked (only its activities'
statuses change). Every year's plan is kept: one project plan and one communication plan a year.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import AgendaItem, Decision, Meeting
from partners.models import DGO, Organisation, User
from tracks.models import BudgetLine, Track

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class Plan(models.Model):
    """One year's project plan (§8.6) or communication plan (§9)."""

    class Kind(models.TextChoices):
        PROJECT = "project", _("Project plan")
        COMMUNICATION = "communication", _("Communication plan")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AT_FU = "at_fu", _("Put to FU")
        APPROVED = "approved", _("Approved by FU")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2023)])
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("FU's decision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The latest decision FU was asked to take about the plan."),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("drafted by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="plan_one_per_kind_and_year"),
            models.CheckConstraint(
                condition=models.Q(status="approved", approved_at__isnull=False)
                | (~models.Q(status="approved") & models.Q(approved_at__isnull=True)),
                name="plan_approved_at_iff_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("plan-detail", kwargs={"pk": self.pk})

    @property
    def is_locked(self) -> bool:
        """Put to FU or approved: the text and activities no longer change."""
        return self.status != self.Status.DRAFT

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_at_fu(self) -> bool:
        return self.status == self.Status.AT_FU

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_project_plan(self) -> bool:
        """A project plan has activities; a communication plan has communications."""
        return self.kind == self.Kind.PROJECT


class Activity(models.Model):
    """One activity of a project plan: who owns it, when, what pays for it, what it concerns."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        UNDER_WAY = "under_way", _("Under way")
        DELAYED = "delayed", _("Delayed")
        DONE = "done", _("Done")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_person = models.ForeignKey(
        User,
        verbose_name=_("owner (person)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("owner (organisation)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    budget_line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budget line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    tracks = models.ManyToManyField(
        Track, verbose_name=_("development tracks"), blank=True, related_name="+"
    )
    dgos = models.ManyToManyField(DGO, verbose_name=_("DGOs"), blank=True, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    status_note = models.CharField(_("status note"), max_length=500, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        User,
        verbose_name=_("status changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["plan", "starts_on", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="activity_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(owner_person__isnull=False)
                | models.Q(owner_organisation__isnull=False),
                name="activity_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.plan.get_absolute_url()}#activity-{self.pk}"

    @property
    def is_delayed(self) -> bool:
        return self.status == self.Status.DELAYED


class PlanComment(models.Model):
    """The knowledge partners' input to a draft plan (§8.6 "med input fra videnspartnerne")."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        User, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("comment on a plan")
        verbose_name_plural = _("comments on plans")
        ordering = ["plan", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


class Communication(models.Model):
    """A news item, press release or report, recorded under the year's communication plan with
    the parties it names: every communication names all parties (§9)."""

    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        PRESS_RELEASE = "press_release", _("Press release")
        REPORT = "report", _("Report")

    plan = models.ForeignKey(
        Plan,
        verbose_name=_("communication plan"),
        on_delete=models.PROTECT,
        related_name="communications",
        limit_choices_to={"kind": Plan.Kind.COMMUNICATION},
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    published_on = models.DateField(_("published"))
    url = models.URLField(_("link"), blank=True, max_length=500)
    involves_knowledge_partners = models.BooleanField(
        _("the knowledge partners contributed"),
        default=False,
        help_text=_("Then CONCITO and C40 must be named too."),
    )
    named_parties = models.ManyToManyField(
        Organisation, verbose_name=_("named parties"), blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("communication")
        verbose_name_plural = _("communications")
        ordering = ["-published_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class Risk(models.Model):
    """An entry of the risk register (§8.6 "risikohåndtering"), reviewed at APS meetings."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("risk"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood (1–5)"), validators=SCALE, help_text=_("1 very unlikely – 5 almost certain.")
    )
    impact = models.PositiveSmallIntegerField(
        _("impact (1–5)"), validators=SCALE, help_text=_("1 negligible – 5 critical.")
    )
    owner = models.ForeignKey(
        User, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    mitigation = models.TextField(_("mitigation"))
    review_on = models.DateField(_("next review"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["status", "review_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_likelihood_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(impact__gte=1, impact__lte=5), name="risk_impact_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("risk-detail", kwargs={"pk": self.pk})

    @property
    def score(self) -> int:
        """Likelihood times impact: 1–25."""
        return self.likelihood * self.impact

    @property
    def level(self) -> str:
        """high from 15, medium from 6 (the usual 5×5 matrix bands)."""
        return "high" if self.score >= 15 else "medium" if self.score >= 6 else "low"


class RiskReview(models.Model):
    """APS reviewed a risk at a meeting: what it judged then (the register keeps every review)."""

    risk = models.ForeignKey(
        Risk, verbose_name=_("risk"), on_delete=models.CASCADE, related_name="reviews"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("APS meeting"), on_delete=models.PROTECT, related_name="+"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"), validators=SCALE)
    impact = models.PositiveSmallIntegerField(_("impact (1–5)"), validators=SCALE)
    note = models.TextField(_("APS's conclusion"), blank=True)
    reviewed_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("risk review")
        verbose_name_plural = _("risk reviews")
        ordering = ["risk", "-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.risk} – {self.meeting}"

    @property
    def score(self) -> int:
        return self.likelihood * self.impact
