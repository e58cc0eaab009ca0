"""EXPLAIN (ANALYZE) of the slowest queries behind the benchmark's pages.

    python bench/explain.py [--preset xl] [--top 8]

Opens every page of bench/load.py once (warm) and once measured, in-process with the production
settings, against the benchmark database (BENCH_DB, default klima_bench_<preset>, prepared by
bench/load.py), takes the slowest queries, runs EXPLAIN (ANALYZE, BUFFERS) on each and prints
the plans abridged, flagging any sequential scan over a large table.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import manage

LARGE_TABLES = (
    "partners_municipality",
    "monitoring_statusreport",
    "monitoring_emissionfigure",
    "monitoring_action",
    "monitoring_checklistanswer",
    "governance_meeting",
    "governance_decision",
    "governance_vote",
    "governance_agendaitem",
)

SCRIPT = r"""
import re, time
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice
from partners.models import User
from load import pages as PAGES_FOR

settings.ALLOWED_HOSTS = ["*"]
LARGE = %(large)r
found = %(found)r
results = []
for label, path, role, _ in PAGES_FOR(found):
    if path == "/_hello/":  # answered by gunicorn's WSGI wrapper, not by Django
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
        total = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    print(f"{label:<26} {total:8.1f} ms {len(queries):3d} queries")
    for q in queries.captured_queries:
        results.append((float(q["time"]) * 1000, label, q["sql"]))
# Rank the distinct queries by their own execution time under EXPLAIN ANALYZE (the wall
# clock of a shared machine is too noisy to rank by).
plans = {}
for _ms, label, sql in results:
    key = re.sub(r"\d+", "N", sql)[:300]
    if key in plans or not sql.lstrip().upper().startswith("SELECT"):
        continue
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    executed = float(re.search(r"Execution Time: ([\d.]+)", plan[-1]).group(1))
    plans[key] = (executed, label, sql, plan)
ranked = sorted(plans.values(), key=lambda item: item[0], reverse=True)
flagged = [item for item in ranked
           if any(f"Seq Scan on {t} " in line + " " for t in LARGE for line in item[3])]
print(f"{len(ranked)} distinct queries; {len(flagged)} with a sequential scan on a large table")
print()
shown = ranked[:%(top)d] + [f for f in flagged if f not in ranked[:%(top)d]]
for executed, label, sql, plan in shown:
    seq = sorted({t for t in LARGE for line in plan if f"Seq Scan on {t} " in line + " "})
    print(f"### {label}: {executed:.1f} ms" + (f"  SEQ SCAN on {', '.join(seq)}" if seq else ""))
    print("    " + (sql[:300] + (" …" if len(sql) > 300 else "")))
    for line in plan[:16]:
        print("    " + line[:150])
    if len(plan) > 16:
        print(f"    … ({len(plan) - 16} more plan lines)")
    print()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="xl", choices=["demo", "national", "xl"])
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    from load import PEOPLE, PREPARE

    db = os.environ.get("BENCH_DB", f"klima_bench_{args.preset}")
    people = PEOPLE["demo" if args.preset == "demo" else "scale"]

    found = json.loads(manage(db, "shell", "--no-imports", "-c", PREPARE % people).splitlines()[-1])
    found.pop("sessions")
    script = SCRIPT % {"large": LARGE_TABLES, "found": found, "people": people, "top": args.top}
    print(manage(db, "shell", "--no-imports", "-c", script, PYTHONPATH=str(Path(__file__).parent)))


if __name__ == "__main__":
    main()
