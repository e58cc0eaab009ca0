"""docs/api-client.md's examples, run as written against a running portal (live_server): the
curl commands with bash and curl, the Python example with `requests` in its own process, each
with a coordinator's personal token. Then the portal shows the change in the report's history."""

import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from monitoring.models import Action, EmissionFigure, StatusReport
from partners import services
from tests.monitoring.factories import make_report, make_round

DOC = Path(__file__).resolve().parent.parent / "docs" / "api-client.md"


def block(language: str) -> str:
    found = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    assert len(found) == 1, f"one {language} example in {DOC.name}"
    return found[0]


@pytest.fixture
def script_env(live_server, reference_data, role_users, tmp_path):
    report = make_report(make_round(), "751")
    secret = services.api_token_create(user=role_users["coordinator_a"], name="Docs").secret
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "KA_API": f"{live_server.url}/api",
        "KA_TOKEN": secret,
    }
    return report, env


def run(args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_the_curl_example_updates_the_draft(script_env, tmp_path):
    report, env = script_env
    done = run(["bash", "-euo", "pipefail", "-c", block("sh")], env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    report.refresh_from_db()
    assert report.target_2030_reduction_pct == Decimal("65.00")
    figure = EmissionFigure.objects.get(
        municipality=report.municipality,
        year=report.round.emissions_year,
        sector__key="road_transport",
        data_release=report.data_release,
    )
    assert figure.tonnes_co2e == Decimal("41250.00")


@pytest.mark.django_db(transaction=True)
def test_the_python_example_updates_the_draft_and_the_portal_shows_it(
    script_env, tmp_path, client_for, role_users
):
    report, env = script_env
    done = run([sys.executable, "-c", block("python")], env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Read version {report.version} in state draft" in done.stdout
    assert f"Saved version {report.version + 1}" in done.stdout
    saved = StatusReport.objects.get(pk=report.pk)
    assert saved.target_2030_reduction_pct == Decimal("60.00")
    assert Action.objects.filter(report=report, name="Elbusser i bybusdriften").exists()
    page = client_for("coordinator_a").get(
        reverse("monitoring-report-detail", kwargs={"year": 2026, "code": "751"})
    )
    history = page.content.decode().split('id="history"')[1]
    assert str(role_users["coordinator_a"]) in history and "Elbusser i bybusdriften" in history
