"""The upload → check → confirm flow the spreadsheet imports share (core.uploads):
a checked file is kept for its user's session and scope, imported once, then removed."""

from dataclasses import dataclass

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from core import uploads

pytestmark = pytest.mark.django_db


@dataclass
class Result:
    is_valid: bool
    written: bool = False


class Service:
    """Records its calls; valid unless the file says "bad"."""

    def __init__(self):
        self.calls = []

    def __call__(self, *, content: bytes, filename: str, dry_run: bool) -> Result:
        self.calls.append((content, filename, dry_run))
        valid = content != b"bad"
        return Result(is_valid=valid, written=valid and not dry_run)


def request(data=None):
    made = RequestFactory().post("/", data or {})
    made.session = SessionStore()
    return made


def test_a_checked_file_is_kept_for_its_scope_and_imported_once():
    service, first = Service(), request()
    upload = SimpleUploadedFile("r.csv", b"a;b\n1;2\n")
    result, token = uploads.check(
        first, key="k", upload=upload, max_bytes=100, run=service, scope=2026
    )
    assert result.is_valid and token and service.calls == [(b"a;b\n1;2\n", "r.csv", True)]
    path = first.session["k"]["path"]
    private = storages["private"]
    assert private.exists(path) and not default_storage.exists(path)

    def confirm(token, scope=2026):
        again = request({"token": token})
        again.session = first.session
        return uploads.confirm(again, key="k", run=service, scope=scope)

    assert confirm("another token") is None  # e.g. a stale tab
    assert confirm(token, scope=2025) is None  # another round's page
    assert private.exists(path) and len(service.calls) == 1
    assert confirm(token).written
    assert service.calls[-1] == (b"a;b\n1;2\n", "r.csv", False)
    assert not private.exists(path) and "k" not in first.session
    assert confirm(token) is None  # a second click on confirm imports nothing twice
    assert len(service.calls) == 2


def test_a_file_that_fails_the_check_is_not_kept_and_oversize_reaches_the_service():
    service, made = Service(), request()
    result, token = uploads.check(
        made, key="k", upload=SimpleUploadedFile("r.csv", b"bad"), max_bytes=100, run=service
    )
    assert not result.is_valid and token is None and "k" not in made.session
    uploads.check(
        made, key="k", upload=SimpleUploadedFile("r.csv", b"x" * 50), max_bytes=10, run=service
    )
    assert service.calls[-1][0] == b"x" * 11  # one byte over: the service refuses it


def test_checked_files_wait_on_the_private_storage_never_under_media():
    from django.conf import settings

    made = request()
    uploads.check(
        made, key="k", upload=SimpleUploadedFile("r.csv", b"1"), max_bytes=10, run=Service()
    )
    path = made.session["k"]["path"]
    assert path.startswith("imports/")
    assert storages["private"].exists(path) and not default_storage.exists(path)
    # The private storage's folder is not inside MEDIA_ROOT, which DEBUG serves under /media/.
    assert not settings.PRIVATE_MEDIA_ROOT.is_relative_to(settings.MEDIA_ROOT)


def test_unconfirmed_import_files_are_deleted_after_24_hours_by_the_beat_task():
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from core.tasks import delete_unconfirmed_imports

    assert settings.CELERY_BEAT_SCHEDULE["delete-unconfirmed-imports"]["task"] == (
        delete_unconfirmed_imports.name
    )
    service, made = Service(), request()
    uploads.check(
        made, key="k", upload=SimpleUploadedFile("r.csv", b"1"), max_bytes=10, run=service
    )
    path = made.session["k"]["path"]
    legacy = default_storage.save("imports/old-people-abc.bin", ContentFile(b"x"))  # under /media/
    private = storages["private"]

    assert uploads.delete_unconfirmed() == 0  # a fresh check stays for its confirm
    assert private.exists(path)
    later = timezone.now() + timezone.timedelta(hours=25)
    assert uploads.delete_unconfirmed(now=later) >= 2  # (and what earlier tests left here)
    assert not private.exists(path) and not default_storage.exists(legacy)
    assert uploads.delete_unconfirmed(now=later) == 0  # idempotent: nothing left
    assert delete_unconfirmed_imports.apply().get() == 0

    # Confirming a deleted check imports nothing and says the check has expired (None).
    again = request({"token": made.session["k"]["token"]})
    again.session = made.session
    assert uploads.confirm(again, key="k", run=service) is None
    assert len(service.calls) == 1
