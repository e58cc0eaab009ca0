from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy

from core.notifications import notify

from . import notices


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the e-mail sent through the one message path (by a Celery
    task after commit, in the person's language); the portal keeps a note without the link."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        notify(
            kind=notices.PASSWORD_RESET,
            users=[context["user"]],
            subject=gettext_lazy("Reset your password for the Klimaalliancen portal"),
            context=context,
            email=to_email,
        )
