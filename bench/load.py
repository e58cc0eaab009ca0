"""Load benchmark: the portal under gunicorn (production settings, DEBUG off) on PostgreSQL and
Redis, driven by wrk for a fixed time and concurrency per page, against the floor (a trivial
view through the same middleware and sign-in).

    python bench/load.py [--dataset demo|national|xl] [--seconds 10] [--connections 20] [--runs 3]

Prints per page p50/p95/p99 latency (ms), requests/s, errors and throughput as a share of the
floor (medians over the runs). The server is pinned to CPU 0 and wrk to CPU 1 where taskset
exists; both share this machine, so read the figures as relative.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PYTHON, ROOT, env_for, manage, recreate_database

DB = "klima_bench_load"
PORT = 8765
LUA = str(Path(__file__).resolve().parent / "wrk_report.lua")

SESSIONS = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp.plugins.otp_totp.models import TOTPDevice
from partners.models import User
out = {}
for username in %r:
    user = User.objects.get(username=username)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "partners.auth.EmailOrUsernameBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["otp_device_id"] = device.persistent_id
    session.create()
    out[username] = session.session_key
print(json.dumps(out))
"""

# (label, path, user). Apps add their pages here as they arrive.
PAGES = [
    ("floor", "/_floor/", "koordinator-midt"),
    ("dashboard (coordinator)", "/", "koordinator-midt"),
    ("dashboard (secretariat)", "/", "sekretariat"),
    ("dashboard (FU member)", "/", "fu-medlem"),
    ("municipality list", "/municipalities/", "koordinator-midt"),
    ("municipality page", "/municipalities/751/", "koordinator-midt"),
    ("DGO page", "/dgo/midtjylland/", "koordinator-midt"),
    ("API municipalities", "/api/municipalities/", "koordinator-midt"),
]


def prepare(dataset: str) -> dict[str, str]:
    recreate_database(DB)
    manage(DB, "migrate", "-v0")
    manage(DB, "collectstatic", "--noinput", "-v0")
    manage(DB, "load_reference_data")
    # Demo users and content need DEBUG for seeding only; the server below runs without it.
    manage(DB, "seed_demo", DJANGO_ENV="development", DEBUG="true")
    if dataset != "demo":
        manage(DB, "seed_scale", "--preset", dataset, DJANGO_ENV="development", DEBUG="true")
    users = sorted({user for _, _, user in PAGES})
    return json.loads(manage(DB, "shell", "--no-imports", "-c", SESSIONS % users).splitlines()[-1])


def pinned(cpu: int, command: list[str]) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if shutil.which("taskset") else command


def start_server() -> subprocess.Popen:
    server = subprocess.Popen(
        pinned(
            0,
            [
                PYTHON,
                "-m",
                "gunicorn",
                "klimaalliancen.wsgi:application",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--log-level",
                "warning",
            ],
        ),
        cwd=ROOT,
        env=env_for(DB),
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health/", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start")


def preflight(path: str, session: str) -> None:
    """Each page must answer 200 for its user before it is measured."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}", headers={"Cookie": f"sessionid={session}"}
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        status = opener.open(request, timeout=10).status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        sys.exit(f"{path} answered {status} before the run; fix that first")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def drive(path: str, session: str, seconds: int, connections: int) -> dict:
    command = pinned(
        1,
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            LUA,
            "-H",
            f"Cookie: sessionid={session}",
            f"http://127.0.0.1:{PORT}{path}",
        ],
    )
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode or not lines:
        sys.exit(f"wrk failed on {path}:\n{result.stdout}\n{result.stderr}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="demo", choices=["demo", "national", "xl"])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    sessions = prepare(args.dataset)
    server = start_server()
    results: dict[str, list[dict]] = {label: [] for label, _, _ in PAGES}
    try:
        for _, path, user in PAGES:
            preflight(path, sessions[user])
        for _ in range(args.runs):
            for label, path, user in PAGES:
                results[label].append(drive(path, sessions[user], args.seconds, args.connections))
    finally:
        server.terminate()
        server.wait(10)
    median = {
        label: {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        for label, runs in results.items()
    }
    floor = median["floor"]["rps"]
    print(
        f"dataset={args.dataset} connections={args.connections} seconds={args.seconds} "
        f"runs={args.runs} (medians); server on CPU 0, wrk on CPU 1"
    )
    print(
        f"{'page':<28}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}{'errors':>8}"
        f"{'of floor':>10}"
    )
    for label, figures in median.items():
        print(
            f"{label:<28}{figures['p50']:>9.1f}{figures['p95']:>9.1f}{figures['p99']:>9.1f}"
            f"{figures['rps']:>9.1f}{figures['errors']:>8.0f}{figures['rps'] / floor:>10.0%}"
        )


if __name__ == "__main__":
    main()
