from django.contrib.auth.forms import PasswordResetForm
from django.template import loader

from core.mail import send_mail_after_commit


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the e-mail sent by a Celery task instead of in the request."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        send_mail_after_commit(subject=subject, body=body, to=[to_email])
