"""The migration to hourly rates per party and year keeps the data: a party's rate for a year is
derived from its working-hours contributions where they agree, no rate is guessed where they
disagree (each contribution keeps its old rate in its description), and every booked hour keeps
the rate and DKK amount it was booked at."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("tracks", "0006_aps_pug_decisions_dgo_cofinancing")]
AFTER = [("tracks", "0007_hourly_rates_per_party_and_year")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_rates_are_derived_where_the_contributions_agree_and_nothing_is_lost(reference_data):
    old = migrate(BEFORE)
    Organisation = old.get_model("partners", "Organisation")
    Contribution = old.get_model("tracks", "Contribution")
    BudgetLine = old.get_model("tracks", "BudgetLine")
    Spending = old.get_model("tracks", "Spending")
    User = old.get_model("partners", "User")
    kl = Organisation.objects.get(code="kl")
    region = Organisation.objects.get(code="region-midtjylland")
    hours = {"kind": "hours", "hours": D("1000")}
    # KL: two contributions in hours at the same rate, overlapping in 2026.
    first = Contribution.objects.create(
        key="kl-a", contributor=kl, name="A", amount=D("600000"), hourly_rate=D("600"),
        year_from=2025, year_to=2026, **hours,
    )  # fmt: skip
    Contribution.objects.create(
        key="kl-b", contributor=kl, name="B", amount=D("600000"), hourly_rate=D("600"),
        year_from=2026, year_to=2027, **hours,
    )  # fmt: skip
    # Region Midtjylland: two rates for 2026 that disagree.
    for key, rate in (("rm-a", "500"), ("rm-b", "550")):
        Contribution.objects.create(
            key=key, contributor=region, name=key, amount=D("500000"), hourly_rate=D(rate),
            year_from=2026, year_to=2026, description="Demo", **hours,
        )  # fmt: skip
    line = BudgetLine.objects.create(contribution=first, year=2026, purpose="Timer", amount=D("1"))
    user = User.objects.create(username="bogholder", email="b@example.dk")
    entry = Spending.objects.create(
        budget_line=line, date=datetime.date(2026, 1, 15), amount=D("6000.00"), hours=D("10"),
        description="Timer", document_reference="T-1", entered_by=user,
    )  # fmt: skip

    new = migrate(AFTER)
    HourlyRate = new.get_model("tracks", "HourlyRate")
    rates = {
        (code, year): rate
        for code, year, rate in HourlyRate.objects.values_list("party__code", "year", "rate")
    }
    assert rates == {("kl", 2025): D("600"), ("kl", 2026): D("600"), ("kl", 2027): D("600")}
    Contribution = new.get_model("tracks", "Contribution")
    kept = Contribution.objects.get(key="rm-b").description
    assert kept.startswith("Demo") and "Timepris ved oprettelsen: 550.00 kr." in kept
    assert Contribution.objects.get(key="kl-a").description == ""  # agreed: nothing to keep
    entry = new.get_model("tracks", "Spending").objects.get(pk=entry.pk)
    assert (entry.amount, entry.hours, entry.hourly_rate) == (D("6000.00"), D("10"), D("600"))
    # And back again: each contribution gets a rate, so the old constraint holds.
    old = migrate(BEFORE)
    assert old.get_model("tracks", "Contribution").objects.get(key="kl-b").hourly_rate == D("600")
    migrate(AFTER)
