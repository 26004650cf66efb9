"""Full-text search of the library: titles, descriptions and the text of every page.

Text is segmented with jieba's search mode (``segment``) on the way in and on the way out,
and stored as space-separated tokens: in FTS5 tables on SQLite, in tsvector columns on
PostgreSQL (``sqlite`` / ``postgresql``). Two tables: one row per document (title,
description, every word of its pages) to find, rank and count documents; one row per page
to tell, for the documents shown, on which pages the words occur. A document is found when
it holds every word of the query.

The ranking is the same on both databases, so both give the same results in the same order:
documents whose title holds every word, then those whose title and description do, then the
rest; within each, the more recently published first (to the second), then the newer id.
That order is stored with each document (``rank_key``), so a search reads the few documents it
shows and stops, whatever the number of matches; the count stops at ``MAX_COUNT``. (Word
counts such as bm25 or ts_rank differ between the databases and would cost a pass over every
match.)

Only published documents the user may read are found (``Document.objects.readable_by``),
filtered inside the query so that counts and pages are right.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cunju.library.models import Category, Document, Moderation, Page

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


# What a result shows; the rest of a document (and its uploader's personal data) stays unread.
HIT_FIELDS = (
    "title",
    "description",
    "price",
    "moderation",
    "created_at",
    "published_at",
    "read_count",
    "download_count",
    "stored_file__format",
    "stored_file__page_count",
    "stored_file__size_bytes",
    "stored_file__status",
    "category__name",
    "uploader__full_name",
    "uploader__username",
)


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
    return import_module(f"{__name__}.{connection.vendor}")


# --- Writing the index -----------------------------------------------------------------------


def rank_key(document: Document) -> int:
    """Newest first, then the higher id: publication time in seconds, then the id (which
    must stay below 2³¹), in one integer both databases sort alike."""
    if not 0 < document.pk < 1 << 31:
        raise ValueError(f"document id {document.pk} does not fit the ranking key")
    published = int(document.published_at.timestamp()) if document.published_at else 0
    return (max(published, 0) << 31) | document.pk


def document_rows(document: Document) -> tuple[tuple, list[tuple]]:
    """The index rows of a document: (id, ranking key, title tokens, description tokens,
    the distinct tokens of all its pages) and a (id, page, tokens) row per page with words."""
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
    )
    return head, pages


def index_document(document: Document) -> None:
    """(Re)write the document's rows: idempotent. The text is segmented before the
    statements, so the write itself is short."""
    head, pages = document_rows(document)
    impl = backend()
    with transaction.atomic(), connection.cursor() as cursor:
        impl.delete(cursor, [document.pk])
        impl.insert(cursor, [head], pages)


def unindex_document(document: Document) -> None:
    """Remove the document from the index (taken down, rejected, deleted)."""
    with transaction.atomic(), connection.cursor() as cursor:
        backend().delete(cursor, [document.pk])


def reindex_all(batch: int = 100) -> int:
    """Rebuild the index from the published documents; returns how many were indexed.

    Batch by batch, each in its own transaction, so searches keep working meanwhile and
    nobody waits on one long write; the rows of unpublished documents are dropped at the end.
    """
    impl = backend()
    published = Document.objects.filter(moderation=Moderation.PUBLISHED).order_by("pk")
    done = 0
    last = 0
    while True:
        documents = list(published.filter(pk__gt=last)[:batch])
        if not documents:
            break
        heads, pages = [], []
        for document in documents:
            head, rows = document_rows(document)
            heads.append(head)
            pages += rows
        with transaction.atomic(), connection.cursor() as cursor:
            impl.delete(cursor, [d.pk for d in documents])
            impl.insert(cursor, heads, pages)
        done += len(documents)
        last = documents[-1].pk
    keep_sql, keep_params = published.order_by().values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if done:
            impl.prune(cursor, keep_sql, keep_params)
        else:
            impl.clear(cursor)
        impl.optimize(cursor)
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
    """The documents a search by ``user`` may return, with the filters applied."""
    documents = Document.objects.readable_by(user).filter(moderation=Moderation.PUBLISHED)
    if category:
        documents = documents.filter(category=category)
    if format:
        documents = documents.filter(stored_file__format=format)
    if date_from:
        documents = documents.filter(published_at__date__gte=date_from)
    if date_to:
        documents = documents.filter(published_at__date__lte=date_to)
    return documents.order_by()


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
    tokens = segment.query_tokens(query or "")
    results = SearchResults(query=query or "", tokens=tokens, limit=limit, offset=offset)
    if not tokens or not getattr(user, "is_authenticated", False):
        return results
    documents = searchable(
        user, category=category, format=format, date_from=date_from, date_to=date_to
    )
    try:
        docs_sql, docs_params = documents.values("id").query.sql_with_params()
    except EmptyResultSet:
        return results
    impl = backend()
    wanted = offset + limit
    ranking: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        for tier in (TITLE, HEAD, BODY):
            if len(ranking) >= wanted:
                break
            cursor.execute(*impl.ranked(tier, tokens, docs_sql, docs_params, wanted - len(ranking)))
            ranking += [(row[0], tier) for row in cursor.fetchall()]
        if len(ranking) < wanted:
            results.total = len(ranking)  # every match was read
        else:
            with impl.counting(cursor):
                cursor.execute(*impl.count(tokens, docs_sql, docs_params, MAX_COUNT + 1))
                found = cursor.fetchone()[0]
            results.total, results.capped = min(found, MAX_COUNT), found > MAX_COUNT
        ranking = ranking[offset:wanted]
        if not ranking:
            return results
        ids = [pk for pk, _tier in ranking]
        matched = _matching_pages(cursor, impl, tokens, ids)
    # The ids came out of the scoped query above; no need to compile the scope again.
    found_documents = (
        Document.objects.select_related("category", "uploader", "stored_file")
        .only(*HIT_FIELDS)
        .in_bulk(ids)
    )
    texts = _first_page_texts(found_documents, matched)
    terms = highlight_terms(query, tokens)
    for document_id, tier in ranking:
        document = found_documents.get(document_id)
        if document is None:  # deleted meanwhile
            continue
        text = _snippet_source(texts.get(document_id, ""), document, terms)
        results.hits.append(
            SearchHit(
                document=document,
                pages=matched[document_id],
                snippet=snippet(text, terms),
                score=tier,
                title_hit=tier == TITLE,
            )
        )
    return results


def _matching_pages(cursor, impl: ModuleType, tokens: list[str], ids: list[int]):
    """The pages of each document that hold every word; for a document whose words are
    spread over several pages, the pages that hold any of them."""
    matched: dict[int, list[int]] = {pk: [] for pk in ids}
    for every in (True, False):
        wanted = [pk for pk in ids if not matched[pk]]
        if not wanted or (not every and len(tokens) == 1):
            break
        for chunk in _chunks(wanted):
            cursor.execute(*impl.pages(tokens, chunk, every))
            for document_id, page in cursor.fetchall():
                matched[document_id].append(page)
    return {pk: sorted(pages) for pk, pages in matched.items()}


def _chunks(items: Sequence, size: int = 100) -> Iterator[Sequence]:
    # SQLite caps compound selects (500) and expression depth (1000): long lists go in parts.
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _first_page_texts(documents: dict[int, Document], matched: dict[int, list[int]]):
    """The text of the first matching page of each document (one query)."""
    wanted = {}
    for pk, pages in matched.items():
        numbers = [p for p in pages if p > 0]
        if numbers and pk in documents:
            wanted[pk] = (documents[pk].stored_file_id, min(numbers))
    if not wanted:
        return {}
    texts = {}
    with connection.cursor() as cursor:
        for keys in _chunks(sorted(set(wanted.values()))):
            condition = " OR ".join(["(stored_file_id = %s AND number = %s)"] * len(keys))
            cursor.execute(
                f"SELECT stored_file_id, number, text FROM {Page._meta.db_table} WHERE {condition}",
                [value for key in keys for value in key],
            )
            texts.update({(f, n): t for f, n, t in cursor.fetchall()})
    return {pk: texts.get(key, "") for pk, key in wanted.items()}


def _snippet_source(page_text: str, document: Document, terms: Sequence[str]) -> str:
    """The first matching page; else the description or the title, whichever has the words."""
    if page_text:
        return page_text
    for text in (document.description, document.title):
        if _spans(text, terms):
            return text
    return document.description or document.title


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


def _spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    if not terms or not text:
        return []
    folded, origin = _normalized_with_offsets(text)
    pattern = re.compile("|".join(re.escape(t) for t in terms))
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(folded):
        start, end = origin[m.start()], origin[m.end() - 1] + 1
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def snippet(text: str, terms: Sequence[str], length: int = SNIPPET_LENGTH) -> SafeString:
    """A piece of ``text`` around the first match, HTML-escaped, the words in <mark>."""
    text = " ".join((text or "").split())
    spans = _spans(text, terms)
    start = max(0, spans[0][0] - SNIPPET_BEFORE) if spans else 0
    end = min(len(text), start + length)
    if end - start < length:
        start = max(0, end - length)
    out = ["…" if start > 0 else ""]
    position = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[position:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        position = e
    out.append(escape(text[position:end]))
    if end < len(text):
        out.append("…")
    return mark_safe("".join(out))


def plain(snippet_html: str) -> str:
    """A snippet for a terminal: the marks as 【】, entities decoded."""
    import html

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
