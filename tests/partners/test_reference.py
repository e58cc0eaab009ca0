import csv
import shutil
from collections import Counter

from partners import reference
from partners.models import DGO, Municipality, Organisation


def test_reference_data_has_the_partnership(db):
    assert Municipality.objects.count() == 98
    per_dgo = Counter(Municipality.objects.values_list("dgo__slug", flat=True))
    assert per_dgo == {
        "hovedstaden": 29,
        "sjaelland": 17,
        "syddanmark": 22,
        "midtjylland": 19,
        "nordjylland": 11,
    }
    assert Municipality.objects.get(code="751").name == "Aarhus"
    assert Municipality.objects.get(code="751").dgo.region.name == "Region Midtjylland"
    assert DGO.objects.count() == 5
    assert set(
        Organisation.objects.filter(is_knowledge_partner=True).values_list("code", flat=True)
    ) == {
        "concito",
        "c40",
    }
    assert Organisation.objects.filter(kind=Organisation.Kind.REGION, is_party=True).count() == 5
    assert Organisation.objects.filter(kind=Organisation.Kind.KKR).count() == 5
    assert Municipality.objects.filter(dk2020_pilot=True).count() == 20


def test_loading_twice_changes_nothing(db):
    before = list(Municipality.objects.order_by("pk").values())
    result = reference.load()
    assert result.created == 0 and result.updated == 0
    assert list(Municipality.objects.order_by("pk").values()) == before


def test_a_renamed_municipality_keeps_its_row_and_references(db, tmp_path):
    from tests.factories import UserFactory

    aarhus = Municipality.objects.get(code="751")
    person = UserFactory(municipality=aarhus)
    edited = tmp_path / "municipalities.csv"
    shutil.copy(reference.MUNICIPALITIES_CSV, edited)
    rows = list(csv.DictReader(edited.open(encoding="utf-8")))
    for row in rows:
        if row["code"] == "751":
            row["name"] = "Aarhus (renamed)"
    with edited.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=rows[0].keys())
        writer.writeheader()
        writer.writerows(rows)

    result = reference.load(edited)

    assert result.updated == 1 and result.created == 0
    aarhus.refresh_from_db()
    assert aarhus.name == "Aarhus (renamed)"
    person.refresh_from_db()
    assert person.municipality_id == aarhus.pk
    assert Municipality.objects.count() == 98
