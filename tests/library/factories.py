"""Knowledge products for tests, made through the service as in production."""

from django.core.files.uploadedfile import SimpleUploadedFile

from library import services
from library.models import LibraryItem, Topic
from partners.models import Organisation

PDF = b"%PDF-1.4\n%demo\n"


def topic(name: str = "Energi og forsyning", slug: str = "energi") -> Topic:
    return Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def make_item(
    by,
    *,
    org_code: str = "concito",
    is_public: bool = True,
    with_file: bool = False,
    title: str = "Notat om varmepumper",
    **fields,
) -> LibraryItem:
    upload = SimpleUploadedFile("notat.pdf", PDF) if with_file else None
    values = {
        "title": title,
        "summary": "Hvad kommunerne kan lære af de første store varmepumper.",
        "kind": LibraryItem.Kind.NOTE,
        "topic": topic(),
        "author_organisation": Organisation.objects.get(code=org_code),
        "is_public": is_public,
        "url": "" if with_file else "https://example.dk/notat",
        **fields,
    }
    return services.item_create(by=by, upload=upload, **values)
