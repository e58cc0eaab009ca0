import io

import pytest
from django.core.management import call_command
from django.test import TransactionTestCase

from klimaalliancen.celery import app
from partners.models import RoleAssignment

from .browser import _chromium, browser_page, module_page  # noqa: F401  (browser fixtures)
from .database_state import DatabaseSnapshot
from .factories import make_user, verify_mfa

Role = RoleAssignment.Role

# The roles every access test is run for. Governance adds seats to `observer` and `member`.
ROLES = [
    "anonymous",
    "observer",
    "member",
    "coordinator_a",  # coordinator of DGO Midtjylland (Aarhus, 751, is theirs)
    "coordinator_b",  # coordinator of DGO Hovedstaden
    "knowledge_partner",
    "secretariat",
    "administrator",
]


@pytest.fixture
def eager_celery():
    """Run tasks in-process. Celery reads its configuration once, so overriding the Django
    setting CELERY_TASK_ALWAYS_EAGER in a test has no effect after the first task ran."""
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def load_reference_data() -> None:
    call_command("load_reference_data", stdout=io.StringIO())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data is loaded once; each rolled-back test's transaction rolls back on top of
    it, and each transactional test ends by putting the database back as it is here (see
    tests/database_state.py) instead of emptying it."""
    from django.db import connection

    with django_db_blocker.unblock():
        load_reference_data()
        _snapshots[connection.alias] = DatabaseSnapshot.take(connection)
    TransactionTestCase._fixture_teardown = _restore_instead_of_flush
    yield
    TransactionTestCase._fixture_teardown = _django_flush


_snapshots: dict[str, DatabaseSnapshot] = {}
_django_flush = TransactionTestCase._fixture_teardown  # for what the snapshot cannot stand for


def _restore_instead_of_flush(self) -> None:
    from django.db import connections

    aliases = list(self._databases_names(include_mirrors=False))
    if (
        self.available_apps is not None
        or self.serialized_rollback
        or set(aliases) - set(_snapshots)
    ):
        return _django_flush(self)
    for alias in aliases:
        _snapshots[alias].restore(connections[alias])


def _is_transactional(request) -> bool:
    """For a fixture request or a collected test item."""
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        return True
    node = getattr(request, "node", request)
    marker = node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.fixture(scope="module")
def module_transaction(request, django_db_setup, django_db_blocker):
    """Data built once for a module's rolled-back tests instead of once per test: a
    module-scoped fixture asks for this one and builds its rows inside
    `django_db_blocker.unblock()`. This transaction stays open over the module's tests; each
    test's own transaction is a savepoint inside it and rolls back to it, so every test starts
    from the same rows, as if they were built for it alone. At the module's end this one rolls
    back too. Only for modules without transactional tests (they commit), which is checked."""
    from django.db import transaction

    module = request.node
    committing = [
        item.nodeid
        for item in request.session.items
        if item.nodeid.startswith(module.nodeid + "::") and _is_transactional(item)
    ]
    assert not committing, f"module_transaction in a module with transactional tests: {committing}"
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def reference_data(transactional_db):
    """For transactional tests, which commit: the reference data is there, as in the rolled-back
    ones (each transactional test ends by putting it back; see django_db_setup)."""


def build_role_users() -> dict:
    users = {
        "anonymous": None,
        "observer": make_user(username="observer"),
        "member": make_user(username="member"),
        "coordinator_a": make_user(
            Role.DGO_COORDINATOR, dgo_slug="midtjylland", username="coord-a"
        ),
        "coordinator_b": make_user(
            Role.DGO_COORDINATOR, dgo_slug="hovedstaden", username="coord-b"
        ),
        "knowledge_partner": make_user(Role.KNOWLEDGE_PARTNER, org_code="concito", username="kp"),
        "secretariat": make_user(Role.SECRETARIAT, username="secretariat"),
        "administrator": make_user(Role.ADMINISTRATOR, username="administrator", is_staff=True),
    }
    seat_role_users(users)
    return users


def per_module(module_fixture: str):
    """Marks a function-scoped data fixture whose rows a module's rolled-back tests may share:
    `module_fixture` (module-scoped, on module_transaction) builds them once, and
    pytest_collection_modifyitems sets it up before the test's own transaction wherever the
    module allows (see _shares_module_data). The fixture reads them afresh for each test when
    `module_fixture` is among request.fixturenames, and builds its own otherwise."""

    def mark(function):
        function.per_module = module_fixture
        return function

    return mark


@pytest.fixture(scope="module")
def _module_role_users(module_transaction, django_db_blocker) -> dict:
    """The role users built once for a module's rolled-back tests (see module_transaction and
    pytest_collection_modifyitems): their primary keys."""
    with django_db_blocker.unblock():
        return {role: user and user.pk for role, user in build_role_users().items()}


@pytest.fixture
@per_module("_module_role_users")
def role_users(request, db) -> dict:
    """One user per role of ROLES (None for anonymous), as the services grant them. In a module
    without transactional tests they are built once for the module and each test reads them
    afresh (its own objects, nothing cached on them); a test's changes roll back with it. The
    cache is emptied first: the users keep their keys from test to test, so nothing a test left
    there under a user's key (an API idempotency key, say) reaches the next."""
    if "_module_role_users" not in request.fixturenames:
        return build_role_users()
    from django.core.cache import cache

    from partners.models import User

    cache.clear()
    pks = request.getfixturevalue("_module_role_users")  # set up before the test: no new rows
    found = User.objects.in_bulk([pk for pk in pks.values() if pk])
    return {role: pk and found[pk] for role, pk in pks.items()}


@pytest.fixture(scope="module")
def _module_people(module_transaction, django_db_blocker) -> dict:
    """The people of a track's life (tests/tracks/factories.People) built once for a module's
    rolled-back tests: their primary keys (see per_module)."""
    from tests.tracks.factories import People

    with django_db_blocker.unblock():
        return People().keys()


def shared_people(request):
    """The `people` fixture of the tracks, evaluations and data-request tests."""
    from tests.tracks.factories import People

    if "_module_people" not in request.fixturenames:
        return People()
    from django.core.cache import cache

    cache.clear()  # as for role_users
    return People.read(request.getfixturevalue("_module_people"))


def seat_role_users(users: dict) -> None:
    """`observer` observes in FU and PUG (for Realdania); `member` holds a voting seat in FU."""
    from governance.models import Body, SeatRole
    from governance.services import membership_add
    from partners.models import Organisation

    fu, pug = Body.objects.get(code="fu"), Body.objects.get(code="pug")
    realdania, kl = Organisation.objects.get(code="realdania"), Organisation.objects.get(code="kl")
    for body in (fu, pug):
        membership_add(
            body=body,
            person=users["observer"],
            seat_role=SeatRole.OBSERVER,
            appointed_by=realdania,
            by=None,
        )
    membership_add(
        body=fu, person=users["member"], seat_role=SeatRole.MEMBER, appointed_by=kl, by=None
    )


@pytest.fixture
def client_for(client, role_users):
    """client_for("secretariat") is a test client signed in as that role's user."""

    def sign_in(role: str):
        client.logout()
        user = role_users[role]
        if user is not None:
            client.force_login(user)
            verify_mfa(client, user)
        return client

    return sign_in


@pytest.fixture
def session_client_for(client, role_users):
    """Like client_for, for tests that switch roles thousands of times: each role signs in
    once, and switching sets that role's session cookie on the client."""
    from django.conf import settings

    from .browser import session_cookie

    sessions = {role: session_cookie(user) for role, user in role_users.items() if user}

    def switch(role: str):
        client.cookies.clear()
        if role in sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
        return client

    return switch


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, past the two-factor step a superuser must take."""
    client.force_login(admin_user)
    verify_mfa(client, admin_user)
    return client


# --- the demo data, seeded once per test process --------------------------------------------
# `seed_demo` writes thousands of rows through the services (20 s or more). A test that needs
# the demo asks for `demo_data`: it then runs in a copy of this process's test database that
# holds the demo, made once (CREATE DATABASE … TEMPLATE, then seed_demo), inside a transaction
# rolled back at its end like any test — so the copy stays as seeded for the next one.
_demo_database: str | None = None


def _admin_connection():
    import psycopg
    from django.db import connection

    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    )


def _seed_demo_database(source: str) -> str:
    from django.db import connection, transaction
    from django.test.utils import override_settings

    name = f"{source}_demo"
    connection.close()
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # A template must have no other session: this process's own are closed above.
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [source],
        )
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    connection.settings_dict["NAME"] = name
    try:
        with override_settings(DEBUG=True), transaction.atomic():
            call_command("seed_demo", stdout=io.StringIO())
            # As in a test's own transaction: what seed_demo leaves for after the commit
            # (mail, tasks) never runs.
            connection.run_on_commit = []
    finally:
        connection.close()
        connection.settings_dict["NAME"] = source
    return name


@pytest.fixture(scope="session")
def _demo_database_name(django_db_setup, django_db_blocker):
    from django.db import connection

    global _demo_database
    with django_db_blocker.unblock():
        _demo_database = _seed_demo_database(connection.settings_dict["NAME"])
    yield _demo_database
    with django_db_blocker.unblock(), _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{_demo_database}" WITH (FORCE)')


@pytest.fixture
def demo_data(request, _demo_database_name, django_db_blocker):
    """The demo of `make run` (seed_demo), for a test that runs in a rolled-back transaction.
    Set up before every other fixture of the test (see pytest_collection_modifyitems), so the
    test's transaction, users and clients are all in the demo's database."""
    from django.db import connection

    assert not _is_transactional(request), "demo_data is for tests in a rolled-back transaction"
    source = connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        connection.close()
    connection.settings_dict["NAME"] = _demo_database_name
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            connection.close()
        connection.settings_dict["NAME"] = source


# --- order and lanes -------------------------------------------------------------------------
# The files whose tests took longest in CI (`--durations`, 2 processes), heaviest first. They run
# first, so that with `--dist worksteal` the processes end on short tests and an idle one can take
# over the other's rest; run last, one of them would keep a process busy alone at the end. Within
# a file the order stays as collected (its module fixtures are built once). A file not listed
# keeps pytest-django's order (rolled-back tests, then transactional ones, then those without
# the database) after these.
SLOW_FIRST = [
    "tests/test_query_scaling.py",
    "tests/test_accessibility.py",
    "tests/test_security_escaping.py",
    "tests/monitoring/test_report.py",
    "tests/test_html_validity.py",
    "tests/test_demo_worker.py",
    "tests/test_fault_worker.py",
    "tests/test_url_matrix.py",
    "tests/tracks/test_browser.py",
    "tests/test_security_scope.py",
    "tests/test_fault_postgres.py",
    "tests/test_open_pages_browser.py",
    "tests/test_backup_restore.py",
]

# `make test-fast` leaves out what needs a browser, a real worker or a fault injected
# (-m "not browser and not worker and not fault"); `make test` and CI run everything.
FAULT_FILES = ("tests/test_faults.py", "tests/test_fault_postgres.py", "tests/test_fault_worker.py")
WORKER_FILES = (
    "tests/test_celery_worker.py",
    "tests/test_demo_worker.py",
    "tests/test_scale_out.py",
)


def _relative_path(item) -> str:
    return item.nodeid.split("::", 1)[0]


def _shared_module_data(item) -> list[str]:
    """The module fixtures (see per_module) of the data fixtures a test asks for."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return []
    found = []
    for name in item.fixturenames:
        definitions = info.name2fixturedefs.get(name)
        module_fixture = definitions and getattr(definitions[-1].func, "per_module", None)
        if module_fixture:
            found.append(module_fixture)
    return found


def _shares_module_data(items) -> dict:
    """Rolled-back tests asking for per_module data in modules without transactional tests
    (those commit, so no transaction may stay open over the module) and without the demo (its
    tests switch databases): each such test and the module fixtures it shares."""
    committing = {getattr(item, "module", None) for item in items if _is_transactional(item)}
    shared = {}
    for item in items:
        if getattr(item, "module", None) in committing or "demo_data" in item.fixturenames:
            continue
        if not (item.get_closest_marker("django_db") or "db" in item.fixturenames):
            continue
        if found := _shared_module_data(item):
            shared[item] = found
    return shared


def pytest_collection_modifyitems(items):
    shared = _shares_module_data(items)
    for item in items:
        for module_fixture in shared.get(item, ()):
            # Set up before the test's own transaction (see module_transaction).
            item.fixturenames.insert(0, module_fixture)
        names = getattr(item, "fixturenames", None)
        if names and "demo_data" in names:
            names.remove("demo_data")
            names.insert(0, "demo_data")
        path = _relative_path(item)
        if path in FAULT_FILES:
            item.add_marker(pytest.mark.fault)
        if path in WORKER_FILES or (names and "celery_worker" in names):
            item.add_marker(pytest.mark.worker)
    rank = {path: index for index, path in enumerate(SLOW_FIRST)}
    # Slow files first, inside pytest-django's order (database tests, then transactional
    # ones, then the rest), which keeps a file's rolled-back tests together for its module
    # fixtures; the transactional ones no longer need to come last (each puts the database
    # back as it found it), but the order is kept as the suite has always run it.
    # sort() is stable: within a rank the items keep the order they came in.
    items.sort(
        key=lambda item: (_django_order(item), rank.get(_relative_path(item), len(SLOW_FIRST)))
    )


def _django_order(item) -> int:
    """pytest-django's own order number for a test (its pytest_collection_modifyitems)."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    transactional = bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    ) or ("transactional_db" in fixtures or "live_server" in fixtures)
    if transactional:
        return 1
    if marker or "db" in fixtures:
        return 0
    return 2
