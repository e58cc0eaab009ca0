"""Upload → check (a dry run, nothing written) → confirm: the flow of the spreadsheet imports
(a monitoring round, indicator values, people).

Between the two requests the checked file waits in the private storage, which every web
process shares and which has no public URL (never under MEDIA_ROOT or /media/), under a random
name that only this user's session knows. A file checked but never confirmed is deleted after
IMPORT_FILE_HOURS by the beat task core.tasks.delete_unconfirmed_imports. Confirming reads it
back and runs the import again for real: the service validates again under its lock, because
the data may have changed since the check. `run` is the import service with everything but
the file bound, called as run(content=..., filename=..., dry_run=...); its result has
`is_valid`.
"""

import datetime
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils import timezone

logger = logging.getLogger(__name__)
IMPORT_FOLDER = "imports"
IMPORT_FILE_HOURS = 24
_STAMP = "%Y%m%dT%H%M%SZ"


def import_storage() -> Storage:
    return storages["private"]


Run = Callable[..., Any]


def check(
    request: HttpRequest,
    *,
    key: str,
    upload: UploadedFile,
    max_bytes: int,
    run: Run,
    scope: Any = None,
) -> tuple[Any, str | None]:
    """Dry-run the uploaded file; when it passes, keep it for `confirm`.

    Reads one byte more than `max_bytes`, so the service can refuse a file that is too large.
    Returns the service's result and the token the confirm form posts (None if invalid).
    `scope` (e.g. the round's year) must match on confirm.
    """
    content = upload.read(max_bytes + 1)
    result = run(content=content, filename=upload.name, dry_run=True)
    if not result.is_valid:
        return result, None
    token = secrets.token_urlsafe(16)
    # The time of the check is in the name, so the cleanup needs no storage timestamps.
    stamp = timezone.now().astimezone(datetime.UTC).strftime(_STAMP)
    path = import_storage().save(f"{IMPORT_FOLDER}/{stamp}-{key}-{token}.bin", ContentFile(content))
    request.session[key] = {"token": token, "path": path, "filename": upload.name, "scope": scope}
    return result, token


def confirm(request: HttpRequest, *, key: str, run: Run, scope: Any = None) -> Any | None:
    """Import the file `check` kept, for real; None when the posted token is not the one kept
    for this scope (the check expired, another tab checked a newer file, another round)."""
    pending = request.session.get(key) or {}
    if (
        not pending
        or pending.get("token") != request.POST.get("token")
        or pending.get("scope") != scope
    ):
        return None
    storage = import_storage()
    try:
        with storage.open(pending["path"], "rb") as handle:
            content = handle.read()
    except FileNotFoundError:  # checked more than IMPORT_FILE_HOURS ago: deleted since
        del request.session[key]
        return None
    result = run(content=content, filename=pending["filename"], dry_run=False)
    storage.delete(pending["path"])
    del request.session[key]
    return result


def _checked_at(storage: Storage, path: str) -> datetime.datetime | None:
    stamp = path.rsplit("/", 1)[-1].split("-", 1)[0]
    try:
        return datetime.datetime.strptime(stamp, _STAMP).replace(tzinfo=datetime.UTC)
    except ValueError:  # a name of another form: the storage's own time, where it has one
        try:
            return storage.get_modified_time(path)
        except (NotImplementedError, OSError):
            return None


def delete_unconfirmed(now: datetime.datetime | None = None) -> int:
    """Delete the checked import files older than IMPORT_FILE_HOURS; returns how many.
    Idempotent: a file already gone is skipped, a second run finds nothing to do."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=IMPORT_FILE_HOURS)
    deleted = 0
    # The default storage too: checks made before the files moved left them under /media/.
    for storage in {id(s): s for s in (import_storage(), storages["default"])}.values():
        deleted += _delete_older(storage, cutoff)
    if deleted:
        logger.info("deleted %s unconfirmed import files", deleted)
    return deleted


def _delete_older(storage: Storage, cutoff: datetime.datetime) -> int:
    try:
        _folders, names = storage.listdir(IMPORT_FOLDER)
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        path = f"{IMPORT_FOLDER}/{name}"
        checked_at = _checked_at(storage, path)
        if checked_at is not None and checked_at < cutoff:
            try:
                storage.delete(path)
            except FileNotFoundError:  # another run was first
                continue
            deleted += 1
    return deleted
