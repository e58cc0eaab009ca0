import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from monitoring.models import (
    EmissionFigure,
    Sector,
    StatusReport,
    add_years,
    next_revision_due,
    revision_due_by_q,
)
from partners.models import Municipality

from .factories import make_report, make_round

D = datetime.date


def test_next_revision_is_five_years_after_the_later_of_adoption_and_revision():
    assert next_revision_due(D(2020, 3, 1), None) == D(2025, 3, 1)
    assert next_revision_due(D(2020, 3, 1), D(2024, 6, 30)) == D(2029, 6, 30)
    assert next_revision_due(None, None) is None
    assert next_revision_due(D(2020, 2, 29), None) == D(2025, 2, 28)
    assert add_years(D(2024, 2, 29), -5) == D(2019, 2, 28)


def test_database_form_of_the_revision_rule_agrees_with_python(db):
    round = make_round()
    cases = {
        "751": (D(2021, 1, 10), None),  # due 2026-01-10
        "101": (D(2021, 12, 1), None),  # due 2026-12-01
        "461": (D(2020, 5, 1), D(2022, 1, 1)),  # due 2027-01-01
        "851": (D(2022, 6, 1), None),  # due 2027-06-01
    }
    for code, (adopted, revised) in cases.items():
        make_report(round, code, plan_adopted_on=adopted, plan_revised_on=revised)
    for day in (D(2026, 1, 9), D(2026, 1, 10), D(2026, 12, 1), D(2027, 1, 1), D(2027, 6, 1)):
        in_db = set(
            StatusReport.objects.filter(revision_due_by_q(day)).values_list(
                "municipality__code", flat=True
            )
        )
        in_python = {code for code, (a, r) in cases.items() if next_revision_due(a, r) <= day}
        assert in_db == in_python, day


def test_negative_emissions_only_where_the_sector_may_be_negative_and_no_bad_release(db):
    aarhus = Municipality.objects.get(code="751")
    sector = Sector.objects.filter(may_be_negative=False).first()
    # Whether a figure may be negative is the sector's (land use may): the model checks it,
    # as a CHECK constraint cannot see the sector.
    with pytest.raises(ValidationError):
        EmissionFigure(
            municipality=aarhus, year=2024, sector=sector, tonnes_co2e=-1, data_release="2024-1"
        ).full_clean()
    land_use = Sector.objects.filter(may_be_negative=True).first()
    EmissionFigure(
        municipality=aarhus, year=2024, sector=land_use, tonnes_co2e=-1, data_release="2024-1"
    ).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        EmissionFigure.objects.create(
            municipality=aarhus, year=2024, sector=sector, tonnes_co2e=1, data_release="24"
        )


def test_database_refuses_revision_before_adoption_and_percent_over_100(db):
    round = make_round()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_report(round, plan_adopted_on=D(2022, 1, 1), plan_revised_on=D(2021, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_report(round, target_2030_reduction_pct=Decimal("120"))


def test_latest_release_wins_and_earlier_releases_stay(db):
    aarhus = Municipality.objects.get(code="751")
    sector = Sector.objects.first()
    for release, tonnes in (("2023-1", 100), ("2024-1", 90), ("2022-1", 120)):
        EmissionFigure.objects.create(
            municipality=aarhus, year=2021, sector=sector, tonnes_co2e=tonnes, data_release=release
        )
    latest = EmissionFigure.objects.latest_releases()
    assert [(f.data_release, f.tonnes_co2e) for f in latest] == [("2024-1", 90)]
    assert EmissionFigure.objects.count() == 3


def test_sector_names_follow_the_active_language(db):
    from django.utils import translation

    sector = Sector.objects.get(key="road_transport")
    with translation.override("da"):
        assert str(sector) == "Vejtransport"
    with translation.override("en"):
        assert str(sector) == "Road transport"
