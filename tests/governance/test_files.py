"""Meeting papers: accepted by content (magic bytes), not by name; size capped; names made safe."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.files import MAX_PAPER_BYTES, check_paper, safe_original_name

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def office(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = office({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
XLSX = office({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"})
PPTX = office({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})
ODT = office({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<o/>"})
ODS = office(
    {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<o/>"}
)
OOXML = "application/vnd.openxmlformats-officedocument."
PLAIN_ZIP = office({"notes.txt": b"hello"})


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Dagsorden.pdf", PDF, "application/pdf"),
        ("diagram.png", PNG, "image/png"),
        ("foto.JPG", JPG, "image/jpeg"),
        ("foto.jpeg", JPG, "image/jpeg"),
        ("notat.docx", DOCX, OOXML + "wordprocessingml.document"),
        ("budget.xlsx", XLSX, OOXML + "spreadsheetml.sheet"),
        ("oplæg.pptx", PPTX, OOXML + "presentationml.presentation"),
        ("notat.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("ark.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
    ],
)  # fmt: skip
def test_accepted_types(name, content, content_type):
    checked = check_paper(upload(name, content))
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert checked.stored_name.endswith("." + checked.extension)
    assert len(checked.stored_name.split(".")[0]) == 32  # a random hex name, not the user's


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rapport.pdf", b"<html><script>alert(1)</script></html>"),  # HTML pretending
        ("rapport.pdf", PNG),  # a real PNG under a PDF name
        ("budget.xlsx", DOCX),  # a Word file named as a spreadsheet
        ("notat.docx", PLAIN_ZIP),  # any zip is not a docx
        ("notat.odt", ODS),
        ("program.exe", b"MZ\x90\x00"),
        ("side.html", b"<html></html>"),
        ("uden-endelse", PDF),
        ("billede.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ],
)
def test_refused_types(name, content):
    with pytest.raises(ValidationError):
        check_paper(upload(name, content))


def test_empty_and_too_large_files_are_refused():
    with pytest.raises(ValidationError, match="tom"):
        check_paper(upload("tom.pdf", b""))
    big = upload("stor.pdf", PDF + b"0" * (MAX_PAPER_BYTES + 1 - len(PDF)))
    with pytest.raises(ValidationError, match="20 MB"):
        check_paper(big)
    just_fits = upload("stor.pdf", PDF + b"0" * (MAX_PAPER_BYTES - len(PDF)))
    assert check_paper(just_fits).size == MAX_PAPER_BYTES


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\boot.pdf", "boot.pdf"),
        ("/abs/path/Dagsorden FU.pdf", "Dagsorden_FU.pdf"),
        ("..", "bilag"),
        ("", "bilag"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_original_names_lose_their_paths(given, kept):
    assert safe_original_name(given) == kept
