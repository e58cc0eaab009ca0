"""On-track analysis: hand-computed projections, classification, gaps and roll-ups."""

from decimal import Decimal

import pytest

from monitoring import selectors
from monitoring.figures import analysis
from monitoring.figures.analysis import Status, Targets
from monitoring.models import EmissionFigure, Sector, StatusReport
from partners.models import DGO, Municipality

from .factories import make_report, make_round

D = Decimal
State = StatusReport.State
TARGETS = Targets(
    baseline_year=2018,
    baseline_emissions=D(1000),
    target_2030_pct=D(70),
    net_zero_year=2050,
)  # 2030 target: 300 t; at risk up to 300 + 10 % of 1000 = 400 t


# --- target path -------------------------------------------------------------------------


def test_target_path_runs_baseline_to_2030_to_net_zero():
    assert analysis.target_path(2018, D(1000), D(70), 2050) == [
        (2018, D(1000)),
        (2030, D(300)),
        (2050, D(0)),
    ]


def test_target_path_edge_cases():
    assert analysis.target_path(None, D(1000), D(70), 2050) == []  # missing baseline year
    assert analysis.target_path(2018, None, D(70), 2050) == []  # missing baseline
    assert analysis.target_path(2018, D(1000), None, 2050) == [(2018, D(1000)), (2050, D(0))]
    # A baseline in or after 2030: that target year has passed, no 2030 point.
    assert analysis.target_path(2031, D(1000), D(70), 2045) == [(2031, D(1000)), (2045, D(0))]
    assert analysis.target_path(2018, D(1000), None, None) == []


# --- projection --------------------------------------------------------------------------


def test_projection_of_a_straight_fall_is_clamped_at_zero():
    # 100, 90, 80 in 2019-2021: slope -10 a year, 2030 at 80 - 9 × 10 = -10, shown as 0.
    projection = analysis.projection_2030([(2019, D(100)), (2020, D(90)), (2021, D(80))])
    assert projection.slope == D(-10)
    assert projection.value == D(0)
    assert projection.years == (2019, 2020, 2021)


def test_projection_least_squares_by_hand():
    # Years 2020-2023 (mean 2021.5), values 1000, 950, 900, 870 (mean 930).
    # Σdx·dy = (-1.5)(70) + (-0.5)(20) + (0.5)(-30) + (1.5)(-60) = -220; Σdx² = 5.
    # Slope -44; 2030: 930 - 44 × 8.5 = 556.
    points = [(2020, D(1000)), (2021, D(950)), (2022, D(900)), (2023, D(870))]
    projection = analysis.projection_2030(points)
    assert projection.slope == D(-44)
    assert projection.value == D(556)


def test_projection_uses_the_last_five_years_only():
    old = [(2010, D(10_000)), (2011, D(10_000))]
    recent = [(2019 + n, D(500)) for n in range(5)]
    projection = analysis.projection_2030(old + recent)
    assert projection.years == (2019, 2020, 2021, 2022, 2023)
    assert projection.slope == 0
    assert projection.value == D(500)


def test_projection_needs_three_points():
    assert analysis.projection_2030([]) is None
    assert analysis.projection_2030([(2022, D(100)), (2023, D(90))]) is None


# --- classification ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("projected", "expected"),
    [
        (D(0), Status.ON_TRACK),
        (D(300), Status.ON_TRACK),  # exactly the target
        (D("300.01"), Status.AT_RISK),
        (D(400), Status.AT_RISK),  # exactly target + 10 % of the baseline
        (D("400.01"), Status.OFF_TRACK),
    ],
)
def test_classify_at_each_boundary(projected, expected):
    assert analysis.classify(projected, D(300), baseline_emissions=D(1000)) == expected


# --- one municipality --------------------------------------------------------------------


def test_analyse_gap_and_gap_per_inhabitant():
    points = [(2020, D(1000)), (2021, D(950)), (2022, D(900)), (2023, D(870))]
    result = analysis.analyse(targets=TARGETS, points=points, population=1000)
    assert result.status == Status.OFF_TRACK  # 556 > 400
    assert result.target == D(300)
    assert result.projected == D(556)
    assert result.gap == D(256)
    assert result.gap_per_inhabitant == D("0.256")
    assert result.at_risk_limit == D(400)


def test_analyse_zero_population_has_no_per_inhabitant_gap():
    points = [(2021, D(400)), (2022, D(350)), (2023, D(300))]  # slope -50 → 0 in 2030
    result = analysis.analyse(targets=TARGETS, points=points, population=0)
    assert result.status == Status.ON_TRACK
    assert result.gap == D(-300)
    assert result.gap_per_inhabitant is None


def test_analyse_too_few_points():
    result = analysis.analyse(targets=TARGETS, points=[(2023, D(500))], population=10)
    assert result.status == Status.NOT_ENOUGH_DATA
    assert result.projected is None and result.gap is None
    assert result.target == D(300)
    assert "3" in str(result.reason)


def test_analyse_without_an_approved_report_is_its_own_category():
    result = analysis.analyse(targets=None, points=[(2021, D(400))], population=10)
    assert result.status == Status.NO_APPROVED_REPORT
    assert result.status not in analysis.CLASSIFIED
    assert result.gap is None


@pytest.mark.parametrize(
    "targets",
    [
        Targets(None, None, D(70), 2050),  # missing baseline
        Targets(2018, D(1000), None, 2050),  # no 2030 target
        Targets(2030, D(1000), D(70), 2050),  # target year already passed for this baseline
    ],
)
def test_analyse_without_a_target(targets):
    points = [(2021, D(400)), (2022, D(350)), (2023, D(300))]
    result = analysis.analyse(targets=targets, points=points, population=10)
    assert result.status == Status.NO_TARGET
    assert result.reason
    assert result.gap is None


def test_analyse_uses_a_reported_2030_figure():
    # 2030 has passed and been reported: the reported figure, not the trend, is compared.
    points = [(2028, D(100)), (2029, D(100)), (2030, D(350))]
    result = analysis.analyse(targets=TARGETS, points=points, population=10)
    assert result.reported_2030
    assert result.projected == D(350)
    assert result.status == Status.AT_RISK


# --- roll-up -----------------------------------------------------------------------------


def _classified(projected, population):
    target, baseline = D(300), D(1000)
    return analysis.Analysis(
        status=analysis.classify(projected, target, baseline_emissions=baseline),
        population=population,
        target=target,
        projected=projected,
        baseline_emissions=baseline,
    )


def test_rollup_counts_shares_and_combined_figures():
    items = [
        _classified(D(200), 100),  # on track
        _classified(D(350), 300),  # at risk
        _classified(D(500), 500),  # off track
        analysis.Analysis(Status.NO_TARGET, population=100),
    ]
    total = analysis.rollup(items)
    assert total.counts == {
        Status.ON_TRACK: 1,
        Status.AT_RISK: 1,
        Status.OFF_TRACK: 1,
        Status.NO_TARGET: 1,
    }
    assert total.municipality_count == 4
    assert total.classified_count == 3
    assert total.population_share(Status.AT_RISK) == D(30)  # 300 of 1000 inhabitants
    assert total.population_share(Status.NOT_ENOUGH_DATA) == D(0)
    # Combined over the three classified: target 900, projection 1050, gap 150;
    # against the combined baseline 3000 the at-risk limit is 900 + 300 = 1200.
    assert total.combined_target == D(900)
    assert total.combined_projection == D(1050)
    assert total.combined_gap == D(150)
    assert total.combined_status == Status.AT_RISK


def test_rollup_of_nothing():
    total = analysis.rollup([])
    assert total.population_share(Status.ON_TRACK) is None
    assert total.combined_status is None
    assert total.combined_gap == 0


# --- from the database -------------------------------------------------------------------


def _published_totals(code: str, totals: dict[int, int], release: str = "2025-1") -> None:
    """Published-accounts figures (no report): the whole total in the first sector."""
    municipality = Municipality.objects.get(code=code)
    sector = Sector.objects.order_by("position").first()
    EmissionFigure.objects.bulk_create(
        EmissionFigure(
            municipality=municipality,
            year=year,
            sector=sector,
            tonnes_co2e=D(total),
            data_release=release,
        )
        for year, total in totals.items()
    )


@pytest.fixture
def analysed(db):
    round = make_round(2026, closed=True, emissions_year=2024)
    common = {
        "state": State.APPROVED,
        "figures": False,
        "baseline_emissions": D(1000),
        "baseline_year": 2018,
        "target_2030_reduction_pct": D(70),
    }
    make_report(round, "751", **common)  # Aarhus
    make_report(round, "101", **common)  # København
    # Aarhus: 1000, 950, 900, 870 → 556 in 2030: off track. A newer release replaces 2023.
    _published_totals("751", {2020: 1000, 2021: 950, 2022: 900, 2023: 999})
    _published_totals("751", {2023: 870}, release="2025-2")
    # København: 400, 350, 300 → 0 in 2030: on track.
    _published_totals("101", {2022: 400, 2023: 350, 2024: 300})
    # A later year than the round's emissions year is left out of the roll-up.
    _published_totals("101", {2025: 5000})
    return round


def test_municipality_on_track_from_latest_releases(analysed):
    aarhus = Municipality.objects.get(code="751")
    on_track = selectors.municipality_on_track(municipality=aarhus)
    assert on_track.analysis.projected == D(556)
    assert on_track.analysis.status == Status.OFF_TRACK
    assert on_track.report_year == 2026
    assert on_track.releases == ["2025-1", "2025-2"]
    assert on_track.analysis.gap_per_inhabitant == D(256) / aarhus.population


def test_draft_targets_are_not_used(db):
    make_report(make_round(2026), "751", state=State.DRAFT, figures=False)
    on_track = selectors.municipality_on_track(municipality=Municipality.objects.get(code="751"))
    assert on_track.analysis.status == Status.NO_APPROVED_REPORT


def test_overview_national_and_per_dgo(analysed, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        overview = selectors.on_track_overview(round=analysed)
    total = overview.rollup
    assert total.counts[Status.ON_TRACK] == 1
    assert total.counts[Status.OFF_TRACK] == 1
    assert total.counts.get(Status.NO_TARGET, 0) == 0
    assert total.counts[Status.NO_APPROVED_REPORT] == Municipality.objects.count() - 2
    assert total.combined_target == D(600)
    assert total.combined_projection == D(556)
    populations = {m.code: m.population for m in Municipality.objects.all()}
    everyone = sum(populations.values())
    assert total.population_share(Status.ON_TRACK) == D(populations["101"] * 100) / everyone
    dgos = {dgo.slug: rollup for dgo, rollup in overview.dgo_rollups}
    assert dgos["midtjylland"].counts[Status.OFF_TRACK] == 1
    assert dgos["hovedstaden"].counts[Status.ON_TRACK] == 1


def test_overview_for_one_dgo(analysed):
    overview = selectors.on_track_overview(round=analysed, dgo=DGO.objects.get(slug="midtjylland"))
    rows = {m.code: result for m, result in overview.municipalities}
    assert "101" not in rows
    assert rows["751"].status == Status.OFF_TRACK
    assert selectors.on_track_overview(round=None) is None


def test_pages_show_the_analysis(analysed, client_for):
    """Markers that hold in either language (the signed-in user's language may be Danish)."""
    client = client_for("member")
    page = client.get("/municipalities/751/").content.decode()
    assert 'aria-labelledby="on-track"' in page
    assert 'class="badge badge-alert"' in page  # off track, shown as text in a badge
    assert '<details class="method">' in page
    assert "2025-2" in page  # the data release is named
    national = client.get("/monitoring/national/").content.decode()
    assert 'aria-labelledby="on-track"' in national
    assert "<dd>556 " in national  # the combined 2030 projection
    assert "<dd>600 " in national  # the combined 2030 target
    dgo = client.get("/monitoring/dgo/midtjylland/").content.decode()
    assert 'href="/municipalities/751/"' in dgo and "badge-alert" in dgo


def test_api_gives_the_analysis_with_its_inputs(analysed, client_for):
    response = client_for("observer").get("/api/analysis/municipalities/751/")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "off_track"
    assert data["projected_2030"] == "556.00"
    assert data["target_2030"] == "300.00"
    assert data["gap"] == "256.00"
    assert data["fitted_years"] == [2020, 2021, 2022, 2023]
    assert data["data_releases"] == ["2025-1", "2025-2"]
    assert data["target_path"][1] == {"year": 2030, "tonnes_co2e": "300.00"}
    assert data["thresholds"]["margin"] in ("10", 10)
    assert client_for("observer").get("/api/analysis/municipalities/0000/").status_code == 404
