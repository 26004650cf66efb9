"""Full-text search of the library: titles, descriptions and the text of every page.

Text is segmented with jieba's search mode (``segment``) on the way in and on the way out,
and stored as tokens: in FTS5 tables on SQLite, in tsvector columns on PostgreSQL
(``sqlite`` / ``postgresql``). Per document, its title and description to rank it and every
word it holds (title, description, pages) to find and count it; and which pages hold each
word, to tell for the documents shown on which pages the words occur (a row per page on
PostgreSQL, a row per document and word on SQLite). A document is found when it holds every
word of the query.

The ranking is the same on both databases, so both give the same results in the same order:
documents whose title holds every word, then those whose title and description do, then the
rest; within each, the more recently published first (to the second), then the newer id.
That order is stored with each document (``rank_key``), so a search reads the few documents it
shows and stops, whatever the number of matches; the count stops at ``MAX_COUNT``. (Word
counts such as bm25 or ts_rank differ between the databases and would cost a pass over every
match.)

Only published documents the user may read are found, and the index holds only published
documents. Who may read a document, its category and its format are words of the index too
(``scope_words``: words no text can hold), so that the scope and the filters are part of the
full-text query itself (``Condition``), and a date range a range of ranking keys: ranking and
counting read the index alone, never the documents table. The words follow the rule of
``Document.objects.readable_by`` (``models.published_scope``), the sharing with a whole tree
written as its complement (``Condition.unless``); the documents shown are checked against
the database once more (``_admits``), so a document changed since it was indexed never
shows where it should not.

A search is a few statements whatever the library's size — the ranking tiers it needs and
the count, then the documents shown with their matching pages and the text of the first —
and builds the snippets from that one page each. On PostgreSQL, where every statement is a
round trip, all of it is one statement, kept prepared on each connection
(``postgresql._STATEMENT``).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import import_module
from types import ModuleType
from typing import Any, NamedTuple

from django.db import connection, connections, transaction
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString

from cunju.core.scoping import scope_paths
from cunju.core.tree import STEP_WIDTH, decode_step
from cunju.library.models import (
    Category,
    Document,
    Moderation,
    Page,
    ancestor_paths,
    published_scope,
)

from . import segment

__all__ = [
    "SearchHit",
    "SearchResults",
    "index_document",
    "reindex_all",
    "search",
    "unindex_document",
]

# Ranks: every word in the title; in the title and description; anywhere.
TITLE, HEAD, BODY = 2, 1, 0
# Matches are counted up to here ("more than 1,000"): 50 pages of 20, more than anyone reads.
MAX_COUNT = 1000
# Characters of page text shown around the first match.
SNIPPET_LENGTH = 120
SNIPPET_BEFORE = 30


@dataclass
class SearchHit:
    """One document found: the pages where the words occur (none when only the title and
    description hold them), a highlighted snippet (safe HTML) and its score: 2 when the title
    holds every word, 1 when the title and description do, 0 otherwise."""

    document: Document
    pages: list[int]
    snippet: SafeString
    score: int
    title_hit: bool = False


@dataclass
class SearchResults:
    query: str
    tokens: list[str]
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    limit: int = 20
    offset: int = 0
    # True when there are more than ``total`` (= MAX_COUNT) matches.
    capped: bool = False

    def __iter__(self) -> Iterator[SearchHit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)


def backend() -> ModuleType:
    """The index's implementation for the database in use."""
    return _backend(connection.vendor)


@cache
def _backend(vendor: str) -> ModuleType:
    return import_module(f"{__name__}.{vendor}")


# --- Writing the index -----------------------------------------------------------------------


def rank_key(document: Document) -> int:
    """Newest first, then the higher id: publication time in seconds, then the id (which
    must stay below 2³¹), in one integer both databases sort alike."""
    if not 0 < document.pk < 1 << 31:
        raise ValueError(f"document id {document.pk} does not fit the ranking key")
    published = int(document.published_at.timestamp()) if document.published_at else 0
    return (max(published, 0) << 31) | document.pk


# Scope and filters as words: the mark is neither a letter nor a digit, so no segmented text
# holds a word that starts with it (``segment.split_word``), and nobody can type one.
MARK = "\ue000"
_ORGANIZATION = f"{MARK}o"
_NOT_SHARED_WITH_TOP = f"{MARK}n"


def _word(kind: str, value: Any) -> str:
    # Paths lose their dots (the SQLite tokenizer would split there) and their case (it
    # folds ASCII); base-36 steps stay distinct.
    return f"{MARK}{kind}{value}".replace(".", "").lower()


def scope_words(document: Document) -> list[str]:
    """What the index holds of a document besides its text: its organization and each one
    above it, the node it is shared with, its category and its format; and, when it is not
    shared with the top node of its organization's tree, a word saying so (see
    ``Condition.unless``)."""
    above = ancestor_paths(document.org_path)
    words = [_word("o", path) for path in above]
    words.append(_word("s", document.shared_path))
    words.append(_word("c", document.category_id or 0))
    words.append(_word("f", document.stored_file.format))
    if document.shared_path != above[0]:
        words.append(_word("n", above[0]))
    return words


def tree_code(path: str) -> int:
    """The number of the tree ``path`` is in: the step of its top node, as a number."""
    return decode_step(path[:STEP_WIDTH])


def open_to(scope: Sequence[str]) -> int | None:
    """The tree whose every member may read a document of these ``scope_words``: the code
    (``tree_code``) of the top node when the document is shared with it, else None."""
    if any(word.startswith(_NOT_SHARED_WITH_TOP) for word in scope):
        return None
    # The organization words are paths without their dots: the shortest is the top node.
    top = min((word for word in scope if word.startswith(_ORGANIZATION)), key=len)
    return tree_code(top[len(_ORGANIZATION) :])


class Complement(NamedTuple):
    """A reader's scope, for the documents of their tree, as "shared with its top node
    (``tree``, ``tree_code``; the word ``top``), or holding a word of ``others``" (under the
    reader's node, or shared with a node between the top and the reader). ``word`` is on
    every document of the tree not shared with its top node (``scope_words``)."""

    tree: int
    word: str
    top: str
    others: tuple[str, ...]


@dataclass(frozen=True)
class Condition:
    """What a document must also hold to be found: a word of each group (scope, category,
    format), and a ranking key in ``keys`` (a range of publication dates) unless None.

    Or, for the scope, ``unless`` (``Complement``). A reader may read what is shared with
    the top node of their tree, or with another node above them, or belongs under their own
    node. Most documents are shared with the whole tree, so asked as words ORed, that word
    is on most rows, and a full-text engine reads its whole list in every search. Instead:

    - SQLite asks "not (``word`` and none of ``others``)": the lists read are short (count
      and ranking tiers 10-55% faster). Exact only while the organizations form one tree
      (a document of another tree would hold no word of the reader's), so asked that way
      only then (``condition``);
    - PostgreSQL keeps the documents shared with their tree's top node apart, with their
      tree's code (``open_to``, partial GIN indexes): those of the reader's tree are found by
      the words of the query alone, the others by the words and a scope word of the
      reader's (``top`` or one of ``others``: a document of another tree may be shared with
      the reader's top node since a move). The count and the title tier take half the time;
      exact with any number of trees."""

    groups: tuple[tuple[str, ...], ...] = ()
    keys: tuple[int, int] | None = None
    unless: Complement | None = None


@lru_cache(maxsize=1024)
def _complement(path: str) -> Complement:
    """The scope words of a reader whose scope node is at ``path`` (``published_scope``),
    worked out once per node."""
    under, shared_with = published_scope(path)
    # The first of ``shared_with`` is the top node of the reader's tree.
    top = shared_with[0]
    others = (_word("o", under), *(_word("s", above) for above in shared_with[1:]))
    return Complement(tree_code(top), _word("n", top), _word("s", top), others)


def _one_tree() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(*_top_nodes_sql())
        return len(cursor.fetchall()) == 1


@cache
def _top_nodes_sql() -> tuple[str, tuple]:
    # Compiled once: building the query costs ten times what running it does.
    from cunju.organizations.models import Organization

    top = Organization.objects.filter(parent__isnull=True).order_by().values("pk")[:2]
    return top.query.sql_with_params()


def _day_start(day: dt.date) -> int:
    start = dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())
    return int(start.timestamp())


def condition(
    user: Any,
    *,
    category: Category | int | None = None,
    format: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Condition | None:
    """The index's form of ``searchable()``: None when the user may read nothing."""
    paths = scope_paths(user)
    groups: list[tuple[str, ...]] = []
    unless = None
    if paths is not None:
        if "organization" not in paths:
            return None
        complement = _complement(paths["organization"])
        impl = backend()
        if impl.COMPLEMENT and (impl.TREES_APART or _one_tree()):
            unless = complement
        else:
            others = complement.others
            groups.append((others[0], complement.top, *others[1:]))
    if category:
        groups.append((_word("c", getattr(category, "pk", category)),))
    if format:
        groups.append((_word("f", format),))
    keys = None
    if date_from or date_to:
        # Days in the current time zone, as ``published_at__date`` reads them; a document
        # never published (key below 2³¹) is outside every range.
        low = max(_day_start(date_from), 1) << 31 if date_from else 1 << 31
        high = (_day_start(date_to + dt.timedelta(days=1)) << 31) - 1 if date_to else (1 << 63) - 1
        keys = (low, high)
    return Condition(tuple(groups), keys, unless)


def document_rows(document: Document) -> tuple[tuple, list[tuple]]:
    """The index rows of a document: (id, ranking key, title tokens, description tokens,
    the distinct tokens of all its pages, its ``scope_words``) and a (id, page, tokens) row
    per page with words."""
    pages = []
    words: dict[str, None] = {}
    numbered = Page.objects.filter(stored_file_id=document.stored_file_id).order_by("number")
    for number, text in numbered.values_list("number", "text").iterator(chunk_size=200):
        tokens = segment.tokens(text)
        if tokens and number > 0:
            pages.append((document.pk, number, " ".join(tokens)))
            words.update(dict.fromkeys(tokens))
    head = (
        document.pk,
        rank_key(document),
        segment.index_text(document.title),
        segment.index_text(document.description),
        " ".join(words),
        " ".join(scope_words(document)),
    )
    return head, pages


def index_document(document: Document) -> None:
    """(Re)write the document's rows: idempotent. The text is segmented before the
    statements, so the write itself is short — but inside the caller's transaction if there
    is one, at about 240,000 characters a second: a caller holding locks (a moderation
    action) does better to index once committed, as the pipeline does (``index_published``).
    """
    head, pages = document_rows(document)
    impl = backend()
    with transaction.atomic(), connection.cursor() as cursor:
        impl.delete(cursor, [document.pk])
        impl.insert(cursor, [head], pages)


def rescope_documents(document_ids: Sequence[int]) -> None:
    """Rewrite the scope words of these documents (their organizations moved), in the
    caller's transaction; their text is not segmented again. Documents not in the index are
    left out."""
    documents = Document.objects.filter(pk__in=document_ids, moderation=Moderation.PUBLISHED)
    rows = [(d.pk, scope_words(d)) for d in documents.select_related("stored_file")]
    if rows:
        with transaction.atomic(), connection.cursor() as cursor:
            backend().rescope(cursor, rows)


def prune_index() -> None:
    """Drop the rows of documents that are not published (any more): after a flush, say,
    which empties the documents table but not the index's own tables."""
    impl = backend()
    published = Document.objects.filter(moderation=Moderation.PUBLISHED).order_by()
    keep_sql, keep_params = published.values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        impl.prune(cursor, keep_sql, keep_params)


def unindex_document(document: Document) -> None:
    """Remove the document from the index (taken down; deleted: see ``receivers``)."""
    with transaction.atomic(), connection.cursor() as cursor:
        backend().delete(cursor, [document.pk])


def reindex_all(batch: int = 100) -> int:
    """Rebuild the index from the published documents; returns how many were indexed.

    Batch by batch, each in its own transaction, so searches keep working meanwhile and
    nobody waits on one long write; the rows of unpublished documents are dropped at the end.
    """
    impl = backend()
    published = Document.objects.filter(moderation=Moderation.PUBLISHED)
    done = _index_batches(published, batch)
    keep_sql, keep_params = published.order_by().values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if done:
            impl.prune(cursor, keep_sql, keep_params)
        else:
            impl.clear(cursor)
        impl.optimize(cursor)
    return done


def index_missing(batch: int = 100) -> int:
    """Index the published documents the index does not hold (all of them after a migration
    emptied it, the rest after a rebuild was cut short); returns how many."""
    missing = Document.objects.filter(moderation=Moderation.PUBLISHED).exclude(
        pk__in=RawSQL(backend().INDEXED, ())
    )
    done = _index_batches(missing, batch)
    if done and done * 10 >= index_size()[0]:
        # Most of the index is new (a migration emptied it): merged and counted afresh, as
        # after a rebuild.
        with connection.cursor() as cursor:
            backend().optimize(cursor)
    return done


def _index_batches(documents, batch: int) -> int:
    impl = backend()
    documents = documents.select_related("stored_file").order_by("pk")
    done = 0
    last = 0
    while True:
        chunk = list(documents.filter(pk__gt=last)[:batch])
        if not chunk:
            break
        heads, pages = [], []
        for document in chunk:
            head, rows = document_rows(document)
            heads.append(head)
            pages += rows
        with transaction.atomic(), connection.cursor() as cursor:
            impl.delete(cursor, [d.pk for d in chunk])
            impl.insert(cursor, heads, pages)
        done += len(chunk)
        last = chunk[-1].pk
    return done


# --- Searching -------------------------------------------------------------------------------


def searchable(
    user: Any,
    *,
    category: Category | int | None = None,
    format: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
):
    """The documents a search by ``user`` may return, with the filters applied, as a query
    of the documents table: what ``condition()`` asks of the index, and what the tests and
    the LIKE baseline of the benchmark hold it against."""
    conditions: dict[str, Any] = {"moderation": Moderation.PUBLISHED}
    if category:
        conditions["category"] = category
    if format:
        conditions["stored_file__format"] = format
    if date_from:
        conditions["published_at__date__gte"] = date_from
    if date_to:
        conditions["published_at__date__lte"] = date_to
    return Document.objects.readable_by(user).filter(**conditions).order_by()


@lru_cache(maxsize=1024)
def _query_tokens(query: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The tokens of a query, and those a match needs (``segment.required``). The
    segmenter's answer (the words, not what they find) is worth keeping: the same few queries
    come back all day."""
    tokens = segment.query_tokens(query)
    return tuple(tokens), tuple(segment.required(tokens))


@dataclass
class Found:
    """What a backend's ``read()`` found for a page of results: ``ranking``, the (document
    id, tier) shown, best first; ``ranked``, how many the tiers gave up to the end of the
    page (fewer than asked: every match); ``count``, how many match, counted up to the cap
    (when ``ranked`` falls short, no more than that); ``rows``, per document shown, in the
    same order, its row of ``ShownSelect.columns``, the pages that hold every word (or, when
    its words are spread over several pages, those that hold any) and the text of the
    first of them."""

    ranking: list[tuple[int, int]]
    ranked: int
    count: int
    rows: list[tuple[Sequence, list[int], str | None]]


def _read(impl, cursor, tokens, where: Condition, offset: int, wanted: int) -> Found:
    """The page of results from ``offset`` to ``wanted`` and the count, as each backend reads
    them: as few tiers as it can in as few round trips."""
    return impl.read(cursor, tokens, where, offset, wanted, MAX_COUNT + 1, shown_select())


def search(
    user: Any,
    query: str,
    *,
    category: Category | int | None = None,
    format: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """The published documents ``user`` may read that hold every word of ``query``, best
    first: ``limit`` of them from ``offset``, and how many there are in all."""
    tokens, needed = (list(t) for t in _query_tokens(query or ""))
    results = SearchResults(query=query or "", tokens=tokens, limit=limit, offset=offset)
    if not tokens or not getattr(user, "is_authenticated", False):
        return results
    filters = {"category": category, "format": format, "date_from": date_from, "date_to": date_to}
    where = condition(user, **filters)
    if where is None:
        return results
    impl = backend()
    wanted = offset + limit
    with connection.cursor() as cursor:
        found = _read(impl, cursor, needed, where, offset, wanted)
    if found.ranked < wanted:
        results.total = found.ranked  # every match was read
    else:
        results.total, results.capped = min(found.count, MAX_COUNT), found.count > MAX_COUNT
    ranking = found.ranking
    if not ranking:
        return results
    loaded = _load_documents(found.rows)
    terms = tuple(highlight_terms(query, tokens))
    admits = _admits(user, **filters)
    for document_id, tier in ranking:
        if document_id not in loaded:  # deleted meanwhile
            results.total -= 1
            continue
        document, pages, page_text = loaded[document_id]
        if not admits(document):  # changed since it was indexed, not yet indexed again
            results.total -= 1
            continue
        results.hits.append(
            SearchHit(
                document=document,
                pages=pages,
                snippet=snippet(page_text, terms) if page_text else _head_snippet(document, terms),
                score=tier,
                title_hit=tier == TITLE,
            )
        )
    return results


def _admits(
    user: Any,
    *,
    category: Category | int | None,
    format: str | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
):
    """Whether a document read from the database may be shown: ``searchable()`` asked of the
    few documents shown, in Python. The index may lag behind a change by a moment (a new
    sharing, say, indexed once committed); what it found is shown only if this agrees."""
    paths = scope_paths(user)
    scope = None if paths is None else published_scope(paths["organization"])
    category_id = int(getattr(category, "pk", category) or 0)
    # Days as the current time zone has them, as ``published_at__date`` reads them.
    since = _day_start(date_from) if date_from else None
    before = _day_start(date_to + dt.timedelta(days=1)) if date_to else None

    def admits(document: Document) -> bool:
        if document.moderation != Moderation.PUBLISHED or document.published_at is None:
            return False
        if scope and not (
            document.org_path.startswith(scope[0]) or document.shared_path in scope[1]
        ):
            return False
        if category_id and document.category_id != category_id:
            return False
        if format and document.stored_file.format != format:
            return False
        if since is None and before is None:
            return True
        published = document.published_at.timestamp()
        return (since is None or published >= since) and (before is None or published < before)

    return admits


def _head_snippet(document: Document, terms: Sequence[str]) -> SafeString:
    """No page holds the words: a snippet of the description or the title, whichever has
    them."""
    for text in (document.description, document.title):
        text = " ".join(text.split())
        spans = _snippet_spans(text, terms, SNIPPET_LENGTH)
        if spans:
            return _snippet_of(text, spans, SNIPPET_LENGTH)
    return snippet(document.description or document.title, terms)


# --- Loading the documents shown -------------------------------------------------------------

# What a result shows, read in one statement with the text of its first matching page; the
# rest of a document (and its uploader's personal data) stays unread, loaded if asked for.
SHOWN_FIELDS = {
    "document": (
        "id",
        "stored_file",
        "title",
        "description",
        "category",
        "uploader",
        "price",
        "org_path",
        "shared_path",
        "moderation",
        "published_at",
        "read_count",
        "download_count",
    ),
    "stored_file": ("id", "format", "page_count", "size_bytes", "status"),
    "category": ("id", "name"),
    "uploader": ("id", "username", "full_name"),
}


@dataclass
class _Part:
    """One model's columns in the row: which attributes, how to convert the values."""

    model: type[Model]
    attnames: list[str]
    converters: list[tuple[int, Any, Any]]  # (position, converter, column)


@dataclass(frozen=True)
class ShownSelect:
    """The documents shown, as the pieces of a SELECT the backends complete: ``columns``
    read from ``tables`` (the document ``d`` of each ``shown.id`` joined with its stored file
    ``s``), and ``page_text(page)``, the text of the document's page given by the SQL
    expression ``page`` (none for 0). ``parts`` say how to make model instances of the
    columns' values as the ORM would: the same converters, the other fields deferred."""

    columns: str
    # The document joined with its stored file, and how it joins a ``shown`` row (outer on
    # PostgreSQL, where a document deleted since it was indexed keeps its place).
    documents: str
    joined: str
    text_sql: str
    parts: list[_Part]
    relations: list[Any]

    @property
    def tables(self) -> str:
        return f"JOIN ({self.documents}) ON {self.joined}"

    def page_text(self, page: str) -> str:
        return self.text_sql.replace("<page>", page)

    def listed(self, first_pages: dict[int, int]) -> tuple[str, list]:
        """The statement reading the documents of ``first_pages`` (id → the page whose
        text to read) from a list of values, and its parameters."""
        values = ", ".join(["(%s, %s)"] * len(first_pages))
        sql = (
            f"WITH shown (id, page) AS (VALUES {values}) "
            f"SELECT {self.columns}, {self.page_text('shown.page')} FROM shown {self.tables}"
        )
        return sql, [value for item in first_pages.items() for value in item]


# Made once per database vendor.
_shown_selects: dict[str, ShownSelect] = {}


def shown_select() -> ShownSelect:
    """What a result shows, for the database in use: the columns of ``SHOWN_FIELDS``."""
    vendor = connection.vendor
    if vendor in _shown_selects:
        return _shown_selects[vendor]
    q = connection.ops.quote_name
    relations = [Document._meta.get_field(name) for name in ("stored_file", "category", "uploader")]

    def subquery(model: type[Model], column: str, key: str) -> str:
        # A value or two of a related row: cheaper for PostgreSQL to plan than one more join.
        return (
            f"(SELECT x.{q(column)} FROM {q(model._meta.db_table)} x "
            f"WHERE x.{q(model._meta.pk.column)} = {key})"
        )

    joined = {"document": "d", "stored_file": "s"}
    columns, parts = [], []
    for name, model in [("document", Document)] + [(r.name, r.related_model) for r in relations]:
        wanted = {model._meta.get_field(f).attname for f in SHOWN_FIELDS[name]}
        # In the model's field order, as Model.from_db takes them.
        fields = [f for f in model._meta.concrete_fields if f.attname in wanted]
        part = _Part(model, [f.attname for f in fields], [])
        key = f"d.{q(Document._meta.get_field(name).column)}" if name not in joined else ""
        for i, f in enumerate(fields):
            if name in joined:
                columns.append(f"{joined[name]}.{q(f.column)}")
            else:
                columns.append(key if f.primary_key else subquery(model, f.column, key))
            column = f.get_col(joined.get(name, "x"))
            if f.get_internal_type() == "DateTimeField" and vendor in _DATETIMES:
                # Read as Django reads them, at a tenth of the cost (20 of them in each search).
                read, as_sql = _DATETIMES[vendor]
                columns[-1] = as_sql.format(columns[-1])
                part.converters.append((i, read, column))
                continue
            for convert in connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            ):
                part.converters.append((i, convert, column))
        parts.append(part)
    page = {f: q(Page._meta.get_field(f).column) for f in ("stored_file", "number", "text")}
    stored_file = relations[0].related_model._meta
    _shown_selects[vendor] = ShownSelect(
        columns=", ".join(columns),
        documents=(
            f"{q(Document._meta.db_table)} d JOIN {q(stored_file.db_table)} s "
            f"ON s.{q(stored_file.pk.column)} = d.{q(relations[0].column)}"
        ),
        joined=f"d.{q(Document._meta.pk.column)} = shown.id",
        text_sql=(
            f"(SELECT x.{page['text']} FROM {q(Page._meta.db_table)} x "
            f"WHERE x.{page['stored_file']} = d.{q(relations[0].column)} "
            f"AND x.{page['number']} = <page>)"
        ),
        parts=parts,
        relations=relations,
    )
    return _shown_selects[vendor]


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _from_epoch(value: int | None, expression: Any, connection: Any) -> dt.datetime | None:
    # Microseconds since the epoch: aware, in UTC, as Django reads a timestamptz.
    return None if value is None else _EPOCH + dt.timedelta(microseconds=value)


def _from_iso(value: str | None, expression: Any, connection: Any) -> dt.datetime | None:
    # SQLite's text as Django writes it, read as text (the driver's own reading of a
    # datetime column costs more); aware in the connection's time zone, as Django reads it
    # (``convert_datetimefield_value``).
    if value is None:
        return None
    read = dt.datetime.fromisoformat(value)
    return read if read.tzinfo else read.replace(tzinfo=connection.timezone)


# How the DateTimeFields of the documents shown are read, by vendor: a converter and the
# column's SQL (Django's way for other vendors).
_DATETIMES = {
    "postgresql": (_from_epoch, "(extract(epoch FROM {}) * 1000000)::bigint"),
    "sqlite": (_from_iso, "CAST({} AS TEXT)"),
}


def _instance(part: _Part, db: str, values: Sequence) -> Model:
    """A model instance of the values read, made as unpickling makes one: the fields read set,
    the others deferred. (``Model.from_db`` goes through ``__init__``, which for the few
    documents shown costs more than the statements that find them.)"""
    instance = part.model.__new__(part.model)
    instance.__dict__.update(zip(part.attnames, values, strict=True))
    instance._state = state = ModelState()
    state.adding, state.db = False, db
    return instance


def _load_documents(rows: Iterable[tuple]) -> dict[int, tuple[Document, list[int], str]]:
    """The documents shown, by id, with their related objects, made of the ``rows`` read
    (``Found.rows``), with the pages that hold the words and the text of the first of them
    ("" for none)."""
    select = shown_select()
    db = connection.alias
    wrapper = connections[db]  # not the proxy, whose every attribute is a lookup
    # Where each model's values lie in the row, and where the document keeps the related
    # object (``set_cached_value``): worked out once per search, not per value.
    slices, start = [], 0
    for part in select.parts:
        slices.append((part, start, start + len(part.attnames)))
        start += len(part.attnames)
    caches = [None, *(relation.cache_name for relation in select.relations)]
    # A related row read twice (a category, an uploader) is made once and shared, as
    # prefetching shares it.
    made: dict[tuple, Model] = {}
    loaded = {}
    for row, pages, text in rows:
        document = None
        for (part, begin, end), cache_name in zip(slices, caches, strict=True):
            values = row[begin:end]
            if cache_name is not None and (begin, values) in made:
                document._state.fields_cache[cache_name] = made[begin, values]
                continue
            key = values
            if part.converters:
                values = list(values)
                for i, convert, column in part.converters:
                    values[i] = convert(values[i], column, wrapper)
            instance = None if values[0] is None else _instance(part, db, values)
            if document is None:
                document = instance
            else:
                document._state.fields_cache[cache_name] = made[begin, key] = instance
        loaded[document.pk] = (document, pages, text or "")
    return loaded


# --- Snippets --------------------------------------------------------------------------------


def highlight_terms(query: str, tokens: Sequence[str]) -> list[str]:
    """What to mark in a snippet: the query's own runs of words (so a name segmented into
    single characters is marked whole where it occurs whole) and each token, longest first."""
    runs = [
        w for piece in segment.normalize(query or "").split() for w in segment.split_word(piece)
    ]
    return sorted(segment.unique([*runs, *tokens]), key=len, reverse=True)


def _normalized_with_offsets(text: str) -> tuple[str, Sequence[int]]:
    """``text`` folded like the index (NFKC, lower case) with, for each folded character, the
    position of the character it came from."""
    folded = segment.normalize(text)
    if len(folded) == len(text):
        # One character for one (full-width punctuation, upper case): the same positions.
        return folded, range(len(text))
    folded, origin = [], []
    for i, ch in enumerate(text):
        part = segment.normalize(ch)
        folded.append(part)
        origin.extend([i] * len(part))
    return "".join(folded), origin


# Characters that fold (NFKC, lower case) to themselves, to a plain ASCII letter or digit
# (capitals, full-width forms) or to no letter at all (punctuation, spaces): ASCII, general
# and CJK punctuation, the common CJK ideographs, full-width forms. In a text made of them
# only (nearly every page), the words are found where they are written; the others
# (compatibility ideographs, combining marks, accented capitals…) take the exact, slower way.
PLAIN = re.compile(
    r"[\x00-\x7f\u2000-\u206f\u3000-\u3029\u3030-\u3037\u303b-\u303f"
    r"\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e]*"
)


def _written(char: str) -> str:
    # An ASCII letter or digit may be written full width (ｅ, Ｅ); the case is left to IGNORECASE.
    if char.isascii() and char.isalnum():
        return f"[{char}{chr(ord(char) + 0xFEE0)}]"
    if char.lower() != char.upper():
        # Another cased letter matches itself only: IGNORECASE would let ı match i and I,
        # which the index (and the folded way) holds apart.
        return f"(?-i:{re.escape(char)})"
    return re.escape(char)


@lru_cache(maxsize=256)
def _patterns(terms: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern, int]:
    """The terms as they may be written in a plain text (any case, full-width letters and
    digits), as they are in a folded one, and the length of the longest."""
    written = "|".join("".join(_written(c) for c in term) for term in terms)
    folded = "|".join(re.escape(term) for term in terms)
    return re.compile(written, re.IGNORECASE), re.compile(folded), max(map(len, terms))


def _spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    if not terms or not text:
        return []
    written, folded, _longest = _patterns(tuple(terms))
    if PLAIN.fullmatch(text):
        # Folding a whole page would cost more than the rest of a search.
        found = [m.span() for m in written.finditer(text)]
    else:
        normalized, origin = _normalized_with_offsets(text)
        found = [(origin[m.start()], origin[m.end() - 1] + 1) for m in folded.finditer(normalized)]
    return _merged(found)


def _merged(found: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    # Overlapping or touching matches marked as one.
    spans: list[tuple[int, int]] = []
    for start, end in found:
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _snippet_spans(text: str, terms: Sequence[str], length: int) -> list[tuple[int, int]]:
    """``_spans`` as far as a snippet of ``length`` around the first match may show them: in a
    plain text, matched from the first match to the end of the window only (the rest of a
    page is most of the time of a snippet)."""
    if not terms or not text or not PLAIN.fullmatch(text):
        return _spans(text, terms)
    written, _folded, longest = _patterns(tuple(terms))
    first = written.search(text)
    if first is None:
        return []
    # A match starting in the window (or the first, which places it) ends at most the
    # longest term's length after its start (a term's every character matches one).
    begin = first.start()
    stop = max(max(0, begin - SNIPPET_BEFORE) + length, begin) + longest
    found = [m.span() for m in written.finditer(text, begin, stop)]
    return _merged(found) if len(found) > 1 else found


def snippet(text: str, terms: Sequence[str], length: int = SNIPPET_LENGTH) -> SafeString:
    """A piece of ``text`` around the first match, HTML-escaped, the words in <mark>."""
    text = " ".join((text or "").split())
    return _snippet_of(text, _snippet_spans(text, terms, length), length)


_TO_ESCAPE = re.compile(r"[&<>\"']")


def _snippet_of(text: str, spans: list[tuple[int, int]], length: int) -> SafeString:
    # ``spans``: the matches in ``text``, in order, as far as the window reaches.
    start = max(0, spans[0][0] - SNIPPET_BEFORE) if spans else 0
    end = min(len(text), start + length)
    if end - start < length:
        start = max(0, end - length)
    # Most windows hold nothing to escape: then the pieces are taken as they are.
    escape = html.escape if _TO_ESCAPE.search(text, start, end) else str
    out = ["…" if start > 0 else ""]
    position = start
    for s, e in spans:
        if e <= start:
            continue
        if s >= end:
            break
        s, e = max(s, start), min(e, end)
        out.append(f"{escape(text[position:s])}<mark>{escape(text[s:e])}</mark>")
        position = e
    out.append(escape(text[position:end]))
    if end < len(text):
        out.append("…")
    return SafeString("".join(out))


def plain(snippet_html: str) -> str:
    """A snippet for a terminal: the marks as 【】, entities decoded."""
    marked = snippet_html.replace("<mark>", "【").replace("</mark>", "】")
    return html.unescape(marked)


def index_size() -> tuple[int, int]:
    """How many documents and pages the index holds."""
    with connection.cursor() as cursor:
        return backend().row_counts(cursor)


def bulk_insert(documents: Iterable[tuple], pages: Iterable[tuple]) -> None:
    """Insert ready-made rows, as a data load does (``document_rows`` makes them); the
    caller makes sure the documents have no rows yet."""
    with connection.cursor() as cursor:
        backend().insert(cursor, list(documents), list(pages))
