from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEmail(models.Model):
    """An e-mail waiting to be sent. Written in the same transaction as the change it reports,
    so nothing is lost when the broker is down: a periodic task sends whatever is left."""

    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    to = models.JSONField(_("recipients"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        db_table = "klimaalliancen_outboxemail"  # the table kept its name when the model moved
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_pending",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.TextChoices):
    """How a person gets one kind of message (core.notifications.notify)."""

    IMMEDIATE = "immediate", _("By e-mail straight away")
    DAILY = "daily", _("In a daily digest e-mail")
    WEEKLY = "weekly", _("In a weekly digest e-mail")
    IN_APP = "in_app", _("Only in the portal")


class Notification(models.Model):
    """An in-app notice mirroring an e-mail: the header shows the unread count."""

    user = models.ForeignKey(
        "partners.User",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )
    # Set when the message left by e-mail, alone or in a digest: a digest takes the rest.
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        db_table = "klimaalliancen_notification"  # the table kept its name when the model moved
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
            models.Index(
                fields=["delivery", "user"],
                condition=models.Q(emailed_at__isnull=True),
                name="notification_digest_waiting",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationSettings(models.Model):
    """A person's language for messages (e-mails are read away from the language switch)."""

    user = models.OneToOneField(
        "partners.User",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    language = models.CharField(_("language"), max_length=8)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)


class NotificationPreference(models.Model):
    """How one person gets one kind of message; without a row, the kind's default applies."""

    user = models.ForeignKey(
        "partners.User",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=60)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} = {self.delivery}"


class SentReminder(models.Model):
    """A reminder that went out: one per item and threshold, however often beat runs or a
    task is delivered twice (the unique constraint decides when two runs race)."""

    kind = models.CharField(_("kind"), max_length=60)
    item = models.CharField(_("item"), max_length=120)
    threshold = models.CharField(_("threshold"), max_length=30)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(fields=["kind", "item", "threshold"], name="sent_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.item} {self.threshold}"
