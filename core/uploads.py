"""Upload → check (a dry run, nothing written) → confirm: the flow of the spreadsheet imports
(a monitoring round, indicator values, people).

Between the two requests the checked file waits in the default storage, which every web
process shares, under a random name that only this user's session knows. Confirming reads it
back and runs the import again for real: the service validates again under its lock, because
the data may have changed since the check. `run` is the import service with everything but
the file bound, called as run(content=..., filename=..., dry_run=...); its result has
`is_valid`.
"""

import secrets
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

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
    path = default_storage.save(f"imports/{key}-{token}.bin", ContentFile(content))
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
    with default_storage.open(pending["path"], "rb") as handle:
        content = handle.read()
    result = run(content=content, filename=pending["filename"], dry_run=False)
    default_storage.delete(pending["path"])
    del request.session[key]
    return result
