"""Sectors as the national accounts' groups with finer parts: figures at group level, totals
that never count a group and its parts twice, negative figures only where a sector may be
negative (issue 16)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from monitoring import selectors, services
from monitoring.models import EmissionFigure, Sector, counted_cells
from monitoring.public import NATIONAL, emissions_rows
from partners.models import Municipality, RoleAssignment

from ..factories import make_user
from .factories import complete_fields, make_round

Role = RoleAssignment.Role
pytestmark = pytest.mark.django_db


def figure(municipality, key, tonnes, *, year=2024, release="2025-1"):
    return EmissionFigure.objects.create(
        municipality=municipality,
        year=year,
        sector=Sector.objects.get(key=key),
        tonnes_co2e=Decimal(tonnes),
        data_release=release,
        data_source="Energistyrelsen",
    )


def test_the_accounts_groups_hold_the_eleven_finer_sectors():
    groups = {s.key: s for s in Sector.objects.filter(parent__isnull=True)}
    assert [s.name_da for s in sorted(groups.values(), key=lambda s: s.position)] == [
        "Energi", "Transport", "Landbrug", "Affald", "Industri",
    ]  # fmt: skip
    parts = Sector.objects.filter(parent__isnull=False)
    assert parts.count() == 11
    assert {s.key for s in parts.filter(parent=groups["energy"])} == {
        "electricity", "district_heating", "individual_heating", "process_energy",
    }  # fmt: skip
    assert set(parts.get(key="land_use").parent.key for _ in [0]) == {"agriculture"}
    assert set(Sector.objects.filter(may_be_negative=True).values_list("key", flat=True)) == {
        "agriculture",
        "land_use",
    }
    # every part sits after its group in the tables' order
    for part in parts:
        assert part.position > part.parent.position


def test_a_group_figure_and_its_parts_are_never_counted_twice():
    aarhus, laeso = Municipality.objects.get(code="751"), Municipality.objects.get(code="825")
    figure(aarhus, "energy", 100)  # the accounts' figure for the group
    figure(aarhus, "electricity", 40)  # detail within it
    figure(aarhus, "district_heating", 50)
    figure(aarhus, "road_transport", 30)  # Transport only split, no group figure
    figure(laeso, "electricity", 7)
    figure(laeso, "land_use", -20)

    totals = {(m, y): t for m, y, t, _release in selectors._yearly_totals(selectors.Q(year=2024))}
    assert totals[(aarhus.pk, 2024)] == Decimal(130)
    assert totals[(laeso.pk, 2024)] == Decimal(-13)

    table = selectors.aggregate_emissions(until=2024)
    assert table.totals == [Decimal(117)]
    user = make_user(Role.SECRETARIAT, username="sara")
    own = selectors.municipality_emissions(municipality=aarhus, user=user)
    assert own.totals == [Decimal(130)]
    # the chart's layers add up to the same total
    assert sum(sum(s.values.values()) for s in own.group_series()) == Decimal(130)

    national = [r for r in emissions_rows() if r["geography_code"] == NATIONAL]
    assert sum(r["tonnes_co2e"] for r in national) == Decimal(117)


def test_counted_cells_leaves_out_parts_only_where_their_group_has_a_figure():
    sectors = list(Sector.objects.all())
    by_key = {s.key: s.pk for s in sectors}
    cells = {
        (by_key["energy"], 2023): Decimal(10),
        (by_key["electricity"], 2023): Decimal(4),
        (by_key["electricity"], 2024): Decimal(5),
    }
    assert counted_cells(cells, sectors) == {
        (by_key["energy"], 2023): Decimal(10),
        (by_key["electricity"], 2024): Decimal(5),
    }


def test_only_a_sector_that_may_be_negative_takes_a_negative_figure():
    laeso = Municipality.objects.get(code="825")
    removal = EmissionFigure(
        municipality=laeso,
        year=2024,
        sector=Sector.objects.get(key="land_use"),
        tonnes_co2e=Decimal("-1234.5"),
        data_release="2025-1",
    )
    removal.full_clean()
    removal.save()
    removal.refresh_from_db()
    assert removal.tonnes_co2e == Decimal("-1234.50")  # the database takes it (no CHECK >= 0)
    group = EmissionFigure(
        municipality=laeso,
        year=2024,
        sector=Sector.objects.get(key="agriculture"),
        tonnes_co2e=Decimal("-10"),
        data_release="2025-1",
    )
    group.full_clean()
    wrong = EmissionFigure(
        municipality=laeso,
        year=2024,
        sector=Sector.objects.get(key="electricity"),
        tonnes_co2e=Decimal("-1"),
        data_release="2025-1",
    )
    with pytest.raises(ValidationError, match="cannot be negative"):
        wrong.full_clean()


def test_a_coordinator_records_net_removals_and_group_figures_but_no_negative_energy():
    round = make_round(2026)
    aarhus = Municipality.objects.get(code="751")
    coordinator = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland", username="mads")
    sectors = {s.key: s for s in Sector.objects.all()}
    entries = [
        services.EmissionInput(sectors["energy"], Decimal(500)),  # split unknown
        services.EmissionInput(sectors["land_use"], Decimal("-75.25")),
    ]
    report = services.report_save(
        round=round,
        municipality=aarhus,
        by=coordinator,
        expected_version=0,
        fields=complete_fields(),
        emissions=entries,
    )
    values = services.report_emission_values(report)
    assert values[sectors["land_use"].pk] == Decimal("-75.25")
    with pytest.raises(ValidationError, match="cannot be negative"):
        services.report_save(
            round=round,
            municipality=aarhus,
            by=coordinator,
            expected_version=report.version,
            fields=complete_fields(),
            emissions=[services.EmissionInput(sectors["transport"], Decimal(-1))],
        )
    # nothing of the refused save was written
    assert services.report_emission_values(report) == values
    # complete: missing are only the groups with neither a figure nor all their parts
    with pytest.raises(ValidationError) as refused:
        services.report_check_complete(report)
    message = " ".join(refused.value.messages)
    assert "Electricity" not in message and "Energy" not in message
    assert "Road transport" in message and "Livestock" not in message.split("Agriculture:")[0]
