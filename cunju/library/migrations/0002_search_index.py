"""The full-text search index of the library.

One row per document (title, description and every word of its pages) to find, rank and
count documents, keyed so that the newest come first; one row per page to tell on which
pages the words occur. Vendor-specific: FTS5 tables on SQLite (plus a plain table from
document id to key); tables with tsvector columns and GIN indexes on PostgreSQL. The rows are
derived data: ``reindex_all()`` in ``cunju.library.search`` rebuilds them.
"""

from django.db import migrations

# Tokens arrive segmented and space-separated; unicode61 keeps each word whole and does not
# strip diacritics (PostgreSQL's 'simple' configuration does not either).
TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"
SQLITE = [
    "CREATE VIRTUAL TABLE library_search_document USING fts5("
    f"title, description, body, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE library_search_page USING fts5(body, {TOKENIZE})",
    "CREATE TABLE library_search_key (document_id integer PRIMARY KEY, key integer NOT NULL)",
]
POSTGRESQL = [
    "CREATE TABLE library_search_document (document_id bigint PRIMARY KEY, "
    "key bigint NOT NULL, head tsvector NOT NULL, words tsvector NOT NULL)",
    "CREATE INDEX library_search_document_key ON library_search_document (key)",
    "CREATE INDEX library_search_document_head ON library_search_document USING gin (head)",
    "CREATE INDEX library_search_document_words ON library_search_document USING gin (words)",
    "CREATE TABLE library_search_page ("
    "document_id bigint NOT NULL, page integer NOT NULL, words tsvector NOT NULL, "
    "PRIMARY KEY (document_id, page))",
]


def create(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError(f"no search index for {schema_editor.connection.vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS library_search_key")
    schema_editor.execute("DROP TABLE IF EXISTS library_search_page")
    schema_editor.execute("DROP TABLE IF EXISTS library_search_document")


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
