"""Writes to the partners app. Views, admin, API and commands call these, never the ORM."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm, remove_perm

from core import spreadsheet as reader
from core.locking import lock_for_edit
from core.notifications import notify
from core.portal_apps import portal_modules
from core.text import clean_text

from . import notices
from .models import (
    BODY_INVITE_ROLES,
    DGO,
    ApiToken,
    Invitation,
    InviteRole,
    Municipality,
    Organisation,
    RoleAssignment,
    User,
)
from .permissions import (
    MUNICIPALITY_EDIT_REFUSED,
    ROLE_REVOKE_REFUSED,
    can_deactivate_person,
    can_edit_municipality,
    can_invite,
    can_revoke_role,
    forget_roles,
)

Role = RoleAssignment.Role
MUNICIPALITY_EDITABLE_FIELDS = ("website", "notes")


@transaction.atomic
def municipality_update(
    *, municipality: Municipality, by: User, expected_version: str | None = None, **changes: str
) -> Municipality:
    """Change the portal's own facts about a municipality (not the official reference data).
    `expected_version` is the version the edit form was based on (core.locking)."""
    if not can_edit_municipality(by, municipality):
        raise PermissionDenied(str(MUNICIPALITY_EDIT_REFUSED))
    unknown = set(changes) - set(MUNICIPALITY_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    municipality = lock_for_edit(municipality, expected_version)
    for name, value in changes.items():
        setattr(municipality, name, value)
    municipality.updated_at = timezone.now()
    municipality.full_clean()
    municipality.save(update_fields=[*changes, "updated_at"])
    return municipality


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: str,
    by: User | None,
    reason: str = "",
    dgo: DGO | None = None,
    municipality: Municipality | None = None,
    organisation: Organisation | None = None,
    starts_on: datetime.date | None = None,
) -> RoleAssignment:
    """Give a person a role; a coordinator also gets the object permission on the DGO."""
    assignment = RoleAssignment(
        user=user,
        role=role,
        dgo=dgo,
        municipality=municipality,
        organisation=organisation,
        starts_on=starts_on or timezone.localdate(),
        granted_by=by,
        reason=reason,
    )
    assignment.full_clean()
    if role == Role.DGO_COORDINATOR and dgo is None:
        raise ValidationError({"dgo": _("A DGO coordinator needs a DGO.")})
    assignment.save()
    if role == Role.DGO_COORDINATOR:
        assign_perm("partners.coordinate_dgo", user, dgo)
    forget_roles(user)
    return assignment


@transaction.atomic
def role_revoke(
    *, assignment: RoleAssignment, by: User | None, reason: str = "", ends_on=None
) -> RoleAssignment:
    """End a role from `ends_on` (default: now); history is kept, the row is not deleted."""
    ends_on = ends_on or timezone.localdate()
    assignment.ends_on = max(ends_on, assignment.starts_on)
    assignment.reason = (assignment.reason + "\n" if assignment.reason else "") + reason
    assignment.save(update_fields=["ends_on", "reason"])
    if assignment.role == Role.DGO_COORDINATOR:
        still_coordinating = (
            RoleAssignment.objects.active()
            .filter(user=assignment.user, role=Role.DGO_COORDINATOR, dgo=assignment.dgo)
            .exclude(pk=assignment.pk)
            .exists()
        )
        if not still_coordinating:
            remove_perm("partners.coordinate_dgo", assignment.user, assignment.dgo)
    forget_roles(assignment.user)
    return assignment


def sessions_end(*, user: User) -> int:
    """End every session of a user, server-side. Returns how many were ended.

    Sessions are signed blobs keyed by a random id, so finding a user's sessions means reading
    the live ones; at the portal's size (hundreds of users) that is a small scan, and it runs
    only when someone is deactivated.
    """
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=ended).delete()
    if settings.SESSION_ENGINE == "core.sessions":
        # Sessions are read through the cache first: an ended one must leave it too.
        from core.sessions import forget_cached

        forget_cached(ended)
    return len(ended)


@transaction.atomic
def user_deactivate(*, user: User, by: User | None, reason: str = "") -> User:
    """Someone leaves: no more sign-in, sessions ended, roles closed; their records stay."""
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    reason = reason or _("Deactivated")
    for assignment in RoleAssignment.objects.active().filter(user=user):
        role_revoke(assignment=assignment, by=by, reason=reason)
    invitations_revoke(user=user)
    api_tokens_revoke(user=user)
    # Other apps close what they hold for the person (governance: body seats) with an end date.
    for _app, module in portal_modules("people"):
        module.person_deactivated(user=user, by=by, reason=reason)
    audit_note(user, by=by, reason=reason)
    transaction.on_commit(lambda: sessions_end(user=user))
    return user


@transaction.atomic
def user_deactivate_checked(*, user: User, by: User, reason: str) -> User:
    """Deactivate someone from the people pages: never yourself, a reason for the trail, and
    once (user_deactivate itself also serves imports and jobs, with a default reason)."""
    if not can_deactivate_person(by, user):
        raise ValidationError(_("You cannot deactivate yourself."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason; it is kept in the audit trail.")})
    # Locked so that two managers deactivating at once do not both run the leaving steps.
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError(_("The person is already deactivated."))
    return user_deactivate(user=user, by=by, reason=reason)


@transaction.atomic
def user_reactivate(*, user: User, by: User | None, reason: str = "") -> User:
    """Let a person sign in again, with a reason for the trail. Their ended roles stay ended:
    grant what they need anew."""
    if user.anonymised_at:
        raise ValidationError(_("An anonymised person cannot be reactivated."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason; it is kept in the audit trail.")})
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    audit_note(user, by=by, reason=reason)
    return user


@transaction.atomic
def user_anonymise(*, user: User, by: User | None) -> User:
    """Erase a person who has left (GDPR), keeping what they did: votes, decisions and authored
    records still point at the same, now nameless, user. Their audit entries lose the personal
    values too; who-did-what stays as the user id."""
    from auditlog.models import LogEntry

    if user.is_active:
        raise ValidationError(_("Deactivate the person before anonymising them."))
    if user.anonymised_at:
        return user
    label = f"anonymised-{user.pk}"
    user.username = label
    user.first_name = user.last_name = user.email = user.title = ""
    user.municipality = None
    user.set_unusable_password()
    user.anonymised_at = timezone.now()
    user.save()
    LogEntry.objects.get_for_object(user).update(object_repr=label, changes=None, changes_text="")
    for _app, module in portal_modules("privacy"):
        anonymise = getattr(module, "anonymise", None)
        if anonymise is not None:
            anonymise(user)
    return user


def users_anonymise_expired(*, now=None) -> int:
    """Anonymise everyone deactivated longer ago than the retention period (a daily job)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    expired = User.objects.filter(
        is_active=False, anonymised_at__isnull=True, deactivated_at__lt=cutoff
    )
    count = 0
    for user in expired:
        user_anonymise(user=user, by=None)
        count += 1
    return count


def personal_data(*, user: User) -> dict:
    """Everything the portal holds about a person, for a GDPR access request."""
    data: dict = {}
    for _app, module in portal_modules("privacy"):
        data.update(module.personal_data(user))
    return data


# --- People and access: invitations, grants with reasons, the audit trail -----------------


def audit_note(instance, *, by: User | None, reason: str) -> None:
    """Record why an access change was made, as its own entry in the audit trail."""
    from auditlog.models import LogEntry

    if not reason:
        return
    LogEntry.objects.log_create(
        instance,
        action=LogEntry.Action.UPDATE,
        changes={"reason": ["", reason]},
        actor=by,
        force_log=True,
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def person_find_or_create(
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    organisation: Organisation | None = None,
    municipality: Municipality | None = None,
    title: str = "",
) -> tuple[User, bool]:
    """The person with this e-mail address (case-insensitive), or a new one without a password.

    An existing person keeps their data; only empty fields are filled in. A deactivated person
    is not silently brought back: they are reactivated on their page first.
    """
    email = (email or "").strip()
    # Names from the invite form and from spreadsheets alike: no bidi or zero-width tricks.
    first_name, last_name, title = (clean_text(v or "") for v in (first_name, last_name, title))
    if not email:
        raise ValidationError({"email": _("An e-mail address is required.")})
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if not existing.is_active:
            raise ValidationError(
                {
                    "email": _(
                        "%(email)s belongs to a deactivated person; reactivate them on their "
                        "page first."
                    )
                    % {"email": email}
                }
            )
        changed = []
        for name, value in (
            ("first_name", first_name),
            ("last_name", last_name),
            ("title", title),
            ("organisation", organisation),
            ("municipality", municipality),
        ):
            if value and not getattr(existing, name):
                setattr(existing, name, value)
                changed.append(name)
        if changed:
            existing.save(update_fields=changed)
        return existing, False
    username = email.lower()[:150]
    if User.objects.filter(username__iexact=username).exists():
        username = f"{username[:140]}-{secrets.token_hex(4)}"
    user = User(
        username=username,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=organisation,
        municipality=municipality,
        title=title.strip(),
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user, True


def invitations_revoke(*, user: User) -> int:
    """Revoke the person's invitations that are still waiting (their links stop working)."""
    return Invitation.objects.filter(
        user=user, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


def _invitation_mail(*, invitation: Invitation | None, user: User, url: str, roles: str) -> None:
    context = {
        "user": user,
        "url": url,
        "roles": roles,
        "invitation": invitation,
        "days": settings.INVITATION_VALID_DAYS,
    }
    if invitation is not None:
        kind, subject = notices.INVITATION, gettext_lazy("Invitation to the Klimaalliancen portal")
    else:
        kind = notices.ROLE_ADDED
        subject = gettext_lazy("You have a new role in the Klimaalliancen portal")
    notify(kind=kind, users=[user], subject=subject, context=context, url=url)


@transaction.atomic
def invitation_send(*, user: User, by: User | None, roles: str) -> Invitation | None:
    """Send the person a single-use link to set a password, valid INVITATION_VALID_DAYS.

    Earlier links still waiting stop working. Someone who already has a password gets a note
    about the new role instead (returns None): they sign in as before.
    """
    if user.has_usable_password():
        _invitation_mail(
            invitation=None, user=user, url=settings.PORTAL_BASE_URL + reverse("login"), roles=roles
        )
        return None
    invitations_revoke(user=user)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        user=user,
        email=user.email,
        token_hash=token_hash(token),
        roles=roles[:300],
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    url = settings.PORTAL_BASE_URL + reverse("invitation-accept", kwargs={"token": token})
    _invitation_mail(invitation=invitation, user=user, url=url, roles=roles)
    return invitation


def roles_summary(*, user: User) -> str:
    """The person's roles today, in words (for a new invitation e-mail)."""
    return "; ".join(
        role_description(
            role=a.role, dgo=a.dgo, municipality=a.municipality, organisation=a.organisation
        )
        if a.role in InviteRole.values
        else a.get_role_display()
        for a in RoleAssignment.objects.active()
        .filter(user=user)
        .select_related("dgo", "municipality", "organisation")
    )


def directory_visibility_set(*, user: User, visibility: str) -> User:
    from .models import DirectoryVisibility

    if visibility not in DirectoryVisibility.values:
        raise ValidationError({"directory_visibility": _("Choose one of the options.")})
    user.directory_visibility = visibility
    user.save(update_fields=["directory_visibility"])
    return user


@dataclass
class InvitationCheck:
    invitation: Invitation | None
    problem: str = ""  # "", "unknown", "used", "revoked", "expired", "inactive"

    @property
    def usable(self) -> bool:
        return self.invitation is not None and not self.problem


def invitation_check(*, token: str) -> InvitationCheck:
    """Whether a link is usable, and if not why (for the page the person sees)."""
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=token_hash(token or "")).first()
    )
    if invitation is None:
        return InvitationCheck(None, "unknown")
    if invitation.accepted_at:
        return InvitationCheck(invitation, "used")
    if invitation.revoked_at:
        return InvitationCheck(invitation, "revoked")
    if invitation.expires_at <= timezone.now():
        return InvitationCheck(invitation, "expired")
    if not invitation.user.is_active:
        return InvitationCheck(invitation, "inactive")
    return InvitationCheck(invitation)


INVITATION_PROBLEMS = {
    "unknown": gettext_lazy("This invitation link is not valid. Check that you copied all of it."),
    "used": gettext_lazy("This invitation has already been used. Sign in with your password."),
    "revoked": gettext_lazy(
        "This invitation has been withdrawn. Ask the secretariat for a new one."
    ),
    "expired": gettext_lazy("This invitation has expired. Ask the secretariat for a new one."),
    "inactive": gettext_lazy("This account is no longer active."),
}


def invitation_problem_message(problem: str) -> str:
    return str(INVITATION_PROBLEMS[problem])


@transaction.atomic
def invitation_accept(*, token: str, email: str, password: str, directory_visibility: str) -> User:
    """Use an invitation once: the person confirms the address it went to and sets a password."""
    from django.contrib.auth.password_validation import validate_password

    invitation = (
        Invitation.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    check = invitation_check(token=token)
    if invitation is None or check.problem:
        raise ValidationError(invitation_problem_message(check.problem or "unknown"))
    if (email or "").strip().casefold() != invitation.email.casefold():
        raise ValidationError({"email": _("This is not the address the invitation was sent to.")})
    user = invitation.user
    validate_password(password, user)
    user.set_password(password)
    user.directory_visibility = directory_visibility
    user.save(update_fields=["password", "directory_visibility"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


@transaction.atomic
def invitation_accept_by_provider(*, user: User, provider_name: str) -> int:
    """The invited person signed in through their identity provider: the invitation is used.

    No password is set (they may set one later with "Forgotten your password?"). Returns the
    number of invitations marked accepted (0 when the account was already in use).
    """
    accepted = Invitation.objects.filter(
        user=user, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now())
    if accepted:
        audit_note(
            user,
            by=user,
            reason=_("Invitation accepted by signing in with %(provider)s")
            % {"provider": provider_name},
        )
    return accepted


@transaction.atomic
def person_invite(
    *,
    by: User,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    organisation: Organisation | None = None,
    dgo: DGO | None = None,
    municipality: Municipality | None = None,
    body=None,
    reason: str = "",
    send: bool = True,
) -> "InviteOutcome":
    """Invite a person by e-mail with a role; an existing address gets the role attached.

    The role is granted at once (a body seat through governance.services.membership_add); the
    person sets a password through the link in the e-mail. Inviting someone to a role they
    already hold changes nothing and sends nothing (so an import can be run twice).
    """
    if role not in InviteRole.values:
        raise ValidationError({"role": _("Choose a role.")})
    _check_scope(
        role=role, dgo=dgo, municipality=municipality, organisation=organisation, body=body
    )
    if not can_invite(by, role, dgo=dgo, municipality=municipality, body=body):
        raise PermissionDenied(
            _("You may only invite contact persons for the municipalities of your own DGO.")
            if role == InviteRole.MUNICIPAL_CONTACT
            else _("Only the secretariat invites people to this role.")
        )
    user, created = person_find_or_create(
        email=email,
        first_name=first_name,
        last_name=last_name,
        organisation=organisation if role != InviteRole.MUNICIPAL_CONTACT else None,
        municipality=municipality if role == InviteRole.MUNICIPAL_CONTACT else None,
        title=title,
    )
    description = role_description(
        role=role, dgo=dgo, municipality=municipality, organisation=organisation, body=body
    )
    granted = _grant(
        user=user,
        role=role,
        by=by,
        reason=reason,
        dgo=dgo,
        municipality=municipality,
        organisation=organisation,
        body=body,
    )
    invitation = None
    if granted and send:
        invitation = invitation_send(user=user, by=by, roles=description)
    return InviteOutcome(
        user=user, created=created, granted=granted, invitation=invitation, role=description
    )


@dataclass
class InviteOutcome:
    user: User
    created: bool
    granted: bool  # False: the person already held the role
    invitation: Invitation | None
    role: str


def _check_scope(*, role, dgo, municipality, organisation, body) -> None:
    if role == InviteRole.DGO_COORDINATOR and dgo is None:
        raise ValidationError({"dgo": _("A DGO coordinator needs a DGO.")})
    if role == InviteRole.MUNICIPAL_CONTACT and municipality is None:
        raise ValidationError({"municipality": _("A contact person needs a municipality.")})
    if role in (InviteRole.KNOWLEDGE_PARTNER, InviteRole.PARTY_APPROVER) and organisation is None:
        raise ValidationError({"organisation": _("Choose the organisation they act for.")})
    if role == InviteRole.KNOWLEDGE_PARTNER and not organisation.is_knowledge_partner:
        raise ValidationError({"organisation": _("The organisation is not a knowledge partner.")})
    if role == InviteRole.PARTY_APPROVER and not organisation.is_party:
        raise ValidationError({"organisation": _("The organisation is not a party.")})
    if role in BODY_INVITE_ROLES:
        if body is None:
            raise ValidationError({"body": _("Choose the body.")})
        if organisation is None:
            raise ValidationError(
                {"organisation": _("Choose the organisation that appoints the person.")}
            )


def seats() -> ModuleType:
    """The app that seats people in bodies (governance's `people` hook), found through the
    plugin discovery: partners sits below governance and never imports it."""
    for _app, module in portal_modules("people"):
        if hasattr(module, "seat_grant"):
            return module
    raise ImproperlyConfigured("No portal app seats people in bodies (a people.seat_grant).")


def role_description(*, role, dgo=None, municipality=None, organisation=None, body=None) -> str:
    label = str(InviteRole(role).label)
    scope = body or dgo or municipality or organisation
    if role in BODY_INVITE_ROLES and body is not None:
        scope = body.name
    return f"{label}: {scope}" if scope and role != InviteRole.SECRETARIAT else label


def _grant(*, user, role, by, reason, dgo, municipality, organisation, body) -> bool:
    """Grant the role unless the person holds it today; True when something was granted."""
    if role in BODY_INVITE_ROLES:
        return seats().seat_grant(
            user=user,
            body=body,
            member=role == InviteRole.BODY_MEMBER,
            appointed_by=organisation,
            by=by,
            reason=reason,
        )
    scope = {
        InviteRole.DGO_COORDINATOR: {"dgo": dgo},
        InviteRole.MUNICIPAL_CONTACT: {"municipality": municipality},
        InviteRole.KNOWLEDGE_PARTNER: {"organisation": organisation},
        InviteRole.PARTY_APPROVER: {"organisation": organisation},
        InviteRole.SECRETARIAT: {},
    }[role]
    held = RoleAssignment.objects.active().filter(user=user, role=role, **scope)
    if held.exists():
        return False
    role_grant(user=user, role=role, by=by, reason=reason, **scope)
    return True


@transaction.atomic
def role_revoke_checked(*, assignment: RoleAssignment, by: User, reason: str) -> RoleAssignment:
    """Revoke a role from the people pages: a reason is required and goes into the trail."""
    if not can_revoke_role(by, assignment):
        raise PermissionDenied(str(ROLE_REVOKE_REFUSED))
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason; it is kept in the audit trail.")})
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not assignment.is_active_on(timezone.localdate()):
        raise ValidationError(_("The role has already ended."))
    return role_revoke(assignment=assignment, by=by, reason=reason.strip())


# --- Bulk import of people ----------------------------------------------------------------


@dataclass
class PersonRowOutcome:
    number: int
    email: str
    name: str
    role: str
    status: str  # new (new person), added (role for an existing person), unchanged, error
    errors: list[tuple[str, str]]

    # For the preview template, which shows the status without comparing strings.
    @property
    def is_new(self) -> bool:
        return self.status == "new"

    @property
    def is_added(self) -> bool:
        return self.status == "added"

    @property
    def is_unchanged(self) -> bool:
        return self.status == "unchanged"

    @property
    def is_error(self) -> bool:
        return self.status == "error"


@dataclass
class PeopleImportResult:
    rows: list[PersonRowOutcome]
    file_errors: list[str]
    written: bool = False
    invited: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not any(row.status == "error" for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("new", "added", "unchanged", "error"), 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts


def people_import(*, by: User, content: bytes, filename: str, dry_run: bool) -> PeopleImportResult:
    """Check a whole people file, then (unless a dry run or anything is wrong) grant every row's
    role in one transaction: one bad row means nothing is written. Rows whose person already
    holds the role are unchanged, so running the same file twice changes nothing. Each person
    granted something gets one invitation (or a note about the new role), sent after commit.
    """
    from . import permissions
    from . import spreadsheet as sheet

    if not permissions.can_import_people(by):
        raise PermissionDenied(_("Only the secretariat and administrators import people."))
    result = PeopleImportResult(rows=[], file_errors=[])
    try:
        table = reader.read_table(content, filename)
    except reader.SpreadsheetError as exc:
        result.file_errors.append(str(exc))
        return result
    if not table:
        result.file_errors.append(_("The file has no header row."))
        return result
    positions, header_errors = sheet.parse_header(table[0])
    if header_errors:
        result.file_errors.extend(header_errors)
        return result
    parsed = sheet.parse_rows(table, positions)
    if not parsed:
        result.file_errors.append(_("The file has no data rows."))
        return result
    with transaction.atomic():
        planned = _plan_people(parsed=parsed, by=by)
        result.rows = [outcome for outcome, _kwargs in planned]
        if not result.is_valid:
            return result
        # A dry run writes too and rolls back: some refusals (a body's composition rules) are
        # found only when the seat is written, and the check must show them before the import.
        descriptions: dict[int, list[str]] = {}
        users: dict[int, User] = {}
        for outcome, kwargs in planned:
            if outcome.status == "unchanged":
                continue
            try:
                done = person_invite(by=by, send=False, **kwargs)
            except ValidationError as error:  # e.g. a seat rule, found only when writing
                outcome.status = "error"
                outcome.errors.extend(("", message) for message in error.messages)
                transaction.set_rollback(True)
                return result
            if done.granted:
                users[done.user.pk] = done.user
                descriptions.setdefault(done.user.pk, []).append(done.role)
        if dry_run:
            transaction.set_rollback(True)
            return result
        for pk, user in users.items():
            invitation_send(user=user, by=by, roles="; ".join(descriptions[pk]))
        result.invited = len(users)
        result.written = True
    return result


def _plan_people(*, parsed, by: User) -> list[tuple[PersonRowOutcome, dict]]:
    """Look every row up (four queries for the reference data, two for who holds what)."""
    from . import spreadsheet as sheet

    organisations = {o.code.casefold(): o for o in Organisation.objects.all()}
    municipalities = {m.code: m for m in Municipality.objects.select_related("dgo")}
    dgos = {d.slug.casefold(): d for d in DGO.objects.all()}
    bodies = {b.code.casefold(): b for b in seats().bodies()}
    emails = {row.values.get("email", "").casefold() for row in parsed} - {""}
    people = {
        u.email.casefold(): u
        for u in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    held_roles = set(
        RoleAssignment.objects.active()
        .filter(user__in=people.values())
        .values_list("user_id", "role", "dgo_id", "municipality_id", "organisation_id")
    )
    held_seats = seats().seats_held(people=people.values())
    seen: set[tuple] = set()
    planned = []
    for row in parsed:
        values = row.values
        errors = list(row.errors)
        role = values.get("role", "")
        scope: dict[str, Any] = {}
        lookups = {
            "organisation": (organisations, _("No organisation has the code %(value)s.")),
            "municipality_code": (municipalities, _("No municipality has the code %(value)s.")),
            "dgo": (dgos, _("No DGO is called %(value)s.")),
            "body": (bodies, _("No body has the code %(value)s.")),
        }
        for column, (table, message) in lookups.items():
            value = values.get(column, "")
            if value:
                found = table.get(value)
                if found is None:
                    errors.append((column, message % {"value": value}))
                scope[column] = found
        if role and not errors:
            for column in sheet.needs(role):
                if not values.get(column):
                    errors.append((column, _("Required for this role.")))
        kwargs = {
            "email": values.get("email", ""),
            "role": role,
            "first_name": values.get("first_name", ""),
            "last_name": values.get("last_name", ""),
            "title": values.get("title", ""),
            "organisation": scope.get("organisation"),
            "municipality": scope.get("municipality_code"),
            "dgo": scope.get("dgo"),
            "body": scope.get("body"),
            "reason": _("Imported from a spreadsheet"),
        }
        needed = sheet.needs(role) if role else ()
        for column, name in (
            ("municipality_code", "municipality"),
            ("dgo", "dgo"),
            ("body", "body"),
        ):
            if column not in needed:  # a scope the role does not use is ignored
                kwargs[name] = None
        person = people.get(kwargs["email"].casefold())
        status = "new" if person is None else "added"
        if not errors:
            try:
                _check_scope(
                    role=role,
                    dgo=kwargs["dgo"],
                    municipality=kwargs["municipality"],
                    organisation=kwargs["organisation"],
                    body=kwargs["body"],
                )
            except ValidationError as error:
                for column, messages in error.message_dict.items():
                    errors.extend((column, message) for message in messages)
        if not errors and not can_invite(
            by, role, dgo=kwargs["dgo"], municipality=kwargs["municipality"], body=kwargs["body"]
        ):
            errors.append(("role", _("You may not invite people to this role.")))
        if not errors and person is not None and not person.is_active:
            errors.append(("email", _("The person is deactivated; reactivate them first.")))
        key = (kwargs["email"].casefold(), role, *(str(kwargs[k]) for k in ("dgo", "body")))
        key += (str(kwargs["municipality"]), str(kwargs["organisation"]))
        if not errors and key in seen:
            errors.append(("", _("The same person and role appear twice in the file.")))
        seen.add(key)
        if (
            not errors
            and person is not None
            and _holds(person, role, kwargs, held_roles, held_seats)
        ):
            status = "unchanged"
        outcome = PersonRowOutcome(
            number=row.number,
            email=kwargs["email"],
            name=f"{kwargs['first_name']} {kwargs['last_name']}".strip(),
            role=role_description(
                role=role,
                dgo=kwargs["dgo"],
                municipality=kwargs["municipality"],
                organisation=kwargs["organisation"],
                body=kwargs["body"],
            )
            if role
            else "",
            status="error" if errors else status,
            errors=errors,
        )
        planned.append((outcome, kwargs))
    return planned


def _holds(person: User, role: str, kwargs: dict, held_roles: set, held_seats: set) -> bool:
    if role in BODY_INVITE_ROLES:
        return (person.pk, kwargs["body"].pk) in held_seats

    def pk(name: str) -> int | None:
        return kwargs[name].pk if kwargs.get(name) is not None else None

    scope = {
        InviteRole.DGO_COORDINATOR: (pk("dgo"), None, None),
        InviteRole.MUNICIPAL_CONTACT: (None, pk("municipality"), None),
        InviteRole.KNOWLEDGE_PARTNER: (None, None, pk("organisation")),
        InviteRole.PARTY_APPROVER: (None, None, pk("organisation")),
        InviteRole.SECRETARIAT: (None, None, None),
    }[role]
    return (person.pk, role, *scope) in held_roles


def organisation_logo_set(*, organisation: Organisation, content: bytes, filename: str) -> None:
    """Store an organisation's logo (PNG or JPEG, checked by its content) under a name of
    ours; the status report's cover and colophon show it. Audited like every change."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.files import check_logo

    upload = SimpleUploadedFile(filename, content)
    check_logo(upload)  # raises ValidationError: nothing stored
    with transaction.atomic():
        old = organisation.logo.name
        organisation.logo.save(filename, upload, save=False)
        organisation.save(update_fields=["logo"])
        if old:
            organisation.logo.storage.delete(old)


# --- Personal API tokens ----------------------------------------------------------------

API_TOKEN_PREFIX = "ka_"  # noqa: S105 (a visible marker, not a secret)
API_TOKEN_MAX_PER_PERSON = 20


@dataclass(frozen=True)
class NewApiToken:
    """A token just made: `secret` is shown to its person once and stored nowhere."""

    token: ApiToken
    secret: str


def api_token_create(
    *,
    user: User,
    name: str,
    read_only: bool = False,
    expires_at: datetime.datetime | None = None,
) -> NewApiToken:
    """Make a personal API token for `user` (the person signed in: tokens are only made for
    oneself). 256 bits of randomness; only the SHA-256 hash is kept."""
    name = clean_text(name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the program that uses it.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one count at a time
        live = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
        if live >= API_TOKEN_MAX_PER_PERSON:
            raise ValidationError(
                _("You have %(count)s tokens; revoke one you no longer use first.")
                % {"count": live}
            )
        secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            user=user,
            name=name,
            prefix=secret[: len(API_TOKEN_PREFIX) + 6],
            token_hash=token_hash(secret),
            read_only=read_only,
            expires_at=expires_at,
        )
        token.full_clean(exclude=["token_hash", "prefix"])
        token.save()
    return NewApiToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """A person revokes one of their own tokens; it stops working at once."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != by.pk:
        raise PermissionDenied(_("You may only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_tokens_revoke(*, user: User) -> int:
    """Every live token of a person, revoked (deactivation); one audit entry each."""
    count = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        count += 1
    return count


def api_token_touch(*, token: ApiToken, interval_seconds: int = 60) -> None:
    """Record a use: at most once per interval, one UPDATE that also does nothing when another
    request recorded it in the meantime."""
    now = timezone.now()
    since = now - datetime.timedelta(seconds=interval_seconds)
    if token.last_used_at is not None and token.last_used_at > since:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=since)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
