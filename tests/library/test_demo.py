from library import demo
from library.models import LibraryItem, Topic
from partners import demo as partners_demo


def test_the_demo_fills_the_library_with_public_and_internal_products(db):
    partners_demo.seed()
    created = demo.seed()
    assert len(created) >= 4 and demo.seed() == []
    assert Topic.objects.count() == 5
    assert set(LibraryItem.objects.values_list("is_public", flat=True)) == {True, False}
    assert LibraryItem.objects.exclude(file="").count() == 2
    assert LibraryItem.objects.filter(author_organisation__code="concito").count() == 2
