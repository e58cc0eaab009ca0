"""Checking uploaded knowledge products: size, and type by the file's content (magic bytes).

The same checks as meeting papers (core.files): the extension alone proves nothing.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.files import CONTENT_TYPES, EXTENSIONS, safe_original_name, sniff

MAX_PRODUCT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class CheckedProduct:
    content_type: str
    original_name: str
    stored_name: str
    size: int


def check_product(upload: UploadedFile) -> CheckedProduct:
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > MAX_PRODUCT_BYTES:
        raise ValidationError(
            _("The file is too large: at most 20 MB per knowledge product."), code="too_large"
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
    if sniff(upload) != claimed:
        raise ValidationError(
            _(
                "The file's content does not match its name: it is not a real %(type)s file. "
                "Accepted types: %(types)s."
            )
            % {"type": claimed.upper(), "types": allowed},
            code="content",
        )
    return CheckedProduct(
        content_type=CONTENT_TYPES[claimed],
        original_name=original,
        stored_name=f"{uuid.uuid4().hex}.{claimed}",
        size=upload.size,
    )
