"""Every upload endpoint refuses hostile files with a clear Danish message and changes nothing
(issue 7): oversize files, wrong magic bytes, path-traversal, NUL and very long file names,
and zip bombs disguised as xlsx.

The upload forms are found by inspection: every form class in the portal apps' `forms` modules
with a FileField, and every API serializer with one. A new upload form without an entry in
ENDPOINTS fails test_every_upload_form_is_in_the_table.
"""

import importlib
import inspect
import io
import zipfile
from dataclasses import dataclass
from html import unescape

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from rest_framework import serializers

from core.files import MAX_PAPER_BYTES
from core.spreadsheet import MAX_BYTES as MAX_IMPORT_BYTES
from monitoring.views.rounds import IMPORT_SESSION_KEY
from tests.factories import sign_in
from tracks.files import MAX_PRODUCT_BYTES

from .test_security_escaping import PORTAL_APPS
from .test_security_scope import portal_checksum

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def zip_bomb() -> bytes:
    """An 'xlsx' of a few hundred KB that unpacks to 200 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (200 * 1024 * 1024))
    return buffer.getvalue()


def oversize(limit: int, head: bytes) -> bytes:
    return head + b"\x00" * (limit + 1 - len(head))


@dataclass
class Endpoint:
    form: str  # the form class's name
    limit: int  # bytes
    good_name: str  # a name the endpoint accepts for real content

    def setup(self, request) -> tuple:
        """(user, url, extra form data)."""
        return getattr(self, f"_{self.form}")(request)

    @staticmethod
    def _PaperForm(request):
        from tests.governance.factories import plan_meeting

        role_users = request.getfixturevalue("role_users")
        meeting = plan_meeting("fu", by=role_users["secretariat"])
        item = meeting.agenda_items.order_by("pk").first()
        url = reverse("paper-upload", kwargs={"pk": meeting.pk})
        return role_users["secretariat"], url, {"agenda_item": item.pk}

    @staticmethod
    def _KnowledgeProductForm(request):
        from tests.tracks.factories import People, advance, draft

        people = People()
        track = advance(draft(people.coordinator), "running", people)
        url = reverse("product-create", kwargs={"pk": track.pk})
        return people.coordinator, url, {"title": "Slutrapport", "description": ""}

    @staticmethod
    def _MaterialForm(request):
        from tests.events.factories import make_event

        role_users = request.getfixturevalue("role_users")
        event = make_event(role_users["secretariat"], state="held")
        url = reverse("event-material-add", kwargs={"pk": event.pk})
        return role_users["secretariat"], url, {"title": "Oplæg"}

    @staticmethod
    def _ReportForm(request):
        from tests.evaluations.factories import approve_terms, make_evaluation
        from tests.tracks.factories import People

        people = People()
        evaluation = approve_terms(make_evaluation(people.secretariat), people)
        return people.secretariat, reverse("evaluation-report", kwargs={"pk": evaluation.pk}), {}

    @staticmethod
    def _LibraryItemForm(request):
        from tests.library.factories import topic

        role_users = request.getfixturevalue("role_users")
        data = {"title": "Notat", "summary": "Et notat.", "kind": "note", "topic": topic().pk,
                "author_organisation": role_users["knowledge_partner"].role_assignments.get()
                .organisation_id, "published_on": "2026-11-01"}  # fmt: skip
        return role_users["knowledge_partner"], reverse("library-create"), data

    @staticmethod
    def _ImportForm(request):
        from tests.monitoring.factories import make_round

        role_users = request.getfixturevalue("role_users")
        make_round()
        url = reverse("monitoring-round-import", kwargs={"year": 2026})
        return role_users["secretariat"], url, {}

    @staticmethod
    def _AccountsImportForm(request):
        role_users = request.getfixturevalue("role_users")
        return (
            role_users["secretariat"],
            reverse("monitoring-accounts-import"),
            {"release": "2025-1"},
        )

    @staticmethod
    def _PeopleImportForm(request):
        role_users = request.getfixturevalue("role_users")
        return role_users["secretariat"], reverse("people-import"), {}


ENDPOINTS = [
    Endpoint("PaperForm", MAX_PAPER_BYTES, "dagsorden.pdf"),
    Endpoint("KnowledgeProductForm", MAX_PRODUCT_BYTES, "rapport.pdf"),
    Endpoint("ImportForm", MAX_IMPORT_BYTES, "indberetning.xlsx"),
    Endpoint("PeopleImportForm", MAX_IMPORT_BYTES, "personer.xlsx"),
    Endpoint("AccountsImportForm", MAX_IMPORT_BYTES, "energiregnskab.xlsx"),
    Endpoint("MaterialForm", MAX_PAPER_BYTES, "oplaeg.pdf"),
    Endpoint("LibraryItemForm", MAX_PRODUCT_BYTES, "notat.pdf"),
    Endpoint("ReportForm", MAX_PRODUCT_BYTES, "evalueringsrapport.pdf"),
]


def test_every_upload_form_is_in_the_table():
    found = set()
    for app in PORTAL_APPS:
        for module_name in (f"{app}.forms", f"{app}.api"):
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError:
                continue
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and any(
                    isinstance(field, forms.FileField) for field in cls.base_fields.values()
                ):
                    found.add(name)
                if issubclass(cls, serializers.Serializer) and cls is not serializers.Serializer:
                    declared = getattr(cls, "_declared_fields", {})
                    if any(isinstance(f, serializers.FileField) for f in declared.values()):
                        found.add(name)
    assert found == {endpoint.form for endpoint in ENDPOINTS}


# (case, file name, content): content is bytes, or a function of the endpoint.
HOSTILE = [
    ("oversize", None, lambda e: oversize(e.limit, PDF if e.good_name.endswith("pdf") else PK)),
    ("exe named like the accepted type", None, lambda e: EXE),
    ("png named like the accepted type", None, lambda e: PNG),
    ("path traversal", "../../etc/passwd", lambda e: b"root:x:0:0:root:/root:/bin/bash\n"),
    ("windows path traversal", "..\\..\\windows\\win.ini", lambda e: b"[fonts]\n"),
    ("NUL byte in the name", "rapport.pdf\x00.exe", lambda e: EXE),
    ("very long name", "a" * 250 + ".exe", lambda e: EXE),
    ("zip bomb as xlsx", "indberetning.xlsx", lambda e: zip_bomb()),
]
PK = b"PK\x03\x04"


# The refusals the endpoints give, in Danish (the text before any placeholder).
REFUSALS = [
    "The file is too large: at most 20 MB per paper.",
    "The file is too large: at most 20 MB per knowledge product.",
    "The file is too large: at most 20 MB.",
    "This type of file is not accepted. Accepted types: %(types)s.",
    "The file's content does not match its name: it is not a real %(type)s file. "
    "Accepted types: %(types)s.",
    "The file is larger than %(limit)s MB.",
    "The file is empty.",
    "Upload an .xlsx or .csv file.",
    "The file is not a real xlsx workbook.",
    "The workbook has too many parts to be a spreadsheet.",
    "The workbook unpacks to far more than its size (a zip bomb); refused.",
    "The workbook could not be read.",
    "The file is not a text (csv) file.",
]


def danish_refusals() -> list[str]:
    with translation.override("da"):
        texts = []
        for message in REFUSALS:
            danish = gettext(message)
            assert danish != message, f"no Danish for {message!r}"
            texts.append(danish.split("%(")[0].strip())
    return texts


def storages_used() -> list:
    """Where uploads go: the papers' and products' storages, and the default storage."""
    from django.core.files.storage import default_storage

    from events.models import Material
    from governance.models import Paper
    from tracks.models import KnowledgeProduct

    found = {}
    for storage in (
        Material._meta.get_field("file").storage,
        Paper._meta.get_field("file").storage,
        KnowledgeProduct._meta.get_field("file").storage,
        default_storage,
    ):
        found[id(storage)] = storage
    return list(found.values())


def _walk(storage, folder: str = "") -> set[str]:
    folders, files = storage.listdir(folder) if storage.exists(folder or ".") else ([], [])
    names = {f"{folder}{name}" for name in files}
    for sub in folders:
        names |= _walk(storage, f"{folder}{sub}/")
    return names


def stored_files() -> set[tuple[int, str]]:
    return {(index, name) for index, s in enumerate(storages_used()) for name in _walk(s)}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.form)
def test_hostile_uploads_are_refused_in_danish_and_change_nothing(endpoint, request, db, client):
    user, url, data = endpoint.setup(request)
    sign_in(client, user)
    refusals = danish_refusals()
    before, files_before = portal_checksum(), stored_files()
    failures = []
    for case, name, content in HOSTILE:
        upload = SimpleUploadedFile(name or endpoint.good_name, content(endpoint))
        response = client.post(url, {**data, "file": upload})
        text = unescape(response.content.decode())
        # The form again (200, or 400 where the page says the request was bad), with the reason.
        if response.status_code not in (200, 400) or not any(r in text for r in refusals):
            failures.append(f"{case}: {response.status_code}, no Danish refusal")
        if portal_checksum() != before or stored_files() != files_before:
            failures.append(f"{case}: something was stored")
        if IMPORT_SESSION_KEY in client.session:
            failures.append(f"{case}: a checked import waits in the session")
    assert not failures, failures


@pytest.mark.parametrize("endpoint", ENDPOINTS[:2], ids=lambda e: e.form)
def test_a_real_file_under_a_hostile_name_is_stored_under_a_name_of_ours(
    endpoint, request, db, client
):
    """The browser's name is only shown (without any path); the file is stored under a random
    name inside the storage, whatever the name said."""
    user, url, data = endpoint.setup(request)
    sign_in(client, user)
    files_before = stored_files()
    for name in ("../../etc/passwd.pdf", "..\\..\\x.pdf", "b" * 300 + ".pdf"):
        response = client.post(url, {**data, "file": SimpleUploadedFile(name, PDF)})
        assert response.status_code == 302, (name, response.status_code)
    stored = stored_files() - files_before
    assert len(stored) == 3
    storages = storages_used()
    for index, name in stored:
        folder, _, base = name.rpartition("/")
        assert folder in ("papers", "products") and ".." not in name, name
        assert "passwd" not in base and len(base) < 60, name
        with storages[index].open(name) as handle:
            assert handle.read() == PDF
    from governance.models import Paper
    from tracks.models import KnowledgeProduct

    products = KnowledgeProduct.objects.exclude(original_name="")
    names = [
        *Paper.objects.values_list("original_name", flat=True),
        *products.values_list("original_name", flat=True),
    ]
    assert names and all("/" not in n and "\\" not in n and len(n) <= 150 for n in names), names
