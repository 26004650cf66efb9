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

The documents shared with the top node of their tree, which every member of the tree may
read, carry that tree's code in ``open_to`` (``search.open_to``; NULL for the others), and
each tsvector has two partial GIN indexes, one for each kind: a search reads the first with
the words of the query alone, the second with the words and one of the reader's scope words
(``Condition.unless``), never the list of a word most documents hold.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import DatabaseError, connection

from cunju.core.dbsettings import execute_with_settings, undo_settings

from . import BODY, HEAD, MARK, TITLE, Condition, Found, ShownSelect, open_to

HEADS = "library_search_head"
DOCUMENTS = "library_search_document"
PAGES = "library_search_page"
# The scope asked as a complement (``Condition``), with any number of trees: the documents
# shared with their tree's top node are kept apart by tree (``open_to``).
COMPLEMENT = True
TREES_APART = True
# The ids of the documents the index holds, as SQL.
INDEXED = f"SELECT document_id FROM {DOCUMENTS}"


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def query_all(tokens: Sequence[str]) -> str:
    return " & ".join(_lexeme(t) for t in tokens)


def query_any(tokens: Sequence[str]) -> str:
    return " | ".join(_lexeme(t) for t in tokens)


def query_where(tokens: Sequence[str], where: Condition) -> str:
    """Every token and a word of each group of ``where``: what the documents shared with
    the top node of the reader's tree must hold (all documents, for a reader without a
    scope)."""
    groups = "".join(f" & ({query_any(group)})" for group in where.groups)
    return f"({query_all(tokens)}){groups}"


def query_closed(tokens: Sequence[str], where: Condition) -> str:
    """What the other documents must hold: also a scope word of the reader's. (In one tree,
    none of them is shared with the top node; one of another tree may be, since a move.)"""
    if where.unless is None:
        return query_where(tokens, where)
    scope = (where.unless.top, *where.unless.others)
    return f"{query_where(tokens, where)} & ({query_any(scope)})"


# --- Writing ---------------------------------------------------------------------------------


def delete(cursor, document_ids: Sequence[int]) -> None:
    ids = list(document_ids)
    for table in (HEADS, DOCUMENTS, PAGES):
        cursor.execute(f"DELETE FROM {table} WHERE document_id = ANY(%s)", [ids])


def insert(cursor, documents: Sequence[tuple], pages: Sequence[tuple]) -> None:
    """``documents``: (id, key, title, description, body tokens, scope words); ``pages``:
    (id, page, tokens)."""
    cursor.executemany(
        f"INSERT INTO {HEADS} (document_id, key, open_to, title, head) VALUES "
        "(%s, %s, %s, array_to_tsvector(%s::text[]), array_to_tsvector(%s::text[]))",
        [
            (
                d,
                key,
                open_to(scope.split()),
                f"{title} {scope}".split(),
                f"{title} {description} {scope}".split(),
            )
            for d, key, title, description, _body, scope in documents
        ],
    )
    cursor.executemany(
        f"INSERT INTO {DOCUMENTS} (document_id, key, open_to, words) "
        "VALUES (%s, %s, %s, array_to_tsvector(%s::text[]))",
        [
            (d, key, open_to(scope.split()), f"{title} {description} {body} {scope}".split())
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
        f"UPDATE {HEADS} SET open_to = %s, {_rescoped('title')}, {_rescoped('head')} "
        "WHERE document_id = %s",
        [(open_to(scope), MARK, scope, MARK, scope, d) for d, scope in rows],
    )
    cursor.executemany(
        f"UPDATE {DOCUMENTS} SET open_to = %s, {_rescoped('words')} WHERE document_id = %s",
        [(open_to(scope), MARK, scope, d) for d, scope in rows],
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


# The search is one statement (``_STATEMENT``), kept prepared on each connection. Each step
# that finds documents by their words reads both kinds of document (``open_to``): those
# shared with the top node of the reader's tree holding the words of ``$1`` (every token and
# a word of each group of the condition, ``query_where``), the others those of ``$2`` (also
# one of the reader's scope words, ``query_closed``); ``$8`` is the reader's tree
# (NULL: every tree, for a reader without a scope). Its steps:
# - ``n``: the documents holding the words, at most ``$5`` (the count's cap) of them, in no
#   order, through the GIN indexes: counted and, when they are all there, their ranking keys
#   (a key ends with the document's id, ``rank_key``) kept for the body tier;
# - ``t``, ``h``: the first ``$6`` of the title and of the description tier (titles and
#   descriptions are short: the GIN index and a sort of what it finds beat walking the key
#   index and reading each title on the way, 2.6 against 1.0 ms for 工作; "+ 0" keeps the
#   planner off that walk), the description tier only when the titles leave places;
# - ``b``: the body tier, only when places are left: the newest of ``n`` when it holds every
#   match. Else (more matches than the cap) the first pages walk down the key index, newest
#   first, reading each document's words (``w``): cheap for a common word, whose matches are
#   close together, but a walk reads ``$6`` / (share of documents matching) rows, each a
#   large value. So the walk gives up after ``_WALK_STEPS`` rows per place, and then, as on
#   later pages, the matches are read through the GIN indexes and sorted. These two steps
#   (``_WALK``, ``_BEYOND``) are in the statement only for a search that needs them
#   (``_walking``); without them, ``b`` is NULL when they are needed, and nothing is shown;
# - ``r``: the three in order, the body tier without the documents of the others (they gave
#   every match they have, so at most all of them are among its first ``$6``: enough left);
# - a row for each result from ``$7`` to ``$6``, with whether the search needs the walk,
#   its tier and what a result shows
#   (``ShownSelect``; NULL for a document deleted since it was indexed), the pages holding
#   every word (``$3``), or, when the words are spread over several pages, any (``$4``),
#   unordered, and the text of the first of them.
# Every step not needed is left out (an ``ARRAY(…)`` in a ``CASE`` runs only when taken), and
# a row comes back even when nothing is found, with the count.
_OPEN = "s.open_to IS NOT NULL AND (s.open_to = $8 OR $8 IS NULL)"
_STATEMENT = """
WITH n AS MATERIALIZED (
  SELECT count(*) AS n, array_agg(x.key) AS keys FROM (
    SELECT s.key FROM library_search_document s WHERE {open} AND s.words @@ $1{keys}
    UNION ALL
    SELECT s.key FROM library_search_document s WHERE s.open_to IS NULL AND s.words @@ $2{keys}
    LIMIT $5) x),
t AS MATERIALIZED (SELECT ARRAY(
  SELECT x.document_id FROM (
    SELECT s.document_id, s.key FROM library_search_head s WHERE {open} AND s.title @@ $1{keys}
    UNION ALL
    SELECT s.document_id, s.key FROM library_search_head s
    WHERE s.open_to IS NULL AND s.title @@ $2{keys}) x
  ORDER BY x.key + 0 DESC LIMIT $6) AS ids),
h AS MATERIALIZED (SELECT CASE WHEN cardinality(t.ids) < $6 THEN ARRAY(
  SELECT x.document_id FROM (
    SELECT s.document_id, s.key FROM library_search_head s
    WHERE {open} AND s.head @@ $1 AND NOT s.title @@ $3{keys}
    UNION ALL
    SELECT s.document_id, s.key FROM library_search_head s
    WHERE s.open_to IS NULL AND s.head @@ $2 AND NOT s.title @@ $3{keys}) x
  ORDER BY x.key + 0 DESC LIMIT $6) ELSE ARRAY[]::bigint[] END AS ids FROM t),
{walk}b AS MATERIALIZED (SELECT CASE
  WHEN cardinality(t.ids) + cardinality(h.ids) >= $6 THEN ARRAY[]::bigint[]
  WHEN n.n < $5 THEN ARRAY(SELECT k & {id_mask} FROM unnest(n.keys) k ORDER BY k DESC LIMIT $6)
{beyond}  END AS ids FROM t, h, n{w}),
r AS MATERIALIZED (
  SELECT x.id, x.tier, row_number() OVER (ORDER BY x.tier DESC, x.place) AS position
  FROM (
    SELECT u.id, {title} AS tier, u.place FROM t, unnest(t.ids) WITH ORDINALITY u (id, place)
    UNION ALL
    SELECT u.id, {head}, u.place FROM h, unnest(h.ids) WITH ORDINALITY u (id, place)
    UNION ALL
    SELECT u.id, {body}, u.place FROM t, h, b, unnest(b.ids) WITH ORDINALITY u (id, place)
    WHERE u.id <> ALL (t.ids || h.ids)) x),
shown AS (SELECT r.id, r.tier, r.position FROM r, b
  WHERE r.position > $7 AND r.position <= $6 AND b.ids IS NOT NULL)
SELECT n.n, (SELECT count(*) FROM r),
  (SELECT cardinality(t.ids) + cardinality(h.ids) < $6 AND n.n >= $5 FROM t, h),
  shown.id, shown.tier, {columns}, p.every, p.held, {text}
FROM n LEFT JOIN (shown LEFT JOIN ({documents}) ON {joined}
  CROSS JOIN LATERAL (SELECT
    array_agg(w.page) FILTER (WHERE w.words @@ $3) AS every, array_agg(w.page) AS held,
    min(w.page) FILTER (WHERE w.words @@ $3) AS first_every, min(w.page) AS first_held
    FROM library_search_page w WHERE w.document_id = shown.id AND w.words @@ $4) p) ON true
ORDER BY shown.position
"""
# The steps for more matches than the cap (the walk, the matches sorted), in the statement
# only when needed (``_walking``): those a statement holds are set up each time it runs, run
# or not (60 µs of a statement of 1.1 ms).
_WALK = """w AS MATERIALIZED (SELECT CASE
  WHEN cardinality(t.ids) + cardinality(h.ids) < $6 AND n.n >= $5 AND $6 <= {walked} THEN ARRAY(
    SELECT s.document_id FROM (
      SELECT s.document_id, s.key, s.open_to, s.words FROM library_search_document s
      WHERE TRUE{keys} ORDER BY s.key DESC LIMIT {steps} * $6) s
    WHERE s.words @@ CASE WHEN {open} THEN $1 ELSE $2 END
    ORDER BY s.key DESC LIMIT $6) END AS ids FROM t, h, n),
"""
_BEYOND = """  WHEN cardinality(w.ids) >= $6 THEN w.ids
  ELSE ARRAY(SELECT x.document_id FROM (
      SELECT s.document_id, s.key FROM library_search_document s
      WHERE {open} AND s.words @@ $1{keys}
      UNION ALL
      SELECT s.document_id, s.key FROM library_search_document s
      WHERE s.open_to IS NULL AND s.words @@ $2{keys}) x
    ORDER BY x.key + 0 DESC LIMIT $6)
"""
_TYPES = ["tsquery", "tsquery", "tsquery", "tsquery", "bigint", "bigint", "bigint", "integer"]
# A walk reads a row in 10 to 20 µs (its words unpacked), the GIN index finds and sorts a
# match in 0.2 to 0.3: a walk is worth it only when most documents match, as for 工作 (20
# places in 23 rows, 0.25 ms, against 1.3 ms for its 8,290 matches sorted). It is tried for
# the first pages only (up to ``_WALKED`` results) and reads at most ``_WALK_STEPS`` rows per
# result (a quarter of the documents matching, or more); then it has cost at most 2.4 ms,
# where an unbounded walk would read 8,552 rows for the 50th page of 在人 (1,353 matches):
# 80 ms.
_WALKED = 40
_WALK_STEPS = 4
_KEYS = " AND s.key BETWEEN $9 AND $10"

# Planned once for any words: the plan above is the best whatever they are, as long as the
# planner cannot take a table scan instead of the GIN index (it does not price unpacking the
# large ``words`` of every row, and would, for a common word: tens of milliseconds against
# one).
_GENERIC = {"enable_seqscan": "off", "plan_cache_mode": "force_generic_plan"}


@dataclass(frozen=True)
class _Statement:
    name: str
    sql: str  # with $1…$n
    types: list[str]

    def prepare(self) -> str:
        return f"PREPARE {self.name} ({', '.join(self.types)}) AS {self.sql}"

    def execute(self) -> str:
        return f"EXECUTE {self.name} ({', '.join(['%s'] * len(self.types))})"

    def direct(self, values: Sequence) -> tuple[str, list]:
        """The statement itself and its parameters, bound in place of ``$1``…``$n``."""
        order: list[int] = []

        def bind(match: re.Match) -> str:
            order.append(int(match[1]) - 1)
            return f"CAST(%s AS {self.types[order[-1]]})"

        # Client-side binding reads every % of the text. (The text has no $ but its
        # parameters'.)
        sql = re.sub(r"\$(\d+)", bind, self.sql.replace("%", "%%"))
        return sql, [values[n] for n in order]


def _statement(keys: bool, walking: bool, select: ShownSelect) -> _Statement:
    return _statement_for(
        keys,
        walking,
        select.columns,
        select.documents,
        select.joined,
        select.page_text(_FIRST_PAGE),
    )


_FIRST_PAGE = "COALESCE(p.first_every, p.first_held, 0)"


@cache
def _statement_for(
    keys: bool, walking: bool, columns: str, documents: str, joined: str, text: str
) -> _Statement:
    template = (
        _STATEMENT.replace("{walk}", _WALK if walking else "")
        .replace("{beyond}", _BEYOND if walking else "")
        .replace("{w}", ", w" if walking else "")
    )
    sql = template.format(
        keys=_KEYS if keys else "",
        open=_OPEN,
        walked=_WALKED,
        steps=_WALK_STEPS,
        id_mask=(1 << 31) - 1,
        title=TITLE,
        head=HEAD,
        body=BODY,
        columns=columns,
        documents=documents,
        joined=joined,
        text=text,
    )
    # Named after its text: a connection never runs another statement under the same name.
    name = "cunju_search_" + hashlib.sha1(sql.encode()).hexdigest()[:12]
    return _Statement(name, sql, _TYPES + ["bigint", "bigint"] * keys)


# The searches (words, condition, page and cap) that had more matches than the cap and
# places left after the titles and descriptions, the last time they were asked: they are
# asked with the walk at once, the others without it, and again with it when it turns out
# to be needed (and forgotten when it no longer is). A guess that lasts (the same few
# searches come back all day); wrong, it costs time, never results. Emptied when full.
_walking: dict[tuple, None] = {}
_WALKING_KEPT = 4096


# The statements prepared on each connection (psycopg's), by name.
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def read(
    cursor,
    tokens: Sequence[str],
    where: Condition,
    offset: int,
    wanted: int,
    cap: int,
    select: ShownSelect,
) -> Found:
    """The documents from ``offset`` to ``wanted`` of those holding every token and meeting
    ``where``, best first, with what a result shows, and the count: one round trip (see
    ``_STATEMENT``), two when the walk turns out to be needed (``_walking``)."""
    values = [
        query_where(tokens, where),
        query_closed(tokens, where),
        query_all(tokens),
        query_any(tokens),
        cap,
        wanted,
        offset,
        where.unless.tree if where.unless else None,
        *(where.keys or ()),
    ]
    asked = (tuple(tokens), where, wanted, cap)
    walking = asked in _walking
    rows = _run(cursor, _statement(where.keys is not None, walking, select), values)
    if rows[0][2] and not walking:
        # Asked without the walk, and it was needed: again, with it.
        if len(_walking) >= _WALKING_KEPT:
            _walking.clear()
        _walking[asked] = None
        rows = _run(cursor, _statement(where.keys is not None, True, select), values)
    elif walking and not rows[0][2]:
        _walking.pop(asked, None)
    found, ranked = rows[0][:2]
    return Found(
        # A document deleted since it was indexed is in the ranking, without its columns.
        ranking=[(row[3], row[4]) for row in rows if row[3] is not None],
        ranked=min(ranked, wanted),
        count=found,
        # The pages unordered from the statement, sorted here: an ordered aggregate is a sort
        # per document on the server.
        rows=[
            (row[5:-3], sorted(row[-3] or row[-2] or []), row[-1])
            for row in rows
            if row[5] is not None
        ],
    )


def _run(cursor, statement: _Statement, values: list) -> list[tuple]:
    if not settings.CUNJU_DATABASE_PREPARE or connection.queries_logged:
        # Behind a pooler that cannot keep prepared statements, or while queries are logged
        # (the log then shows the statement with its values): planned every time.
        execute_with_settings(
            connection, cursor, {"enable_seqscan": "off"}, *statement.direct(values)
        )
    else:
        _execute_prepared(cursor, statement, values)
    return cursor.fetchall()


def _execute_prepared(cursor, statement: _Statement, values: list) -> None:
    names = _prepared.setdefault(connection.connection, set())
    for attempt in range(3):
        prelude = [] if statement.name in names else [statement.prepare()]
        try:
            execute_with_settings(
                connection, cursor, _GENERIC, statement.execute(), values, prelude=prelude
            )
        except DatabaseError as error:
            state = getattr(error.__cause__, "sqlstate", None)
            if attempt == 2 or state not in _STALE:
                raise
            undo_settings(connection, cursor)
            if state == "42P05":
                # Already there: prepared by a batch that failed after it (PREPARE is not
                # undone by a rollback).
                names.add(statement.name)
                continue
            # Gone (DEALLOCATE ALL, DISCARD ALL), or unusable since a migration changed a
            # column it reads ("cached plan must not change result type", a message the
            # server may give in another language): prepared afresh.
            cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [statement.name])
            if cursor.fetchone():
                cursor.execute(f"DEALLOCATE {statement.name}")
            names.discard(statement.name)
        else:
            names.add(statement.name)
            return


# A prepared statement missing, already there, or refused since a migration (0A000, "feature
# not supported", is also what an EXECUTE of a stale statement gets).
_STALE = {"26000", "42P05", "0A000"}
