"""The partnership's budget (§5.2, §11): contributions, the two liquid pools and budget lines.

Loaded by `manage.py load_reference_data` after partners' reference data, idempotently:
contributions and pools are matched on their key, budget lines on theirs.

- The amounts are the agreement's and are restored when the loader runs again: KL and the five
  KKRs 30.0 mio; the five regions 30.0 mio, of which 5.0 mio liquid track funds; Realdania up to
  22.1 mio, of which 17.1 mio earmarked for CONCITO/C40 and 5.0 mio liquid track funds over a
  two-year period. In all 82.1 mio.
- The five regions contribute one joint amount ("samlet 30 mio. kr.") with no split per region,
  so they are one contributor, recorded under Danske Regioner acting for them (as it appoints
  the regions' seats in FU and APS). Their pool is approved by the regions' designated approver.
- The agreement allows cash or working hours but does not say how much of each: every
  contribution is recorded as cash until the parties report their split (the admin can change it).
- The budget appendix (Bilag 3) is not part of the material: each contribution is seeded as equal
  yearly budget lines over its years, created once and then changed only through approved budget
  changes. Which two years Realdania's liquid funds cover is not stated either: seeded as
  2026–2027 when first created and left alone afterwards, so a correction in the admin is kept.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from partners.models import Organisation
from partners.reference import LoadResult

from .models import BudgetLine, Contribution, LiquidPool

TOTAL = Decimal("82100000.00")


@dataclass(frozen=True)
class ContributionSpec:
    key: str
    contributor: str  # an Organisation code
    name: str
    on_behalf_of: str
    amount: Decimal
    year_from: int
    year_to: int
    purpose: str  # of its yearly budget lines
    earmark: str = ""
    pool_name: str = ""  # set for liquid track funds


# Names are data in Danish, as in the agreement they quote.
CONTRIBUTIONS = (
    ContributionSpec(
        "kl-kkr", "kl", "KL og de fem KKR'er", "de fem KKR'er, på vegne af kommunerne",
        Decimal("30000000.00"), 2023, 2027, "Partnerskabets drift, DGO'er og implementeringsstøtte",
    ),
    ContributionSpec(
        "regioner", "danske-regioner", "De fem regioner", "de fem regioner i fællesskab",
        Decimal("25000000.00"), 2023, 2027, "Partnerskabets drift, DGO'er og implementeringsstøtte",
    ),
    ContributionSpec(
        "regioner-likvide", "danske-regioner", "De fem regioner: likvide midler til spor",
        "de fem regioner i fællesskab", Decimal("5000000.00"), 2023, 2027,
        "Likvide midler til klimaudviklingsspor",
        pool_name="Regionernes likvide midler til klimaudviklingsspor",
    ),
    ContributionSpec(
        "realdania-videnspartnere", "realdania", "Realdania: videnspartnere", "",
        Decimal("17100000.00"), 2023, 2027, "Videnspartnere CONCITO og C40",
        earmark="CONCITO/C40 som videnspartnere",
    ),
    ContributionSpec(
        "realdania-likvide", "realdania", "Realdania: likvide midler til spor", "",
        Decimal("5000000.00"), 2026, 2027, "Likvide midler til klimaudviklingsspor",
        pool_name="Realdanias likvide midler til klimaudviklingsspor",
    ),
)  # fmt: skip


def _upsert(model, result: LoadResult, key: str, values: dict, create_only: dict):
    obj = model.objects.filter(key=key).first()
    if obj is None:
        obj = model.objects.create(key=key, **values, **create_only)
        result.count(obj, created=True, changed=False)
        return obj, True
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    for field in changed:
        setattr(obj, field, values[field])
    if changed:
        obj.save(update_fields=changed)
    result.count(obj, created=False, changed=bool(changed))
    return obj, False


def yearly_amounts(amount: Decimal, first: int, last: int) -> dict[int, Decimal]:
    """Equal yearly parts to the øre; the last year takes the rounding remainder."""
    years = list(range(first, last + 1))
    part = (amount / len(years)).quantize(Decimal("0.01"))
    parts = dict.fromkeys(years, part)
    parts[last] = amount - part * (len(years) - 1)
    return parts


@transaction.atomic
def load() -> LoadResult:
    result = LoadResult()
    organisations = {o.code: o for o in Organisation.objects.all()}
    for spec in CONTRIBUTIONS:
        years = {"year_from": spec.year_from, "year_to": spec.year_to}
        is_realdania_pool = spec.key == "realdania-likvide"
        contribution, _created = _upsert(
            Contribution,
            result,
            spec.key,
            {
                "contributor": organisations[spec.contributor],
                "name": spec.name,
                "on_behalf_of": spec.on_behalf_of,
                "amount": spec.amount,
                "earmark": spec.earmark,
                **({} if is_realdania_pool else years),
            },
            {"kind": Contribution.Kind.CASH, **(years if is_realdania_pool else {})},
        )
        if spec.pool_name:
            _upsert(
                LiquidPool,
                result,
                spec.key,
                {"contribution": contribution, "name": spec.pool_name, "size": spec.amount},
                {"year_from": contribution.year_from, "year_to": contribution.year_to},
            )
        for year, amount in yearly_amounts(
            spec.amount, contribution.year_from, contribution.year_to
        ).items():
            key = f"{spec.key}-{year}"
            if BudgetLine.objects.filter(key=key).exists():
                result.unchanged += 1
                continue
            BudgetLine.objects.create(
                key=key, contribution=contribution, year=year, purpose=spec.purpose, amount=amount
            )
            result.created += 1
    return result
