"""Database contents built once per run and put back cheaply, instead of building them again.

``Snapshots``: committed data (the demo). Loading the demo costs half a minute (it converts
real office files). Tests that need it committed (the live server answers from another
thread; ``cunju demo --reset`` truncates) load it once, save what the database then holds,
and get that back before each test. SQLite copies the whole database with its backup API;
PostgreSQL copies every table into a schema of its own inside the test database and back,
with the sequences. Files the load stored stay in this run's media folder; a snapshot whose
files a test removed is not used again (the data is loaded anew).

``TransactionCopy``: rows one test wrote inside its transaction (the test world), put back
into the next test's transaction, table by table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction


def _media_files() -> dict[str, int]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return {}
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}


class Snapshot:
    """What the database held right after ``load`` ran, ready to be put back."""

    def __init__(self, name: str, load: Callable[[], object]) -> None:
        before = _media_files()
        load()
        after = _media_files()
        self.files = {name: size for name, size in after.items() if before.get(name) != size}
        self.name = name
        self.copy: sqlite3.Connection | None = None
        self.tables: dict[str, list[str]] = {}
        self.sequences: list[tuple[str, int | None]] = []
        if connection.vendor == "sqlite":
            self._save_sqlite()
        elif connection.vendor == "postgresql":
            self._save_postgresql()
        else:
            raise NotImplementedError(connection.vendor)

    def intact(self) -> bool:
        """Whether every file the load stored is still there as it was."""
        root = Path(settings.MEDIA_ROOT)
        for name, size in self.files.items():
            path = root / name
            if not path.is_file() or path.stat().st_size != size:
                return False
        return True

    def restore(self) -> None:
        if connection.vendor == "sqlite":
            self._restore_sqlite()
        else:
            self._restore_postgresql()
        # Cached content types would otherwise keep the ids of rows the restore replaced.
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()

    def drop(self) -> None:
        if self.copy is not None:
            self.copy.close()
            self.copy = None
        if self.tables:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            self.tables = {}

    # --- SQLite: the whole database file, pages and all (FTS5 tables included) ---

    def _save_sqlite(self) -> None:
        connection.ensure_connection()
        self.copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(self.copy)

    def _restore_sqlite(self) -> None:
        assert self.copy is not None
        connection.ensure_connection()
        self.copy.backup(connection.connection)

    # --- PostgreSQL: every table of the schema copied into a schema of the snapshot's ---

    @property
    def schema(self) -> str:
        return connection.ops.quote_name(f"snapshot_{self.name}")

    def _save_postgresql(self) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
                "AND NOT c.relispartition AND c.relname <> 'django_migrations' ORDER BY 1"
            )
            names = [row[0] for row in cursor.fetchall()]
            cursor.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            cursor.execute(f"CREATE SCHEMA {self.schema}")
            for table in names:
                # Generated columns are computed again when the rows go back.
                cursor.execute(
                    "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
                    "AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                    [quote(table)],
                )
                self.tables[table] = [quote(row[0]) for row in cursor.fetchall()]
                cursor.execute(f"CREATE TABLE {self.schema}.{quote(table)} AS TABLE {quote(table)}")
            cursor.execute(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value "
                "FROM pg_sequences WHERE schemaname = current_schema()"
            )
            self.sequences = cursor.fetchall()

    def _restore_postgresql(self) -> None:
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            # DELETE rather than TRUNCATE: the tables are small or already empty, and TRUNCATE
            # gives each table and index new files, which costs seconds for a hundred tables.
            for table in self.tables:
                cursor.execute(f"DELETE FROM {quote(table)}")
            for table, columns in self.tables.items():
                listed = ", ".join(columns)
                cursor.execute(
                    f"INSERT INTO {quote(table)} ({listed}) OVERRIDING SYSTEM VALUE "
                    f"SELECT {listed} FROM {self.schema}.{quote(table)}"
                )
            for sequence, last_value in self.sequences:
                if last_value is None:
                    cursor.execute(f"ALTER SEQUENCE {sequence} RESTART")
                else:
                    cursor.execute("SELECT setval(%s::regclass, %s, true)", [sequence, last_value])


class Snapshots:
    """This run's snapshots by name: loaded the first time, restored every time after."""

    def __init__(self) -> None:
        self.saved: dict[str, Snapshot] = {}

    def get(self, name: str, load: Callable[[], object]) -> None:
        """Make the database hold what ``load`` loads (into an empty database), committed."""
        snapshot = self.saved.get(name)
        if snapshot is not None and not snapshot.intact():
            snapshot.drop()
            snapshot = None
            del self.saved[name]
        if snapshot is None:
            self.saved[name] = Snapshot(name, load)
        else:
            snapshot.restore()

    def drop(self) -> None:
        for snapshot in self.saved.values():
            snapshot.drop()
        self.saved.clear()


# --- Rows of one test's transaction -----------------------------------------------------------


def _sqlite_tables(cursor) -> dict[str, tuple[str, ...]]:
    """Table name → the columns to copy (FTS5 tables by rowid; their shadow tables follow)."""
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
    rows = cursor.fetchall()
    virtual = {name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")}
    shadows = {f"{v}_{s}" for v in virtual for s in ("data", "idx", "content", "docsize", "config")}
    tables = {}
    for name, _sql in rows:
        if name.startswith("sqlite_") or name in shadows or name == "django_migrations":
            continue
        cursor.execute(f'PRAGMA table_xinfo("{name}")')
        # Hidden columns: 1 a virtual table's own, 2 and 3 generated.
        columns = tuple(f'"{row[1]}"' for row in cursor.fetchall() if row[6] == 0)
        tables[name] = ("rowid", *columns) if name in virtual else columns
    if any(name == "sqlite_sequence" for name, _sql in rows):
        # Last, so the next ids are where the build left them, whatever the inserts did.
        tables["sqlite_sequence"] = ('"name"', '"seq"')
    return tables


def _postgresql_tables(cursor) -> dict[str, tuple[str, ...]]:
    cursor.execute(
        "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
        "AND NOT c.relispartition AND c.relname <> 'django_migrations'"
    )
    names = dict(cursor.fetchall())
    cursor.execute(
        "SELECT attrelid, attname FROM pg_attribute WHERE attrelid = ANY(%s) AND attnum > 0 "
        "AND NOT attisdropped AND attgenerated = '' ORDER BY attrelid, attnum",
        [list(names)],
    )
    tables: dict[str, list[str]] = {name: [] for name in names.values()}
    for oid, column in cursor.fetchall():
        tables[names[oid]].append(connection.ops.quote_name(column))
    return {name: tuple(columns) for name, columns in tables.items()}


def _postgresql_sequences(cursor) -> dict[str, int | None]:
    cursor.execute(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value "
        "FROM pg_sequences WHERE schemaname = current_schema()"
    )
    return dict(cursor.fetchall())


class TransactionCopy:
    """What ``build`` changed in the database, inside the transaction a test runs in, to be
    put back into the next test's transaction instead of building again.

    Only tables the build changed are copied, whole (table by table, delete then insert, so
    rows the build changed or removed come back as they were after it). It is valid while the
    committed data under the tests' transactions stays the same: the caller decides when it
    changed. Sequences are set back to where the build left them, so ids repeat.
    """

    def __init__(self, build: Callable[[], object]) -> None:
        assert connection.in_atomic_block, "only inside a transaction that is rolled back"
        raw = connection.connection
        with closing(raw.cursor()) as cursor:
            if connection.vendor == "sqlite":
                tables = _sqlite_tables(cursor)
                before = {t: self._read_sqlite(cursor, t, c) for t, c in tables.items()}
            else:
                tables = _postgresql_tables(cursor)
                before = {t: self._read_postgresql(cursor, t, c) for t, c in tables.items()}
                sequences = _postgresql_sequences(cursor)
        self.result = build()
        with closing(raw.cursor()) as cursor:
            self.rows: dict[str, tuple[tuple[str, ...], object]] = {}
            for table, columns in tables.items():
                if connection.vendor == "sqlite":
                    after = self._read_sqlite(cursor, table, columns)
                else:
                    after = self._read_postgresql(cursor, table, columns)
                if after != before[table]:
                    self.rows[table] = (columns, after)
            self.sequences = {}
            if connection.vendor == "postgresql":
                self.sequences = {
                    name: value
                    for name, value in _postgresql_sequences(cursor).items()
                    if value != sequences.get(name)
                }
        self.files = _stored_files()

    def intact(self) -> bool:
        """Whether the files the copied rows name are still there as they were."""
        return all(
            (path := Path(settings.MEDIA_ROOT) / name).is_file() and path.stat().st_size == size
            for name, size in self.files.items()
        )

    def restore(self) -> None:
        assert connection.in_atomic_block, "only inside a transaction that is rolled back"
        connection.ensure_connection()
        with closing(connection.connection.cursor()) as cursor:
            if connection.vendor == "sqlite":
                for table, (columns, rows) in self.rows.items():
                    cursor.execute(f'DELETE FROM "{table}"')
                    marks = ", ".join("?" * len(columns))
                    cursor.executemany(
                        f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', rows
                    )
            else:
                quote = connection.ops.quote_name
                if self.rows:
                    cursor.execute("; ".join(f"DELETE FROM {quote(t)}" for t in self.rows))
                for table, (columns, data) in self.rows.items():
                    statement = (
                        f"COPY {quote(table)} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
                    )
                    with cursor.copy(statement) as copy:
                        copy.write(data)
                values = [(n, v) for n, v in self.sequences.items() if v is not None]
                if values:
                    calls = ", ".join(f"setval('{n}', {int(v)}, true)" for n, v in values)
                    cursor.execute(f"SELECT {calls}")

    @staticmethod
    def _read_sqlite(cursor, table: str, columns: tuple[str, ...]) -> list[tuple]:
        cursor.execute(f'SELECT {", ".join(columns)} FROM "{table}"')
        return cursor.fetchall()

    @staticmethod
    def _read_postgresql(cursor, table: str, columns: tuple[str, ...]) -> bytes:
        quote = connection.ops.quote_name
        statement = f"COPY {quote(table)} ({', '.join(columns)}) TO STDOUT (FORMAT BINARY)"
        with cursor.copy(statement) as copy:
            return b"".join(bytes(block) for block in copy)


def _stored_files() -> dict[str, int]:
    """Every file a file field of a row names, with its size (those that exist)."""
    from django.apps import apps
    from django.db import models

    root = Path(settings.MEDIA_ROOT)
    files = {}
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for field in fields:
            for name in model._base_manager.exclude(**{field: ""}).values_list(field, flat=True):
                path = root / name
                if name and path.is_file():
                    files[name] = path.stat().st_size
    return files
