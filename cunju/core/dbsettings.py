"""Planner settings for one PostgreSQL statement, in the same round trip as the statement.

``set_config(…, true)`` lasts until the end of the transaction: outside one, the statement
list's implicit transaction ends it; inside one, a savepoint rolled back right after the
statement takes it back, leaving the caller's transaction as it was.
"""

from __future__ import annotations


def execute_with_settings(
    connection, cursor, settings: dict[str, str], sql: str, params, *, first=None
):
    """Run ``sql`` with ``params`` under ``settings`` (name → value) on PostgreSQL; elsewhere
    plainly. The cursor is left on the statement's rows.

    ``first``, a (sql, params) pair, is run before and without the settings, in the same
    round trip; its rows are returned. (Each statement sees the data committed when it
    starts, as separate statements would.)"""
    if connection.vendor != "postgresql" or not settings:
        first_rows = None
        if first is not None:
            cursor.execute(*first)
            first_rows = cursor.fetchall()
        cursor.execute(sql, params)
        return first_rows
    config = "SELECT " + ", ".join(
        f"set_config('{name}', '{value}', true)" for name, value in settings.items()
    )
    steps: list[str] = [] if first is None else [first[0]]
    if connection.in_atomic_block:
        steps += ["SAVEPOINT local_settings", config, sql]
        after = "; ROLLBACK TO SAVEPOINT local_settings; RELEASE SAVEPOINT local_settings"
    else:
        steps += [config, sql]
        after = ""
    cursor.execute("; ".join(steps) + after, [*(first[1] if first else ()), *params])
    first_rows = None
    if first is not None:
        first_rows = cursor.fetchall()
    for _ in range(len(steps) - 1):
        cursor.nextset()
    return first_rows
