"""Planner settings for one PostgreSQL statement, in the same round trip as the statement.

``set_config(…, true)`` lasts until the end of the transaction: outside one, the statement
list's implicit transaction ends it; inside one, a savepoint rolled back right after the
statement takes it back, leaving the caller's transaction as it was.
"""

from __future__ import annotations

SAVEPOINT = "local_settings"


def execute_with_settings(
    connection, cursor, settings: dict[str, str], sql: str, params, *, first=None, prelude=()
):
    """Run ``sql`` with ``params`` under ``settings`` (name → value) on PostgreSQL; elsewhere
    plainly. The cursor is left on the statement's rows.

    ``first``, a (sql, params) pair, is run before and without the settings, in the same
    round trip; its rows are returned. (Each statement sees the data committed when it
    starts, as separate statements would.) ``prelude``: statements without parameters or
    rows (a ``PREPARE``) run before everything, in the same round trip.

    If the statement fails inside a transaction, ``undo_settings`` puts the transaction back
    as it was before, usable again."""
    if connection.vendor != "postgresql":
        first_rows = None
        if first is not None:
            cursor.execute(*first)
            first_rows = cursor.fetchall()
        cursor.execute(sql, params)
        return first_rows
    # Client-side binding reads every % of the text.
    steps = [statement.replace("%", "%%") for statement in prelude]
    if first is not None:
        steps.append(first[0])
    if settings:
        steps.append(
            "SELECT "
            + ", ".join(
                f"set_config('{name}', '{value}', true)" for name, value in settings.items()
            )
        )
    steps.append(sql)
    after = ""
    in_transaction = not connection.get_autocommit()
    if in_transaction:
        # Everything after the savepoint, so that undo_settings can go back to it whatever fails.
        steps.insert(0, f"SAVEPOINT {SAVEPOINT}")
        after = f"; ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}"
    cursor.execute("; ".join(steps) + after, [*(first[1] if first else ()), *params])
    # The cursor is on the first statement's result: move to ``first``'s, then to ``sql``'s.
    position = int(in_transaction) + len(prelude)
    for _ in range(position):
        cursor.nextset()
    first_rows = None
    if first is not None:
        first_rows = cursor.fetchall()
    for _ in range(len(steps) - 1 - position):
        cursor.nextset()
    return first_rows


def undo_settings(connection, cursor) -> None:
    """After ``execute_with_settings`` failed inside a transaction: back to before it, the
    transaction usable again. (Outside one, the failed statements' own transaction ended.)"""
    if connection.vendor == "postgresql" and not connection.get_autocommit():
        cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}")
