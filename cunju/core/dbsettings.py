"""Planner settings for one PostgreSQL statement, in the same round trip as the statement.

``set_config(…, true)`` lasts until the end of the transaction: outside one, the statement
list's implicit transaction ends it; inside one, a savepoint rolled back right after the
statement takes it back, leaving the caller's transaction as it was.
"""

from __future__ import annotations

from collections.abc import Sequence


def execute_with_settings(connection, cursor, settings: dict[str, str], sql: str, params) -> None:
    """Run ``sql`` with ``params`` under ``settings`` (name → value) on PostgreSQL; elsewhere
    plainly. The cursor is left on the statement's rows."""
    if connection.vendor != "postgresql" or not settings:
        cursor.execute(sql, params)
        return
    config = "SELECT " + ", ".join(
        f"set_config('{name}', '{value}', true)" for name, value in settings.items()
    )
    steps: Sequence[str]
    if connection.in_atomic_block:
        steps = ["SAVEPOINT local_settings", config, sql]
        after = "; ROLLBACK TO SAVEPOINT local_settings; RELEASE SAVEPOINT local_settings"
    else:
        steps, after = [config, sql], ""
    cursor.execute("; ".join(steps) + after, params)
    for _ in range(len(steps) - 1):
        cursor.nextset()
