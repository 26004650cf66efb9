"""Notices: tell a user something (``notify``) and let them mark what they have read.

``notify`` is called by the actions whose outcome someone must hear about (a document taken
down, a report decided, points granted), inside that action's transaction: if the action
fails, the notice is never sent.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe

from .models import Notice

MESSAGE_LENGTH = 2000


def notify(user: Any, message: str, url: str = "") -> Notice | None:
    """Leave ``message`` (with a link to what it is about) in ``user``'s inbox."""
    if getattr(user, "pk", None) is None:
        return None  # the system actor has no inbox
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notices are sent from inside the acting transaction")
    return Notice.objects.create(recipient=user, message=str(message)[:MESSAGE_LENGTH], url=url)


@action("notices.read", gettext_lazy("Mark a notice read"))
def mark_read(actor: Any, notice: Notice) -> Notice:
    """The recipient has seen ``notice``; nobody else may mark it."""
    if not Notice.objects.for_recipient(actor).filter(pk=notice.pk).exists():
        raise Http404("not the recipient")
    describe(notice)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


@action("notices.read_all", gettext_lazy("Mark all notices read"))
def mark_all_read(actor: Any) -> int:
    """Mark every unread notice of ``actor`` read; returns how many there were."""
    count = Notice.objects.for_recipient(actor).unread().update(read_at=timezone.now())
    describe(actor, {"notices": count})
    return count
