"""The partnership's evaluation (§10.1): one after the second year, which Realdania funds and
arranges, and one after the partnership ends. APS recommends the terms of reference and FU
approves them, both by decisions; the evaluation report is attached and its recommendations
become follow-up actions with an owner, a due date and a status."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Decision
from partners.models import Organisation

User = settings.AUTH_USER_MODEL


def report_storage():
    """Evaluation reports are served by a view that checks who may read them."""
    return storages["private"]


class Evaluation(models.Model):
    class Kind(models.TextChoices):
        MIDTERM = "midterm", _("Mid-term evaluation (after year two)")
        FINAL = "final", _("Final evaluation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Terms being drafted")
        AT_APS = "at_aps", _("Terms at APS")
        RECOMMENDED = "recommended", _("Terms recommended by APS")
        AT_FU = "at_fu", _("Terms at FU")
        APPROVED = "approved", _("Terms approved by FU")
        REPORTED = "reported", _("Report received")

    # The terms may change only while no decision is under way or taken on them.
    EDITABLE_STATES = (Status.DRAFT,)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    terms_of_reference = models.TextField(_("terms of reference"))
    arranged_by = models.ForeignKey(
        Organisation,
        verbose_name=_("arranged by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Realdania funds and arranges the mid-term evaluation (§10.1)."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    aps_decision = models.ForeignKey(
        Decision,
        verbose_name=_("APS decision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    fu_decision = models.ForeignKey(
        Decision,
        verbose_name=_("FU decision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    report = models.FileField(
        _("evaluation report"),
        storage=report_storage,
        upload_to="evaluations/",
        max_length=200,
        blank=True,
    )
    report_name = models.CharField(_("file name"), max_length=200, blank=True)
    report_size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    report_type = models.CharField(_("type"), max_length=120, blank=True)
    report_received_at = models.DateTimeField(_("report received"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="reported") | ~models.Q(report=""),
                name="evaluation_reported_has_report",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation-detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATES

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_reported(self) -> bool:
        return self.status == self.Status.REPORTED

    @property
    def awaits_a_body(self) -> bool:
        """Drafted terms go to APS, recommended ones to FU."""
        return self.status in (self.Status.DRAFT, self.Status.RECOMMENDED)

    @property
    def takes_the_report(self) -> bool:
        """Terms approved by FU: the report may be attached (or replaced once received)."""
        return self.status in (self.Status.APPROVED, self.Status.REPORTED)


class FollowUpAction(models.Model):
    """One of the report's recommendations and what the partnership does about it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UNDER_WAY = "under_way", _("Under way")
        DONE = "done", _("Done")

    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("evaluation"),
        on_delete=models.PROTECT,
        related_name="actions",
    )
    recommendation = models.TextField(_("recommendation"))
    action = models.TextField(_("follow-up action"))
    owner = models.ForeignKey(
        User, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.action[:80]
