"""Notices: tell a user something (``notify``) and let them mark what they have read.

``notify`` is called by the actions whose outcome someone must hear about (a document taken
down, a report decided, points granted), inside that action's transaction: if the action
fails, the notice is never sent.

Words for a notice are given as ``Message``s, not as translated text: the actor's language
is not the recipient's, so the English source and its values are stored, and the recipient
reads them in the language of their own page (``Notice.text``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe

from .models import MESSAGE_LENGTH, Notice, render_parts

__all__ = ["MESSAGE_LENGTH", "Message", "mark_all_read", "mark_read", "notify"]


def _source(text: str | Promise) -> str:
    """The English source of a text marked for translation (a lazy one included)."""
    if isinstance(text, Promise):
        with translation.override(None):
            return str(text)
    return str(text)


class Message:
    """Words of a notice, translated when read: ``Message(gettext_noop("«%(title)s» was
    taken down."), title=document.title)``. The text must be marked for translation
    (``gettext_noop`` or a lazy gettext); a value may be a ``Message`` or a lazy
    translation (a choice's label) to be translated with it, anything else is put in as
    it is (numbers stay numbers, other values become text)."""

    def __init__(self, text: str | Promise, **params: Any) -> None:
        self.text = _source(text)
        self.params = params

    def part(self) -> dict[str, Any]:
        return {"text": self.text, "params": {k: _value(v) for k, v in self.params.items()}}

    def __str__(self) -> str:
        return render_parts([self.part()], str)


def _value(value: Any) -> Any:
    if isinstance(value, Message):
        return value.part()
    if isinstance(value, Promise):
        return {"text": _source(value), "params": {}}
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return value


def notify(user: Any, message: str | Message | Sequence[Message], url: str = "") -> Notice | None:
    """Leave ``message`` (with a link to what it is about) in ``user``'s inbox: a
    ``Message`` (or a lazy translation), several (one per line), or plain text shown as it
    is."""
    if getattr(user, "pk", None) is None:
        return None  # the system actor has no inbox
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notices are sent from inside the acting transaction")
    text, parts = _words(message)
    return Notice.objects.create(recipient=user, message=text, parts=parts, url=url)


def _words(message: str | Message | Sequence[Message]) -> tuple[str, list[dict[str, Any]]]:
    """The English text and the stored parts of ``message`` (none for plain text)."""
    if isinstance(message, Promise):
        message = Message(message)
    if isinstance(message, Message):
        message = [message]
    if isinstance(message, str):
        return str(message)[:MESSAGE_LENGTH], []
    parts = [line.part() for line in message]
    return render_parts(parts, str), parts


def unread_about(users: Sequence[Any], *texts: str) -> dict[int, Notice]:
    """Each user's newest unread notice whose first line is one of ``texts`` (source texts),
    by user id, to fold a new event into it rather than send one more; one query for all."""
    newest: dict[int, Notice] = {}
    notices = (
        Notice.objects.filter(recipient__in=[u.pk for u in users], read_at__isnull=True)
        .filter(parts__0__text__in=list(texts))
        .order_by("recipient_id", "-created_at", "-pk")
    )
    for notice in notices:
        newest.setdefault(notice.recipient_id, notice)
    return newest


def renotify(notice: Notice, message: str | Message | Sequence[Message], url: str = "") -> Notice:
    """Rewrite an unread notice with newer words and put it back on top of the inbox:
    several events of one kind make one notice, not a notice each."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notices are sent from inside the acting transaction")
    notice.message, notice.parts = _words(message)
    notice.url = url or notice.url
    notice.created_at = timezone.now()
    Notice.objects.filter(pk=notice.pk).update(
        message=notice.message, parts=notice.parts, url=notice.url, created_at=notice.created_at
    )
    return notice


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
