"""The main menu's items of the partnership's year follow the pages' own rules, seats included:
FU's and APS's members (a seat, no portal role) find Plans, Risks, Evaluations and Data requests
as they may open them. The seats are read at most once per request, shared with body_access,
only when the menu is rendered, and never for the secretariat, whose role shows every item."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import SeatRole
from governance.permissions import body_access
from portal.context_processors import portal
from tests.factories import Role, make_user, verify_mfa
from tests.governance.factories import seat

ITEMS = ("plan-list", "risk-list", "evaluation-list", "data-request-list")
PLANNING = {"plan-list", "risk-list"}
# The one statement that reads a person's seats today (governance.permissions._active_seats).
SEATS_QUERY = '"governance_body"."code" AS "body__code" FROM "governance_membership"'


def signed_in(client, user):
    client.force_login(user)
    verify_mfa(client, user)
    return client


def menu(client) -> set[str]:
    """The year's items in the main menu of a page that reads no seats itself."""
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    nav = re.search(r'<nav class="main-nav".*?</nav>', response.content.decode(), re.S)
    assert nav, "no main menu"
    return {name for name in ITEMS if f'href="{reverse(name)}"' in nav.group(0)}


def seats_read(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return sum(SEATS_QUERY in query["sql"] for query in queries.captured_queries)


def aps_member():
    return seat("aps", appointed_by="kl").person


def aps_observer():
    return seat("aps", role=SeatRole.OBSERVER, appointed_by="concito").person


def pug_member():
    return seat("pug", appointed_by="kl").person


def aps_coordinator():
    person = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland")
    return seat("aps", appointed_by="kl", person=person).person


def ended_aps_seat():
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    return seat("aps", appointed_by="kl", ends_on=yesterday).person


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        # FU's member and its observer (who observes PUG too) read plans and evaluations.
        ("member", {*PLANNING, "evaluation-list"}),
        ("observer", {*PLANNING, "evaluation-list"}),
        # APS decides on the data requests: its members and observers read them too.
        (aps_member, set(ITEMS)),
        (aps_observer, set(ITEMS)),
        # PUG's seats read the plans and the register only.
        (pug_member, PLANNING),
        # A coordinator reads the plans by role, and the rest by an APS seat.
        ("coordinator_a", PLANNING),
        (aps_coordinator, set(ITEMS)),
        ("knowledge_partner", PLANNING),
        ("secretariat", set(ITEMS)),
        # No seat, no role that reads them; a seat that ended yesterday counts no more.
        ("administrator", set()),
        (ended_aps_seat, set()),
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_the_menu_shows_the_years_pages_by_role_and_seat(client, role_users, who, expected):
    user = role_users[who] if isinstance(who, str) else who()
    assert menu(signed_in(client, user)) == expected


@pytest.mark.parametrize(
    "who",
    ["member", "observer", "coordinator_a", "knowledge_partner", "secretariat", "administrator"],
)
def test_every_item_shown_opens_and_every_page_that_opens_is_shown(client, role_users, who):
    client = signed_in(client, role_users[who])
    shown = menu(client)
    opens = {name for name in ITEMS if client.get(reverse(name)).status_code == 200}
    assert shown == opens


def test_anonymous_visitors_get_no_menu(client, role_users):
    page = client.get(reverse("login")).content.decode()
    assert not [name for name in ITEMS if f'href="{reverse(name)}"' in page]
    context = portal(_request(AnonymousUser()))
    assert "app_navigation" not in context


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_the_seats_are_read_only_when_the_menu_is_rendered_and_once(role_users):
    member = fresh(role_users["member"])  # as each request loads it: nothing read yet
    with CaptureQueriesContext(connection) as queries:
        context = portal(_request(member))
    assert not [q for q in queries.captured_queries if SEATS_QUERY in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        items = list(context["app_navigation"])
        list(context["app_navigation"])
        body_access(member)  # a page's own seat check shares the same read
    assert sum(SEATS_QUERY in q["sql"] for q in queries.captured_queries) == 1
    assert {name for name, _label in items} >= {*PLANNING, "evaluation-list"}


def test_the_secretariats_menu_reads_no_seats(role_users):
    with CaptureQueriesContext(connection) as queries:
        items = list(portal(_request(fresh(role_users["secretariat"])))["app_navigation"])
    assert {name for name, _label in items} >= set(ITEMS)
    assert not [q for q in queries.captured_queries if SEATS_QUERY in q["sql"]]


@pytest.mark.parametrize("url_name", ["profile", "plan-list", "evaluation-list", "dashboard"])
def test_a_members_page_reads_the_seats_once(client, role_users, url_name):
    client = signed_in(client, role_users["member"])
    client.get(reverse(url_name))  # warm the session cache
    assert seats_read(client, reverse(url_name)) == 1


def test_a_secretariat_page_reads_no_seats_for_the_menu(client, role_users):
    client = signed_in(client, role_users["secretariat"])
    client.get(reverse("profile"))
    assert seats_read(client, reverse("profile")) == 0
