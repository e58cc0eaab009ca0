"""Decision support: projection line, peers, what is due, the weekly digest, query counts."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from monitoring.figures import analysis
from monitoring.insight import digest, due, indicators, peers
from monitoring.models import (
    DigestPreference,
    EmissionFigure,
    Indicator,
    IndicatorValue,
    Sector,
    StatusReport,
)
from partners.models import Municipality
from tests.flat import assert_flat, measure

from .factories import make_report, make_round
from .test_queries import grow

D = Decimal


# --- projection line (hand-computed) -----------------------------------------------------


def test_projection_line_by_hand():
    # 1000, 950, 900, 870 in 2020-2023: slope -44, line at 2020 = 930 + 44 × 1.5 = 996,
    # at 2030 = 930 - 44 × 8.5 = 556.
    points = [(2020, D(1000)), (2021, D(950)), (2022, D(900)), (2023, D(870))]
    assert analysis.projection_line(points) == [(2020, D(996)), (2030, D(556))]


def test_projection_line_stops_at_zero():
    # 100, 90, 80 in 2019-2021: slope -10, 100 at 2019, zero in 2029.
    line = analysis.projection_line([(2019, D(100)), (2020, D(90)), (2021, D(80))])
    assert line[0] == (2019, D(100))
    assert line[-1] == (2030, D(0))
    assert (2029, D(0)) in line


def test_projection_line_edge_cases():
    assert analysis.projection_line([(2020, D(1)), (2021, D(1))]) == []  # too few points
    reported = [(2028, D(3)), (2029, D(2)), (2030, D(1))]
    assert analysis.projection_line(reported) == []  # 2030 itself is reported


# --- peers -------------------------------------------------------------------------------


def test_distance_ranks_and_bands_by_hand():
    a = {"transport": D(60), "afolu": D(40)}
    b = {"transport": D(30), "afolu": D(40), "waste": D(30)}
    # √((60 − 30)² + 0² + (0 − 30)²) = √1800 ≈ 42.43
    assert peers.distance(a, b).quantize(D("0.01")) == D("42.43")
    assert peers.distance(a, a) == 0
    assert peers.shares({"x": D(3), "y": D(1)}) == {"x": D(75), "y": D(25)}
    assert peers.shares({"x": D(0)}) == {}
    ranks = peers.competition_ranks({1: D(5), 2: D(3), 3: D(3), 4: None}, higher_is_better=False)
    assert ranks == {1: 3, 2: 1, 3: 1, 4: None}
    assert peers.competition_ranks({1: D(5), 2: D(3)}, higher_is_better=True) == {1: 1, 2: 2}
    assert [peers.population_band(p) for p in (0, 19_999, 20_000, 59_999, 100_000)] == [
        0, 0, 1, 2, 4,
    ]  # fmt: skip


def _figures(code: str, year: int, by_sector: dict[str, int], *, report=None):
    municipality = Municipality.objects.get(code=code)
    sectors = {s.key: s for s in Sector.objects.all()}
    EmissionFigure.objects.bulk_create(
        EmissionFigure(
            municipality=municipality,
            year=year,
            sector=sectors[key],
            tonnes_co2e=D(value),
            data_release="2026-1",
            report=report,
        )
        for key, value in by_sector.items()
    )


@pytest.fixture
def profiles(db):
    """Aarhus (751): 50 % transport, 50 % energy. Randers (730, also Midtjylland): the same
    shares. København (101): all transport. Lolland (360): all agriculture. Published
    accounts (no report), 2024."""
    _figures("751", 2024, {"road_transport": 500, "electricity": 500})
    _figures("730", 2024, {"road_transport": 100, "electricity": 100})
    _figures("101", 2024, {"road_transport": 1000})
    _figures("360", 2024, {"agriculture_livestock": 800})
    Municipality.objects.filter(code="751").update(population=1000)
    Municipality.objects.filter(code="730").update(population=0)
    Municipality.objects.filter(code="101").update(population=500)
    Municipality.objects.filter(code="360").update(population=40_000)


def test_profile_peers_are_nearest_first(profiles):
    comparison = peers.peer_comparison(
        municipality=Municipality.objects.get(code="751"), kind="profile"
    )
    codes = [row.municipality.code for row in comparison.rows]
    assert codes == ["751", "730", "101", "360"]  # only four have figures
    by_code = {row.municipality.code: row for row in comparison.rows}
    assert by_code["730"].distance == 0
    # Aarhus 50/50 energy/transport vs København 0/100: √(50² + 50²) ≈ 70.71
    assert by_code["101"].distance.quantize(D("0.01")) == D("70.71")
    # Per inhabitant: Aarhus 1000/1000 = 1, København 1000/500 = 2, Randers: population 0.
    # Lolland 800 / 40.000 = 0.02 is the lowest: rank 1.
    assert by_code["360"].per_inhabitant == D("0.02") and by_code["360"].rank == 1
    assert by_code["751"].per_inhabitant == 1 and by_code["751"].rank == 2
    assert by_code["101"].per_inhabitant == 2 and by_code["101"].rank == 3
    assert by_code["730"].per_inhabitant is None and by_code["730"].rank is None


def test_dgo_and_population_groups(profiles):
    aarhus = Municipality.objects.get(code="751")
    dgo = peers.peer_comparison(municipality=aarhus, kind="dgo")
    assert {row.municipality.dgo_id for row in dgo.rows} == {aarhus.dgo_id}
    assert len(dgo.rows) == Municipality.objects.filter(dgo=aarhus.dgo).count()
    band = peers.peer_comparison(municipality=aarhus, kind="population")
    assert all(row.municipality.population < 20_000 for row in band.rows)  # Aarhus set to 1000


def test_peers_without_figures_and_unknown_kind(db):
    comparison = peers.peer_comparison(
        municipality=Municipality.objects.get(code="751"), kind="nonsense"
    )
    assert comparison.kind == "profile" and comparison.year is None
    assert [row.municipality.code for row in comparison.rows] == ["751"]


def test_peer_indicators_are_ranked_by_direction(profiles):
    oil = Indicator.objects.get(key="oil_boilers")  # lower is better
    for code, value in (("751", 10), ("730", 5), ("101", 20)):
        IndicatorValue.objects.create(
            indicator=oil,
            municipality=Municipality.objects.get(code=code),
            year=2024,
            value=value,
            data_release="BBR",
        )
    comparison = peers.peer_comparison(
        municipality=Municipality.objects.get(code="751"), kind="profile"
    )
    (item,) = comparison.indicators
    ranks = {row.municipality.code: rank for row, _value, rank in item.rows(comparison.rows)}
    assert ranks == {"751": 2, "730": 1, "101": 3, "360": None}


def test_peer_page_and_api(profiles, client_for):
    client = client_for("observer")
    page = client.get("/monitoring/municipalities/751/peers/?kind=profile")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "style=" not in body.split("<main", 1)[-1]
    assert client.get("/monitoring/municipalities/751/peers/?kind=bogus").status_code == 200
    data = client.get("/api/analysis/municipalities/751/peers/?kind=profile").json()
    assert data["peers"][0] == {
        "municipality": "751",
        "name": "Aarhus",
        "population": 1000,
        "is_self": True,
        "tonnes_co2e": "1000.00",
        "per_inhabitant": "1.00",
        "rank": 2,
        "shares_pct": {"stationary_energy": "50.00", "transport": "50.00"},
        "profile_distance_pp": "0.00",
    }
    assert client.get("/api/analysis/municipalities/751/peers/?kind=x").status_code == 400


# --- what is due -------------------------------------------------------------------------

TODAY = datetime.date(2026, 11, 26)


@pytest.fixture
def due_data(db):
    """Round 2026 open. Aarhus (Midtjylland): adopted 2021-06-01, due 2026-06-01 (overdue).
    Randers (Midtjylland): adopted 2022-03-01, due 2027-03-01 (within 12 months).
    København (Hovedstaden): revised 2023-01-10, due 2028-01-10 (within 12–24 months).
    Silkeborg (740, Midtjylland): no report (not started). Randers: submitted."""
    round = make_round()
    make_report(round, "751", plan_adopted_on=datetime.date(2021, 6, 1))
    make_report(round, "730", state="submitted", plan_adopted_on=datetime.date(2022, 3, 1))
    make_report(
        round,
        "101",
        state="approved",
        plan_adopted_on=datetime.date(2020, 1, 1),
        plan_revised_on=datetime.date(2023, 1, 10),
        plan_status="revised",
    )
    IndicatorValue.objects.create(
        indicator=Indicator.objects.get(key="oil_boilers"),
        municipality=Municipality.objects.get(code="751"),
        year=2024,
        value=1,
        data_release="BBR",
    )


def test_due_for_the_secretariat(due_data, role_users):
    result = due.due_for(role_users["secretariat"], today=TODAY)
    assert [(i.municipality.code, i.due_on) for i in result.overdue] == [
        ("751", datetime.date(2026, 6, 1))
    ]
    assert [i.municipality.code for i in result.within_12] == ["730"]
    assert [(i.municipality.code, i.due_on) for i in result.within_24] == [
        ("101", datetime.date(2028, 1, 10))
    ]
    (row,) = result.rounds
    assert len(row.not_started) == Municipality.objects.count() - 3
    assert sorted(m.code for m, _state in row.unapproved) == ["730", "751"]
    assert result.indicator_year == 2024
    missing = {r.indicator.key: r.missing for r in result.indicators}
    assert missing["oil_boilers"] == Municipality.objects.count() - 1
    assert missing["electric_car_share"] == Municipality.objects.count()


def test_due_for_a_coordinator_is_their_dgo(due_data, role_users):
    result = due.due_for(role_users["coordinator_a"], today=TODAY)
    midt = Municipality.objects.filter(dgo__slug="midtjylland").count()
    assert result.within_24 == []  # København is not theirs
    assert len(result.rounds[0].not_started) == midt - 2
    assert {r.municipalities for r in result.indicators} == {midt}
    assert due.due_for(role_users["observer"]) is None
    assert due.due_for(role_users["knowledge_partner"]) is None


def test_due_page_panel_and_api(due_data, client_for):
    client = client_for("coordinator_a")
    assert client.get("/monitoring/due/").status_code == 200
    dashboard = client.get("/").content.decode()
    assert 'id="due-panel"' in dashboard and "/monitoring/due/?panel=1" in dashboard
    panel = client.get("/monitoring/due/?panel=1").content.decode()
    assert 'id="due-revisions-panel"' in panel and "Aarhus" in panel and "<html" not in panel
    data = client.get("/api/analysis/due/").json()
    assert [r["municipality"] for r in data["revisions_overdue"]] == ["751"]
    observer = client_for("observer")  # the same client, signed in again
    assert observer.get("/api/analysis/due/").status_code == 403
    assert 'id="due-panel"' not in observer.get("/").content.decode()


# --- the weekly digest -------------------------------------------------------------------


def test_digest_is_sent_and_opt_out_respected(
    due_data, role_users, settings, django_capture_on_commit_callbacks, eager_celery
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from monitoring.tasks import send_due_digest

    for role in ("secretariat", "coordinator_a", "coordinator_b"):
        assert role_users[role].email
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_due_digest.apply().get()
    assert sent == 3
    by_address = {m.to[0]: m for m in mail.outbox}
    coordinator = by_address[role_users["coordinator_a"].email]
    assert "Aarhus" in coordinator.body and "København" not in coordinator.body
    assert "/monitoring/digest/" in coordinator.body  # the opt-out link
    assert "København" in by_address[role_users["secretariat"].email].body
    mail.outbox.clear()
    digest.set_digest_preference(user=role_users["coordinator_a"], weekly_digest=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_digest.apply().get() == 2
    assert role_users["coordinator_a"].email not in {m.to[0] for m in mail.outbox}


def test_digest_page_turns_it_off_and_on(client_for, role_users):
    client = client_for("coordinator_a")
    assert client.post("/monitoring/digest/", {}).status_code == 302
    assert not DigestPreference.objects.get(user=role_users["coordinator_a"]).weekly_digest
    client.post("/monitoring/digest/", {"weekly_digest": "on"})
    assert DigestPreference.objects.get(user=role_users["coordinator_a"]).weekly_digest


def test_digest_is_scheduled_weekly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["monitoring-due-digest"]
    assert entry["task"] == "monitoring.tasks.send_due_digest"
    assert entry["schedule"].day_of_week == {1}


# --- the emissions chart draws the projection -------------------------------------------


def test_municipality_chart_has_projection_and_table(client_for):
    for year in (2022, 2023, 2024):
        round = make_round(year + 2, closed=True)
        make_report(round, "751", state="locked")
    page = client_for("observer").get("/municipalities/751/").content.decode()
    assert 'stroke-dasharray="2 4"' in page  # the dotted projection line
    assert "2030" in page


# --- query counts ------------------------------------------------------------------------


def _indicator_values():
    indicators = list(Indicator.objects.all())
    have = set(IndicatorValue.objects.values_list("municipality_id", flat=True))
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=i, municipality=m, year=y, value=1, data_release="r")
        for m in Municipality.objects.exclude(pk__in=have)
        for i in indicators
        for y in (2022, 2023, 2024)
    )


ANALYSIS_URLS = [
    "/monitoring/municipalities/751/peers/",
    "/monitoring/municipalities/751/peers/?kind=dgo",
    "/monitoring/municipalities/751/peers/?kind=population",
    "/monitoring/indicators/",
    "/monitoring/indicators/oil_boilers/",
    "/monitoring/due/",
    "/monitoring/due/?panel=1",
    "/",
    "/api/analysis/municipalities/751/peers/",
    "/api/analysis/due/",
    "/municipalities/751/",
]


def test_query_count_is_flat(client_for):
    grow(rounds=1, municipalities=98)
    _indicator_values()
    StatusReport.objects.filter(round__year=2026, municipality__code="751").update(state="draft")
    small = measure(client_for, ["secretariat"], ANALYSIS_URLS)
    grow(rounds=5, municipalities=300)
    _indicator_values()
    assert_flat(small, measure(client_for, ["secretariat"], ANALYSIS_URLS))


def test_summaries_for_the_report(db):
    assert analysis.summarise([]) == analysis.Summary(0, None, None, None)
    assert analysis.summarise([D(3), D(1), D(2)]) == analysis.Summary(3, D(2), D(1), D(3))
    assert analysis.summarise([D(4), D(1), D(2), D(3)]).median == D("2.5")
    oil = Indicator.objects.get(key="oil_boilers")
    for code, value in (("751", 10), ("101", 30)):
        IndicatorValue.objects.create(
            indicator=oil,
            municipality=Municipality.objects.get(code=code),
            year=2024,
            value=value,
            data_release="BBR",
        )
    summaries = dict(indicators.indicator_summaries(year=2024))
    assert summaries[oil] == analysis.Summary(2, D(20), D(10), D(30))
    assert summaries[Indicator.objects.get(key="electric_car_share")].count == 0


def test_bar_chart_rounds_like_the_table():
    from monitoring.figures import charts

    svg = charts.bar_chart(
        chart_id="t",
        title="T",
        description="D",
        rows=[("A", D("1.895"), True), ("B", None, False)],
        unit="u",
        decimals=2,
    )
    assert ">1,90<" in svg or ">1.90<" in svg
    assert "style=" not in svg and "<title" in svg
