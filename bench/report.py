"""Status report benchmark: the report rendered in parts by real workers, against one pass.

    python bench/report.py [--dataset national|demo] [--reuse] [--database-url URL]
                           [--year YYYY] [--language da|en] [--workers 2] [--keep FILE.pdf]

In one run, on the same data:
1. floor: in a fresh child process, one WeasyPrint pass over the whole report (the document
   of `report_html`: every part in one HTML, CSS counting the pages);
2. cold: a Celery worker with `--workers` processes, its part cache empty, renders a new
   document as the portal does (render_status_report → a task per part → the join);
3. warm: one municipality's latest emission figure changes (a new data snapshot), and the
   same worker renders the new document: only the parts whose HTML changed are rendered.

Wall time is from the task's enqueueing to the document being done, as the user waits for
it. Memory: each worker process's peak resident set (VmHWM), so WeasyPrint's C libraries
count. Targets (issue 20), on this 2-core machine with two worker processes, `national`:
cold <= 25 s and about 2x faster than the floor, warm <= 8 s, <= 1 GiB per worker process.

The data: `--database-url` uses that database as it is; otherwise the scratch database
klima_bench_report is built with `seed_scale --preset national` (or the demo data);
`--reuse` keeps one built before. The load average is printed with the figures.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PYTHON, REDIS_URL, ROOT, build_database, database_url, has_database

DB = "klima_bench_report"
GIB = 1024**3

SETUP = """
from klimaalliancen import configure_settings_module
configure_settings_module()
import django
django.setup()
"""

FLOOR = (
    SETUP
    + """
import sys, time
from monitoring.models import Round
from monitoring.status_report.rendering import render_pdf, report_context, report_html
round = Round.objects.get(year=int(sys.argv[1]))
started = time.monotonic()
html = report_html(report_context(round, sys.argv[2]))
built = time.monotonic()
pdf, pages = render_pdf(html)
print(f"RESULT pages={pages} html={built - started:.2f} pdf={time.monotonic() - built:.2f}")
"""
)

# Ask for a new document of the round (after changing one municipality's figure for "warm")
# and wait for the worker to finish it.
DRIVE = (
    SETUP
    + """
import sys, time
from django.db.models import F
from django.utils import timezone
from monitoring.models import EmissionFigure, Round, StatusReportDocument
from monitoring.status_report.rendering import data_snapshot_at
from monitoring.tasks import render_status_report
round, language, phase = Round.objects.get(year=int(sys.argv[1])), sys.argv[2], sys.argv[3]
if phase == "warm":  # a figure the report shows: a sector group's in the round's latest year,
    # of an approved report (a sub-sector's does not show where its group has its own figure)
    figure = EmissionFigure.objects.filter(
        year=round.emissions_year, report__round=round, report__approved_at__isnull=False,
        sector__parent__isnull=True,
    ).order_by("municipality__code").first()
    EmissionFigure.objects.filter(pk=figure.pk).update(
        tonnes_co2e=F("tonnes_co2e") + 1000, entered_at=timezone.now()
    )
StatusReportDocument.objects.filter(round=round).delete()
started = time.monotonic()
document = StatusReportDocument.objects.create(
    round=round, language=language, data_snapshot_at=data_snapshot_at(round)
)
render_status_report.delay(document.pk)
while document.status not in (document.Status.DONE, document.Status.FAILED):
    time.sleep(0.05)
    document.refresh_from_db()
wall = time.monotonic() - started
if document.status != document.Status.DONE:
    sys.exit(f"the report failed: {document.error}")
parts = len(document.render_plan["parts"])
print(f"RESULT wall={wall:.2f} pages={document.page_count} parts={parts} "
      f"file={document.file.path}")
"""
)


def run_child(code: str, args: list[str], env: dict) -> tuple[float, int, dict[str, str]]:
    """Run `code` in a fresh Python: its wall time, peak RSS in bytes and RESULT fields."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            [PYTHON, "-c", code, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=errors, text=True,
        )  # fmt: skip
        out = process.stdout.read()
        _pid, status, usage = os.wait4(process.pid, 0)  # this child's own rusage
        wall = time.monotonic() - started
        if os.waitstatus_to_exitcode(status):
            errors.seek(0)
            sys.exit(f"child failed:\n{out[-2000:]}\n{errors.read()[-4000:]}")
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    fields = dict(part.split("=", 1) for part in line.split()[1:])
    fields["cpu"] = f"{usage.ru_utime + usage.ru_stime:.1f}"
    return wall, usage.ru_maxrss * 1024, fields  # ru_maxrss is in KiB on Linux


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def start_worker(env: dict, workers: int, log: Path) -> subprocess.Popen:
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "klimaalliancen", "worker", "--pool=prefork",
         f"--concurrency={workers}", "--loglevel=INFO", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-n", "bench-report@%h"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while "ready." not in log.read_text():
        if worker.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"the worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    return worker


def prepare(dataset: str, reuse: bool) -> str:
    if not (reuse and has_database(DB)):
        build_database(DB, dataset)
    return database_url(DB)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="national", choices=["demo", "national"])
    parser.add_argument("--reuse", action="store_true", help="use the database built before")
    parser.add_argument("--database-url", help="use this database as it is (no seeding)")
    parser.add_argument("--year", default="2025", help="the round")
    parser.add_argument("--language", default="da", choices=["da", "en"])
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--keep", help="copy the warm run's PDF here")
    args = parser.parse_args()

    url = args.database_url or prepare(args.dataset, args.reuse)
    files = Path(tempfile.mkdtemp(prefix="bench-report-"))  # the part cache starts empty
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DATABASE_URL": url,
            "REDIS_URL": REDIS_URL,
            "DJANGO_ENV": "production",
            "SECRET_KEY": "bench-only-secret-" + "b" * 50,
            "ALLOWED_HOSTS": "localhost",
            "LOG_LEVEL": "WARNING",
            "PRIVATE_MEDIA_ROOT": str(files),
        }
    )
    import redis

    redis.Redis.from_url(REDIS_URL).delete("celery", "unacked", "unacked_index")
    load_before = os.getloadavg()[0]
    floor_wall, floor_rss, floor = run_child(FLOOR, [args.year, args.language], env)
    worker = start_worker(env, args.workers, files / "worker.log")
    try:
        pool = children(worker.pid)
        _w, _r, cold = run_child(DRIVE, [args.year, args.language, "cold"], env)
        cold_log = len((files / "worker.log").read_text())
        _w, _r, warm = run_child(DRIVE, [args.year, args.language, "warm"], env)
        peaks = [peak_rss(pid) for pid in pool]
        if args.keep:
            shutil.copy(warm["file"], args.keep)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(60)
    log = (files / "worker.log").read_text()
    Path(tempfile.gettempdir(), "bench-report-worker.log").write_text(log)  # task times

    def parts_rendered(text: str) -> int:
        return sum(
            1 for line in text.splitlines() if "render_status_report_part[" in line and
            "succeeded" in line
        )  # fmt: skip

    shutil.rmtree(files, ignore_errors=True)
    load_after = os.getloadavg()[0]

    cold_wall, warm_wall = float(cold["wall"]), float(warm["wall"])
    database = url.rsplit("/", 1)[-1]
    print(
        f"status report benchmark: {database}, round {args.year}, language {args.language}, "
        f"{os.cpu_count()} CPUs, {args.workers} worker processes; "
        f"load average before {load_before:.1f}, after {load_after:.1f}"
    )
    print(
        f"floor (one WeasyPrint pass): {floor_wall:6.1f} s wall, {floor['cpu']} s CPU, "
        f"{floor_rss / 2**20:.0f} MiB, {floor['pages']} pages "
        f"(HTML {floor['html']} s, WeasyPrint {floor['pdf']} s)"
    )
    print(f"cold (empty part cache):     {cold_wall:6.1f} s wall, {cold['pages']} pages, "
          f"{cold['parts']} parts")  # fmt: skip
    print(f"warm (one figure changed):   {warm_wall:6.1f} s wall, {warm['pages']} pages")
    print(
        f"part tasks run: cold {parts_rendered(log[:cold_log])}, "
        f"warm {parts_rendered(log[cold_log:])}"
    )
    print("worker processes' peak memory: " + ", ".join(f"{p / 2**20:.0f} MiB" for p in peaks))
    checks = [
        ("cold <= 25 s (wall)", cold_wall <= 25, f"{cold_wall:.1f} s"),
        (
            "cold about 2x faster than one pass (<= 0.55 x the floor)",
            cold_wall <= 0.55 * floor_wall,
            f"{cold_wall / floor_wall:.2f} x",
        ),
        ("warm <= 8 s (wall)", warm_wall <= 8, f"{warm_wall:.1f} s"),
        ("<= 1 GiB per worker process", max(peaks) <= GIB, f"{max(peaks) / 2**20:.0f} MiB"),
        ("same pages as one pass", cold["pages"] == floor["pages"], cold["pages"]),
    ]
    for name, ok, value in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {name}: {value}")


if __name__ == "__main__":
    main()
