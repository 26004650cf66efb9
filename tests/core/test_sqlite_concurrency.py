"""Several people saving at once on a township laptop's SQLite database.

A transaction that reads and then writes is the pattern SQLite gets wrong by default: two
DEFERRED transactions both read, then both try to write, and the one that loses the race
gets "database is locked" at once (the busy timeout cannot help a transaction that already
holds a read snapshot). The project's settings start every transaction IMMEDIATE, in WAL
mode, with a busy timeout, so writers queue instead. Each worker thread here opens its own
connection from ``cunju.settings.database_config`` to a fresh database file.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

from cunju.settings import database_config

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the SQLite connection settings only matter when the database is SQLite",
)

WORKERS = 8
TRANSACTIONS = 40


def project_config(path: Path) -> dict:
    """The settings a township install uses, pointed at ``path``."""
    config = database_config(None)
    config["NAME"] = str(path)
    return connections.configure_settings({"default": config})["default"]


def deferred_config(path: Path) -> dict:
    """SQLite's defaults: DEFERRED transactions and no waiting for a busy database."""
    config = project_config(path)
    options = config["OPTIONS"]
    options["transaction_mode"] = "DEFERRED"
    options["timeout"] = 0
    options["init_command"] = re.sub(r"PRAGMA busy_timeout=\d+;", "", options["init_command"])
    return config


def create_ledger(config: dict) -> None:
    wrapper = DatabaseWrapper(dict(config), alias="setup")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)")
            cursor.execute("INSERT INTO counter (id, value) VALUES (1, 0)")
            cursor.execute(
                "CREATE TABLE entry (id INTEGER PRIMARY KEY, worker INTEGER, seen INTEGER)"
            )
    finally:
        wrapper.close()


def run_workers(config: dict) -> list[Exception]:
    """Every worker runs read-then-write transactions at the same time; returns the errors."""
    errors: list[Exception] = []
    lock = threading.Lock()
    start = threading.Barrier(WORKERS)

    def work(number: int) -> None:
        alias = f"worker{number}"
        # Connections are per thread: this one exists only for this worker.
        connections[alias] = DatabaseWrapper(dict(config), alias=alias)
        try:
            start.wait()
            for _round in range(TRANSACTIONS):
                try:
                    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                        cursor.execute("SELECT value FROM counter WHERE id = 1")
                        (value,) = cursor.fetchone()
                        cursor.execute("UPDATE counter SET value = %s WHERE id = 1", [value + 1])
                        cursor.execute(
                            "INSERT INTO entry (worker, seen) VALUES (%s, %s)", [number, value]
                        )
                except OperationalError as error:
                    with lock:
                        errors.append(error)
        finally:
            connections[alias].close()
            del connections[alias]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def read_back(config: dict) -> tuple[int, int, int]:
    """(counter value, entries, distinct values seen) after the run."""
    wrapper = DatabaseWrapper(dict(config), alias="check")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT value FROM counter WHERE id = 1")
            (value,) = cursor.fetchone()
            cursor.execute("SELECT COUNT(*), COUNT(DISTINCT seen) FROM entry")
            entries, distinct = cursor.fetchone()
    finally:
        wrapper.close()
    return value, entries, distinct


def test_the_project_settings_turn_on_wal_and_a_busy_timeout(tmp_path, django_db_blocker):
    config = project_config(tmp_path / "settings.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with django_db_blocker.unblock():
        wrapper = DatabaseWrapper(config, alias="probe")
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
                cursor.execute("PRAGMA busy_timeout")
                assert cursor.fetchone()[0] >= 5000
                cursor.execute("PRAGMA foreign_keys")
                assert cursor.fetchone()[0] == 1
        finally:
            wrapper.close()


def test_concurrent_read_then_write_transactions_all_succeed(tmp_path, django_db_blocker):
    config = project_config(tmp_path / "immediate.sqlite3")
    with django_db_blocker.unblock():
        create_ledger(config)
        errors = run_workers(config)
        value, entries, distinct = read_back(config)
    assert errors == []
    total = WORKERS * TRANSACTIONS
    # Every transaction is there, and none read a value another had already used.
    assert (value, entries, distinct) == (total, total, total)


def test_the_same_work_with_sqlite_defaults_fails_with_database_is_locked(
    tmp_path, django_db_blocker
):
    # Shows the test above can fail: without IMMEDIATE and the timeout, writers collide.
    config = deferred_config(tmp_path / "deferred.sqlite3")
    with django_db_blocker.unblock():
        create_ledger(config)
        errors = run_workers(config)
        value, entries, _distinct = read_back(config)
    assert errors, "expected at least one collision between writers"
    assert all("database is locked" in str(error) for error in errors), {str(e) for e in errors}
    assert entries == value == WORKERS * TRANSACTIONS - len(errors)
