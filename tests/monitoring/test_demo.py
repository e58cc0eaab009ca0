from monitoring import demo
from monitoring.models import Action, ChecklistAnswer, EmissionFigure, Round, StatusReport
from partners import demo as partners_demo


def test_demo_has_three_closed_rounds_and_an_open_one_and_is_idempotent(db):
    partners_demo.seed()
    created = demo.seed()
    assert created
    assert list(Round.objects.order_by("year").values_list("year", "status")) == [
        (2023, "closed"),
        (2024, "closed"),
        (2025, "closed"),
        (2026, "open"),
    ]
    for year in (2023, 2024, 2025):
        reports = StatusReport.objects.filter(round__year=year)
        assert reports.count() == 98
        assert all(r.is_published for r in reports)
    current = StatusReport.objects.filter(round__year=2026)
    states = set(current.values_list("state", flat=True))
    assert {"draft", "submitted", "approved"} <= states
    assert not current.filter(municipality__code="751").exists()  # Aarhus: for the demo
    assert StatusReport.objects.filter(plan_status="adopted").count() > 150
    # recalculations: an earlier year in a later release
    assert EmissionFigure.objects.filter(year=2021, data_release="2024-1").exists()
    assert ChecklistAnswer.objects.exists() and Action.objects.exists()
    counts = (StatusReport.objects.count(), EmissionFigure.objects.count())
    assert demo.seed() == []
    assert (StatusReport.objects.count(), EmissionFigure.objects.count()) == counts


def test_emissions_scale_with_population_and_rural_profile(db):
    partners_demo.seed()
    demo.seed()
    latest = EmissionFigure.objects.filter(year=2021, data_release="2023-1")

    def total(code, keys=None):
        rows = latest.filter(municipality__code=code)
        if keys:
            rows = rows.filter(sector__key__in=keys)
        return sum(f.tonnes_co2e for f in rows)

    assert total("101") > total("147")  # København > Frederiksberg
    farming = ["agriculture_livestock", "agriculture_soils"]
    # Ringkøbing-Skjern (760) farms more than København, per inhabitant and absolutely
    assert total("760", farming) > total("101", farming)
