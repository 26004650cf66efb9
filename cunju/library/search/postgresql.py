"""The search index on PostgreSQL: tsvector columns with GIN indexes.

The tsvectors are made from the already segmented tokens without PostgreSQL's parser
(``array_to_tsvector``), so they hold exactly the tokens the segmenter made, without
positions: only whether a word occurs matters. Per document, ``library_search_head`` holds
its ``title`` and ``head`` (title and description) to rank it and ``library_search_document``
its ``words`` (title, description and every word of its pages) to find and count it; each
of the three also holds the document's scope words (``scope_words``), and both tables carry
``key``, the ranking key (see ``rank_key``), to hand out the newest first.
``library_search_page`` has one row per page, read by primary key for the few documents
shown. Queries are written as tsquery literals (each token quoted), never parsed from user
input.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from django.conf import settings
from django.db import NotSupportedError, connection
from psycopg.types.numeric import Int8

from cunju.core.dbsettings import execute_with_settings

from . import BODY, HEAD, MARK, TITLE, Condition, ShownSelect

HEADS = "library_search_head"
DOCUMENTS = "library_search_document"
PAGES = "library_search_page"


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def query_all(tokens: Sequence[str]) -> str:
    return " & ".join(_lexeme(t) for t in tokens)


def query_any(tokens: Sequence[str]) -> str:
    return " | ".join(_lexeme(t) for t in tokens)


def query_where(tokens: Sequence[str], where: Condition) -> str:
    """Every token, and a word of each group of ``where``."""
    groups = "".join(f" & ({query_any(group)})" for group in where.groups)
    return f"({query_all(tokens)}){groups}"


def _keys(where: Condition) -> tuple[str, list]:
    if where.keys is None:
        return "", []
    return " AND s.key BETWEEN %s AND %s", list(where.keys)


# --- Writing ---------------------------------------------------------------------------------


def delete(cursor, document_ids: Sequence[int]) -> None:
    ids = list(document_ids)
    for table in (HEADS, DOCUMENTS, PAGES):
        cursor.execute(f"DELETE FROM {table} WHERE document_id = ANY(%s)", [ids])


def insert(cursor, documents: Sequence[tuple], pages: Sequence[tuple]) -> None:
    """``documents``: (id, key, title, description, body tokens, scope words); ``pages``:
    (id, page, tokens)."""
    cursor.executemany(
        f"INSERT INTO {HEADS} (document_id, key, title, head) "
        "VALUES (%s, %s, array_to_tsvector(%s::text[]), array_to_tsvector(%s::text[]))",
        [
            (d, key, f"{title} {scope}".split(), f"{title} {description} {scope}".split())
            for d, key, title, description, _body, scope in documents
        ],
    )
    cursor.executemany(
        f"INSERT INTO {DOCUMENTS} (document_id, key, words) "
        "VALUES (%s, %s, array_to_tsvector(%s::text[]))",
        [
            (d, key, f"{title} {description} {body} {scope}".split())
            for d, key, title, description, body, scope in documents
        ],
    )
    cursor.executemany(
        f"INSERT INTO {PAGES} (document_id, page, words) "
        "VALUES (%s, %s, array_to_tsvector(%s::text[]))",
        [(d, page, words.split()) for d, page, words in pages if page > 0],
    )


def _rescoped(column: str) -> str:
    # The column without its scope words (those that start with the mark), with the new ones.
    return (
        f"{column} = ts_delete({column}, ARRAY(SELECT lexeme FROM unnest({column}) "
        f"WHERE starts_with(lexeme, %s))) || array_to_tsvector(%s::text[])"
    )


def rescope(cursor, rows: Sequence[tuple[int, list[str]]]) -> None:
    """New scope words for these (document id, words), in both tables."""
    cursor.executemany(
        f"UPDATE {HEADS} SET {_rescoped('title')}, {_rescoped('head')} WHERE document_id = %s",
        [(MARK, scope, MARK, scope, d) for d, scope in rows],
    )
    cursor.executemany(
        f"UPDATE {DOCUMENTS} SET {_rescoped('words')} WHERE document_id = %s",
        [(MARK, scope, d) for d, scope in rows],
    )


def clear(cursor) -> None:
    cursor.execute(f"TRUNCATE {HEADS}, {DOCUMENTS}, {PAGES}")


def prune(cursor, keep_sql: str, keep_params: Sequence) -> None:
    """Drop the rows of every document not selected by ``keep_sql`` (a query of ids)."""
    for table in (HEADS, DOCUMENTS, PAGES):
        cursor.execute(f"DELETE FROM {table} WHERE document_id NOT IN ({keep_sql})", keep_params)


def optimize(cursor) -> None:
    """Fresh planner statistics after a bulk load."""
    for table in (HEADS, DOCUMENTS, PAGES):
        cursor.execute(f"ANALYZE {table}")


def row_counts(cursor) -> tuple[int, int]:
    cursor.execute(f"SELECT (SELECT count(*) FROM {DOCUMENTS}), (SELECT count(*) FROM {PAGES})")
    return tuple(cursor.fetchone())


# --- Searching -------------------------------------------------------------------------------


def ranked(tier: int, tokens: Sequence[str], where: Condition, limit: int) -> tuple[str, list]:
    """The ids of the first ``limit`` documents of a tier meeting ``where``, best first. The
    body tier's are those of every document holding the words: the caller leaves out those
    of the tiers above."""
    query = query_where(tokens, where)
    keys, key_params = _keys(where)
    if tier == BODY:
        # Newest first along the key index for a common word, or the few matches sorted.
        sql = (
            f"SELECT s.document_id FROM {DOCUMENTS} s WHERE s.words @@ %s::tsquery{keys} "
            "ORDER BY s.key DESC LIMIT %s"
        )
        return sql, [query, *key_params, limit]
    condition, params = {
        TITLE: ("s.title @@ %s::tsquery", [query]),
        HEAD: (
            "s.head @@ %s::tsquery AND NOT s.title @@ %s::tsquery",
            [query, query_all(tokens)],
        ),
    }[tier]
    # Titles and descriptions are short: the GIN index and a sort of what it finds beat
    # walking the key index and reading each title on the way (2.6 against 1.0 ms for
    # 工作), whatever the word; "+ 0" keeps the planner off that walk.
    sql = (
        f"SELECT s.document_id FROM {HEADS} s WHERE {condition}{keys} "
        "ORDER BY s.key + 0 DESC LIMIT %s"
    )
    return sql, [*params, *key_params, limit]


# Count through the GIN index: the planner does not price unpacking the large ``words`` value
# of every row, and would scan the table for a common word (tens of milliseconds against a
# few).
_INDEX_ONLY = {"enable_seqscan": "off", "enable_indexscan": "off"}


def _count(tokens: Sequence[str], where: Condition, cap: int) -> tuple[str, list]:
    keys, key_params = _keys(where)
    sql = (
        f"SELECT count(*) FROM (SELECT 1 FROM {DOCUMENTS} s "
        f"WHERE s.words @@ %s::tsquery{keys} LIMIT %s) AS found"
    )
    return sql, [query_where(tokens, where), *key_params, cap]


def find(cursor, tokens: Sequence[str], where: Condition, wanted: int, cap: int):
    """The first ``wanted`` (document id, tier), best first, and how many match (up to
    ``cap``), in one or two round trips: the title tier with the count, then, when the
    titles do not fill the page, the two other tiers together. The count is wasted only when
    the matches do not fill a page, and then it is short; the body tier only when the
    descriptions fill it."""
    rows = execute_with_settings(
        connection,
        cursor,
        _INDEX_ONLY,
        *_count(tokens, where, cap),
        first=ranked(TITLE, tokens, where, wanted),
    )
    found = cursor.fetchone()[0]
    ranking = [(row[0], TITLE) for row in rows]
    if len(ranking) < wanted:
        head_sql, head_params = ranked(HEAD, tokens, where, wanted - len(ranking))
        body_sql, body_params = ranked(BODY, tokens, where, wanted)
        cursor.execute(f"{head_sql}; {body_sql}", [*head_params, *body_params])
        ranking += [(row[0], HEAD) for row in cursor.fetchall()]
        cursor.nextset()
        if len(ranking) < wanted:
            # The tiers above gave every match they have, so what the body tier leaves out
            # is in hand: at most all of them among its first ``wanted``, which leaves enough.
            above = {pk for pk, _tier in ranking}
            body = [(row[0], BODY) for row in cursor.fetchall() if row[0] not in above]
            ranking += body[: wanted - len(ranking)]
    return ranking, found


def _prepared_cursor():
    """A cursor of the connection in use whose statements PostgreSQL keeps prepared: the
    parameters bound on the server, each statement parsed once per connection and, after a
    few runs, planned once for any values. For statements whose best plan does not depend on
    the values. Django binds on the client and prepares nothing, for the sake of poolers in
    transaction mode (``CUNJU_DATABASE_PREPARE`` off); a connection that ends takes its
    statements with it. While queries are logged (tests counting them, debugging), the
    ordinary cursor, so the log shows the statement with its values."""
    if not settings.CUNJU_DATABASE_PREPARE or connection.queries_logged:
        return connection.cursor()
    connection.ensure_connection()
    return connection.make_cursor(_PreparedCursor(connection.connection))


class _PreparedCursor(psycopg.Cursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        # Django leaves psycopg's threshold empty, which turns preparing off altogether. It
        # is set for this statement only: set for good, psycopg would also keep a copy of
        # every other statement of the connection and drop what it prepared at each
        # savepoint rolled back.
        threshold = self.connection.prepare_threshold
        if threshold is None:
            self.connection.prepare_threshold = 2**31 - 1
        try:
            return super().execute(query, params, prepare=True, binary=binary)
        finally:
            self.connection.prepare_threshold = threshold


def shown(cursor, tokens: Sequence[str], document_ids: Sequence[int], select: ShownSelect):
    """Per document shown: its row of ``select.columns``, the pages that hold every word (or,
    when its words are spread over several pages, those that hold any), and the text of the
    first of them, in one prepared statement: reading at most twenty documents by key is
    planned alike whatever they are, and planning it cost as much as running it."""
    first = "COALESCE(p.every[1], p.held[1], 0)"
    sql = (
        f"SELECT {select.columns}, p.every, p.held, {select.page_text(first)} "
        f"FROM unnest(%s::bigint[]) AS shown (id) {select.tables} "
        "CROSS JOIN LATERAL (SELECT "
        "array_agg(w.page ORDER BY w.page) FILTER (WHERE w.words @@ %s::tsquery) AS every, "
        "array_agg(w.page ORDER BY w.page) AS held "
        f"FROM {PAGES} w WHERE w.document_id = shown.id AND w.words @@ %s::tsquery) p"
    )
    params = [[Int8(d) for d in document_ids], query_all(tokens), query_any(tokens)]
    try:
        with _prepared_cursor() as prepared:
            prepared.execute(sql, params)
            rows = prepared.fetchall()
    except NotSupportedError as error:
        # A migration changed a column the statement reads since it was prepared, which
        # PostgreSQL refuses ("cached plan must not change result type") for as long as
        # the statement lives. Outside a transaction, a new connection starts afresh; in
        # one, its rollback drops the statement (psycopg deallocates on rollback).
        if connection.in_atomic_block or "cached plan" not in str(error):
            raise
        connection.close()
        with connection.cursor() as plain:
            plain.execute(sql, params)
            rows = plain.fetchall()
    return [(row[:-3], row[-3] or row[-2] or [], row[-1]) for row in rows]
