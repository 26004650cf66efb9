"""On PostgreSQL, the documents shared with the top node of their tree (which every member
of the tree may read) are kept apart in the search index: their rows carry the tree's code
(``open_to``: the top node's step as a number; NULL for the other documents), and each
tsvector has two partial GIN indexes in place of one, a kind of document each. A search
then reads the first with the words of the query alone, the second with the words and the
reader's other scope words, never the list of a word most documents hold
(``Condition.unless``): the count and the title tier take about half the time.

The rows stay: both tables are copied with the new column, filled from each row's own scope
words (an UPDATE would leave the old versions of every row behind, and a partial index built in
the same transaction takes them in: the second index would hold every row until a vacuum).
Nothing changes on SQLite.
"""

from django.db import migrations

# (table, column) of each tsvector with a GIN index.
INDEXED = (
    ("library_search_head", "title"),
    ("library_search_head", "head"),
    ("library_search_document", "words"),
)
# Each table as 0003 made it (its primary key added once the rows are in), with the new
# column before the tsvectors.
TABLES = {
    "library_search_head": (
        "(document_id bigint NOT NULL, key bigint NOT NULL, open_to integer, "
        "title tsvector NOT NULL, head tsvector NOT NULL)",
        "title, head",
    ),
    "library_search_document": (
        "(document_id bigint NOT NULL, key bigint NOT NULL, open_to integer, "
        "words tsvector NOT NULL) WITH (toast_tuple_target = 128)",
        "words",
    ),
}
# The width of a step of an organization's path ("0001."), as ``cunju.core.tree`` has it,
# and the mark of the index's scope words, as ``cunju.library.search`` has it.
STEP_WIDTH = 4
MARK = "\ue000"


def _open_to(scope: list[str]) -> int | None:
    # As ``search.open_to`` at this release: None when a word says the document is not
    # shared with its tree's top node, else that node's step (the shortest organization
    # word) as a number.
    if any(word.startswith(f"{MARK}n") for word in scope):
        return None
    organizations = [word for word in scope if word.startswith(f"{MARK}o")]
    if not organizations:
        return None
    return int(min(organizations, key=len)[2 : 2 + STEP_WIDTH], 36)


def _create(schema_editor, name: str, table: str, column: str, where: str = "") -> None:
    schema_editor.execute(
        f"CREATE INDEX {name} ON {table} USING gin ({column}) WITH (fastupdate = off){where}"
    )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        # Each row's own scope words (in ``head``, with the title and description): what
        # ``search.open_to`` reads when a row is written.
        cursor.execute(
            "SELECT document_id, ARRAY(SELECT lexeme FROM unnest(head) "
            "WHERE starts_with(lexeme, %s)) FROM library_search_head",
            [MARK],
        )
        shared = [
            (pk, code) for pk, words in cursor.fetchall() if (code := _open_to(words)) is not None
        ]
        for table, (definition, vectors) in TABLES.items():
            cursor.execute(f"CREATE TABLE {table}_new {definition}")
            cursor.execute(
                f"INSERT INTO {table}_new SELECT t.document_id, t.key, v.code, {vectors} "
                f"FROM {table} t LEFT JOIN unnest(%s::bigint[], %s::integer[]) v (id, code) "
                "ON v.id = t.document_id",
                [[pk for pk, _code in shared], [code for _pk, code in shared]],
            )
            cursor.execute(f"DROP TABLE {table}")
            cursor.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (document_id)"
            )
            cursor.execute(f"CREATE INDEX {table}_key ON {table} (key)")
    for table, column in INDEXED:
        _create(
            schema_editor, f"{table}_{column}_open", table, column, " WHERE open_to IS NOT NULL"
        )
        _create(schema_editor, f"{table}_{column}_rest", table, column, " WHERE open_to IS NULL")
    for table in TABLES:
        schema_editor.execute(f"ANALYZE {table}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in INDEXED:
        schema_editor.execute(f"DROP INDEX {table}_{column}_open, {table}_{column}_rest")
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN open_to")
    for table, column in INDEXED:
        _create(schema_editor, f"{table}_{column}", table, column)


class Migration(migrations.Migration):
    dependencies = [("library", "0007_search_scope_complement")]

    operations = [migrations.RunPython(forward, backward)]
