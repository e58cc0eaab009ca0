"""The test database as the session set it up, put back after each transactional test.

Django ends a transactional test (TransactionTestCase, pytest-django's `transactional_db` and
`live_server`) with `flush`: TRUNCATE of every table, then post_migrate's content types and
permissions written again, and the suite then loaded the reference data again for the next
test: 1.2–1.5 s a test here, for some 270 transactional tests. Instead, the tables' rows are
copied once after the session's setup (migrations, their post_migrate rows, the reference
data), and after each transactional test only what differs from that copy is put back: the
tables that gained rows are emptied, the copied tables whose rows changed are emptied and
copied in again (COPY, binary, the same primary keys). The next test finds the database as the
first one did, reference data included, which the flush never gave.

Every foreign key Django makes is DEFERRABLE INITIALLY DEFERRED, so inside one transaction the
tables are emptied in any order and the keys are checked once, at the commit.
"""

from __future__ import annotations

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import sql

# Per table, whether it has rows, and for a table with rows in the copy, its rows' digest.
HAS_ROWS = sql.SQL("SELECT {name}, 'rows' WHERE EXISTS (SELECT 1 FROM {table})")
DIGEST = sql.SQL(
    "SELECT {name}, md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM {table} r"
)


class DatabaseSnapshot:
    def __init__(self, rows: dict[str, bytes]):
        self.rows = rows  # table -> its rows in COPY's binary format (tables with rows only)
        self.digests: dict[str, str] = {}  # table -> its digest as _digests reads it

    @classmethod
    def take(cls, connection: BaseDatabaseWrapper) -> DatabaseSnapshot:
        connection.ensure_connection()
        filled = list(cls({})._digests(connection))  # with nothing copied: the tables with rows
        rows = {}
        with connection.connection.cursor() as cursor:
            for table in filled:
                copy_out = sql.SQL("COPY {} TO STDOUT (FORMAT binary)").format(
                    sql.Identifier(table)
                )
                with cursor.copy(copy_out) as copy:
                    rows[table] = b"".join(bytes(block) for block in copy)
        snapshot = cls(rows)
        snapshot.digests = snapshot._digests(connection)
        return snapshot

    def _digests(self, connection: BaseDatabaseWrapper) -> dict[str, str]:
        """A table that had rows in the copy: the digest of its rows' text, in a fixed order.
        Any other table: "rows" if it has some now (no need to read them)."""
        query = sql.SQL(" UNION ALL ").join(
            (DIGEST if table in self.rows else HAS_ROWS).format(
                name=sql.Literal(table), table=sql.Identifier(table)
            )
            for table in _tables(connection)
        )
        with connection.connection.cursor() as cursor:
            cursor.execute(query)
            return dict(cursor.fetchall())

    def restore(self, connection: BaseDatabaseWrapper) -> list[str]:
        """Puts the copied rows back where they differ; the tables it touched."""
        connection.ensure_connection()
        with transaction.atomic(using=connection.alias):
            now = self._digests(connection)
            differing = sorted(t for t, digest in now.items() if digest != self.digests.get(t))
            with connection.connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                for table in differing:
                    cursor.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
                for table in differing:
                    if table in self.rows:
                        copy_in = sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(
                            sql.Identifier(table)
                        )
                        with cursor.copy(copy_in) as copy:
                            copy.write(self.rows[table])
        return differing


def _tables(connection: BaseDatabaseWrapper) -> list[str]:
    """The tables `flush` empties (the models' tables, not django_migrations)."""
    return sorted(
        connection.introspection.django_table_names(only_existing=True, include_views=False)
    )
