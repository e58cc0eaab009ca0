"""The seat form's person search (issue 17): with 98 municipalities' people the person list
offers only who the search finds — by name, e-mail or organisation, at most a limit —, as a
plain GET filter without JavaScript and as htmx type-ahead, for those who record seats only."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from governance.models import Membership, SeatRole, SeatRule
from governance.selectors import SEAT_SEARCH_LIMIT
from partners.models import Municipality
from tests.factories import UserFactory

from .factories import org
from .test_seats import seat_form

HTMX = {"HTTP_HX_REQUEST": "true"}


def offered(response) -> list[str]:
    """The person list's choices as the page renders them (values, without the empty one)."""
    return [
        str(value)
        for value, _label in response.context["form"].fields["person"].widget.choices
        if value
    ]


def people():
    return {
        "soeren": UserFactory(first_name="Søren", last_name="Sjællænder", email="ss@kkr-sj.dk"),
        "ulla": UserFactory(
            first_name="Ulla", last_name="Udskifter", organisation=org("danske-regioner")
        ),
        "other": UserFactory(first_name="Anders", last_name="And", email="anders@example.dk"),
    }


def test_without_a_search_the_list_offers_nobody(client_for):
    people()
    response = client_for("secretariat").get(reverse("seat-create", args=["fu"]))
    assert response.status_code == 200
    assert offered(response) == []
    html = response.content.decode()
    assert (
        'name="q"' in html and 'data-hx-get="' + reverse("seat-person-search", args=["fu"]) in html
    )


def test_plain_get_finds_by_name_email_and_organisation(client_for):
    found = people()
    client = client_for("secretariat")
    url = reverse("seat-create", args=["pug"])
    for query, who in (
        ("sjællænder", "soeren"),
        ("Søren Sjæl", "soeren"),
        ("ss@kkr-sj", "soeren"),
        (org("danske-regioner").name.split()[-1], "ulla"),
        ("danske-regioner", "ulla"),
    ):
        response = client.get(url, {"q": query})
        assert str(found[who].pk) in offered(response), query
        assert str(found["other"].pk) not in offered(response), query
    # Searching keeps the vacancy's prefill: the rule and geography go with the search.
    rule = SeatRule.objects.get(body__code="pug", key="kkr-political")
    response = client.get(url, {"q": "sjæll", "rule": rule.pk, "geography": "sjaelland"})
    page = response.content.decode()
    assert f'name="rule" value="{rule.pk}"' in page
    assert 'name="geography" value="sjaelland"' in page
    assert response.context["form"].initial["appointed_by"] == org("kkr-sjaelland")
    assert str(found["soeren"].pk) in offered(response)
    # One letter finds nobody rather than everybody, and says so.
    response = client.get(url, {"q": "a"})
    assert offered(response) == []
    with translation.override("da"):
        assert translation.gettext("Type at least two letters.") in response.content.decode()


def test_the_search_shows_at_most_the_limit(client_for):
    for number in range(SEAT_SEARCH_LIMIT + 5):
        UserFactory(last_name=f"Mangesen{number:02}")
    response = client_for("secretariat").get(reverse("seat-create", args=["fu"]), {"q": "mangesen"})
    assert len(offered(response)) == SEAT_SEARCH_LIMIT


def test_htmx_type_ahead_answers_the_options(client_for):
    found = people()
    response = client_for("secretariat").get(
        reverse("seat-person-search", args=["pug"]), {"q": "udskift"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and html.lstrip().startswith('<option value="">')
    assert f'<option value="{found["ulla"].pk}">' in html
    assert f'value="{found["soeren"].pk}"' not in html
    # Without htmx the same address is the seat form, filtered (works without JavaScript).
    plain = client_for("secretariat").get(
        reverse("seat-person-search", args=["pug"]), {"q": "udskift"}
    )
    assert plain.status_code == 200 and str(found["ulla"].pk) in offered(plain)


def test_a_person_chosen_from_the_search_is_seated(client_for):
    found = people()
    client = client_for("secretariat")
    url = reverse("seat-create", args=["pug"]) + "?q=udskift"
    page = client.get(url)
    assert str(found["ulla"].pk) in offered(page)
    data = seat_form(found["ulla"], seat_role=SeatRole.OBSERVER, appointed_by=org("c40"))
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert Membership.objects.filter(person=found["ulla"], body__code="pug").exists()


def test_only_those_who_record_seats_search(client_for):
    people()
    url = reverse("seat-person-search", args=["fu"])
    for role in ("member", "observer", "coordinator_a", "knowledge_partner"):
        response = client_for(role).get(url, {"q": "udskift"}, **HTMX)
        assert response.status_code == 403, role
        assert "Udskifter" not in response.content.decode()
    midtjylland = reverse("seat-person-search", args=["dgo-midtjylland-adm"])
    assert client_for("coordinator_a").get(midtjylland, {"q": "ud"}, **HTMX).status_code == 200


def test_the_type_ahead_query_count_stays_the_same_as_people_grow(client_for):
    municipalities = list(Municipality.objects.order_by("pk")[:SEAT_SEARCH_LIMIT])
    client = client_for("secretariat")
    url = reverse("seat-person-search", args=["fu"])

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"q": "vækstsen"}, **HTMX)
        assert response.status_code == 200
        return len(queries), response.content.decode().count("<option")

    for municipality in municipalities[:2]:
        UserFactory(last_name="Vækstsen", municipality=municipality, organisation=org("kl"))
    small, shown_small = measure()
    for municipality in municipalities:
        UserFactory(last_name="Vækstsen", municipality=municipality, organisation=org("kl"))
    large, shown_large = measure()
    assert (shown_small, shown_large) == (3, SEAT_SEARCH_LIMIT + 1)
    assert large == small, (small, large)
