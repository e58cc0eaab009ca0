"""The partnership's reference data: organisations, DGOs and the 98 municipalities.

Loaded by `manage.py load_reference_data`, idempotently: rows are matched on their official
codes, so running it twice changes nothing and a corrected name in the CSV updates the row
while every reference to it stays intact.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import DGO, Municipality, Organisation

MUNICIPALITIES_CSV = Path(__file__).resolve().parent / "data" / "municipalities.csv"

REGIONS = {
    1081: "Nordjylland",
    1082: "Midtjylland",
    1083: "Syddanmark",
    1084: "Hovedstaden",
    1085: "Sjælland",
}

K = Organisation.Kind
NATIONAL_ORGANISATIONS = [
    # code, name, short name, kind, party, funder, secretariat, knowledge partner, website
    ("kl", "KL – Kommunernes Landsforening", "KL", K.KL, True, True, True, False, "https://www.kl.dk"),
    ("danske-regioner", "Danske Regioner", "DR", K.DANSKE_REGIONER, False, False, True, False,
     "https://www.regioner.dk"),
    ("realdania", "Realdania", "Realdania", K.FOUNDATION, True, True, False, False,
     "https://realdania.dk"),
    ("concito", "CONCITO", "CONCITO", K.KNOWLEDGE_PARTNER, False, False, False, True,
     "https://concito.dk"),
    ("c40", "C40 Cities", "C40", K.KNOWLEDGE_PARTNER, False, False, False, True,
     "https://www.c40.org"),
]  # fmt: skip


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, obj, created: bool, changed: bool) -> None:
        if created:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1


def _upsert(model, result: LoadResult, lookup: dict, values: dict):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        result.count(obj, created=True, changed=False)
        return obj
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    for field in changed:
        setattr(obj, field, values[field])
    if changed:
        obj.save(update_fields=changed)
    result.count(obj, created=False, changed=bool(changed))
    return obj


def read_municipalities(path: Path = MUNICIPALITIES_CSV) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load(path: Path = MUNICIPALITIES_CSV) -> LoadResult:
    result = LoadResult()
    for (
        code,
        name,
        short,
        kind,
        party,
        funder,
        secretariat,
        knowledge,
        web,
    ) in NATIONAL_ORGANISATIONS:
        _upsert(
            Organisation,
            result,
            {"code": code},
            {
                "name": name,
                "short_name": short,
                "kind": kind,
                "is_party": party,
                "is_funder": funder,
                "is_secretariat": secretariat,
                "is_knowledge_partner": knowledge,
                "website": web,
            },
        )
    dgos = {}
    for region_code, geography in REGIONS.items():
        slug = geography.lower().replace("æ", "ae")
        region = _upsert(
            Organisation,
            result,
            {"code": f"region-{slug}"},
            {
                "name": f"Region {geography}",
                "short_name": f"R. {geography}",
                "kind": K.REGION,
                "region_code": region_code,
                "is_party": True,
                "is_funder": True,
            },
        )
        kkr = _upsert(
            Organisation,
            result,
            {"code": f"kkr-{slug}"},
            {
                "name": f"KKR {geography}",
                "short_name": f"KKR {geography}",
                "kind": K.KKR,
                "region_code": region_code,
            },
        )
        dgos[region_code] = _upsert(
            DGO,
            result,
            {"region_code": region_code},
            {"name": f"DGO {geography}", "slug": slug, "region": region, "kkr": kkr},
        )
    for row in read_municipalities(path):
        _upsert(
            Municipality,
            result,
            {"code": row["code"].strip().zfill(3)},
            {
                "name": row["name"].strip(),
                "dgo": dgos[int(row["region_code"])],
                "population": int(row["population"]),
                "population_year": int(row["population_year"]),
                "dk2020_pilot": row["dk2020_pilot"].strip().lower() == "yes",
            },
        )
    return result
