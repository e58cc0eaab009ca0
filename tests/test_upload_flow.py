"""The upload → check → confirm flow the spreadsheet imports share (core.uploads):
a checked file is kept for its user's session and scope, imported once, then removed."""

from dataclasses import dataclass

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.storage import default_storage
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
    assert default_storage.exists(path)

    def confirm(token, scope=2026):
        again = request({"token": token})
        again.session = first.session
        return uploads.confirm(again, key="k", run=service, scope=scope)

    assert confirm("another token") is None  # e.g. a stale tab
    assert confirm(token, scope=2025) is None  # another round's page
    assert default_storage.exists(path) and len(service.calls) == 1
    assert confirm(token).written
    assert service.calls[-1] == (b"a;b\n1;2\n", "r.csv", False)
    assert not default_storage.exists(path) and "k" not in first.session
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
