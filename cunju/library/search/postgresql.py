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

from django.db import connection

from cunju.core.dbsettings import execute_with_settings

from . import BODY, HEAD, MARK, TITLE, Condition

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


def ranked(tier: int, tokens: Sequence[str], where: Condition, limit: int, above: Sequence[int]):
    """The ids of the first ``limit`` documents of a tier meeting ``where``, best first, but
    those of ``above`` (the higher tiers' documents)."""
    query = query_where(tokens, where)
    keys, key_params = _keys(where)
    if tier == BODY:
        table, condition, params = DOCUMENTS, "s.words @@ %s::tsquery", [query]
        if above:
            condition += " AND s.document_id <> ALL(%s)"
            params.append(list(above))
        # Newest first along the key index for a common word, or the few matches sorted.
        order = "s.key"
    else:
        table = HEADS
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
        order = "s.key + 0"
    sql = (
        f"SELECT s.document_id FROM {table} s WHERE {condition}{keys} "
        f"ORDER BY {order} DESC LIMIT %s"
    )
    return sql, [*params, *key_params, limit]


# Count through the GIN index: the planner does not price unpacking the large ``words`` value
# of every row, and would scan the table for a common word (tens of milliseconds against a
# few).
_INDEX_ONLY = {"enable_seqscan": "off", "enable_indexscan": "off"}


def count(cursor, tokens: Sequence[str], where: Condition, cap: int) -> int:
    """How many documents meeting ``where`` hold every token, counted no further than
    ``cap``."""
    keys, key_params = _keys(where)
    sql = (
        f"SELECT count(*) FROM (SELECT 1 FROM {DOCUMENTS} s "
        f"WHERE s.words @@ %s::tsquery{keys} LIMIT %s) AS found"
    )
    params = [query_where(tokens, where), *key_params, cap]
    execute_with_settings(connection, cursor, _INDEX_ONLY, sql, params)
    return cursor.fetchone()[0]


def pages(cursor, tokens: Sequence[str], document_ids: Sequence[int]) -> dict[int, dict]:
    """The pages of the documents that hold any token, and whether each holds them all:
    {document id: {page: True / False}}."""
    cursor.execute(
        f"SELECT document_id, page, words @@ %s::tsquery FROM {PAGES} "
        "WHERE document_id = ANY(%s) AND words @@ %s::tsquery",
        [query_all(tokens), list(document_ids), query_any(tokens)],
    )
    found: dict[int, dict[int, bool]] = {d: {} for d in document_ids}
    for document_id, page, every in cursor.fetchall():
        found[document_id][page] = every
    return found
