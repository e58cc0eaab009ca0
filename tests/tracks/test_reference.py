"""The seeded budget: the agreement's amounts, idempotent, reconciling to 82.1 mio."""

from decimal import Decimal

from django.db.models import Sum

from tracks import reference
from tracks.models import BudgetLine, Contribution, LiquidPool
from tracks.selectors import budget_overview

D = Decimal


def test_the_budget_reconciles_to_82_1_mio(db):
    assert Contribution.objects.aggregate(total=Sum("amount"))["total"] == D("82100000.00")
    assert BudgetLine.objects.aggregate(total=Sum("amount"))["total"] == D("82100000.00")
    for contribution in Contribution.objects.all():
        lines = contribution.budget_lines.aggregate(total=Sum("amount"))["total"]
        assert lines == contribution.amount, contribution.key
    overview = budget_overview()
    assert overview.contributed == overview.total.budgeted == reference.TOTAL
    by_party = {entry.contributor.code: entry for entry in overview.contributors}
    assert by_party["kl"].contributed == D("30000000.00")
    assert by_party["danske-regioner"].contributed == D("30000000.00")
    assert by_party["danske-regioner"].liquid == D("5000000.00")
    assert by_party["realdania"].contributed == D("22100000.00")
    assert by_party["realdania"].liquid == D("5000000.00")
    assert by_party["realdania"].earmarked == [("CONCITO/C40 som videnspartnere", D("17100000.00"))]


def test_pools_and_kinds(db):
    pools = {pool.key: pool for pool in LiquidPool.objects.select_related("contribution")}
    assert set(pools) == {"regioner-likvide", "realdania-likvide"}
    realdania = pools["realdania-likvide"]
    assert (realdania.size, realdania.year_to - realdania.year_from + 1) == (D("5000000"), 2)
    assert realdania.contribution.contributor.code == "realdania"
    assert pools["regioner-likvide"].contribution.contributor.code == "danske-regioner"
    assert set(Contribution.objects.values_list("kind", flat=True)) == {"cash"}


def test_loading_again_changes_nothing_and_restores_the_agreements_amounts(db):
    before = BudgetLine.objects.count()
    result = reference.load()
    assert result.created == 0 and result.updated == 0
    assert BudgetLine.objects.count() == before
    Contribution.objects.filter(key="kl-kkr").update(amount=D("1"))
    LiquidPool.objects.filter(key="realdania-likvide").update(year_from=2024, year_to=2025)
    result = reference.load()
    assert result.updated == 1
    assert Contribution.objects.get(key="kl-kkr").amount == D("30000000.00")
    # The pool's period is not in the agreement: a correction made in the admin is kept.
    assert LiquidPool.objects.get(key="realdania-likvide").year_from == 2024


def test_yearly_amounts_keep_every_øre():
    parts = reference.yearly_amounts(D("1000000.00"), 2023, 2025)
    assert parts == {2023: D("333333.33"), 2024: D("333333.33"), 2025: D("333333.34")}
    assert sum(parts.values()) == D("1000000.00")
