"""Seats in the portal (issue 17): the secretariat adds, edits and ends seats on the body's page
and through the API, under the composition rules; ending a seat takes effect at once."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxEmail
from governance import services
from governance.composition import check_composition
from governance.models import Body, Membership, SeatRole, SeatRule
from governance.permissions import can_vote
from partners.models import DGO, Invitation, Municipality, Organisation, User
from tests.factories import UserFactory

from .factories import open_decision, org, seat, secretariat_user

R = SeatRole


def seat_form(person=None, **fields) -> dict:
    data = {
        "person": person.pk if person else "",
        "seat_role": R.MEMBER,
        "appointed_by": org("kl").pk,
        "starts_on": timezone.localdate().isoformat(),
        "reason": "Udpeget af partiet",
    }
    data.update({name: getattr(value, "pk", value) for name, value in fields.items()})
    return data


def pug_rule(key: str) -> SeatRule:
    return SeatRule.objects.get(body__code="pug", key=key)


# --- filling a vacancy from the composition table -------------------------------------------


def test_vacancy_link_prefills_rule_party_and_geography(client_for):
    client = client_for("secretariat")
    page = client.get(reverse("body-detail", args=["pug"])).content.decode()
    rule = pug_rule("kkr-political")
    link = f"{reverse('seat-create', args=['pug'])}?rule={rule.pk}&amp;geography=sjaelland"
    assert link in page
    form = client.get(link.replace("&amp;", "&")).context["form"]
    assert form.initial["seat_role"] == R.MEMBER
    assert form.initial["appointed_by"] == org("kkr-sjaelland")
    assert form.initial["geography"] == DGO.objects.get(slug="sjaelland")
    # Nobody else sees the links.
    other = client_for("member").get(reverse("body-detail", args=["pug"])).content.decode()
    assert "seat-create" not in other and reverse("seat-create", args=["pug"]) not in other


def test_filling_the_vacancy_makes_the_rule_count(client_for):
    client = client_for("secretariat")
    person = UserFactory()
    response = client.post(
        reverse("seat-create", args=["pug"]),
        seat_form(
            person,
            appointed_by=org("kkr-sjaelland"),
            geography=DGO.objects.get(slug="sjaelland"),
            capacity="Kommunal repræsentant",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    membership = Membership.objects.get(person=person, body__code="pug")
    assert membership.created_by == User.objects.get(username="secretariat")
    statuses = check_composition(body=Body.objects.get(code="pug")).statuses
    sjaelland = next(
        s for s in statuses if s.rule.key == "kkr-political" and s.geography.slug == "sjaelland"
    )
    assert sjaelland.holders == [membership] and sjaelland.state == "ok"
    changes = " ".join(str(e.changes) for e in LogEntry.objects.get_for_object(membership))
    assert "Udpeget af partiet" in changes  # the reason, beside the seat's own entry
    assert LogEntry.objects.get_for_object(membership).count() == 2


def test_a_new_person_is_invited_in_the_same_step(client_for):
    client = client_for("secretariat")
    response = client.post(
        reverse("seat-create", args=["fu"]),
        seat_form(
            email="ny.repraesentant@example.dk",
            first_name="Nyt",
            last_name="Medlem",
            seat_role=R.OBSERVER,
            appointed_by=org("concito"),
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    person = User.objects.get(email="ny.repraesentant@example.dk")
    assert person.memberships.get().seat_role == R.OBSERVER
    assert Invitation.objects.filter(user=person).exists()
    assert [e.to for e in OutboxEmail.objects.all()] == [["ny.repraesentant@example.dk"]]


# --- bad input: refused with the rule's text, nothing written ------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # A second chair: FU's chair comes from KL, and there is one.
        ({"seat_role": R.CHAIR}, "holds the seat|har pladsen"),
        # An observer for a party the agreement gives no observer seat in PUG.
        ({"seat_role": R.OBSERVER, "appointed_by": "kl", "body": "pug"}, "observatør"),
        # A KKR seat in PUG without its geography fits no rule.
        ({"appointed_by": "kkr-sjaelland", "body": "pug"}, "KKR-geografi"),
    ],
)
def test_a_seat_breaking_a_rule_is_refused_with_the_rule(client_for, fields, expected):
    import re

    seat("fu", role=R.CHAIR, appointed_by="kl")
    body = fields.pop("body", "fu")
    if "appointed_by" in fields:
        fields["appointed_by"] = org(fields["appointed_by"])
    client = client_for("secretariat")
    before = Membership.objects.count()
    response = client.post(reverse("seat-create", args=[body]), seat_form(UserFactory(), **fields))
    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["form"].errors.values())
    assert re.search(expected, errors), errors
    assert Membership.objects.count() == before


def test_second_chair_names_the_rule(db):
    seat("fu", role=R.CHAIR, appointed_by="kl")
    seat("fu", role=R.MEMBER, appointed_by="kl")
    fu = Body.objects.get(code="fu")
    with pytest.raises(Exception) as refused:
        services.membership_add(
            body=fu,
            person=UserFactory(),
            seat_role=R.MEMBER,
            appointed_by=org("kl"),
            by=None,
            check_rules=True,
        )
    assert "2 politiske repræsentanter udpeget af KL" in str(refused.value)


def test_substitute_for_a_non_member_and_bad_periods(client_for, role_users):
    client = client_for("secretariat")
    observer_seat = role_users["observer"].memberships.get(body__code="fu")
    member_seat = role_users["member"].memberships.get()
    url = reverse("seat-create", args=["fu"])
    before = Membership.objects.count()
    cases = [
        (
            seat_form(UserFactory(), seat_role=R.SUBSTITUTE, substitute_for=observer_seat),
            "substitute_for",
        ),
        (seat_form(UserFactory(), seat_role=R.SUBSTITUTE), "substitute_for"),
        (seat_form(role_users["member"]), "person"),  # overlaps the member's own seat
        (
            seat_form(
                UserFactory(),
                starts_on="2026-05-01",
                ends_on="2026-04-01",
            ),
            "ends_on",
        ),
        (seat_form(), "person"),  # nobody chosen, nobody invited
    ]
    for data, field in cases:
        response = client.post(url, data)
        assert response.status_code == 200
        assert field in response.context["form"].errors, (data, response.context["form"].errors)
    assert Membership.objects.count() == before
    assert member_seat.substitutes.count() == 0


def test_only_the_secretariat_and_the_dgos_coordinators_add_seats(client_for):
    assert client_for("member").get(reverse("seat-create", args=["fu"])).status_code == 403
    assert client_for("coordinator_a").get(reverse("seat-create", args=["fu"])).status_code == 403
    own = reverse("seat-create", args=["dgo-midtjylland-pol"])
    assert client_for("coordinator_a").get(own).status_code == 200
    assert client_for("coordinator_b").get(own).status_code == 403


# --- ending a seat takes effect at once; dates in Danish ------------------------------------


def test_ending_a_seat_today_stops_the_vote_at_once(client_for, role_users):
    member = role_users["member"]
    member_seat = member.memberships.get()
    decision = open_decision("fu", by=role_users["secretariat"])
    seat("fu", appointed_by="kl")  # a second voting seat keeps the decision open
    assert can_vote(member, decision)
    client = client_for("secretariat")
    response = client.post(
        reverse("body-seat-end", args=["fu", member_seat.pk]),
        {"reason": "Udtrådt", "ends_on": ""},
        follow=True,
    )
    member_seat.refresh_from_db()
    assert member_seat.ends_on == timezone.localdate()
    fresh = User.objects.get(pk=member.pk)
    check = can_vote(fresh, decision)
    assert not check and "ikke aktiv" in check.reason
    text = " ".join(str(m) for m in response.context["messages"])
    today = timezone.localdate()
    months = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
              "september", "oktober", "november", "december"]  # fmt: skip
    assert f"{today.day}. {months[today.month - 1]} {today.year}" in text, text
    assert today.isoformat() not in text


def test_a_seat_ending_later_counts_until_then(client_for, role_users):
    member_seat = role_users["member"].memberships.get()
    later = timezone.localdate() + datetime.timedelta(days=30)
    client_for("secretariat").post(
        reverse("body-seat-end", args=["fu", member_seat.pk]),
        {"reason": "Valgperioden slutter", "ends_on": later.isoformat()},
    )
    member_seat.refresh_from_db()
    assert member_seat.ends_on == later
    assert Membership.objects.active().filter(pk=member_seat.pk).exists()
    assert not Membership.objects.active(later).filter(pk=member_seat.pk).exists()


def test_ending_a_members_seat_ends_the_substitutes_seated_for_it(client_for, role_users):
    member_seat = role_users["member"].memberships.get()
    begins = member_seat.starts_on
    standing_in = seat("fu", role=SeatRole.SUBSTITUTE, substitute_for=member_seat, starts_on=begins)
    later = timezone.localdate() + datetime.timedelta(days=60)
    leaving_later = seat(
        "fu", role=SeatRole.SUBSTITUTE, substitute_for=member_seat, starts_on=begins, ends_on=later
    )
    other_member = seat("fu", appointed_by="kl")
    others_substitute = seat("fu", role=SeatRole.SUBSTITUTE, substitute_for=other_member)
    client_for("secretariat").post(
        reverse("body-seat-end", args=["fu", member_seat.pk]),
        {"reason": "Udtrådt", "ends_on": ""},
    )
    today = timezone.localdate()
    for substitute in (standing_in, leaving_later):
        substitute.refresh_from_db()
        assert substitute.ends_on == today
        assert not Membership.objects.active().filter(pk=substitute.pk).exists()
    others_substitute.refresh_from_db()
    assert others_substitute.ends_on is None  # another member's stand-in stays


def test_a_later_end_of_the_members_seat_ends_its_substitutes_that_day(db):
    fu = Body.objects.get(code="fu")
    member_seat = seat(fu, appointed_by="realdania")
    substitute = seat(fu, role=SeatRole.SUBSTITUTE, substitute_for=member_seat)
    starting_late = seat(
        fu,
        role=SeatRole.SUBSTITUTE,
        substitute_for=member_seat,
        starts_on=timezone.localdate() + datetime.timedelta(days=40),
    )
    leaves = timezone.localdate() + datetime.timedelta(days=30)
    services.membership_end(membership=member_seat, by=secretariat_user(), ends_on=leaves)
    substitute.refresh_from_db()
    starting_late.refresh_from_db()
    assert substitute.ends_on == leaves
    # Its seat would have started after the member's ended: it never counts.
    assert starting_late.ends_on == starting_late.starts_on
    assert (
        not Membership.objects.active(starting_late.starts_on).filter(pk=starting_late.pk).exists()
    )


# --- editing a seat ---------------------------------------------------------------------------


def test_editing_a_seat_under_the_same_rules(client_for, role_users):
    member_seat = role_users["member"].memberships.get()
    client = client_for("secretariat")
    url = reverse("seat-edit", args=["fu", member_seat.pk])
    assert client.get(url).status_code == 200
    data = seat_form(capacity="Borgmester", starts_on=member_seat.starts_on.isoformat())
    del data["person"]
    assert client.post(url, data).status_code == 302
    member_seat.refresh_from_db()
    assert member_seat.capacity == "Borgmester"
    # Becoming the chair is fine once; a seat that voted keeps its role.
    decision = open_decision("fu", by=role_users["secretariat"])
    seat("fu", appointed_by="kl")
    services.vote_cast(decision=decision, by=role_users["member"], choice="yes")
    data["seat_role"] = R.CHAIR
    response = client.post(url, data)
    assert response.status_code == 200 and "seat_role" in response.context["form"].errors
    member_seat.refresh_from_db()
    assert member_seat.seat_role == R.MEMBER


# --- the API: the same writes through the same services --------------------------------------


def test_api_adds_edits_and_ends_seats(client_for, role_users):
    client = client_for("secretariat")
    person = UserFactory()
    payload = {
        "body": "pug",
        "person": person.pk,
        "seat_role": "member",
        "appointed_by": "kkr-sjaelland",
        "geography": "sjaelland",
        "capacity": "Kommunal repræsentant",
        "reason": "Udpeget af KKR Sjælland",
    }
    created = client.post("/api/memberships/", payload, content_type="application/json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["geography"] == "sjaelland"
    changed = client.patch(
        f"/api/memberships/{pk}/", {"capacity": "Borgmester"}, content_type="application/json"
    )
    assert changed.status_code == 200, changed.json()
    assert Membership.objects.get(pk=pk).capacity == "Borgmester"
    again = client.post("/api/memberships/", payload, content_type="application/json")
    assert again.status_code == 400 and "person" in again.json()
    ended = client.post(
        f"/api/memberships/{pk}/end/", {"reason": "Udtrådt"}, content_type="application/json"
    )
    assert ended.status_code == 200, ended.json()
    assert ended.json()["ends_on"] == timezone.localdate().isoformat()
    assert not Membership.objects.active().filter(pk=pk).exists()


def test_api_refuses_with_reasons_and_writes_nothing(client_for, role_users):
    seat("fu", role=R.CHAIR, appointed_by="kl")
    before = Membership.objects.count()
    client = client_for("secretariat")
    bad = [
        {"body": "fu", "person": UserFactory().pk, "seat_role": "chair", "appointed_by": "kl"},
        {"body": "pug", "person": UserFactory().pk, "seat_role": "observer", "appointed_by": "kl"},
        {
            "body": "fu",
            "person": UserFactory().pk,
            "seat_role": "member",
            "appointed_by": "kl",
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-01",
        },
        {"body": "fu", "person": UserFactory().pk, "seat_role": "substitute", "appointed_by": "kl"},
        {"body": "fu", "seat_role": "member", "appointed_by": "kl"},
        {"body": "nope", "person": UserFactory().pk, "seat_role": "member", "appointed_by": "kl"},
    ]
    for payload in bad:
        response = client.post("/api/memberships/", payload, content_type="application/json")
        assert response.status_code == 400, (payload, response.status_code)
        assert response.json(), payload
    assert Membership.objects.count() == before
    denied = client_for("member").post(
        "/api/memberships/",
        {"body": "fu", "person": UserFactory().pk, "seat_role": "member", "appointed_by": "kl"},
        content_type="application/json",
    )
    assert denied.status_code == 403 and denied.json()["detail"]
    assert Membership.objects.count() == before


# --- DGO steering groups: composition per geography, kept by the secretariat and the DGO -----


def test_dgo_groups_have_the_midtjylland_arrangement(db):
    political = Body.objects.get(code="dgo-midtjylland-pol")
    administrative = Body.objects.get(code="dgo-midtjylland-adm")
    assert political.meetings_per_year == 4
    assert [r.key for r in political.seat_rules.all()] == ["region-chair", "kkr-chairmanship"]
    municipal = administrative.seat_rules.get(key="municipal-reps")
    assert (municipal.min_count, municipal.max_count, municipal.different_municipalities) == (
        5,
        5,
        True,
    )
    assert administrative.seat_rules.get(key="region-reps").min_count == 2
    assert Body.objects.filter(kind__startswith="dgo_").count() == 10


def test_five_municipal_representatives_from_five_municipalities(db):
    body = Body.objects.get(code="dgo-midtjylland-adm")
    municipalities = list(Municipality.objects.filter(dgo__slug="midtjylland")[:6])
    for municipality in municipalities[:4]:
        seat(body, appointed_by="kkr-midtjylland", person=UserFactory(municipality=municipality))
    twin = UserFactory(municipality=municipalities[0])
    with pytest.raises(Exception) as refused:
        services.membership_add(
            body=body,
            person=twin,
            seat_role=R.MEMBER,
            appointed_by=org("kkr-midtjylland"),
            by=None,
            check_rules=True,
        )
    assert "5 forskellige kommuner" in str(refused.value)
    seat(body, appointed_by="kkr-midtjylland", person=UserFactory(municipality=municipalities[4]))
    state = {s.rule.key: s.state for s in check_composition(body=body).statuses}
    assert state["municipal-reps"] == "ok"


def test_composition_edited_by_the_secretariat_and_the_dgos_coordinator(client_for):
    url = reverse("body-composition", args=["dgo-midtjylland-adm"])
    assert client_for("coordinator_b").get(url).status_code == 403
    assert client_for("member").get(url).status_code == 403
    assert (
        client_for("secretariat").get(reverse("body-composition", args=["fu"])).status_code == 403
    )
    client = client_for("coordinator_a")
    page = client.get(url)
    assert page.status_code == 200
    formset = page.context["formset"]
    data = {
        "meetings_per_year": 6,
        "chair_rule": "Skiftende formandskab",
        "reason": "Aftalt i KKR og regionsrådet",
        "rules-TOTAL_FORMS": len(formset.forms),
        "rules-INITIAL_FORMS": len(formset.initial_forms),
        "rules-MIN_NUM_FORMS": 0,
        "rules-MAX_NUM_FORMS": 1000,
    }
    for index, form in enumerate(formset.forms):
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if isinstance(value, bool):
                if value:
                    data[f"rules-{index}-{name}"] = "on"
            elif value is not None:
                data[f"rules-{index}-{name}"] = value
    last = len(formset.forms) - 1
    data.update(
        {
            f"rules-{last}-label": "1 repræsentant for klimakoordinatorerne",
            f"rules-{last}-seat": "observer",
            f"rules-{last}-appointed_by_kind": "region",
            f"rules-{last}-min_count": 0,
            f"rules-{last}-max_count": 1,
        }
    )
    data["rules-1-max_count"] = 3  # the region's representatives: 2–3
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["form"].errors,
        response.context["formset"].errors,
    )
    body = Body.objects.get(code="dgo-midtjylland-adm")
    assert body.meetings_per_year == 6
    assert body.seat_rules.get(key="region-reps").max_count == 3
    added = body.seat_rules.get(label="1 repræsentant for klimakoordinatorerne")
    assert added.seat == "observer" and added.appointed_by_kinds == ["region"]
    assert LogEntry.objects.get_for_object(added).exists()
    # Another geography's groups are untouched.
    assert Body.objects.get(code="dgo-hovedstaden-adm").seat_rules.count() == 2


# --- seats on the person's profile ------------------------------------------------------------


def test_seats_show_as_roles_on_the_profile(client_for):
    page = client_for("member").get(reverse("profile")).content.decode()
    assert "Forretningsudvalget" in page
    assert "ingen rolle" not in page


def test_profile_without_any_role_says_so(db, client):
    from tests.factories import verify_mfa

    person = UserFactory()
    client.force_login(person)
    verify_mfa(client, person)
    assert "ingen rolle" in client.get(reverse("profile")).content.decode()


def test_organisation_of_the_kkr_seat(db):
    # The vacancy prefill takes the geography's own KKR.
    rule = pug_rule("kkr-political")
    from governance.selectors import seat_prefill

    initial = seat_prefill(body=rule.body, rule=rule, geography=DGO.objects.get(slug="nordjylland"))
    assert initial["appointed_by"] == Organisation.objects.get(code="kkr-nordjylland")


# --- the body page keeps its query count as seats grow ---------------------------------------


def test_body_page_with_many_seats_is_flat(client_for):
    from tests.flat import assert_flat, measure

    body = Body.objects.get(code="dgo-midtjylland-adm")
    municipalities = list(Municipality.objects.filter(dgo__slug="midtjylland").order_by("pk"))

    def grow(start: int, count: int) -> None:
        for municipality in municipalities[start : start + count]:
            member = seat(
                body, appointed_by="kkr-midtjylland", person=UserFactory(municipality=municipality)
            )
            seat(
                body,
                role=R.SUBSTITUTE,
                substitute_for=member,
                appointed_by="kkr-midtjylland",
            )
            seat(body, appointed_by="region-midtjylland", ends_on=datetime.date(2024, 6, 30))

    urls = [reverse("body-detail", args=[body.code]), reverse("body-people", args=[body.code])]
    grow(0, 2)
    roles = ["secretariat", "coordinator_a"]
    small = measure(client_for, roles, urls)
    grow(2, 12)
    assert body.memberships.count() == 42
    assert_flat(small, measure(client_for, roles, urls))
