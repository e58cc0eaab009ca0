"""Checking uploaded meeting papers: size, and type by the file's content (magic bytes).

The extension alone proves nothing: a file is accepted only when its first bytes (and, for the
zip-based office formats, its internal layout) show the type its extension claims.
"""

import os
import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

MAX_PAPER_BYTES = 20 * 1024 * 1024

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "png": "image/png",
    "jpg": "image/jpeg",
}
EXTENSIONS = {"jpeg": "jpg"}
OOXML_FOLDERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


@dataclass(frozen=True)
class CheckedPaper:
    extension: str
    content_type: str
    original_name: str
    stored_name: str
    size: int


# An office file is a zip; one that claims to unpack to far more than this, or to more than
# MAX_ZIP_RATIO times its size, is a zip bomb, not a paper (no real document comes close).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100


def _zip_kind(upload: UploadedFile) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_ZIP_RATIO * max(upload.size, 1):
                return None
            names = archive.namelist()
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 200:
                    return None
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                for extension in ("odt", "ods"):
                    if mimetype == CONTENT_TYPES[extension]:
                        return extension
                return None
            if "[Content_Types].xml" in names:
                for extension, folder in OOXML_FOLDERS.items():
                    if any(name.startswith(folder) for name in names):
                        return extension
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def sniff(upload: UploadedFile) -> str | None:
    """The file's real type (an extension from CONTENT_TYPES), or None if it is none of them."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    return None


def safe_original_name(name: str) -> str:
    """The uploader's file name without any path, for display and the download's file name."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    try:
        cleaned = get_valid_filename(base)
    except SuspiciousFileOperation:  # for names like '.' and '..'
        cleaned = ""
    stem, dot, extension = cleaned.rpartition(".")
    if len(cleaned) > 150:
        cleaned = f"{stem[: 150 - len(extension) - 1]}.{extension}" if dot else cleaned[:150]
    return cleaned or "bilag"


def check_paper(upload: UploadedFile) -> CheckedPaper:
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > MAX_PAPER_BYTES:
        raise ValidationError(
            _("The file is too large: at most 20 MB per paper."), code="too_large"
        )
    original = safe_original_name(upload.name or "")
    claimed = original.rpartition(".")[2].lower() if "." in original else ""
    claimed = EXTENSIONS.get(claimed, claimed)
    allowed = ", ".join(sorted(CONTENT_TYPES)).upper()
    if claimed not in CONTENT_TYPES:
        raise ValidationError(
            _("This type of file is not accepted. Accepted types: %(types)s.") % {"types": allowed},
            code="type",
        )
    actual = sniff(upload)
    if actual != claimed:
        raise ValidationError(
            _(
                "The file's content does not match its name: it is not a real %(type)s file. "
                "Accepted types: %(types)s."
            )
            % {"type": claimed.upper(), "types": allowed},
            code="content",
        )
    return CheckedPaper(
        extension=actual,
        content_type=CONTENT_TYPES[actual],
        original_name=original,
        stored_name=f"{uuid.uuid4().hex}.{actual}",
        size=upload.size,
    )


MAX_LOGO_BYTES = 512 * 1024
LOGO_TYPES = ("png", "jpg")


def check_logo(upload) -> str:
    """An organisation's logo (shown on the status report's cover and colophon): PNG or JPEG
    by its content, at most 512 KB. Returns its real type. SVG is refused: it can carry
    script, and the logo is served from the media storage."""
    size = getattr(upload, "size", None)
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > MAX_LOGO_BYTES:
        raise ValidationError(_("The logo is too large: at most 512 KB."), code="too_large")
    original = safe_original_name(getattr(upload, "name", "") or "")
    claimed = original.rpartition(".")[2].lower() if "." in original else ""
    claimed = EXTENSIONS.get(claimed, claimed)
    actual = sniff(upload)
    if actual not in LOGO_TYPES or actual != claimed:
        raise ValidationError(
            _("The logo must be a real PNG or JPEG file."),
            code="type",
        )
    return actual


def logo_name(_instance, filename: str) -> str:
    """A logo is stored under a random name of ours, never the uploader's."""
    extension = filename.rpartition(".")[2].lower()
    extension = EXTENSIONS.get(extension, extension)
    return f"logos/{uuid.uuid4().hex}.{extension if extension in LOGO_TYPES else 'png'}"


def validate_logo(value) -> None:
    """The model field's validator (the admin's form runs it before anything is stored)."""
    check_logo(value)
