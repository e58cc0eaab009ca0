"""Data for the open-page tests and matrix cases: public things, and things that must never be
public (drafts, proposals, rejected tracks, unapproved reports, unpublished documents)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.matrix.monitoring import done_document
from tests.matrix.tracks import _track


def public_track(users: dict, *, with_file: bool = False, state: str = "running"):
    """A running track of coordinator_a's, with a link product (and a file product)."""
    from tracks import services

    track = _track(users, state)
    if state == "running":
        services.knowledge_product_add(
            track=track,
            by=users["secretariat"],
            title="Vidensnotat om ladehubs",
            url="https://example.dk/notat",
        )
        if with_file:
            upload = SimpleUploadedFile(
                "notat.pdf", b"%PDF-1.4\n%demo\n", content_type="application/pdf"
            )
            services.knowledge_product_add(
                track=track, by=users["secretariat"], title="Slutnotat", upload=upload
            )
    return track


def published_document(users: dict):
    from monitoring import services
    from monitoring.models import StatusReportDocument

    document = StatusReportDocument.objects.get(pk=done_document(users)["pk"])
    services.status_report_publish(document=document, by=users["secretariat"])
    return document
