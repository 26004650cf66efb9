"""The scope in the search index as a complement: each document's rows also hold, for each
top node of a tree that the document is not shared with, a word saying so
(``scope_words``), and a search asks "not (that word and none of the reader's other scope
words)" instead of "shared with the top node, or ..." (``Condition.unless``), since most
documents are shared with the whole tree.

The rows are derived data: emptied here, and filled again once every library migration is
applied (``cunju.library.search.receivers.mend``). Backwards, nothing to do for them: the
extra words are never asked for by the earlier release.

On PostgreSQL the GIN indexes stop keeping a list of pending entries (``fastupdate``):
every search read that list through, unsorted, until a vacuum merged it; after the index
was filled again, that was every row (a search about three times slower on 10,000
documents), and in daily use up to 4 MB of them. An entry is now merged when written.
"""

from django.db import migrations

GIN = ("library_search_head_title", "library_search_head_head", "library_search_document_words")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for table in ("head", "document", "key", "word"):
            schema_editor.execute(f"DELETE FROM library_search_{table}")
    else:
        schema_editor.execute(
            "TRUNCATE library_search_head, library_search_document, library_search_page"
        )
        for index in GIN:
            schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = off)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in GIN:
            schema_editor.execute(f"ALTER INDEX {index} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("library", "0006_search_ascending_keys")]

    operations = [migrations.RunPython(forward, backward)]
