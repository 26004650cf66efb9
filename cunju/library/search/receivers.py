"""Keeping the index in step with the documents: a deleted document leaves it at once, in
the same transaction.

(Taking down goes through a moderation action, which unindexes; a document is deleted by the
ORM — the admin, a shell, a cascade — and only a signal sees every way.)
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete

UID = "cunju.library.search.document_deleted"


def document_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from . import unindex_document

    unindex_document(instance)


def connect() -> None:
    post_delete.connect(document_deleted, sender="library.Document", dispatch_uid=UID)
