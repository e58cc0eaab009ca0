"""The expected status of every named URL for every role (tests/test_url_matrix.py walks it).

Each app contributes a module; a named URL with no case fails the suite, so a new page is
never left without an access rule.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

SIGNED_IN = (
    "observer",
    "member",
    "coordinator_a",
    "coordinator_b",
    "knowledge_partner",
    "secretariat",
    "administrator",
)


@dataclass(frozen=True)
class Case:
    name: str
    expect: dict[str, int]
    kwargs: dict = field(default_factory=dict)
    method: str = "get"
    data: dict | None = None
    query: str = ""
    # For URLs about objects the test must create: called with the role users (a dict of
    # role -> user), returns the URL kwargs. Overrides `kwargs`.
    setup: Callable[[dict], dict] | None = None


def page(name: str, kwargs: dict | None = None, setup=None, **overrides: int) -> Case:
    """A page every signed-in user may open; anonymous users are sent to sign in."""
    expect = {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 200), **overrides}
    return Case(name, expect, kwargs or {}, setup=setup)


def public(name: str, kwargs: dict | None = None, status: int = 200) -> Case:
    return Case(name, {"anonymous": status, **dict.fromkeys(SIGNED_IN, status)}, kwargs or {})


def only(
    name: str, allowed: set[str], kwargs: dict | None = None, denied: int = 403, setup=None
) -> Case:
    """A page for some roles only; the others are refused with `denied`."""
    expect = {"anonymous": 302}
    expect.update({role: 200 if role in allowed else denied for role in SIGNED_IN})
    return Case(name, expect, kwargs or {}, setup=setup)


def api(name: str, kwargs: dict | None = None, setup=None, **overrides: int) -> Case:
    """An API endpoint every signed-in user may read; anonymous requests get 401."""
    expect = {"anonymous": 401, **dict.fromkeys(SIGNED_IN, 200), **overrides}
    return Case(name, expect, kwargs or {}, setup=setup)


def all_cases() -> list[Case]:
    from . import (
        data_requests,
        evaluations,
        events,
        governance,
        library,
        monitoring,
        open_pages,
        partners,
        planning,
        tracks,
    )

    return [
        *partners.CASES,
        *governance.CASES,
        *monitoring.CASES,
        *monitoring.EXTRA,
        *tracks.CASES,
        *open_pages.CASES,
        *events.CASES,
        *library.CASES,
        *evaluations.CASES,
        *data_requests.CASES,
        *planning.CASES,
    ]


def cases_by_app(cases: list[Case]) -> list[tuple[str, list[Case]]]:
    """The cases split by the app whose matrix module holds them, for tests that run one app's
    cases in one test (each case in a savepoint): creating the role users for every case
    cost more than its requests."""
    from . import (
        data_requests,
        evaluations,
        events,
        governance,
        library,
        monitoring,
        open_pages,
        partners,
        planning,
        tracks,
    )

    modules = {
        "partners": partners.CASES,
        "governance": governance.CASES,
        "monitoring": [*monitoring.CASES, *monitoring.EXTRA],
        "tracks": tracks.CASES,
        "open_pages": open_pages.CASES,
        "events": events.CASES,
        "library": library.CASES,
        "evaluations": evaluations.CASES,
        "data_requests": data_requests.CASES,
        "planning": planning.CASES,
    }
    origin = {id(case): app for app, app_cases in modules.items() for case in app_cases}
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(origin.get(id(case), "other"), []).append(case)
    return list(groups.items())
