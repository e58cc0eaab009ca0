"""Import benchmark: a full round from xlsx (every municipality, every sector, the checklist;
the actions carry over from each municipality's previous report), dry run and confirm, against
the floor: bulk_create of the same rows (reports, emission figures, checklist answers, actions).

    python bench/import.py [--preset national|xl] [--reuse] [--runs 3] [--what round|accounts]

`--what accounts`: the national accounts import (monitoring/imports/accounts.py) of a file in
the accounts' layout, 98 municipalities x 2018-2023 (588 rows, 2,940 figures), dry run and
confirm, against bulk_create of the same figures and the release row.

On `national` the file has the 98 municipalities; on `xl` 10,098 (the 10,000 synthetic ones and
the real ones), with the import limits raised for it (MONITORING_IMPORT_MAX_ROWS/_BYTES).
Each run works inside a transaction that is rolled back, so runs see the same data; the
steps take turns run by run. Prints
rows/s of the dry run and of the confirmed import, the floor's rows/s and the ratios (medians).
For information it also times `floor_audited`: the floor plus one audit entry per row (built
with auditlog's diff, one LogEntry bulk_create), which the import writes and the floor does not.
The database is the one bench/load.py prepares (BENCH_DB, default klima_bench_<preset>).
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import manage, recreate_database
from load import has_database

SCRIPT = r"""
import json, statistics, time
from decimal import Decimal
from auditlog.context import disable_auditlog
from django.db import transaction
from monitoring import exports
from monitoring.imports import rounds as rounds_import, spreadsheet
from monitoring.models import Action, ChecklistAnswer, EmissionFigure, Round, StatusReport
from partners.models import User

RUNS = %(runs)d
round = Round.objects.filter(status="open").order_by("-year").get()
previous = Round.objects.filter(year__lt=round.year).order_by("-year").first()
by = User.objects.get(username="scale-sekretariat")
sectors, requirements, spec = exports._reference()
_spec, rows = exports.template_rows(round=round)
for n, row in enumerate(rows):  # every municipality reports every sector, a new release
    row["data_release"] = f"{round.year}-2"
    for i, sector in enumerate(sectors):
        row[f"{spreadsheet.SECTOR_PREFIX}{sector.key}"] = 1000 + 37 * i + n %% 100
    for requirement in requirements:
        row[f"{spreadsheet.CHECKLIST_PREFIX}{requirement.key}"] = "yes"
    if row.get("plan_status") in (None, "", "none"):
        row["plan_status"] = "in_preparation"
content = spreadsheet.render(
    spreadsheet.dataset(spec, rows), "xlsx", spreadsheet.guide_dataset(spec)
)
n_rows = len(rows)


class Rollback(Exception):
    pass


def fresh_round():
    # The first import of the round: no report started yet (so none approved, which the
    # import would refuse); emission figures of the round's year from earlier imports go too.
    # Not audited: this is the benchmark's setup, rolled back at the end of the run.
    with disable_auditlog():
        _clear_round()


def _clear_round():
    # Raw deletes: no per-object signals (hundreds of thousands of actions on xl).
    for queryset in (
        EmissionFigure.objects.filter(report__round=round),
        ChecklistAnswer.objects.filter(report__round=round),
        Action.objects.filter(report__round=round),
        StatusReport.objects.filter(round=round),
    ):
        queryset._raw_delete(queryset.db)


def timed(work):
    try:
        with transaction.atomic():
            fresh_round()
            started = time.perf_counter()
            result = work()
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return elapsed, result


def dry():
    result = rounds_import.round_import(round=round, by=by, content=content,
                                   filename="round.xlsx", dry_run=True)
    problems = result.file_errors + [(o.code, o.errors) for o in result.rows if o.errors]
    assert result.is_valid, problems[:5]
    return result


def confirm():
    result = rounds_import.round_import(round=round, by=by, content=content,
                                   filename="round.xlsx", dry_run=False)
    assert result.is_valid and result.written, result.lines()[:10]
    written = {
        "reports": StatusReport.objects.filter(round=round).count(),
        "figures": EmissionFigure.objects.filter(data_release=f"{round.year}-2").count(),
        "actions": Action.objects.filter(report__round=round).count(),
    }
    return written


def floor():
    # The same rows with bulk_create: a report per municipality in a scratch round, its
    # figures, its checklist and its previous report's actions.
    from partners.models import Municipality
    scratch = Round.objects.create(year=round.year + 1, emissions_year=round.emissions_year,
                                   opens_on=round.opens_on, deadline=round.deadline)
    municipalities = list(Municipality.objects.order_by("code"))
    reports = StatusReport.objects.bulk_create(
        StatusReport(round=scratch, municipality=m, data_release=f"{round.year}-2",
                     plan_status="in_preparation", updated_by=by) for m in municipalities)
    figures = EmissionFigure.objects.bulk_create(
        (EmissionFigure(municipality_id=r.municipality_id, year=round.emissions_year, sector=s,
                        tonnes_co2e=Decimal(1000), data_release=f"{round.year}-2", report=r)
         for r in reports for s in sectors), batch_size=5000)
    answers = ChecklistAnswer.objects.bulk_create(
        (ChecklistAnswer(report=r, requirement=q, met=True) for r in reports
         for q in requirements), batch_size=5000)
    earlier = {}
    for a in Action.objects.filter(report__round=previous).values("report__municipality_id",
                                                                   "name", "sector_id", "status"):
        earlier.setdefault(a["report__municipality_id"], []).append(a)
    actions = Action.objects.bulk_create(
        (Action(report=r, name=a["name"], sector_id=a["sector_id"], status=a["status"])
         for r in reports for a in earlier.get(r.municipality_id, [])), batch_size=5000)
    return reports, figures, answers, actions


def floor_audited():
    # The floor plus what the audit trail asks of any write: one auditlog entry per row,
    # built with auditlog's diff and inserted with one bulk_create (not the target's floor).
    from core.bulk_audit import BulkAuditTrail
    trail = BulkAuditTrail(actor=by)
    for rows in floor():
        for row in rows:
            trail.created(row)
    trail.write()


figures = {"rows": n_rows, "file_bytes": len(content)}
steps = [("dry_run", dry), ("confirm", confirm), ("floor", floor),
         ("floor_audited", floor_audited)]
if %(dry_only)r:
    steps.pop(1)
times = {name: [] for name, _work in steps}
for _ in range(RUNS):  # interleaved: a change of the machine's load hits every step alike
    for name, work in steps:
        elapsed, result = timed(work)
        times[name].append(elapsed)
        if name == "confirm":
            figures["written"] = result
for name, values in times.items():
    figures[name] = statistics.median(values)
print(json.dumps(figures))
"""


ACCOUNTS_SCRIPT = r"""
import json, statistics, time
from django.db import transaction
from monitoring.imports.accounts import national_accounts_import
from monitoring.models import DataRelease, EmissionFigure, Sector
from partners.models import Municipality, User
from tests.monitoring import accounts_files as files

RUNS = %(runs)d
by = User.objects.get(username="scale-sekretariat")
rows = files.wide_rows()  # 98 municipalities x 2018-2023, the accounts' layout
content = files.as_csv(rows)
RELEASE = "2099-1"  # a release of its own, newer than any the data set has


class Rollback(Exception):
    pass


def timed(work):
    try:
        with transaction.atomic():
            started = time.perf_counter()
            result = work()
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return elapsed, result


def dry():
    result = national_accounts_import(release=RELEASE, by=by, content=content,
                                      filename="regnskab.csv", dry_run=True)
    assert result.is_valid, result.lines()[:5]


def confirm():
    result = national_accounts_import(release=RELEASE, by=by, content=content,
                                      filename="regnskab.csv", dry_run=False)
    assert result.written, result.lines()[:5]
    return EmissionFigure.objects.filter(data_release=RELEASE).count()


def floor():
    # The same figures and the release row with bulk_create, from the parsed values.
    groups = {s.name_da: s for s in Sector.objects.filter(parent__isnull=True)}
    municipalities = {m.code: m for m in Municipality.objects.all()}
    DataRelease.objects.create(name=RELEASE, source="bench", imported_by=by)
    EmissionFigure.objects.bulk_create(
        (EmissionFigure(municipality=municipalities[code.lstrip("0").zfill(3)], year=year,
                        sector=groups[group], tonnes_co2e=value, data_release=RELEASE,
                        data_source="bench", entered_by=by)
         for code, _name, year, *values in rows[1:]
         for group, value in zip(files.GROUPS, values[:5], strict=True)), batch_size=5000)


figures = {"rows": len(rows) - 1, "file_bytes": len(content)}
steps = [("dry_run", dry), ("confirm", confirm), ("floor", floor)]
times = {name: [] for name, _work in steps}
for _ in range(RUNS):
    for name, work in steps:
        elapsed, result = timed(work)
        times[name].append(elapsed)
        if name == "confirm":
            figures["written"] = {"figures": result}
for name, values in times.items():
    figures[name] = statistics.median(values)
print(json.dumps(figures))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="national", choices=["national", "xl"])
    parser.add_argument("--reuse", action="store_true", help="use a database prepared before")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--what",
        default="round",
        choices=["round", "accounts"],
        help="the round import, or the national accounts (98 municipalities x 6 years)",
    )
    parser.add_argument(
        "--dry-run-only",
        action="store_true",
        help="skip the confirmed import (on xl it writes row by row for hours, see README)",
    )
    args = parser.parse_args()
    db = os.environ.get("BENCH_DB", f"klima_bench_{args.preset}")
    if not (args.reuse and has_database(db)):
        recreate_database(db)
        manage(db, "migrate", "-v0")
        manage(db, "load_reference_data")
        print(manage(db, "seed_scale", "--preset", args.preset).strip().splitlines()[-1])
    limits = {"MONITORING_IMPORT_MAX_ROWS": "20000", "MONITORING_IMPORT_MAX_BYTES": str(64 << 20)}
    script = (
        ACCOUNTS_SCRIPT % {"runs": args.runs}
        if args.what == "accounts"
        else SCRIPT % {"runs": args.runs, "dry_only": args.dry_run_only}
    )
    out = manage(db, "shell", "--no-imports", "-c", script, **limits)
    figures = json.loads(out.strip().splitlines()[-1])
    rows = figures["rows"]
    print(
        f"{args.what}: preset={args.preset} rows={rows} file={figures['file_bytes'] / 1e6:.2f} MB "
        f"runs={args.runs} (medians); written by the import: {figures.get('written', '-')}"
    )
    print(f"{'step':<22}{'seconds':>9}{'rows/s':>10}{'x floor':>9}  target (<= 3x floor)")
    floor = figures["floor"]
    for step in [s for s in ("dry_run", "confirm", "floor", "floor_audited") if s in figures]:
        ratio = figures[step] / floor
        verdict = "" if step.startswith("floor") else ("met" if ratio <= 3 else "MISSED")
        print(
            f"{step:<22}{figures[step]:>9.2f}{rows / figures[step]:>10.1f}{ratio:>9.1f}  {verdict}"
        )
    if "confirm" in figures and "floor_audited" in figures:
        print(
            f"confirm / floor_audited (the same rows and their audit entries): "
            f"{figures['confirm'] / figures['floor_audited']:.1f}"
        )


if __name__ == "__main__":
    main()
