"""Every path that seats a person checks the body's composition (issue 17): the seat form, the
invitation page, people administration (governance.people.seat_grant), the people import, the
Django admin and the API. A seat that breaks a rule — a second chair, a substitute for someone
who is not a voting member, an observer for a party the agreement gives no observer seat — is
refused with the rule's text, and nothing is written (no seat, no new person, no invitation).

The one path that seats without the check is the loaders of known data (the demo and the scale
data, see governance.services.membership_add); accepting an invitation seats nobody — the seat
was recorded, and checked, when the person was invited."""

import datetime

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from core.models import OutboxEmail
from governance import people
from governance.models import Body, Membership, SeatRole, SeatRule
from partners import services as partner_services
from partners import spreadsheet as sheet
from partners.models import Invitation, InviteRole, User
from tests.factories import UserFactory

from .factories import org, seat

R = SeatRole
NEW_EMAIL = "ny.person@kommune.dk"


def danish(text: str) -> str:
    with translation.override("da"):
        return translation.gettext(text)


def snapshot() -> tuple[int, int, int, int]:
    return (
        Membership.objects.count(),
        User.objects.count(),
        Invitation.objects.count(),
        OutboxEmail.objects.count(),
    )


def labels(body: str, seat_kind: str) -> list[str]:
    return list(
        SeatRule.objects.filter(body__code=body, seat=seat_kind).values_list("label", flat=True)
    )


@pytest.fixture
def fu_chair(role_users):
    """FU has its chair (from KL), so a second is a rule break."""
    return seat("fu", role=R.CHAIR, appointed_by="kl")


def observer_rule_text() -> list[str]:
    """PUG's observer seats are for Realdania, CONCITO and C40: the refusal names them."""
    return labels("pug", SeatRule.Seat.OBSERVER)


def assert_names_rules(text: str, rules: list[str]) -> None:
    assert rules, "the reference data has rules for this seat"
    for label in rules:
        assert label in text, (label, text)


# --- the seat form on the body page -----------------------------------------------------------


def seat_form(**fields) -> dict:
    data = {
        "person": UserFactory().pk,
        "seat_role": R.MEMBER,
        "appointed_by": org("kl").pk,
        "starts_on": "2026-01-01",
        "reason": "Udpeget",
    }
    data.update({name: getattr(value, "pk", value) for name, value in fields.items()})
    return data


def test_seat_form_refuses_each_rule_break(client_for, role_users, fu_chair):
    client = client_for("secretariat")
    # The form offers only voting seats to stand in for; `member` is seated from today, so a
    # substitute from January stands in for someone who was no member then.
    member_seat = role_users["member"].memberships.get(body__code="fu")
    assert member_seat.starts_on > datetime.date(2026, 1, 1)
    cases = [
        ("fu", {"seat_role": R.CHAIR}, "seat_role", labels("fu", SeatRule.Seat.CHAIR)),
        (
            "fu",
            {"seat_role": R.SUBSTITUTE, "substitute_for": member_seat},
            "substitute_for",
            [danish("The member is not seated when the substitute starts.")],
        ),
        ("pug", {"seat_role": R.OBSERVER}, "__all__", observer_rule_text()),
    ]
    before = snapshot()
    for body, fields, field, rules in cases:
        response = client.post(reverse("seat-create", args=[body]), seat_form(**fields))
        assert response.status_code == 200, body
        assert_names_rules(" ".join(response.context["form"].errors.get(field, [])), rules)
    assert snapshot()[0] == before[0]


# --- the invitation page ("Invitér et medlem/observatør") -------------------------------------


def test_invitation_page_refuses_an_observer_for_a_party_without_one(client_for, role_users):
    client = client_for("secretariat")
    before = snapshot()
    response = client.post(
        reverse("person-invite"),
        {
            "email": NEW_EMAIL,
            "first_name": "Ny",
            "last_name": "Person",
            "role": InviteRole.BODY_OBSERVER,
            "body": "pug",
            "organisation": "kl",
            "reason": "Observatør for KL",
        },
    )
    assert response.status_code == 200
    assert_names_rules(" ".join(response.context["form"].non_field_errors()), observer_rule_text())
    assert snapshot() == before
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_invitation_page_refuses_a_member_beyond_the_rule(client_for, role_users, fu_chair):
    # KL has two political seats in FU: the chair and `member`'s; a third is refused.
    client = client_for("secretariat")
    before = snapshot()
    response = client.post(
        reverse("person-invite"),
        {
            "email": NEW_EMAIL,
            "first_name": "Ny",
            "last_name": "Person",
            "role": InviteRole.BODY_MEMBER,
            "body": "fu",
            "organisation": "kl",
            "reason": "Tredje KL-plads",
        },
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "2 politiske repræsentanter udpeget af KL" in errors, errors
    assert snapshot() == before


# --- people administration: governance.people.seat_grant --------------------------------------


def test_people_administration_seat_grant_checks_the_rules(role_users):
    secretariat = role_users["secretariat"]
    person = UserFactory()
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        people.seat_grant(
            user=person,
            body=Body.objects.get(code="pug"),
            member=False,
            appointed_by=org("kl"),
            by=secretariat,
            reason="Observatør",
        )
    assert_names_rules(" ".join(refused.value.messages), observer_rule_text())
    assert snapshot() == before
    # A seat that fits goes through the same function.
    assert people.seat_grant(
        user=person,
        body=Body.objects.get(code="pug"),
        member=False,
        appointed_by=org("c40"),
        by=secretariat,
        reason="Observatør for C40",
    )


# --- the people import -------------------------------------------------------------------------


def people_file(rows: list[dict]) -> bytes:
    data = tablib.Dataset(headers=sheet.KEYS)
    for row in rows:
        data.append([row.get(key, "") for key in sheet.KEYS])
    return data.export("xlsx")


@pytest.mark.parametrize("dry_run", [True, False])
def test_people_import_refuses_a_seat_that_breaks_a_rule(role_users, dry_run):
    content = people_file(
        [
            {"first_name": "Fin", "last_name": "Fint", "email": "fin@c40.org",
             "role": "body_observer", "body": "pug", "organisation": "c40"},
            {"first_name": "Ny", "last_name": "Person", "email": NEW_EMAIL,
             "role": "body_observer", "body": "pug", "organisation": "kl"},
        ]
    )  # fmt: skip
    before = snapshot()
    result = partner_services.people_import(
        by=role_users["secretariat"], content=content, filename="people.xlsx", dry_run=dry_run
    )
    assert not result.written
    refused = [row for row in result.rows if row.status == "error"]
    assert [row.email for row in refused] == [NEW_EMAIL]
    assert_names_rules(" ".join(message for _c, message in refused[0].errors), observer_rule_text())
    # One bad row: nothing is written, the fitting row neither.
    assert snapshot() == before


# --- the Django admin --------------------------------------------------------------------------


def test_admin_refuses_each_rule_break_on_the_form(admin_client, role_users, fu_chair):
    fu = Body.objects.get(code="fu")
    pug = Body.objects.get(code="pug")
    observer_seat = role_users["observer"].memberships.get(body__code="fu")
    cases = [
        ({"body": fu.pk, "seat_role": R.CHAIR}, labels("fu", SeatRule.Seat.CHAIR)),
        (
            {"body": fu.pk, "seat_role": R.SUBSTITUTE, "substitute_for": observer_seat.pk},
            [danish("A substitute stands in for a voting member of the same body.")],
        ),
        ({"body": pug.pk, "seat_role": R.OBSERVER}, observer_rule_text()),
    ]
    before = snapshot()
    for fields, rules in cases:
        data = {
            "person": UserFactory().pk,
            "appointed_by": org("kl").pk,
            "starts_on": "2026-01-01",
            "capacity": "",
            **fields,
        }
        response = admin_client.post(reverse("admin:governance_membership_add"), data)
        assert response.status_code == 200, (fields, response.status_code)
        form = response.context["adminform"].form
        text = " ".join(str(message) for errors in form.errors.values() for message in errors)
        assert_names_rules(text, rules)
    assert snapshot()[0] == before[0]


def test_admin_seats_what_fits(admin_client, role_users):
    person = UserFactory()
    response = admin_client.post(
        reverse("admin:governance_membership_add"),
        {
            "person": person.pk,
            "body": Body.objects.get(code="pug").pk,
            "seat_role": R.OBSERVER,
            "appointed_by": org("c40").pk,
            "starts_on": "2026-01-01",
            "capacity": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    assert Membership.objects.filter(person=person, body__code="pug").exists()


# --- the API -----------------------------------------------------------------------------------


def test_api_refuses_each_rule_break_with_the_rule(client_for, role_users, fu_chair):
    client = client_for("secretariat")
    observer_seat = role_users["observer"].memberships.get(body__code="fu")
    cases = [
        ({"body": "fu", "seat_role": "chair"}, "seat_role", labels("fu", SeatRule.Seat.CHAIR)),
        (
            {"body": "fu", "seat_role": "substitute", "substitute_for": observer_seat.pk},
            "substitute_for",
            [danish("A substitute stands in for a voting member of the same body.")],
        ),
        ({"body": "pug", "seat_role": "observer"}, "detail", observer_rule_text()),
        # A new person invited in the same step is not created either.
        (
            {
                "body": "pug",
                "seat_role": "observer",
                "person": None,
                "email": NEW_EMAIL,
                "first_name": "Ny",
                "last_name": "Person",
            },
            "detail",
            observer_rule_text(),
        ),
    ]
    before = snapshot()
    for fields, key, rules in cases:
        payload = {"person": UserFactory().pk, "appointed_by": "kl", **fields}
        response = client.post(
            "/api/memberships/", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="da"
        )
        assert response.status_code == 400, (fields, response.status_code)
        body = response.json()
        text = " ".join(body[key]) if isinstance(body[key], list) else body[key]
        assert_names_rules(text, rules)
    assert snapshot()[0] == before[0]
    assert not User.objects.filter(email=NEW_EMAIL).exists()
