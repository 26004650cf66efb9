"""Scope and filters in the search index: each document's rows also hold words for the
organizations it belongs to, the node it is shared with, its category and its format
(``scope_words`` in ``cunju.library.search``), so that a search reads the index alone.

On SQLite the head table gains a ``scope`` column; on PostgreSQL the words go into the
existing tsvectors. The text is segmented anew too: a run of single characters (an unknown
name) now also gives the pairs of neighbours in it. Either way the rows are derived data,
rebuilt here when the database already holds published documents.
"""

from django.db import migrations

TOKENIZE = "tokenize = 'ascii', columnsize = 0"


def _head(schema_editor, columns: str) -> None:
    schema_editor.execute("DROP TABLE IF EXISTS library_search_head")
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE library_search_head USING fts5({columns}, {TOKENIZE}, "
        "detail = column)"
    )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _head(schema_editor, "title, description, scope")
    Document = apps.get_model("library", "Document")
    if Document.objects.filter(moderation="published").exists():
        from cunju.library.search import reindex_all

        reindex_all()


def backward(apps, schema_editor):
    # Back to the previous head table, empty on SQLite: ``reindex_all()`` of that release
    # fills it again. (The extra words left in the other rows are never asked for there.)
    if schema_editor.connection.vendor == "sqlite":
        _head(schema_editor, "title, description")


class Migration(migrations.Migration):
    dependencies = [("library", "0003_search_index_layout")]

    operations = [migrations.RunPython(forward, backward)]
