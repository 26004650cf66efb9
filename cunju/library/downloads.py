"""Downloads paid in points (下载收益归作者所有: the proceeds go to the uploader).

A download is free when the document costs nothing, when it is the reader's own, or when
the reader paid for it within the redownload window (``CUNJU_LIBRARY_REDOWNLOAD_DAYS``
calendar days after the day of the paid download, unless that download was refunded).
Otherwise the reader is charged and the uploader credited in the same transaction.

The stored file is opened before anything is charged, and the open handle is what the page
streams: a file that is missing or cut short fails the download with nothing charged, and a
file removed after the charge is still read through the handle already held.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as url_quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import F
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, require
from cunju.points import ledger
from cunju.points.models import Kind

from .models import Document, DocumentQuerySet, Download, StoredFile


class Free:
    """Why a download costs nothing (``Quote.free``)."""

    PRICE = "price"
    OWN = "own"
    REDOWNLOAD = "redownload"


@dataclass
class Quote:
    """What downloading a document costs a user now, and why."""

    price: int
    balance: int
    free: str = ""
    # The paid download that makes this one free (``Free.REDOWNLOAD``).
    paid_download: Download | None = None

    @property
    def enough(self) -> bool:
        return self.balance >= self.price

    @property
    def free_until(self) -> dt.date | None:
        if self.paid_download is None:
            return None
        paid_on = timezone.localdate(self.paid_download.created_at)
        return paid_on + dt.timedelta(days=settings.CUNJU_LIBRARY_REDOWNLOAD_DAYS)


def downloadable(user: Any) -> DocumentQuerySet:
    """Documents ``user`` may download: published and readable by them."""
    return Document.objects.readable_by(user).published()


def redownload_cutoff(now: dt.datetime | None = None) -> dt.datetime | None:
    """Paid downloads from this moment on make a new download free (None: never free).

    The window is counted in calendar days: paid on the 22nd with a 7-day window, the
    document is free again through the 29th and costs again on the 30th.
    """
    days = settings.CUNJU_LIBRARY_REDOWNLOAD_DAYS
    if days <= 0:
        return None
    first_day = timezone.localdate(now) - dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(first_day, dt.time.min))


def last_paid_download(user: Any, document: Document) -> Download | None:
    """The user's latest charged, unrefunded download of ``document`` inside the window."""
    cutoff = redownload_cutoff()
    if cutoff is None:
        return None
    return (
        Download.objects.filter(
            user=user,
            document=document,
            price__gt=0,
            refunded_at__isnull=True,
            created_at__gte=cutoff,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def quote(user: Any, document: Document) -> Quote:
    """What ``user`` would pay to download ``document`` now."""
    balance = ledger.balance(user)
    if document.price == 0:
        return Quote(0, balance, Free.PRICE)
    if document.uploader_id == user.pk:
        return Quote(0, balance, Free.OWN)
    paid = last_paid_download(user, document)
    if paid is not None:
        return Quote(0, balance, Free.REDOWNLOAD, paid)
    return Quote(document.price, balance)


def open_original(stored_file: StoredFile) -> File:
    """The uploaded file, open for reading; ValidationError when it is gone or damaged."""
    broken = ValidationError(
        _(
            "The file of this document cannot be opened, so nothing was charged. "
            "Please report the document so the moderators can look at it."
        ),
        code="file_missing",
    )
    if not stored_file.file.name:
        raise broken
    try:
        handle = stored_file.file.storage.open(stored_file.file.name, "rb")
    except OSError as exc:
        raise broken from exc
    try:
        size = handle.size
    except OSError:
        size = None
    if size != stored_file.size_bytes:
        # Cut short or replaced on disk: what the reader would pay for is not what was stored.
        handle.close()
        raise broken
    return handle


@action("library.download", gettext_lazy("Download a document"))
def start_download(actor: Any, document: Document) -> Download:
    """Record a download, charging the reader and crediting the uploader when it is not free.

    The returned download carries ``handle``, the open original file, for the caller to
    stream and close.
    """
    require(actor, "library.view_document")
    # The row lock keeps a take-down from slipping between this check and the charge.
    current = downloadable(actor).select_for_update().filter(pk=document.pk).first()
    if current is None:
        raise Http404("not downloadable")
    document = Document.objects.select_related("stored_file", "uploader").get(pk=current.pk)
    describe(document)
    handle = open_original(document.stored_file)
    try:
        if document.price and document.uploader_id != actor.pk:
            # Lock both ledgers before looking at earlier downloads: a second click at the
            # same moment waits, then finds this download and is free.
            ledger.lock_accounts(actor, document.uploader)
        terms = quote(actor, document)
        download = Download.objects.create(document=document, user=actor, price=terms.price)
        if terms.price:
            reference = f"library.download:{download.pk}"
            memo = _("Download of «%(title)s»") % {"title": document.title}
            download.charge = ledger.post(
                actor, -terms.price, Kind.DOWNLOAD_CHARGE, memo=memo, reference=reference, by=actor
            )
            ledger.post(
                document.uploader,
                terms.price,
                Kind.DOWNLOAD_INCOME,
                memo=_("Income from a download of «%(title)s»") % {"title": document.title},
                reference=reference,
                by=actor,
            )
            download.save(update_fields=["charge"])
        Document.objects.filter(pk=document.pk).update(download_count=F("download_count") + 1)
        describe(document, {"price": terms.price, "free": terms.free, "download": download.pk})
    except BaseException:
        handle.close()
        raise
    download.handle = handle
    return download


# --- The file as the browser receives it ------------------------------------------------------

# Characters no file system or browser accepts in a name, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
NAME_LENGTH = 120


def download_filename(document: Document) -> str:
    """The title with the file's real extension: 《积极探索…新模式》.doc, safe to save."""
    extension = document.stored_file.format
    name = _UNSAFE.sub("_", document.title).strip(" ._") or "document"
    if name.lower().endswith(f".{extension}"):
        name = name[: -len(extension) - 1].rstrip(" ._") or "document"
    return f"{name[:NAME_LENGTH]}.{extension}"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987)."""
    extension = filename.rpartition(".")[2]
    ascii_name = _UNSAFE.sub("_", filename).strip(" ._")
    if not ascii_name.isascii() or "." not in ascii_name:
        # Old clients that ignore filename* get a plain name rather than half a title.
        ascii_name = f"document.{extension}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{url_quote(filename, safe='')}"


def attachment_response(download: Download) -> FileResponse:
    """Stream the handle ``start_download`` opened, as a file to save."""
    filename = download_filename(download.document)
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(download.handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response
