"""Presets for `manage.py seed_scale`: synthetic data at national size and far beyond it.

Each portal app contributes its part in its own `scale.py` (found through
`portal_modules("scale")`, in PORTAL_APPS order), with a `seed(preset, seed) -> list[str]`
function. Everything is drawn from seeded random generators, so a preset and a seed always give
the same data, and written with bulk_create. Scale data sit on top of the reference data and are
recognisable: users are named `scale-…`, synthetic DGOs `skala-…`, synthetic municipalities have
six-digit codes from 100000.

The query-count tests (tests/test_query_scaling.py) use the same modules with small presets, so
the data a page is measured on is the data it must display without errors.
"""

import random
from dataclasses import dataclass

from django.db import connection

USER_PREFIX = "scale-"
FIRST_SYNTHETIC_CODE = 100_000
LAST_ROUND_YEAR = 2026  # the open round; earlier rounds are closed


@dataclass(frozen=True)
class Preset:
    name: str
    rounds: int  # yearly rounds, the last open
    actions: int  # actions per municipality, each with a status in every round
    tracks: int
    users: int
    meetings_per_year: int  # per body, over the years of the rounds
    decisions_per_meeting: int = 2
    synthetic_dgos: int = 0  # 0: the five real DGOs
    synthetic_municipalities: int = 0  # 0: the 98 real municipalities only
    updates_per_track: int = 3

    @property
    def years(self) -> range:
        return range(LAST_ROUND_YEAR - self.rounds + 1, LAST_ROUND_YEAR + 1)


PRESETS = {
    "national": Preset(
        "national", rounds=5, actions=60, tracks=60, users=400, meetings_per_year=10
    ),
    "xl": Preset(
        "xl",
        rounds=10,
        actions=60,
        tracks=60,
        users=400,
        meetings_per_year=10,
        synthetic_dgos=50,
        synthetic_municipalities=10_000,
    ),
}


def rng_for(app: str, seed: int) -> random.Random:
    return random.Random(f"{app}-{seed}")  # noqa: S311 - synthetic data, not security


def seed_all(preset: Preset, seed: int = 1, log=None) -> dict[str, list[str]]:
    """Run every app's scale module in order; returns what each created."""
    from core.portal_apps import portal_modules

    created = {}
    for app, module in portal_modules("scale"):
        created[app] = module.seed(preset, seed)
        if log:
            log(app, created[app])
    analyze_after_bulk_load()
    return created


def analyze_after_bulk_load() -> None:
    """A bulk load (seed_scale, seed_demo) leaves the planner's statistics describing the tables
    as they were before it: until autovacuum analyzes them (a minute or so after the commit;
    inside a transaction that is rolled back, as in the tests, never), the queries over the new
    rows are planned for a handful of rows, nested loops over a hundred thousand (the national
    monitoring page took 1.8 s instead of 0.3 s on the large test data set). ANALYZE inside the
    loading transaction sees its rows, and its statistics commit or roll back with them."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
