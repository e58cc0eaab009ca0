"""The meeting pack: the agenda page (WeasyPrint) followed by every PDF paper, in one file.

Papers that are not PDFs (Word, Excel, images) cannot be merged as they are; the agenda page
names them so the reader knows to download them separately. The pack names no votes: it is
the agenda and the papers, read by the body's seats (governance.permissions.can_download_pack).
"""

import io
import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from .models import Meeting
from .selectors import meeting_agenda

logger = logging.getLogger(__name__)


def render_meeting_pack(*, meeting: Meeting) -> bytes:
    from weasyprint import HTML

    agenda = list(meeting_agenda(meeting=meeting))
    merged: list[tuple[object, bytes]] = []
    separate = []
    for item in agenda:
        for paper in item.papers.all():
            if paper.content_type != "application/pdf":
                separate.append(paper)
                continue
            try:
                with paper.file.open("rb") as handle:
                    merged.append((paper, handle.read()))
            except FileNotFoundError:
                separate.append(paper)
    html = render_to_string(
        "governance/meeting_pack.html",
        {
            "meeting": meeting,
            "body": meeting.body,
            "agenda": agenda,
            "included": {paper.pk for paper, _data in merged},
            "separate": separate,
            "generated_at": timezone.now(),
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
    )
    writer = PdfWriter()
    writer.append(
        PdfReader(io.BytesIO(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()))
    )
    for paper, data in merged:
        try:
            writer.append(PdfReader(io.BytesIO(data)), outline_item=paper.original_name)
        except (PyPdfError, ValueError, OSError):
            # A damaged PDF does not spoil the pack; the reader downloads it on its own.
            logger.warning("Paper %s could not be merged into the meeting pack", paper.pk)
    writer.add_metadata({"/Title": meeting.title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
