"""The messages partners sends (core.notifications): account mail about a person's access."""

from django.utils.translation import gettext_lazy as _

from core.notifications import Kind

INVITATION = "partners.invitation"
ROLE_ADDED = "partners.role_added"
PASSWORD_RESET = "partners.password_reset"  # noqa: S105 (a message kind)

KINDS = [
    Kind(INVITATION, _("Invitation to the portal"), "partners/email/invitation.txt", secret=True),
    Kind(ROLE_ADDED, _("A new role in the portal"), "partners/email/role_added.txt"),
    Kind(
        PASSWORD_RESET,
        _("Password reset"),
        "registration/password_reset_email.html",
        secret=True,
    ),
]
