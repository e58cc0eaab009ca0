"""Writes for the knowledge library; every change goes through these functions."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.locking import lock_for_edit
from partners.models import User
from tracks.files import check_product

from . import permissions as perms
from .models import LibraryItem

ITEM_FIELDS = (
    "title",
    "summary",
    "kind",
    "topic",
    "sector",
    "track",
    "dgo",
    "author_organisation",
    "is_public",
    "published_on",
    "url",
)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _attach(item: LibraryItem, upload: UploadedFile) -> None:
    """A file is accepted by its content (magic bytes), at most 20 MB."""
    try:
        checked = check_product(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    item.original_name = checked.original_name
    item.size = checked.size
    item.content_type = checked.content_type
    upload.seek(0)
    item.file.save(checked.stored_name, upload, save=False)


def _check(item: LibraryItem, *, has_file: bool) -> None:
    if not has_file and not item.url:
        raise ValidationError({"file": _("Give a file or a link (or both).")})
    item.title = item.title.strip()
    item.summary = item.summary.strip()
    item.full_clean(exclude=["file"])


@transaction.atomic
def item_create(*, by: User, upload: UploadedFile | None = None, **fields) -> LibraryItem:
    """Add a knowledge product: the secretariat in any organisation's name, a knowledge
    partner in their own."""
    _require(perms.can_add_item(by), _(perms.ADDERS_ONLY))
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    item = LibraryItem(added_by=by, **fields)
    if item.author_organisation_id is not None:
        _require(
            perms.can_author_for(by, item.author_organisation),
            _("A knowledge partner adds products in their own organisation's name."),
        )
    _check(item, has_file=upload is not None)
    if upload is not None:
        _attach(item, upload)
    item.save()
    return item


@transaction.atomic
def item_update(
    *,
    item: LibraryItem,
    by: User,
    upload: UploadedFile | None = None,
    expected_version: str | None = None,
    **fields,
) -> LibraryItem:
    """Change a product (and replace its file, if one is given). `expected_version`: the
    version the edit form was based on (core.locking)."""
    item = lock_for_edit(item, expected_version)
    _require(perms.can_edit_item(by, item), _(perms.ADDERS_ONLY))
    for name, value in fields.items():
        if name not in ITEM_FIELDS:
            raise TypeError(f"unknown field: {name}")
        setattr(item, name, value)
    _require(
        perms.can_author_for(by, item.author_organisation),
        _("A knowledge partner adds products in their own organisation's name."),
    )
    _check(item, has_file=upload is not None or bool(item.file))
    if upload is not None:
        _attach(item, upload)
    item.save()
    return item
