"""Notices (消息): short messages to one user, read in their inbox.

A notice's words are kept as their English source texts and the values that go into them
(``parts``), and translated when the notice is shown: the recipient reads it in their own
language, not in the language of whoever acted. ``message`` holds the same words rendered in
English (what the admin, the audit and a search see), and the whole text of notices written
as plain text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MESSAGE_LENGTH = 2000


def render_part(part: dict[str, Any], translate: Callable[[str], str] = gettext) -> str:
    """One stored line of a notice: its source text translated, its values put in (a value
    that is itself a stored text is translated too)."""
    params = {
        name: render_part(value, translate) if isinstance(value, dict) else value
        for name, value in (part.get("params") or {}).items()
    }
    text = translate(part["text"])
    return text % params if params else text


def render_parts(parts: list[dict[str, Any]], translate: Callable[[str], str] = gettext) -> str:
    return "\n".join(render_part(part, translate) for part in parts)[:MESSAGE_LENGTH]


class NoticeQuerySet(models.QuerySet):
    def for_recipient(self, user) -> NoticeQuerySet:
        """A user's own notices; nobody reads another's (there is no scope to widen this)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NoticeQuerySet:
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("recipient"),
    )
    # The words in English; shown as they are when there are no parts (plain text).
    message = models.TextField(_("message"))
    # The words as [{"text": English source, "params": {name: value}}], one per line,
    # translated into the reader's language when shown.
    parts = models.JSONField(_("message parts"), default=list, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_inbox")]

    def __str__(self) -> str:
        return self.message[:60]

    def text(self) -> str:
        """The notice in the active language (the reader's)."""
        if not self.parts:
            return self.message
        try:
            return render_parts(self.parts)
        except (KeyError, TypeError, ValueError):
            # A translation that does not fit its values: the English words still do.
            return self.message
