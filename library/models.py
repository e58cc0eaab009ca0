"""The knowledge library (§8.7): every knowledge product of the partnership in one place —
development tracks' results, the knowledge partners' notes and analyses — searchable by topic,
sector, track and DGO. Every signed-in person reads the library (the openness principle); the
public ones are also on the open pages."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from monitoring.models import Sector
from partners.models import DGO, Organisation
from tracks.models import Track

User = settings.AUTH_USER_MODEL


def item_storage():
    """Library files are served by views that check who may read them, never from MEDIA_URL."""
    return storages["private"]


class Topic(models.Model):
    """A subject of the library's filter (e.g. "Energi og forsyning"), kept by the secretariat
    in the admin."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LibraryItem(models.Model):
    class Kind(models.TextChoices):
        TRACK_RESULT = "track_result", _("Result of a development track")
        NOTE = "note", pgettext_lazy("knowledge product kind", "Note")
        ANALYSIS = "analysis", _("Analysis")
        REPORT = "report", pgettext_lazy("knowledge product kind", "Report")
        GUIDE = "guide", _("Guide or tool")

    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="items"
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    track = models.ForeignKey(
        Track,
        verbose_name=_("development track"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="library_items",
    )
    dgo = models.ForeignKey(
        DGO,
        verbose_name=_("DGO"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="library_items",
    )
    author_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("author organisation"),
        on_delete=models.PROTECT,
        related_name="library_items",
    )
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown on the open pages to everyone.")
    )
    published_on = models.DateField(_("published"), default=timezone.localdate)
    file = models.FileField(
        _("file"), storage=item_storage, upload_to="library/", max_length=200, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    content_type = models.CharField(_("type"), max_length=120, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    added_by = models.ForeignKey(
        User, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("knowledge product")
        verbose_name_plural = _("knowledge products")
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(file="") | ~models.Q(url=""), name="library_file_or_link"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library-detail", kwargs={"pk": self.pk})
