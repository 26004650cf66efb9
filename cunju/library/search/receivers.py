"""Keeping the index in step with the documents: a deleted document leaves it at once, in
the same transaction; and after migrations and flushes (both end with ``post_migrate``),
rows whose documents are gone or unpublished are dropped, or an index a migration emptied is
rebuilt.

(Taking down goes through a moderation action, which unindexes; a document is deleted by the
ORM — the admin, a shell, a cascade — and only a signal sees every way. A flush empties the
documents table but not the index's own tables, which are no models.)
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_delete, post_migrate

UID = "cunju.library.search.document_deleted"
PRUNE_UID = "cunju.library.search.prune"
# The migration that made the index's present tables (on either database).
LAYOUT = "0005_search_words"


def document_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from . import unindex_document

    unindex_document(instance)


def rebuild_or_prune(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After ``migrate`` or a flush: an index left empty while published documents exist (a
    migration changed its layout and emptied it) is rebuilt; otherwise the rows of documents
    gone or unpublished are dropped. Migrations never fill the index themselves: the search
    code of a later release would write its own layout into an earlier one's tables."""
    if getattr(sender, "label", None) != "library":
        return  # sent once per app: once is enough
    from django.db import connection

    from cunju.library.models import Document, Moderation

    from . import index_size, prune_index, reindex_all

    if using != connection.alias:
        return
    applied = MigrationRecorder(connections[using]).applied_migrations()
    if ("library", LAYOUT) not in applied:
        return  # migrated back to an index of another layout, or none
    if index_size()[0] == 0:
        if Document.objects.filter(moderation=Moderation.PUBLISHED).exists():
            reindex_all()
        return
    prune_index()


def connect() -> None:
    post_delete.connect(document_deleted, sender="library.Document", dispatch_uid=UID)
    post_migrate.connect(rebuild_or_prune, dispatch_uid=PRUNE_UID)
