"""Where a page's time goes: cProfile of the benchmark's pages, in process.

    python bench/pageprofile.py [--preset national] [--only "track list,API"] [--requests 10]
                            [--top 25]

Each page of bench/load.py is opened once (warm) and then --requests times under cProfile,
in-process with the production settings, by the same people, against the benchmark database
(BENCH_DB, default klima_bench_<preset>, prepared by bench/load.py). Prints per page the time
of one request and its queries, then the functions with the most cumulative time that live in
the portal's own code (the rest is Django's), then the most own time anywhere. Profiling
slows Python down several times; read the shares, not the milliseconds.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, manage

SCRIPT = r"""
import cProfile, io, pstats, time
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice
from partners.models import User
from load import pages as PAGES_FOR

settings.ALLOWED_HOSTS = ["*"]
found = %(found)r
words = %(words)r
OWN = r"%(root)s/(?!\.venv)"
for label, path, role, _ in PAGES_FOR(found):
    if path == "/_hello/" or (words and not any(w in label.lower() for w in words)):
        continue
    user = User.objects.get(username=%(people)r[role])
    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    client.get(path, secure=True)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path, secure=True)
        once = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(%(requests)d):
        client.get(path, secure=True)
    profile.disable()
    print(f"=== {label} ({path}): {once:.1f} ms, {len(queries)} queries unprofiled")
    for order, restrict in (("cumulative", OWN), ("tottime", None)):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(order)
        if restrict:
            stats.print_stats(restrict, %(top)d)
        else:
            stats.print_stats(%(top)d)
        text = out.getvalue()
        body = text[text.index("   ncalls"):] if "   ncalls" in text else text
        print(f"--- by {order}" + (" (the portal's own code)" if restrict else ""))
        body = body.replace("%(root)s/", "").replace(".venv/lib/python3.11/site-packages/", "")
        print(body.rstrip())
    print()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="national", choices=["demo", "national", "xl"])
    parser.add_argument("--only", default="")
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    from load import PEOPLE, PREPARE

    db = os.environ.get("BENCH_DB", f"klima_bench_{args.preset}")
    people = PEOPLE["demo" if args.preset == "demo" else "scale"]
    found = json.loads(manage(db, "shell", "--no-imports", "-c", PREPARE % people).splitlines()[-1])
    found.pop("sessions")
    words = [w.strip().lower() for w in args.only.split(",") if w.strip()]
    script = SCRIPT % {
        "found": found,
        "people": people,
        "words": words,
        "requests": args.requests,
        "top": args.top,
        "root": str(ROOT),
    }
    print(manage(db, "shell", "--no-imports", "-c", script, PYTHONPATH=str(Path(__file__).parent)))


if __name__ == "__main__":
    main()
