"""The search index on SQLite: FTS5 tables of pre-segmented tokens.

The tokens are separated by spaces, so FTS5's ``unicode61`` tokenizer keeps each Chinese word
whole. ``library_search_document`` has one row per document — title, description and every
word of its pages — whose row id is the document's ranking key (see ``rank_key``): FTS5 hands
matches out in row-id order, so the newest matching documents come first and a search stops
after the few it shows. ``library_search_key`` maps document ids to those keys.
``library_search_page`` has one row per page; its row id is the document id (high bits) and the
page number (low 20 bits), so the pages of a few documents are a few row-id ranges.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

DOCUMENTS = "library_search_document"
KEYS = "library_search_key"
PAGES = "library_search_page"
PAGE_BITS = 20
PAGE_MASK = (1 << PAGE_BITS) - 1
ID_MASK = (1 << 31) - 1


def _page_rowid(document_id: int, page: int) -> int:
    return (document_id << PAGE_BITS) | page


def _phrase(token: str) -> str:
    # Tokens are runs of letters and digits; quoting keeps words like AND, OR, NOT literal.
    return '"' + token.replace('"', '""') + '"'


def match_all(tokens: Sequence[str], columns: str = "") -> str:
    prefix = f"{columns} : " if columns else ""
    return "(" + " AND ".join(prefix + _phrase(t) for t in tokens) + ")"


def match_any(tokens: Sequence[str]) -> str:
    return " OR ".join(_phrase(t) for t in tokens)


def _tier_match(tier: int, tokens: Sequence[str]) -> str:
    title = match_all(tokens, "title")
    head = match_all(tokens, "{title description}")
    return {2: title, 1: f"{head} NOT {title}", 0: f"{match_all(tokens)} NOT {head}"}[tier]


def delete(cursor, document_ids: Sequence[int]) -> None:
    rows = [(d,) for d in document_ids]
    cursor.executemany(
        f"DELETE FROM {DOCUMENTS} WHERE rowid IN (SELECT key FROM {KEYS} WHERE document_id = %s)",
        rows,
    )
    cursor.executemany(f"DELETE FROM {KEYS} WHERE document_id = %s", rows)
    cursor.executemany(
        f"DELETE FROM {PAGES} WHERE rowid BETWEEN %s AND %s",
        [(_page_rowid(d, 0), _page_rowid(d, PAGE_MASK)) for d in document_ids],
    )


def insert(cursor, documents: Sequence[tuple], pages: Sequence[tuple]) -> None:
    """``documents``: (id, key, title, description, body tokens); ``pages``: (id, page,
    tokens)."""
    cursor.executemany(
        f"INSERT INTO {DOCUMENTS} (rowid, title, description, body) VALUES (%s, %s, %s, %s)",
        [(key, title, description, body) for _d, key, title, description, body in documents],
    )
    cursor.executemany(
        f"INSERT INTO {KEYS} (document_id, key) VALUES (%s, %s)",
        [(d, key) for d, key, *_rest in documents],
    )
    cursor.executemany(
        f"INSERT INTO {PAGES} (rowid, body) VALUES (%s, %s)",
        [(_page_rowid(d, p), body) for d, p, body in pages if 0 < p <= PAGE_MASK],
    )


def clear(cursor) -> None:
    for table in (DOCUMENTS, KEYS, PAGES):
        cursor.execute(f"DELETE FROM {table}")


def prune(cursor, keep_sql: str, keep_params: Sequence) -> None:
    """Drop the rows of every document not selected by ``keep_sql`` (a query of ids)."""
    cursor.execute(
        f"DELETE FROM {DOCUMENTS} WHERE rowid IN (SELECT key FROM {KEYS} "
        f"WHERE document_id NOT IN ({keep_sql}))",
        keep_params,
    )
    cursor.execute(f"DELETE FROM {KEYS} WHERE document_id NOT IN ({keep_sql})", keep_params)
    cursor.execute(
        f"DELETE FROM {PAGES} WHERE (rowid >> {PAGE_BITS}) NOT IN ({keep_sql})", keep_params
    )


def ranked(
    tier: int, tokens: Sequence[str], docs_sql: str, docs_params: Sequence, limit: int
) -> tuple[str, list]:
    """A query of the ids of the first ``limit`` documents of a tier (2: the title holds
    every word; 1: the title and description do; 0: the rest) among ``docs_sql``, best first.
    """
    sql = (
        f"SELECT {DOCUMENTS}.rowid & {ID_MASK} FROM {DOCUMENTS} "
        f"JOIN ({docs_sql}) doc ON doc.id = ({DOCUMENTS}.rowid & {ID_MASK}) "
        f"WHERE {DOCUMENTS} MATCH %s ORDER BY {DOCUMENTS}.rowid DESC LIMIT %s"
    )
    return sql, [*docs_params, _tier_match(tier, tokens), limit]


def count(tokens: Sequence[str], docs_sql: str, docs_params: Sequence, cap: int):
    """A query of how many of ``docs_sql`` hold every token, counting no further than ``cap``."""
    sql = (
        f"SELECT count(*) FROM (SELECT 1 FROM {DOCUMENTS} "
        f"JOIN ({docs_sql}) doc ON doc.id = ({DOCUMENTS}.rowid & {ID_MASK}) "
        f"WHERE {DOCUMENTS} MATCH %s LIMIT %s)"
    )
    return sql, [*docs_params, match_all(tokens), cap]


@contextmanager
def counting(cursor) -> Iterator[None]:
    """Nothing to arrange: FTS5 always reads its own index."""
    yield


def pages(tokens: Sequence[str], document_ids: Sequence[int], every: bool) -> tuple[str, list]:
    """A query of (document_id, page) of a few documents' pages holding every token (or,
    with ``every`` false, any of them)."""
    match = match_all(tokens) if every else match_any(tokens)
    parts, params = [], []
    for document_id in document_ids:
        parts.append(
            f"SELECT rowid >> {PAGE_BITS}, rowid & {PAGE_MASK} FROM {PAGES} "
            f"WHERE {PAGES} MATCH %s AND rowid BETWEEN %s AND %s"
        )
        params += [match, _page_rowid(document_id, 0), _page_rowid(document_id, PAGE_MASK)]
    return " UNION ALL ".join(parts), params


def row_counts(cursor) -> tuple[int, int]:
    cursor.execute(f"SELECT (SELECT count(*) FROM {KEYS}), (SELECT count(*) FROM {PAGES})")
    return tuple(cursor.fetchone())


def optimize(cursor) -> None:
    """Merge the index segments after a bulk load."""
    for table in (DOCUMENTS, PAGES):
        cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    cursor.execute("ANALYZE")
