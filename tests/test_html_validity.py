"""The Nu Html Checker (vnu.jar from the `vnu-jar` npm package, `npm ci`) over every page of
the URL × role matrix: every GET case a role opens (200) is rendered for each such role, in
Danish, and all pages go to ONE checker run over a directory (a JVM start costs seconds, a
page milliseconds). Any error fails the test and names the page, line and message.

The pages are the accessibility walk's (tests/test_accessibility.py): the same exclusions of
downloads, feeds and the API, and the same extra states. Two roles' views that are the same
markup apart from names and figures are checked once.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse

from tests.browser import ARTIFACTS
from tests.matrix import Case, all_cases, cases_by_app
from tests.test_accessibility import VARYING, WALK, allowed_roles, case_id, digest, structure

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_errors(directory: Path) -> list[dict]:
    """The checker's errors over every .html file in `directory` (warnings are not failures)."""
    result = subprocess.run(
        [
            "java",
            "-Xss8m",
            # One short run: the JIT's first tier only and the serial collector need less than
            # half the CPU of the defaults (3 s instead of 7 s for the matrix's pages), with the
            # same messages.
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--skip-non-html",
            "--exit-zero-always",
            str(directory),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = json.loads(result.stderr or result.stdout)
    return [message for message in report["messages"] if message.get("type") == "error"]


def describe(messages: list[dict], root: Path) -> str:
    lines = []
    for message in messages:
        name = message.get("url", "").removeprefix("file:").replace(str(root) + "/", "")
        lines.append(f"{name}:{message.get('lastLine', '?')}: {message.get('message')}")
        extract = message.get("extract")
        if extract:
            lines.append(f"    {' '.join(extract.split())[:160]}")
    return "\n".join(lines)


pytestmark = pytest.mark.skipif(
    not VNU_JAR.exists() or not shutil.which("java"),
    reason="vnu.jar (npm ci) or Java is missing",
)


def test_the_checker_finds_an_error_it_should(tmp_path):
    """A page with the defects of issue 21 fails: the test cannot pass by reading nothing."""
    (tmp_path / "bad.html").write_text(
        '<!doctype html><html lang="da"><head><title>x</title></head><body>'
        '<a href="/" aria-current="&quot;page&quot;">x</a><div hx-get="/x"></div></div>'
        "</body></html>"
    )
    (tmp_path / "good.html").write_text(
        '<!doctype html><html lang="da"><head><title>x</title></head><body>'
        '<a href="/" aria-current="page">x</a><div data-hx-get="/x"></div></body></html>'
    )
    errors = vnu_errors(tmp_path)
    assert {Path(e["url"]).name for e in errors} == {"bad.html"}
    text = " ".join(e["message"] for e in errors)
    assert "aria-current" in text and "hx-get" in text


def test_every_page_of_the_matrix_is_valid_html(session_client_for, role_users, settings):
    # Kept in test-artifacts/ so a failure can be looked at (and checked again by hand).
    directory = ARTIFACTS / "html-pages"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    seen: set[str] = set()

    def keep(name: str, html: str) -> None:
        key = digest(structure(VARYING.sub("", html)))
        if key not in seen:
            seen.add(key)
            (directory / f"{name[-190:].lstrip('-')}.html").write_text(html)

    for _app, cases in cases_by_app([*WALK, *rejected_forms()]):
        for case in cases:
            with transaction.atomic():
                kwargs = case.setup(role_users) if case.setup else case.kwargs
                path = reverse(case.name, kwargs=kwargs) + case.query
                for role in rendering_roles(case):
                    client = session_client_for(role)
                    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
                    response = getattr(client, case.method)(path, case.data or {})
                    if response.status_code != case.expect[role]:
                        continue  # tests/test_url_matrix.py fails on it
                    if case.method == "post" and response.status_code == 302:
                        # The page it sends back to, with the message about what was done.
                        response = client.get(response.url)
                    if response.get("Content-Type", "").startswith("text/html"):
                        keep(f"{case_id(case)}-{case.method}--{role}", response.content.decode())
                transaction.set_rollback(True)
    assert len(seen) > 100, len(seen)
    errors = vnu_errors(directory)
    assert not errors, f"{len(errors)} errors in {len(seen)} pages:\n" + describe(errors, directory)


def rejected_forms() -> list[Case]:
    """POST cases of the matrix: a form sent back with its errors (400) and, after a redirect
    (302), the page with the message about what was done."""
    return [
        case
        for case in all_cases()
        if case.method == "post" and {400, 302} & set(case.expect.values())
    ]


def rendering_roles(case: Case) -> list[str]:
    if case.method == "get":
        return allowed_roles(case)
    # One role per outcome is enough for a POST (they see the same form or message).
    first: dict[int, str] = {}
    for role, status in case.expect.items():
        if status in (302, 400) and role != "anonymous":
            first.setdefault(status, role)
    return list(first.values())
