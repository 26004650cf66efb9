"""The full-text search index of the library, second layout (replaces 0002's tables).

Per document: its title and description, to rank it; every word it holds (title, description
and pages), to find and count it; keyed so that the newest come first. Per page: its words,
to tell on which pages the words occur. Vendor-specific: FTS5 tables on SQLite (plus a plain
table from document id to key); tables with tsvector columns and GIN indexes on PostgreSQL.
The rows are derived data, made by ``cunju.library.search``: this migration leaves the tables
empty, and once every library migration is applied, ``migrate`` ends by indexing the published
documents the index lacks (``receivers.mend``).
"""

from importlib import import_module

from django.db import migrations

# Tokens arrive segmented and space-separated. The ascii tokenizer splits at ASCII spaces and
# punctuation only and keeps every other character, so each token stays one term whatever
# its letters; "detail" keeps no more than the queries read (columns for the ranking, nothing
# for finding, columns for seeking a document's pages); "columnsize=0" skips the per-row
# sizes only bm25 would read.
TOKENIZE = "tokenize = 'ascii', columnsize = 0"
SQLITE = [
    "CREATE VIRTUAL TABLE library_search_head USING fts5("
    f"title, description, {TOKENIZE}, detail = column)",
    f"CREATE VIRTUAL TABLE library_search_document USING fts5(words, {TOKENIZE}, detail = none)",
    f"CREATE VIRTUAL TABLE library_search_page USING fts5(words, {TOKENIZE}, detail = column)",
    "CREATE TABLE library_search_key (document_id integer PRIMARY KEY, key integer NOT NULL)",
    # Smaller leaves than the default 4 kB: a word's list of pages gets an index to seek a
    # document's pages in from about 4 kB on, instead of being read from its start.
    "INSERT INTO library_search_page (library_search_page, rank) VALUES ('pgsz', 1000)",
]
# Per document, the title and the title + description, to rank it (two columns, not weights
# in one, so that the planner's statistics tell how rare a word is in titles); every word,
# to find and count it, in a table of its own whose rows keep only a pointer to the words
# (toast_tuple_target): counting a common word reads thousands of them.
POSTGRESQL = [
    "CREATE TABLE library_search_head (document_id bigint PRIMARY KEY, key bigint NOT NULL, "
    "title tsvector NOT NULL, head tsvector NOT NULL)",
    "CREATE INDEX library_search_head_key ON library_search_head (key)",
    "CREATE INDEX library_search_head_title ON library_search_head USING gin (title)",
    "CREATE INDEX library_search_head_head ON library_search_head USING gin (head)",
    "CREATE TABLE library_search_document (document_id bigint PRIMARY KEY, key bigint NOT NULL, "
    "words tsvector NOT NULL) WITH (toast_tuple_target = 128)",
    "CREATE INDEX library_search_document_key ON library_search_document (key)",
    "CREATE INDEX library_search_document_words ON library_search_document USING gin (words)",
    # A page's words (2 kB or so) stay in its row as they are, not compressed: the pages of
    # the documents shown are read and matched one by one.
    "CREATE TABLE library_search_page ("
    "document_id bigint NOT NULL, page integer NOT NULL, words tsvector NOT NULL, "
    "PRIMARY KEY (document_id, page)) WITH (toast_tuple_target = 8160)",
]


def create(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError(f"no search index for {schema_editor.connection.vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for table in ("key", "page", "head", "document"):
        schema_editor.execute(f"DROP TABLE IF EXISTS library_search_{table}")


def replace(apps, schema_editor):
    drop(apps, schema_editor)  # the first layout's tables
    # Empty: the rows are rebuilt once the last migration is applied, by the search code of
    # that release (``receivers.mend``), which writes the layout it reads.
    create(apps, schema_editor)


def restore(apps, schema_editor):
    # Back to the first layout, empty: ``reindex_all()`` of that release fills it again.
    drop(apps, schema_editor)
    module = import_module("cunju.library.migrations.0002_search_index")
    module.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("library", "0002_search_index")]

    operations = [migrations.RunPython(replace, restore)]
