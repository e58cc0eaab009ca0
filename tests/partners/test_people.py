"""People and access administration: invitations, grants and revocations with their effect on
object permissions, leaving and coming back, the contact directory and the people pages."""

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from guardian.shortcuts import get_perms

from core.models import OutboxEmail
from governance.models import Body, Membership, SeatRole
from governance.services import membership_add
from partners import services
from partners.models import (
    DGO,
    DirectoryVisibility,
    Invitation,
    InviteRole,
    Municipality,
    Organisation,
    RoleAssignment,
    User,
)
from partners.permissions import can_edit_municipality, roles_of
from tests.factories import make_user, sign_in

Role = RoleAssignment.Role


@pytest.fixture(autouse=True)
def english(client):
    """Messages are asserted in English (the msgids); the Danish is checked by test_i18n."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


PASSWORD = "Grøn omstilling 2030!"


def invitation_link(email: str) -> str:
    """The path in the newest invitation e-mail to this address, as the person would click."""
    mail = OutboxEmail.objects.filter(to=[email]).order_by("-pk").first()
    assert mail is not None, f"no e-mail to {email}"
    match = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", mail.body)
    assert match, mail.body
    return match.group(1)


def invite_contact(
    by, email="mette@aarhus.dk", code="751", first_name="Mette", last_name="Klimasen", **extra
):
    return services.person_invite(
        by=by,
        email=email,
        role=InviteRole.MUNICIPAL_CONTACT,
        first_name=first_name,
        last_name=last_name,
        municipality=Municipality.objects.get(code=code),
        reason="New climate coordinator",
        **extra,
    )


def accept(client, path, email="mette@aarhus.dk", password=PASSWORD, visibility="email"):
    return client.post(
        path,
        {
            "email": email,
            "password1": password,
            "password2": password,
            "directory_visibility": visibility,
        },
    )


# --- the invitation life cycle --------------------------------------------------------------


def test_invitation_creates_a_person_with_the_role_and_a_single_use_link(client, role_users):
    outcome = invite_contact(role_users["secretariat"])
    person = outcome.user
    assert outcome.created and outcome.granted
    assert not person.has_usable_password()
    assert roles_of(person).contact_municipality_ids == {Municipality.objects.get(code="751").pk}
    invitation = Invitation.objects.get(user=person)
    assert invitation.status == "pending"
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=7)
    path = invitation_link("mette@aarhus.dk")
    token = path.split("/")[2]
    assert invitation.token_hash == services.token_hash(token) and token not in str(
        Invitation.objects.values_list("token_hash", flat=True)
    )

    page = client.get(path)
    assert page.status_code == 200
    assert "Municipal contact person" in page.content.decode() or "Aarhus" in page.content.decode()
    response = accept(client, path)
    assert response.status_code == 302 and response.url == reverse("login")
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert person.directory_visibility == DirectoryVisibility.EMAIL
    assert Invitation.objects.get(user=person).status == "accepted"
    # The person signs in with the e-mail address and the new password.
    signed_in = client.post(reverse("login"), {"username": "Mette@Aarhus.dk", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert int(client.session[SESSION_KEY]) == person.pk

    # Used once: the same link is refused, on GET and on POST.
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    again = client.get(path)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert accept(client, path, password="Another passphrase 99").status_code == 410
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_an_expired_invitation_is_refused(client, role_users, settings):
    settings.INVITATION_VALID_DAYS = 3
    invite_contact(role_users["secretariat"])
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=3)
    path = invitation_link("mette@aarhus.dk")
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(path)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert accept(client, path).status_code == 410
    assert not User.objects.get(email="mette@aarhus.dk").has_usable_password()
    with pytest.raises(ValidationError):
        services.invitation_accept(
            token=path.split("/")[2],
            email="mette@aarhus.dk",
            password=PASSWORD,
            directory_visibility="email",
        )


def test_the_wrong_address_or_the_wrong_signed_in_user_is_refused(client, role_users):
    invite_contact(role_users["secretariat"])
    path = invitation_link("mette@aarhus.dk")
    response = accept(client, path, email="someone.else@aarhus.dk")
    assert response.status_code == 200
    assert "not the address the invitation was sent to" in response.content.decode()
    person = User.objects.get(email="mette@aarhus.dk")
    assert not person.has_usable_password()
    assert Invitation.objects.get().status == "pending"

    sign_in(client, role_users["member"])
    assert client.get(path).status_code == 403
    assert accept(client, path).status_code == 403
    client.logout()
    # A weak password or two different ones: the form says so, the link still works.
    weak = accept(client, path, password="1234")
    assert weak.status_code == 200 and Invitation.objects.get().status == "pending"
    differ = client.post(
        path,
        {
            "email": "mette@aarhus.dk",
            "password1": PASSWORD,
            "password2": PASSWORD + "x",
            "directory_visibility": "email",
        },
    )
    assert differ.status_code == 200 and Invitation.objects.get().status == "pending"
    assert accept(client, path, email="METTE@aarhus.dk").status_code == 302


def test_unknown_and_withdrawn_links(client, role_users):
    assert client.get("/invitations/made-up/").status_code == 404
    invite_contact(role_users["secretariat"])
    first = invitation_link("mette@aarhus.dk")
    person = User.objects.get(email="mette@aarhus.dk")
    services.invitation_send(user=person, by=role_users["secretariat"], roles="contact")
    second = invitation_link("mette@aarhus.dk")
    assert first != second
    withdrawn = client.get(first)
    assert withdrawn.status_code == 410 and "withdrawn" in withdrawn.content.decode()
    assert client.get(second).status_code == 200


def test_reinviting_an_existing_address_attaches_the_role(role_users):
    secretariat = role_users["secretariat"]
    first = invite_contact(secretariat)
    users_before = User.objects.count()
    # Another municipality, the address written differently: the same person.
    second = invite_contact(secretariat, email="METTE@Aarhus.DK", code="727")
    assert second.user.pk == first.user.pk and not second.created and second.granted
    assert User.objects.count() == users_before
    assert len(roles_of(User.objects.get(pk=first.user.pk)).contact_municipality_ids) == 2
    # The same role again changes nothing and sends nothing.
    mails = OutboxEmail.objects.count()
    third = invite_contact(secretariat)
    assert not third.granted and OutboxEmail.objects.count() == mails
    # Someone with a password is told about the new role; no new password link.
    member = role_users["member"]
    outcome = services.person_invite(
        by=secretariat,
        email=member.email.upper(),
        role=InviteRole.PARTY_APPROVER,
        organisation=Organisation.objects.get(code="realdania"),
        reason="Approves for Realdania",
    )
    assert outcome.user.pk == member.pk and outcome.invitation is None
    note = OutboxEmail.objects.order_by("-pk").first()
    assert note.to == [member.email] and "/invitations/" not in note.body
    assert roles_of(User.objects.get(pk=member.pk)).approver


def test_a_deactivated_address_is_not_silently_brought_back(role_users):
    person = invite_contact(role_users["secretariat"]).user
    services.user_deactivate(user=person, by=role_users["secretariat"], reason="left")
    with pytest.raises(ValidationError, match="deactivated"):
        invite_contact(role_users["secretariat"], code="727")


def test_a_role_that_requires_mfa_sends_the_new_person_to_mfa_setup(client, role_users):
    services.person_invite(
        by=role_users["administrator"],
        email="ny@kl.dk",
        role=InviteRole.SECRETARIAT,
        first_name="Ny",
        last_name="Sekretær",
        reason="New colleague",
    )
    assert accept(client, invitation_link("ny@kl.dk"), email="ny@kl.dk").status_code == 302
    client.post(reverse("login"), {"username": "ny@kl.dk", "password": PASSWORD})
    response = client.get("/municipalities/")
    assert response.status_code == 302 and response.url.startswith(reverse("mfa-setup"))


def test_invitation_validation_errors(role_users):
    secretariat = role_users["secretariat"]
    with pytest.raises(ValidationError) as error:
        services.person_invite(by=secretariat, email="a@b.dk", role=InviteRole.DGO_COORDINATOR)
    assert "dgo" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.person_invite(
            by=secretariat,
            email="a@b.dk",
            role=InviteRole.KNOWLEDGE_PARTNER,
            organisation=Organisation.objects.get(code="kl"),
        )
    assert "organisation" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.person_invite(by=secretariat, email="a@b.dk", role="emperor")
    assert not User.objects.filter(email="a@b.dk").exists()


# --- who may invite whom -----------------------------------------------------------------------


def test_a_coordinator_invites_only_into_their_own_dgo(role_users):
    coordinator = role_users["coordinator_a"]  # DGO Midtjylland
    assert invite_contact(coordinator).granted  # Aarhus is in Midtjylland
    with pytest.raises(PermissionDenied):
        invite_contact(coordinator, email="k@kk.dk", code="101")  # Copenhagen: Hovedstaden
    for role, scope in (
        (InviteRole.DGO_COORDINATOR, {"dgo": DGO.objects.get(slug="midtjylland")}),
        (InviteRole.KNOWLEDGE_PARTNER, {"organisation": Organisation.objects.get(code="concito")}),
        (InviteRole.SECRETARIAT, {}),
    ):
        with pytest.raises(PermissionDenied):
            services.person_invite(by=coordinator, email="x@y.dk", role=role, **scope)
    kl = Organisation.objects.get(code="kl")
    own_group = Body.objects.get(code="dgo-midtjylland-pol")
    assert services.person_invite(
        by=coordinator,
        email="pol@midt.dk",
        role=InviteRole.BODY_MEMBER,
        body=own_group,
        # The group's rules: the KKR chairmanship (and the regional council chair).
        organisation=Organisation.objects.get(code="kkr-midtjylland"),
    ).granted
    with pytest.raises(PermissionDenied):
        services.person_invite(
            by=coordinator,
            email="fu@x.dk",
            role=InviteRole.BODY_MEMBER,
            body=Body.objects.get(code="fu"),
            organisation=kl,
        )
    assert not User.objects.filter(email__in=["k@kk.dk", "x@y.dk", "fu@x.dk"]).exists()


def test_the_invite_page_offers_a_coordinator_only_their_own_municipalities(client, role_users):
    sign_in(client, role_users["coordinator_a"])
    page = client.get(reverse("person-invite"))
    html = page.content.decode()
    assert 'value="751"' in html and 'value="101"' not in html
    assert 'value="dgo_coordinator"' not in html and 'value="municipal_contact"' in html
    response = client.post(
        reverse("person-invite"),
        {
            "email": "k@kk.dk",
            "role": "municipal_contact",
            "municipality": "101",
            "reason": "try",
        },
    )
    assert response.status_code == 200 and "has-error" in response.content.decode()
    assert not User.objects.filter(email="k@kk.dk").exists()
    ok = client.post(
        reverse("person-invite"),
        {
            "email": "k@aarhus.dk",
            "first_name": "Karen",
            "role": "municipal_contact",
            "municipality": "751",
            "reason": "New contact",
            "next": "/municipalities/751/people/",
        },
    )
    assert ok.status_code == 302 and ok.url == "/municipalities/751/people/"
    assert (
        User.objects.get(email="k@aarhus.dk").role_assignments.get().granted_by
        == (role_users["coordinator_a"])
    )


def test_invite_page_rejects_an_offsite_next(client, role_users):
    sign_in(client, role_users["secretariat"])
    page = client.get(reverse("person-invite") + "?next=javascript:alert(1)")
    assert 'href="javascript:' not in page.content.decode()
    assert 'name="next" value=""' in page.content.decode()


# --- grant and revoke: object permissions and the audit trail ---------------------------------


def test_grant_and_revoke_change_object_permissions_at_once(client, role_users):
    secretariat = role_users["secretariat"]
    midt = DGO.objects.get(slug="midtjylland")
    aarhus = Municipality.objects.get(code="751")
    outcome = services.person_invite(
        by=secretariat,
        email="ny.koordinator@rm.dk",
        role=InviteRole.DGO_COORDINATOR,
        dgo=midt,
        reason="New coordinator",
    )
    person = User.objects.get(pk=outcome.user.pk)
    assert "coordinate_dgo" in get_perms(person, midt)
    assert person.has_perm("partners.coordinate_dgo", midt)
    assert can_edit_municipality(person, aarhus)
    assignment = person.role_assignments.get()

    sign_in(client, secretariat)
    refused = client.post(reverse("role-revoke", args=[assignment.pk]), {"reason": ""})
    assert refused.status_code == 302
    assert RoleAssignment.objects.active().filter(pk=assignment.pk).exists()
    response = client.post(
        reverse("role-revoke", args=[assignment.pk]),
        {"reason": "Moved to another job", "next": "/dgo/midtjylland/people/"},
    )
    assert response.status_code == 302 and response.url == "/dgo/midtjylland/people/"
    person = User.objects.get(pk=person.pk)  # a fresh request's user object
    assert "coordinate_dgo" not in get_perms(person, midt)
    assert not can_edit_municipality(person, aarhus)
    assert not roles_of(person).coordinator
    assignment.refresh_from_db()
    assert assignment.ends_on == timezone.localdate()
    entries = LogEntry.objects.get_for_object(assignment).order_by("timestamp")
    assert entries.first().changes.get("reason")[1] == "New coordinator"
    last = entries.last()
    assert last.actor == secretariat and "Moved to another job" in last.changes["reason"][1]
    assert last.changes["ends_on"][1] == str(timezone.localdate())


def test_a_coordinator_revokes_only_contact_persons_of_their_own_dgo(client, role_users):
    own = invite_contact(role_users["secretariat"]).user.role_assignments.get()
    other = invite_contact(
        role_users["secretariat"], email="k@kk.dk", code="101"
    ).user.role_assignments.get()
    coordinator_b = role_users["coordinator_b"].role_assignments.get()
    sign_in(client, role_users["coordinator_a"])
    assert client.post(reverse("role-revoke", args=[other.pk]), {"reason": "x"}).status_code == 403
    assert (
        client.post(reverse("role-revoke", args=[coordinator_b.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert client.post(reverse("role-revoke", args=[own.pk]), {"reason": "left"}).status_code == 302
    assert not RoleAssignment.objects.active().filter(pk=own.pk).exists()
    assert RoleAssignment.objects.active().filter(pk__in=[other.pk, coordinator_b.pk]).count() == 2


def test_a_body_seat_granted_and_ended_from_the_body_people_page(client, role_users):
    secretariat = role_users["secretariat"]
    fu = Body.objects.get(code="fu")
    outcome = services.person_invite(
        by=secretariat,
        email="ny@regioner.dk",
        role=InviteRole.BODY_OBSERVER,
        body=fu,
        # Realdania's one observer seat is `observer`'s; C40's is free.
        organisation=Organisation.objects.get(code="c40"),
        reason="Observer for Realdania",
    )
    person = User.objects.get(pk=outcome.user.pk)
    assert "view_body_content" in get_perms(person, fu)
    seat = Membership.objects.get(person=person, body=fu)
    assert seat.seat_role == SeatRole.OBSERVER
    assert "Observer for Realdania" in str(
        LogEntry.objects.get_for_object(seat).values_list("changes", flat=True)
    )
    # A seat that began earlier ends today: it no longer counts from today.
    Membership.objects.filter(pk=seat.pk).update(
        starts_on=timezone.localdate() - datetime.timedelta(days=30)
    )
    sign_in(client, secretariat)
    page = client.get(reverse("body-people", args=["fu"]))
    assert page.status_code == 200 and str(person) in page.content.decode()
    response = client.post(
        reverse("body-seat-end", args=["fu", seat.pk]), {"reason": "Left Realdania"}
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.ends_on == timezone.localdate()
    assert "view_body_content" not in get_perms(User.objects.get(pk=person.pk), fu)
    assert "Left Realdania" in str(
        LogEntry.objects.get_for_object(seat).values_list("changes", flat=True)
    )
    # No reason, no change.
    member_seat = role_users["member"].memberships.get()
    client.post(reverse("body-seat-end", args=["fu", member_seat.pk]), {"reason": " "})
    member_seat.refresh_from_db()
    assert member_seat.ends_on is None


# --- leaving and coming back --------------------------------------------------------------------


def test_deactivation_ends_sessions_revokes_invitations_and_closes_roles(
    client, role_users, django_capture_on_commit_callbacks
):
    from django.test import Client

    secretariat = role_users["secretariat"]
    person = role_users["coordinator_a"]
    fu = Body.objects.get(code="fu")
    seat = membership_add(
        body=fu,
        person=person,
        seat_role=SeatRole.OBSERVER,
        appointed_by=Organisation.objects.get(code="kl"),
        by=None,
        starts_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    person.set_unusable_password()
    person.save()
    services.invitation_send(user=person, by=secretariat, roles="coordinator")
    person.set_password(PASSWORD)
    person.save()
    their_browser = Client()
    their_browser.force_login(person)
    assert their_browser.get("/municipalities/").status_code == 200

    sign_in(client, secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("person-deactivate", args=[person.pk]), {"reason": "Left the region"}
        )
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active and person.deactivated_at
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(person.pk)
    ]
    assert their_browser.get("/municipalities/").status_code == 302  # signed out
    assert Invitation.objects.get(user=person).status == "revoked"
    assignment = person.role_assignments.get()
    assert assignment.ends_on == timezone.localdate() and "Left the region" in assignment.reason
    seat.refresh_from_db()
    assert seat.ends_on == timezone.localdate()
    assert "coordinate_dgo" not in get_perms(person, DGO.objects.get(slug="midtjylland"))
    assert "view_body_content" not in get_perms(person, fu)
    assert Membership.objects.filter(pk=seat.pk).exists()  # history kept
    signing_in = Client().post(reverse("login"), {"username": person.email, "password": PASSWORD})
    assert signing_in.status_code == 200  # the form again: a deactivated person cannot sign in
    # The secretariat's own session is untouched.
    assert client.get(reverse("person-detail", args=[person.pk])).status_code == 200

    # Coming back: can sign in again; the roles stay ended until granted anew.
    client.post(reverse("person-reactivate", args=[person.pk]), {"reason": "Came back"})
    person.refresh_from_db()
    assert person.is_active and person.deactivated_at is None
    again = Client().post(reverse("login"), {"username": person.email, "password": PASSWORD})
    assert again.status_code == 302
    assert not roles_of(User.objects.get(pk=person.pk)).coordinator
    assert "Came back" in str(
        LogEntry.objects.get_for_object(person).values_list("changes", flat=True)
    )


def test_deactivation_keeps_votes_and_decisions(role_users):
    from governance.models import Decision, Vote
    from governance.services import decision_open, vote_cast

    fu = Body.objects.get(code="fu")
    member = role_users["member"]
    decision = decision_open(
        body=fu,
        by=role_users["secretariat"],
        title="Budget 2027",
        text="Adopt the budget",
        deadline=timezone.now() + datetime.timedelta(days=7),
    )
    vote_cast(decision=decision, by=member, choice=Vote.Choice.YES)
    services.user_deactivate(user=member, by=role_users["secretariat"], reason="Left")
    assert Vote.objects.filter(decision=decision, cast_by=member).exists()
    assert Decision.objects.filter(pk=decision.pk).exists()
    assert Membership.objects.filter(person=member, body=fu).exists()


def test_one_cannot_deactivate_oneself_and_only_people_managers_may(client, role_users):
    secretariat = role_users["secretariat"]
    sign_in(client, secretariat)
    client.post(reverse("person-deactivate", args=[secretariat.pk]), {"reason": "oops"})
    secretariat.refresh_from_db()
    assert secretariat.is_active
    sign_in(client, role_users["coordinator_a"])
    response = client.post(
        reverse("person-deactivate", args=[role_users["member"].pk]), {"reason": "x"}
    )
    assert response.status_code == 403


# --- the contact directory ------------------------------------------------------------------------


def test_the_directory_respects_each_persons_choice(client, role_users):
    secretariat = role_users["secretariat"]
    people = {}
    for visibility, code in (("email", "751"), ("no_email", "727"), ("hidden", "741")):
        email = f"{visibility}@kommune.dk"
        people[visibility] = invite_contact(
            secretariat, email=email, code=code, first_name=visibility.title(), last_name="Dir"
        ).user
        services.directory_visibility_set(user=people[visibility], visibility=visibility)
    gone = invite_contact(secretariat, email="gone@kommune.dk", code="751").user
    services.directory_visibility_set(user=gone, visibility="email")
    services.user_deactivate(user=gone, by=secretariat)

    sign_in(client, role_users["knowledge_partner"])
    html = client.get(reverse("directory")).content.decode()
    assert "email@kommune.dk" in html
    assert str(people["no_email"]) in html and "no_email@kommune.dk" not in html
    assert "hidden@kommune.dk" not in html
    assert "gone@kommune.dk" not in html
    aarhus = client.get(reverse("directory") + "?municipality=751").content.decode()
    assert "email@kommune.dk" in aarhus and str(people["no_email"]) not in aarhus
    assert "coord-a" in aarhus or str(role_users["coordinator_a"]) in aarhus  # its DGO's
    hovedstaden = client.get(reverse("directory") + "?dgo=hovedstaden").content.decode()
    assert "email@kommune.dk" not in hovedstaden
    assert str(role_users["coordinator_b"]) in hovedstaden


def test_a_person_changes_their_directory_choice_on_the_profile(client, role_users):
    member = role_users["member"]
    sign_in(client, member)
    assert 'name="directory_visibility"' in client.get(reverse("profile")).content.decode()
    client.post(reverse("profile-visibility"), {"directory_visibility": "hidden"})
    member.refresh_from_db()
    assert member.directory_visibility == DirectoryVisibility.HIDDEN
    client.post(reverse("profile-visibility"), {"directory_visibility": "everything!"})
    member.refresh_from_db()
    assert member.directory_visibility == DirectoryVisibility.HIDDEN


# --- the people pages -----------------------------------------------------------------------------


def test_people_pages_list_who_holds_which_role(client, role_users):
    invite_contact(role_users["secretariat"])
    sign_in(client, role_users["coordinator_a"])
    municipality = client.get(reverse("municipality-people", args=["751"])).content.decode()
    assert "Mette Klimasen" in municipality and "mette@aarhus.dk" in municipality
    dgo = client.get(reverse("dgo-people", args=["midtjylland"])).content.decode()
    assert "Mette Klimasen" in dgo and str(role_users["coordinator_a"]) in dgo
    detail = client.get(reverse("municipality-detail", args=["751"])).content.decode()
    assert reverse("municipality-people", args=["751"]) in detail
    assert client.get(reverse("municipality-people", args=["101"])).status_code == 403
    sign_in(client, role_users["secretariat"])
    people = client.get(reverse("people-list") + "?q=klimasen").content.decode()
    assert "Mette Klimasen" in people
    assert reverse("people-list") in client.get("/").content.decode()  # in the navigation
    person = User.objects.get(email="mette@aarhus.dk")
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "Aarhus" in page and "New climate coordinator" in page


def grow_people(count: int) -> None:
    """`count` contact persons spread over Midtjylland's municipalities, with invitations."""
    municipalities = list(Municipality.objects.filter(dgo__slug="midtjylland"))
    fu = Body.objects.get(code="fu")
    kl = Organisation.objects.get(code="kl")
    start = User.objects.count()
    for i in range(count):
        user = make_user(username=f"grown{start + i}", directory_visibility="email")
        services.role_grant(
            user=user,
            role=Role.MUNICIPAL_CONTACT,
            by=None,
            municipality=municipalities[i % len(municipalities)] if i % 2 else municipalities[0],
        )
        services.invitation_send(user=user, by=None, roles="contact")
        if i % 3 == 0:
            membership_add(
                body=fu, person=user, seat_role=SeatRole.OBSERVER, appointed_by=kl, by=None
            )


@pytest.mark.parametrize(
    "role,url",
    [
        ("coordinator_a", "/municipalities/751/people/"),
        ("coordinator_a", "/dgo/midtjylland/people/"),
        ("secretariat", "/people/"),
        ("secretariat", "/bodies/fu/people/"),
        ("knowledge_partner", "/directory/"),
        ("knowledge_partner", "/directory/?dgo=midtjylland"),
        ("knowledge_partner", "/directory/?municipality=751"),
    ],
)
def test_people_pages_and_directory_query_counts_are_flat(
    role, url, client_for, django_assert_max_num_queries
):
    from tests.test_queries import count_queries

    grow_people(4)
    client = client_for(role)
    small = count_queries(client, url)
    grow_people(40)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200
    assert small <= 25


def test_person_detail_query_count_is_flat(client_for, role_users, django_assert_max_num_queries):
    from tests.test_queries import count_queries

    person = invite_contact(role_users["secretariat"]).user
    client = client_for("secretariat")
    url = reverse("person-detail", args=[person.pk])
    small = count_queries(client, url)
    for code in ("727", "741", "746", "706", "707"):
        services.role_grant(
            user=person,
            role=Role.MUNICIPAL_CONTACT,
            by=None,
            municipality=Municipality.objects.get(code=code),
        )
        services.invitation_send(user=person, by=None, roles="contact")
    with django_assert_max_num_queries(small):
        client.get(url)


def test_an_expired_invitation_is_replaced_from_the_person_page(client, role_users):
    invite_contact(role_users["secretariat"])
    old = invitation_link("mette@aarhus.dk")
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(days=1))
    person = User.objects.get(email="mette@aarhus.dk")
    sign_in(client, role_users["secretariat"])
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "expired" in page and reverse("person-reinvite", args=[person.pk]) in page
    assert client.post(reverse("person-reinvite", args=[person.pk])).status_code == 302
    new = invitation_link("mette@aarhus.dk")
    assert new != old
    assert "Aarhus" in Invitation.objects.order_by("-pk").first().roles
    client.logout()
    assert client.get(old).status_code == 410
    assert accept(client, new).status_code == 302
    # Someone with a password gets no new link.
    sign_in(client, role_users["secretariat"])
    invitations = Invitation.objects.count()
    client.post(reverse("person-reinvite", args=[person.pk]))
    assert Invitation.objects.count() == invitations


def test_invitations_are_read_only_in_the_admin(admin_client, role_users):
    invite_contact(role_users["secretariat"])
    url = reverse("admin:partners_invitation_changelist")
    response = admin_client.get(url, {"q": "aarhus"})
    assert response.status_code == 200 and "mette@aarhus.dk" in response.content.decode()
    assert (
        "token_hash"
        not in admin_client.get(
            reverse("admin:partners_invitation_change", args=[Invitation.objects.get().pk])
        ).content.decode()
    )
    assert admin_client.get(reverse("admin:partners_invitation_add")).status_code == 403
