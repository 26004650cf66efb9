"""The search index on SQLite: FTS5 tables of pre-segmented tokens, and two plain tables.

In the FTS5 tables the tokens are separated by spaces and the ``ascii`` tokenizer takes every
other character as part of a word, so each token is stored exactly as the segmenter made it
(``unicode61`` would split words holding letters newer than its Unicode 6.1 tables). Four
tables:

- ``library_search_head``: the title and description of each document, to rank it, and its
  scope words (``scope_words``); small, so "the title holds every word" is answered from a
  few rows, whatever the words.
- ``library_search_document``: every word of a document (title, description, pages, scope),
  one row per document, to find and count it. Only whether a word occurs matters
  (``detail=none``).
- ``library_search_key``: document id → its ranking key (see ``rank_key``), whose negation is
  its row id in the two tables above: FTS5 hands matches out in row-id order, so the newest
  come first and a search stops after the few it shows. (Descending, FTS5 would first
  reverse each word's whole list of rows: for a common word, most of the time of a ranking
  tier.) Also how many of its pages hold words.
- ``library_search_word``: a plain table, one row per document and word, with the pages that
  hold it: which pages of a document shown hold the words is a primary-key lookup per word.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import BODY, HEAD, MARK, TITLE, Condition, Found, ShownSelect

HEADS = "library_search_head"
DOCUMENTS = "library_search_document"
KEYS = "library_search_key"
WORDS = "library_search_word"
ID_MASK = (1 << 31) - 1
# The scope asked as a complement where the organizations form one tree (``Condition``):
# count and ranking tiers 10-55% faster.
COMPLEMENT = True
TREES_APART = False
# The ids of the documents the index holds, as SQL.
INDEXED = f"SELECT document_id FROM {KEYS}"


def _phrase(token: str) -> str:
    # Tokens are runs of letters and digits; quoting keeps words like AND, OR, NOT literal.
    return '"' + token.replace('"', '""') + '"'


def match_all(tokens: Sequence[str], columns: str = "") -> str:
    every = "(" + " AND ".join(_phrase(t) for t in tokens) + ")"
    return f"{columns} : {every}" if columns else every


def match_where(match: str, where: Condition, columns: str = "") -> str:
    """``match``, a word of each group of ``where`` and none of what its ``unless`` leaves
    out, in ``columns`` if given (FTS5's NOT binds tighter than AND: all in parentheses)."""
    within = f"{columns} : " if columns else ""
    if where.groups:
        every = " AND ".join("(" + " OR ".join(map(_phrase, g)) + ")" for g in where.groups)
        match = f"{match} AND {within}({every})"
    if where.unless:
        word, others = where.unless.word, where.unless.others
        match = f"({match}) NOT {within}({_phrase(word)} NOT ({' OR '.join(map(_phrase, others))}))"
    return match


def _keys(table: str, where: Condition) -> tuple[str, list]:
    if where.keys is None:
        return "", []
    low, high = where.keys
    return f" AND {table}.rowid BETWEEN %s AND %s", [-high, -low]


# --- Writing ---------------------------------------------------------------------------------


def delete(cursor, document_ids: Sequence[int]) -> None:
    rows = [(d,) for d in document_ids]
    for table in (HEADS, DOCUMENTS):
        cursor.executemany(
            f"DELETE FROM {table} WHERE rowid IN (SELECT -key FROM {KEYS} WHERE document_id = %s)",
            rows,
        )
    cursor.executemany(f"DELETE FROM {KEYS} WHERE document_id = %s", rows)
    cursor.executemany(f"DELETE FROM {WORDS} WHERE document_id = %s", rows)


def word_rows(pages: Sequence[tuple]) -> tuple[list[tuple], dict[int, int]]:
    """The (document id, word, its pages) of (document id, page, tokens) rows, and how many
    pages each document has with words. The pages are space-separated numbers, in order."""
    held: dict[int, dict[str, list[str]]] = {}
    counts: dict[int, int] = {}
    for document_id, page, tokens in pages:
        if page <= 0:
            continue
        words = held.setdefault(document_id, {})
        number = str(page)
        for word in dict.fromkeys(tokens.split()):
            words.setdefault(word, []).append(number)
        counts[document_id] = counts.get(document_id, 0) + 1
    rows = [
        (document_id, word, " ".join(numbers))
        for document_id, words in held.items()
        for word, numbers in words.items()
    ]
    return rows, counts


def insert(cursor, documents: Sequence[tuple], pages: Sequence[tuple]) -> None:
    """``documents``: (id, key, title, description, body tokens, scope words); ``pages``:
    (id, page, tokens)."""
    # In ascending order of the row ids (the keys negated): FTS5 writes a segment whenever a
    # row id is lower than the one before.
    documents = sorted(documents, key=lambda row: row[1], reverse=True)
    cursor.executemany(
        f"INSERT INTO {HEADS} (rowid, title, description, scope) VALUES (%s, %s, %s, %s)",
        [(-key, title, description, scope) for _d, key, title, description, _b, scope in documents],
    )
    cursor.executemany(
        f"INSERT INTO {DOCUMENTS} (rowid, words) VALUES (%s, %s)",
        [
            (-key, f"{title} {description} {body} {scope}")
            for _d, key, title, description, body, scope in documents
        ],
    )
    words, counts = word_rows(pages)
    cursor.executemany(
        f"INSERT INTO {KEYS} (document_id, key, pages) VALUES (%s, %s, %s)",
        [(d, key, counts.get(d, 0)) for d, key, *_rest in documents],
    )
    cursor.executemany(f"INSERT INTO {WORDS} (document_id, word, pages) VALUES (%s, %s, %s)", words)


def rescope(cursor, rows: Sequence[tuple[int, list[str]]]) -> None:
    """New scope words for these (document id, words), in both tables."""
    scopes = dict(rows)
    found = []
    ids = list(scopes)
    for start in range(0, len(ids), 500):  # below SQLite's limit of bound values
        chunk = ids[start : start + 500]
        cursor.execute(
            f"SELECT k.document_id, k.key, d.words FROM {KEYS} k "
            f"JOIN {DOCUMENTS} d ON d.rowid = -k.key "
            f"WHERE k.document_id IN ({', '.join(['%s'] * len(chunk))})",
            chunk,
        )
        found += cursor.fetchall()
    # Only rows whose words change (a new tree changes all of them, a move a few), in
    # ascending order of the row ids: FTS5 writes a segment whenever a row id falls.
    changed = sorted(
        (
            (-key, words)
            for d, key, words in found
            if [w for w in words.split() if w.startswith(MARK)] != scopes[d]
        ),
        key=lambda row: row[0],
    )
    ids_by_rowid = {-key: d for d, key, _words in found}
    cursor.executemany(
        f"UPDATE {HEADS} SET scope = %s WHERE rowid = %s",
        [(" ".join(scopes[ids_by_rowid[rowid]]), rowid) for rowid, _words in changed],
    )
    cursor.executemany(
        f"UPDATE {DOCUMENTS} SET words = %s WHERE rowid = %s",
        [
            (
                " ".join(
                    [w for w in words.split() if not w.startswith(MARK)]
                    + scopes[ids_by_rowid[rowid]]
                ),
                rowid,
            )
            for rowid, words in changed
        ],
    )


def clear(cursor) -> None:
    for table in (HEADS, DOCUMENTS, KEYS, WORDS):
        cursor.execute(f"DELETE FROM {table}")


def prune(cursor, keep_sql: str, keep_params: Sequence) -> None:
    """Drop the rows of every document not selected by ``keep_sql`` (a query of ids). The
    documents to drop are read from the key table (a row per document, always written and
    deleted with the others): the word table holds millions of rows, sought by document."""
    cursor.execute(
        f"DELETE FROM {WORDS} WHERE document_id IN (SELECT document_id FROM {KEYS} "
        f"WHERE document_id NOT IN ({keep_sql}))",
        keep_params,
    )
    for table in (HEADS, DOCUMENTS):
        cursor.execute(
            f"DELETE FROM {table} WHERE rowid IN (SELECT -key FROM {KEYS} "
            f"WHERE document_id NOT IN ({keep_sql}))",
            keep_params,
        )
    cursor.execute(f"DELETE FROM {KEYS} WHERE document_id NOT IN ({keep_sql})", keep_params)


def optimize(cursor) -> None:
    """Merge the index segments after a bulk load."""
    for table in (HEADS, DOCUMENTS):
        cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    cursor.execute("ANALYZE")


def row_counts(cursor) -> tuple[int, int]:
    cursor.execute(f"SELECT count(*), coalesce(sum(pages), 0) FROM {KEYS}")
    return tuple(cursor.fetchone())


# --- Searching -------------------------------------------------------------------------------


def ranked(tier: int, tokens: Sequence[str], where: Condition, limit: int, above: Sequence[int]):
    """The ids of the first ``limit`` documents of a tier meeting ``where``, best first, but
    those of ``above`` (the higher tiers' documents): the index alone, newest first as FTS5
    hands the row ids out."""
    if tier == BODY:
        table, match = DOCUMENTS, match_where(match_all(tokens), where)
    else:
        title = match_all(tokens, "title")
        words = (
            title if tier == TITLE else f"({match_all(tokens, '{title description}')} NOT {title})"
        )
        table, match = HEADS, match_where(words, where, "scope")
    keys, key_params = _keys(table, where)
    if tier == BODY and above:
        keys += f" AND (-{table}.rowid & {ID_MASK}) NOT IN ({', '.join(['%s'] * len(above))})"
        key_params += list(above)
    sql = (
        f"SELECT -{table}.rowid & {ID_MASK} FROM {table} "
        f"WHERE {table} MATCH %s{keys} ORDER BY {table}.rowid LIMIT %s"
    )
    return sql, [match, *key_params, limit]


def find(cursor, tokens: Sequence[str], where: Condition, wanted: int, cap: int):
    """The first ``wanted`` (document id, tier), best first, and how many match (up to
    ``cap``): a tier is read only while places are left, and the count only when the tiers
    fill the page. SQLite runs in the process: a statement more costs no round trip, and a
    common word's count is a scan worth saving."""
    ranking: list[tuple[int, int]] = []
    for tier in (TITLE, HEAD, BODY):
        if len(ranking) >= wanted:
            break
        # A tier is reached only when those above gave all their matches: what the body tier
        # must leave out (documents whose title and description hold the words) is in hand.
        above = [pk for pk, _tier in ranking]
        cursor.execute(*ranked(tier, tokens, where, wanted - len(ranking), above))
        ranking += [(row[0], tier) for row in cursor.fetchall()]
    if len(ranking) < wanted:
        return ranking, len(ranking)
    return ranking, count(cursor, tokens, where, cap)


def count(cursor, tokens: Sequence[str], where: Condition, cap: int) -> int:
    """How many documents meeting ``where`` hold every token, counted no further than
    ``cap``."""
    keys, key_params = _keys(DOCUMENTS, where)
    cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {DOCUMENTS} "
        f"WHERE {DOCUMENTS} MATCH %s{keys} LIMIT %s)",
        [match_where(match_all(tokens), where), *key_params, cap],
    )
    return cursor.fetchone()[0]


def pages(cursor, tokens: Sequence[str], document_ids: Sequence[int]) -> dict[int, dict]:
    """The pages of the documents that hold any token, and whether each holds them all:
    {document id: {page: True / False}}."""
    # One primary-key lookup per document and token.
    shown = ", ".join(["(%s)"] * len(document_ids))
    words = ", ".join(["(%s, %s)"] * len(tokens))
    cursor.execute(
        f"WITH shown (id) AS (VALUES {shown}), asked (n, word) AS (VALUES {words}) "
        f"SELECT w.document_id, asked.n, w.pages FROM shown, asked "
        f"JOIN {WORDS} w ON w.document_id = shown.id AND w.word = asked.word",
        [*document_ids, *(value for n, token in enumerate(tokens) for value in (n, token))],
    )
    held: dict[int, dict[int, set[int]]] = {d: {} for d in document_ids}
    for document_id, n, numbers in cursor.fetchall():
        found = held[document_id]
        for page in numbers.split():
            found.setdefault(int(page), set()).add(n)
    every = len(tokens)
    return {
        d: {page: len(n) == every for page, n in numbers.items()} for d, numbers in held.items()
    }


def shown(cursor, tokens: Sequence[str], document_ids: Sequence[int], select: ShownSelect):
    """Per document shown: its row of ``select.columns``, the pages that hold every word (or,
    when its words are spread over several pages, those that hold any), and the text of the
    first of them. Two statements: the pages, then the documents with that page's text."""
    held = pages(cursor, tokens, document_ids)
    numbers = {
        d: sorted([page for page, every in found.items() if every] or found)
        for d, found in held.items()
    }
    cursor.execute(*select.listed({d: n[0] if n else 0 for d, n in numbers.items()}))
    return [(row[:-1], numbers[row[0]], row[-1]) for row in cursor.fetchall()]


def read(
    cursor,
    tokens: Sequence[str],
    where: Condition,
    offset: int,
    wanted: int,
    cap: int,
    select: ShownSelect,
) -> Found:
    """The documents from ``offset`` to ``wanted`` and the count (``Found``): the tiers and
    the count (``find``), then what the documents shown show (``shown``)."""
    ranking, found = find(cursor, tokens, where, wanted, cap)
    page = ranking[offset:wanted]
    rows = shown(cursor, tokens, [pk for pk, _tier in page], select) if page else []
    by_id = {row[0][0]: row for row in rows}
    return Found(
        ranking=page,
        ranked=len(ranking),
        count=found,
        rows=[by_id[pk] for pk, _tier in page if pk in by_id],
    )
