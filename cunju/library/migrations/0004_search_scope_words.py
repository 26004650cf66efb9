"""Scope and filters in the search index: each document's rows also hold words for the
organizations it belongs to, the node it is shared with, its category and its format
(``scope_words`` in ``cunju.library.search``), so that a search reads the index alone.

On SQLite the head table gains a ``scope`` column; on PostgreSQL the words go into the
existing tsvectors. The text is segmented anew too: a run of single characters (an unknown
name) now also gives the pairs of neighbours in it. Either way the rows are derived data:
emptied here, and filled again once every library migration is applied
(``cunju.library.search.receivers.mend``).
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
    # The rows of the earlier layout lack the scope words: the index is emptied, and rebuilt
    # once the last migration is applied by the search code of that release
    # (``receivers.mend``), which writes the layout it reads.
    if schema_editor.connection.vendor == "sqlite":
        _head(schema_editor, "title, description, scope")
        for table in ("document", "key", "page"):
            schema_editor.execute(f"DELETE FROM library_search_{table}")
    else:
        schema_editor.execute(
            "TRUNCATE library_search_head, library_search_document, library_search_page"
        )


def backward(apps, schema_editor):
    # Back to the previous head table, empty on SQLite: ``reindex_all()`` of that release
    # fills it again. (The extra words left in the other rows are never asked for there.)
    if schema_editor.connection.vendor == "sqlite":
        _head(schema_editor, "title, description")


class Migration(migrations.Migration):
    dependencies = [("library", "0003_search_index_layout")]

    operations = [migrations.RunPython(forward, backward)]
