"""External data requests (§8.7): data collected in the partnership are shared with an
external party only "efter forudgående aftale med den administrative projektstyregruppe".

The secretariat records the request (who asks, why, which dataset's fields, which years and
municipalities); APS decides on it by a decision, approving the fields proposed to it (all or
fewer of those asked for) or refusing; each delivery is recorded with its terms (licence, use,
deletion date) and the exact file handed over, made from the approved fields and scope only.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Decision
from partners.models import DGO, Municipality

from .datasets import DATASET_CHOICES, DATASETS

User = settings.AUTH_USER_MODEL


def delivery_storage():
    """Delivered files are served by a view that checks who may read them."""
    return storages["private"]


class DataRequest(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        AT_APS = "at_aps", _("At APS")
        APPROVED = "approved", _("Approved by APS")
        REFUSED = "refused", _("Refused by APS")
        DELIVERED = "delivered", _("Delivered")

    DELIVERABLE_STATES = (Status.APPROVED, Status.DELIVERED)

    organisation = models.CharField(_("organisation"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    purpose = models.TextField(_("purpose"))
    dataset = models.CharField(_("dataset"), max_length=40, choices=DATASET_CHOICES)
    requested_fields = models.JSONField(_("fields asked for"), default=list)
    years = models.JSONField(_("years"), default=list)
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("municipalities"), blank=True, related_name="+"
    )
    dgos = models.ManyToManyField(
        DGO,
        verbose_name=_("DGOs"),
        blank=True,
        related_name="+",
        help_text=_("Every municipality of these DGOs is in scope."),
    )
    received_on = models.DateField(_("received"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    # What was put to APS (the decision's proposal), and what its adoption approved.
    proposed_fields = models.JSONField(_("fields proposed"), default=list, blank=True)
    approved_fields = models.JSONField(_("fields approved"), default=list, blank=True)
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("APS decision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("external data request")
        verbose_name_plural = _("external data requests")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "delivered"])
                | ~models.Q(approved_fields=[]),
                name="data_request_approved_has_fields",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_dataset_display()}"

    def get_absolute_url(self) -> str:
        return reverse("data-request-detail", kwargs={"pk": self.pk})

    @property
    def is_received(self) -> bool:
        """Recorded and not yet put to APS."""
        return self.status == self.Status.RECEIVED

    @property
    def is_deliverable(self) -> bool:
        return self.status in self.DELIVERABLE_STATES

    @property
    def dataset_spec(self):
        return DATASETS[self.dataset]

    def labels(self, keys: list[str]) -> list[str]:
        spec = self.dataset_spec
        return [str(spec.field(key).label) for key in keys if key in spec.field_keys]


class DataDelivery(models.Model):
    """One handing over of data, with the terms it was given on; never changed afterwards."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel (XLSX)")

    request = models.ForeignKey(
        DataRequest,
        verbose_name=_("data request"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    licence = models.CharField(_("licence"), max_length=200)
    permitted_use = models.TextField(_("permitted use"))
    delete_by = models.DateField(_("to be deleted by"))
    fields = models.JSONField(_("fields delivered"), default=list)
    file = models.FileField(
        _("file"), storage=delivery_storage, upload_to="data_requests/", max_length=200
    )
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    row_count = models.PositiveIntegerField(_("rows"))
    delivered_by = models.ForeignKey(
        User, verbose_name=_("delivered by"), on_delete=models.PROTECT, related_name="+"
    )
    delivered_at = models.DateTimeField(_("delivered"), default=timezone.now)

    class Meta:
        verbose_name = _("data delivery")
        verbose_name_plural = _("data deliveries")
        ordering = ["-delivered_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.request} ({self.delivered_at:%Y-%m-%d})"
