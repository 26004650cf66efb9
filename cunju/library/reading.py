"""Reading online (在线阅读): free, and recorded for later study points.

Opening a document's page starts one ``Reading`` (an audited action); while the page stays
open the browser reports how long it has been read and the last page seen. Those reports
only move the reader's own row forward: they are bounded by the time since the reading
started, so a page left open or a forged request cannot claim more than the wall clock.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cunju.core.actions import action, describe, require
from cunju.core.scoping import ensure_in_scope

from .models import Document, Moderation, Reading

# A report may run a few seconds ahead of the server's clock (network, a late pagehide).
CLOCK_SLACK_SECONDS = 5


@action("library.read", _("Read a document online"))
def start_reading(actor: Any, document: Document) -> Reading:
    """Someone opened a published document: one reading, one more read on its counter."""
    require(actor, "library.view_document")
    ensure_in_scope(actor, document)
    if document.moderation != Moderation.PUBLISHED:
        raise ValueError("only published documents are read")
    reading = Reading.objects.create(document=document, user=actor)
    # F() so two readers opening the page at once both count.
    Document.objects.filter(pk=document.pk).update(read_count=F("read_count") + 1)
    describe(document)
    return reading


def record_progress(
    user: Any, document: Document, reading_id: int, *, seconds: int, last_page: int
) -> bool:
    """Move the user's own reading of ``document`` forward; False when there is none.

    Not an ``@action``: the opening was audited already, and a heartbeat every half minute
    per open page would bury the audit log in events that say nothing new. The row only
    grows, and only within what the clock allows since the reading started.
    """
    reading = (
        Reading.objects.filter(pk=reading_id, user_id=user.pk, document=document)
        .select_related("document__stored_file")
        .first()
    )
    if reading is None:
        return False
    elapsed = (timezone.now() - reading.started_at).total_seconds() + CLOCK_SLACK_SECONDS
    seconds = max(reading.seconds, min(max(seconds, 0), int(elapsed)))
    page_count = reading.document.stored_file.page_count or 1
    # The furthest page reached: scrolling back up does not undo having read on.
    last_page = max(reading.last_page, min(max(last_page, 1), page_count))
    Reading.objects.filter(pk=reading.pk).update(seconds=seconds, last_page=last_page)
    return True
