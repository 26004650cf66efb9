"""On SQLite, which pages hold a word: one row per document and word, not an FTS5 row per page.

A search shows, for each document on its page of results, the pages that hold the words.
With one FTS5 row per page that took a seek per document and word into each word's list of
pages (80 for four words and twenty documents, about 5 µs each); a row per document and word
(``library_search_word``: its pages, keyed by document and word) is one primary-key lookup,
about 1 µs, and no larger than the table it replaces. The key table also keeps how many pages
of each document were indexed (``pages``), which the FTS5 table used to count.

The rows are derived from the page rows being replaced, word by word, without segmenting the
text again. PostgreSQL keeps its table of pages: it reads the pages of the documents shown by
primary key within the same statement.
"""

from django.db import migrations

PAGE_BITS = 20
PAGE_MASK = (1 << PAGE_BITS) - 1
WORDS = (
    "CREATE TABLE library_search_word (document_id integer NOT NULL, word text NOT NULL, "
    "pages text NOT NULL, PRIMARY KEY (document_id, word)) WITHOUT ROWID"
)
FTS_PAGES = (
    "CREATE VIRTUAL TABLE library_search_page USING fts5(words, tokenize = 'ascii', "
    "columnsize = 0, detail = column)"
)


def _word_rows(document_id: int, pages: list[tuple[int, str]]) -> list[tuple]:
    held: dict[str, list[str]] = {}
    for page, words in pages:
        for word in dict.fromkeys(words.split()):
            held.setdefault(word, []).append(str(page))
    return [(document_id, word, " ".join(numbers)) for word, numbers in held.items()]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(WORDS)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pragma_table_info('library_search_key')")
        columns = {row[0] for row in cursor.fetchall()}
    if "pages" not in columns:
        schema_editor.execute(
            "ALTER TABLE library_search_key ADD COLUMN pages integer NOT NULL DEFAULT 0"
        )
    else:  # kept by a migration back (see ``backward``), and not kept up to date since
        schema_editor.execute("UPDATE library_search_key SET pages = 0")
    current, pages, rows, counts = None, [], [], []
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT rowid, words FROM library_search_page ORDER BY rowid")
        while chunk := cursor.fetchmany(2000):
            for rowid, words in chunk:
                document_id = rowid >> PAGE_BITS
                if document_id != current:
                    if current is not None:
                        rows += _word_rows(current, pages)
                        counts.append((len(pages), current))
                    if len(rows) > 100_000:
                        _write(schema_editor, rows, counts)
                    current, pages = document_id, []
                pages.append((rowid & PAGE_MASK, words))
    if current is not None:
        rows += _word_rows(current, pages)
        counts.append((len(pages), current))
    _write(schema_editor, rows, counts)
    schema_editor.execute("DROP TABLE library_search_page")
    schema_editor.execute("ANALYZE library_search_word")


def _write(schema_editor, rows: list[tuple], counts: list[tuple]) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO library_search_word (document_id, word, pages) VALUES (%s, %s, %s)", rows
        )
        cursor.executemany("UPDATE library_search_key SET pages = %s WHERE document_id = %s", counts)
    rows.clear()
    counts.clear()


def backward(apps, schema_editor):
    # Back to one FTS5 row per page, filled from the words (a page's words in any order: only
    # which it holds was ever read), document by document. Pages past the row id's 20 bits
    # were never indexed there. The key table keeps its ``pages`` column: dropping a column
    # needs SQLite 3.35, and the earlier code never names it.
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(FTS_PAGES)
    schema_editor.execute(
        "INSERT INTO library_search_page (library_search_page, rank) VALUES ('pgsz', 1000)"
    )
    current, pages, rows = None, {}, []
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT document_id, word, pages FROM library_search_word ORDER BY document_id"
        )
        while chunk := cursor.fetchmany(5000):
            for document_id, word, numbers in chunk:
                if document_id != current:
                    rows += _page_rows(current, pages)
                    if len(rows) > 20_000:
                        _write_pages(schema_editor, rows)
                    current, pages = document_id, {}
                for page in map(int, numbers.split()):
                    if 0 < page <= PAGE_MASK:
                        pages.setdefault(page, []).append(word)
    rows += _page_rows(current, pages)
    _write_pages(schema_editor, rows)
    schema_editor.execute("DROP TABLE library_search_word")


def _page_rows(document_id: int | None, pages: dict[int, list[str]]) -> list[tuple]:
    # In ascending row-id order (documents come in order): FTS5 writes a segment whenever a
    # row id is lower than the one before.
    if document_id is None:
        return []
    return [((document_id << PAGE_BITS) | page, " ".join(pages[page])) for page in sorted(pages)]


def _write_pages(schema_editor, rows: list[tuple]) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany("INSERT INTO library_search_page (rowid, words) VALUES (%s, %s)", rows)
    rows.clear()


class Migration(migrations.Migration):
    dependencies = [("library", "0004_search_scope_words")]

    operations = [migrations.RunPython(forward, backward)]
