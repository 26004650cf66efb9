"""Keeping the index in step with the documents: a deleted document leaves it at once, in
the same transaction; and after migrations and flushes (both end with ``post_migrate``),
rows whose documents are gone or unpublished are dropped, and published documents the index
lacks are indexed (all of them after a migration that emptied it).

(Taking down goes through a moderation action, which unindexes; a document is deleted by the
ORM — the admin, a shell, a cascade — and only a signal sees every way. A flush empties the
documents table but not the index's own tables, which are no models.)
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_delete, post_migrate

UID = "cunju.library.search.document_deleted"
PRUNE_UID = "cunju.library.search.prune"


def document_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from . import unindex_document

    unindex_document(instance)


@cache
def _latest() -> tuple[str, str]:
    # The library's last migration, from the files (which do not change while running).
    from django.db.migrations.loader import MigrationLoader

    (leaf,) = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("library")
    return leaf


def mend(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After ``migrate`` or a flush, once every library migration is applied (the index is
    then in the layout this code writes): the rows of documents gone or unpublished are
    dropped, and the published documents the index lacks are indexed — all of them after a
    migration emptied it (a new layout, or new words in the rows), the rest after a rebuild
    cut short.
    Migrations never fill the index themselves: the search code of a later release would
    write its own layout into an earlier one's tables."""
    if getattr(sender, "label", None) != "library":
        return  # sent once per app: once is enough
    from django.db import connection

    from . import index_missing, prune_index

    if using != connection.alias:
        return
    if _latest() not in MigrationRecorder(connections[using]).applied_migrations():
        return  # migrated back, or not yet forward: an index of another layout, or none
    prune_index()
    index_missing()


def connect() -> None:
    post_delete.connect(document_deleted, sender="library.Document", dispatch_uid=UID)
    post_migrate.connect(mend, dispatch_uid=PRUNE_UID)
