"""The text of each page of a PDF, read by poppler's pdftotext (ten times faster than pypdf on
the status report's hundred pages; poppler-utils is a test dependency, see .ci/run)."""

import subprocess


def page_texts(data: bytes) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return out.split("\f")[:-1]  # each page ends with a form feed
