"""The search index on PostgreSQL: tsvector columns with GIN indexes.

The tsvectors are built with the ``simple`` configuration from the already segmented
tokens, so PostgreSQL only splits at the spaces. ``library_search_document`` has one row per
document: ``words`` (title, description and every word of its pages) to find it, ``head``
(title weighted A, description B) to rank it, and ``key``, the ranking key (see
``rank_key``), to hand out the newest first. ``library_search_page`` has one row per page,
read by primary key for the few documents shown. Queries are written as tsquery literals
(each token quoted), never parsed from user input.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import transaction

DOCUMENTS = "library_search_document"
PAGES = "library_search_page"


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def query_all(tokens: Sequence[str], weight: str = "") -> str:
    suffix = f":{weight}" if weight else ""
    return " & ".join(_lexeme(t) + suffix for t in tokens)


def query_any(tokens: Sequence[str]) -> str:
    return " | ".join(_lexeme(t) for t in tokens)


def _tier_condition(tier: int, tokens: Sequence[str]) -> tuple[str, list]:
    title, everything = query_all(tokens, "A"), query_all(tokens)
    if tier == 2:
        return "s.head @@ %s::tsquery", [title]
    if tier == 1:
        return "s.head @@ %s::tsquery AND NOT s.head @@ %s::tsquery", [everything, title]
    return "s.words @@ %s::tsquery AND NOT s.head @@ %s::tsquery", [everything, everything]


def delete(cursor, document_ids: Sequence[int]) -> None:
    ids = list(document_ids)
    cursor.execute(f"DELETE FROM {DOCUMENTS} WHERE document_id = ANY(%s)", [ids])
    cursor.execute(f"DELETE FROM {PAGES} WHERE document_id = ANY(%s)", [ids])


def insert(cursor, documents: Sequence[tuple], pages: Sequence[tuple]) -> None:
    """``documents``: (id, key, title, description, body tokens); ``pages``: (id, page,
    tokens)."""
    cursor.executemany(
        f"INSERT INTO {DOCUMENTS} (document_id, key, head, words) VALUES (%s, %s, "
        "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B'), "
        "to_tsvector('simple', %s))",
        [
            (d, key, title, description, f"{title} {description} {body}")
            for d, key, title, description, body in documents
        ],
    )
    cursor.executemany(
        f"INSERT INTO {PAGES} (document_id, page, words) "
        "VALUES (%s, %s, to_tsvector('simple', %s))",
        [row for row in pages if row[1] > 0],
    )


def clear(cursor) -> None:
    cursor.execute(f"TRUNCATE {DOCUMENTS}, {PAGES}")


def prune(cursor, keep_sql: str, keep_params: Sequence) -> None:
    """Drop the rows of every document not selected by ``keep_sql`` (a query of ids)."""
    for table in (DOCUMENTS, PAGES):
        cursor.execute(f"DELETE FROM {table} WHERE document_id NOT IN ({keep_sql})", keep_params)


def ranked(
    tier: int, tokens: Sequence[str], docs_sql: str, docs_params: Sequence, limit: int
) -> tuple[str, list]:
    """A query of the ids of the first ``limit`` documents of a tier (2: the title holds
    every word; 1: the title and description do; 0: the rest) among ``docs_sql``, best first.
    """
    condition, params = _tier_condition(tier, tokens)
    sql = (
        f"SELECT s.document_id FROM {DOCUMENTS} s JOIN ({docs_sql}) doc ON doc.id = s.document_id "
        f"WHERE {condition} ORDER BY s.key DESC LIMIT %s"
    )
    return sql, [*docs_params, *params, limit]


def count(tokens: Sequence[str], docs_sql: str, docs_params: Sequence, cap: int):
    """A query of how many of ``docs_sql`` hold every token, counting no further than ``cap``."""
    sql = (
        f"SELECT count(*) FROM (SELECT 1 FROM {DOCUMENTS} s "
        f"JOIN ({docs_sql}) doc ON doc.id = s.document_id "
        "WHERE s.words @@ %s::tsquery LIMIT %s) AS found"
    )
    return sql, [*docs_params, query_all(tokens), cap]


@contextmanager
def counting(cursor) -> Iterator[None]:
    """Count through the GIN index: the planner does not price unpacking the large ``words``
    column for every row, and would scan the table for a common word (300 ms against 8 ms).
    The settings are local to this transaction and put back after, even inside an outer one.
    """
    with transaction.atomic():
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
            "set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)"
        )
        seqscan, indexscan, _a, _b = cursor.fetchone()
        try:
            yield
        finally:
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), "
                "set_config('enable_indexscan', %s, true)",
                [seqscan, indexscan],
            )


def pages(tokens: Sequence[str], document_ids: Sequence[int], every: bool) -> tuple[str, list]:
    """A query of (document_id, page) of a few documents' pages holding every token (or,
    with ``every`` false, any of them)."""
    query = query_all(tokens) if every else query_any(tokens)
    sql = (
        f"SELECT document_id, page FROM {PAGES} "
        "WHERE document_id = ANY(%s) AND words @@ %s::tsquery"
    )
    return sql, [list(document_ids), query]


def row_counts(cursor) -> tuple[int, int]:
    cursor.execute(f"SELECT (SELECT count(*) FROM {DOCUMENTS}), (SELECT count(*) FROM {PAGES})")
    return tuple(cursor.fetchone())


def optimize(cursor) -> None:
    """Fresh planner statistics after a bulk load."""
    for table in (DOCUMENTS, PAGES):
        cursor.execute(f"ANALYZE {table}")
