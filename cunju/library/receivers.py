"""The library's copies of organization paths follow the tree.

A document is scoped by the path of its organization (``org_path``) and of the node it is
shared with (``shared_path``); when a subtree moves, both are rewritten in the move's
transaction, and the search index learns the new scope of the documents concerned. A merged
organization's documents go to the organization it was merged into.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from cunju.core.tree import subtree_q

UID = "cunju.library.subtree_moved"


def subtree_moved(sender: Any, old_path: str, new_path: str, **kwargs: Any) -> None:
    from .models import Document
    from .search import rescope_documents

    changed = set()
    for field in ("org_path", "shared_path"):
        moved = Document.objects.filter(subtree_q(old_path, field))
        changed.update(moved.values_list("pk", flat=True))
        moved.update(**{field: Concat(Value(new_path), Substr(F(field), len(old_path) + 1))})
    if changed:
        rescope_documents(sorted(changed))


def organization_merged(sender: Any, old: Any, new: Any, **kwargs: Any) -> None:
    """The documents of a merged organization, and those shared with it, go to the one it
    was merged into."""
    from .models import Document
    from .search import rescope_documents

    changed = set(Document.objects.filter(organization=old).values_list("pk", flat=True)) | set(
        Document.objects.filter(shared_with=old).values_list("pk", flat=True)
    )
    Document.objects.filter(organization=old).update(organization=new, org_path=new.path)
    Document.objects.filter(shared_with=old).update(shared_with=new, shared_path=new.path)
    if changed:
        rescope_documents(sorted(changed))


def connect() -> None:
    from cunju.organizations.signals import organization_merged as merged
    from cunju.organizations.signals import subtree_moved as signal

    signal.connect(subtree_moved, dispatch_uid=UID)
    merged.connect(organization_merged, dispatch_uid=f"{UID}.merged")
