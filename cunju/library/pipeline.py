"""Processing a stored file: office file → PDF → pages (text of every page, previews of the
first N) → stored → its documents published and indexed.

``process_stored_file`` is what the background task runs. It claims the file (``uploaded`` →
``converting``, with the worker's identity), works in a private scratch folder, and only when
every step succeeded moves the derived files into ``library/derived/<sha>/<attempt>/`` and
writes the pages in one transaction. Any failure leaves the file ``failed`` with a reason in
plain words and nothing half-made; a retry starts clean. A file left ``converting`` by a
worker that died is handed back to the queue by ``recover_stalled_files``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import socket
import threading
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cunju.core.actions import action, after_commit, describe
from cunju.core.system import SYSTEM

from .conversion import errors, store
from .conversion.errors import ContentRefused, ConversionFailed
from .conversion.office import EXTENSIONS, office, timeout_for
from .conversion.pages import PageResult, read_pages
from .conversion.sniff import sniff_path
from .models import (
    OFFICE_FORMATS,
    Document,
    Format,
    Moderation,
    Page,
    Processing,
    StoredFile,
)

log = logging.getLogger(__name__)

# A file whose worker died this many times is given up as the cause.
MAX_INTERRUPTIONS = 3
# Scratch folders untouched this long belong to no live upload or conversion.
SCRATCH_MAX_AGE = 24 * 3600
# Files this process is working on now (a claim by this process on anything else is stale).
_in_progress: set[int] = set()
_in_progress_lock = threading.Lock()


def derived_prefix(stored: StoredFile) -> str:
    return f"library/derived/{stored.sha256}"


# --- Who is working ------------------------------------------------------------------------


def _process_start(pid: int) -> str:
    """When the process started (clock ticks since boot), to tell a reused pid apart."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return fields[19].decode()
    except (OSError, IndexError):
        return ""


def worker_identity() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"[:100]


def claim_is_dead(stored: StoredFile, now=None) -> bool:
    """True when the worker that claimed ``stored`` cannot be working on it any more."""
    host, _, rest = stored.claimed_by.partition(":")
    pid_text, _, started = rest.partition(":")
    if host == socket.gethostname() and pid_text.isdigit():
        pid = int(pid_text)
        if pid == os.getpid():
            with _in_progress_lock:
                return stored.pk not in _in_progress
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
        return bool(started) and _process_start(pid) != started
    # Another machine: dead once it has run far past any time limit.
    now = now or timezone.now()
    if stored.started_at is None:
        return True
    lease = 2 * timeout_for(stored.size_bytes) + 120
    return (now - stored.started_at).total_seconds() > lease


# --- The pipeline --------------------------------------------------------------------------


def claim(stored_file_id: int) -> StoredFile | None:
    """Take an uploaded file for this worker, or None when it is not waiting."""
    with transaction.atomic():
        stored = StoredFile.objects.select_for_update().filter(pk=stored_file_id).first()
        if stored is None or stored.status != Processing.UPLOADED:
            return None
        stored.status = Processing.CONVERTING
        stored.started_at = timezone.now()
        stored.finished_at = None
        stored.failure_reason = ""
        stored.claimed_by = worker_identity()
        stored.attempts += 1
        stored.save(
            update_fields=[
                "status",
                "started_at",
                "finished_at",
                "failure_reason",
                "claimed_by",
                "attempts",
            ]
        )
    return stored


def process_stored_file(stored_file_id: int) -> str:
    """Run the whole pipeline for one stored file; returns "ready", "failed" or "skipped"
    (not waiting: already done, or another worker has it)."""
    with _in_progress_lock:
        _in_progress.add(stored_file_id)
    try:
        stored = claim(stored_file_id)
        if stored is None:
            return "skipped"
        try:
            work = store.scratch_dir(f"{stored.sha256[:12]}-")
            # Work on this file by a worker that died is ours to clear away now.
            store.sweep_scratch(prefix=f"{stored.sha256[:12]}-", keep=work)
        except OSError as exc:
            log.exception("no scratch folder for %s", stored)
            fail_processing(SYSTEM, stored, errors.UNEXPECTED, repr(exc))
            return "failed"
        try:
            pdf_name, pages, folder = _convert(stored, work)
            finish_processing(SYSTEM, stored, pages=pages, pdf_name=pdf_name, folder=folder)
        except ConversionFailed as exc:
            log.info("processing %s failed: %s %s", stored, exc.reason, exc.detail)
            fail_processing(SYSTEM, stored, exc.reason, exc.detail)
            return "failed"
        except Exception as exc:
            log.exception("processing %s failed", stored)
            fail_processing(SYSTEM, stored, errors.UNEXPECTED, repr(exc))
            return "failed"
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return "ready"
    finally:
        with _in_progress_lock:
            _in_progress.discard(stored_file_id)


def _convert(stored: StoredFile, work: Path) -> tuple[str, list[PageResult], str]:
    """Everything that takes time, outside any transaction: returns the PDF's storage
    name, the pages, and the storage folder the derived files were moved into."""
    fmt = stored.format
    source = work / f"source.{EXTENSIONS.get(fmt, fmt)}"
    try:
        store.fetch(stored.file.name, source)
    except FileNotFoundError:
        raise ConversionFailed(errors.FILE_MISSING, stored.file.name) from None
    # Judge the content again, thoroughly (every ZIP entry inflated with a cap), before
    # anything else opens it.
    try:
        sniffed = sniff_path(source, f"upload.{fmt}", thorough=True)
    except ContentRefused as exc:
        reason = exc.reason if not exc.params else errors.DAMAGED
        raise ConversionFailed(reason, str(exc)) from None
    if sniffed.format != fmt:
        raise ConversionFailed(errors.DAMAGED, f"stored as {fmt}, reads as {sniffed.format}")
    out = work / "out"
    out.mkdir()
    pdf_name = ""
    if fmt in OFFICE_FORMATS:
        pdf = out / "document.pdf"
        how = office().convert(source, pdf, fmt, stored.size_bytes)
        log.info("converted %s to PDF (%s)", stored, how)
        pages = read_pages(pdf, mode="pdf", out=out, work=work, size_bytes=stored.size_bytes)
    elif fmt == Format.PDF:
        pdf_name = stored.file.name
        pages = read_pages(source, mode="pdf", out=out, work=work, size_bytes=stored.size_bytes)
    else:
        pages = read_pages(
            source,
            mode="text",
            out=out,
            work=work,
            size_bytes=stored.size_bytes,
            encoding=sniffed.encoding,
        )
    folder = f"{derived_prefix(stored)}/{stored.attempts}"
    names = set(store.place_folder(out, folder))
    if fmt in OFFICE_FORMATS:
        pdf_name = f"{folder}/document.pdf"
    for page in pages:
        for field in ("preview", "preview_small"):
            name = getattr(page, field)
            if name:
                setattr(page, field, f"{folder}/{name}")
                if getattr(page, field) not in names:
                    raise ConversionFailed(errors.UNEXPECTED, f"missing {name}")
    return pdf_name, pages, folder


@action("library.finish_processing", label=_("Document processed"))
def finish_processing(
    actor, stored: StoredFile, *, pages: list[PageResult], pdf_name: str, folder: str
) -> StoredFile:
    """Write the pages of a converted file, mark it ready, publish its documents."""
    locked = StoredFile.objects.select_for_update().get(pk=stored.pk)
    if locked.status != Processing.CONVERTING or locked.claimed_by != stored.claimed_by:
        # Taken over meanwhile (this worker was thought dead): its work is not ours to undo.
        store.remove_folder(folder)
        raise ConversionFailed(errors.UNEXPECTED, "claim lost")
    try:
        Page.objects.filter(stored_file=locked).delete()
        Page.objects.bulk_create(
            [
                Page(
                    stored_file=locked,
                    number=page.number,
                    text=page.text,
                    preview=page.preview,
                    preview_small=page.preview_small,
                    width=page.width,
                    height=page.height,
                )
                for page in pages
            ],
            batch_size=500,
        )
        locked.status = Processing.READY
        locked.failure_reason = ""
        locked.page_count = len(pages)
        locked.pdf = pdf_name
        locked.finished_at = timezone.now()
        locked.claimed_by = ""
        locked.save(
            update_fields=[
                "status",
                "failure_reason",
                "page_count",
                "pdf",
                "finished_at",
                "claimed_by",
            ]
        )
        published = publish_documents(locked)
    except Exception:
        store.remove_folder(folder)
        raise
    describe(locked, {"pages": len(pages), "documents": published})
    keep = folder.rsplit("/", 1)[1]
    after_commit(store.remove_folder, derived_prefix(locked), keep=keep)
    return locked


@action("library.processing_failed", label=_("Document processing failed"))
def fail_processing(actor, stored: StoredFile, reason: str, detail: str = "") -> StoredFile:
    """Mark the file failed with ``reason`` (an English source string shown translated)."""
    locked = StoredFile.objects.select_for_update().get(pk=stored.pk)
    if locked.status == Processing.CONVERTING and locked.claimed_by == stored.claimed_by:
        Page.objects.filter(stored_file=locked).delete()
        locked.status = Processing.FAILED
        locked.failure_reason = reason
        locked.page_count = None
        locked.pdf = ""
        locked.finished_at = timezone.now()
        locked.claimed_by = ""
        locked.save(
            update_fields=[
                "status",
                "failure_reason",
                "page_count",
                "pdf",
                "finished_at",
                "claimed_by",
            ]
        )
        describe(locked, {"reason": reason}, message=detail[:500])
        after_commit(store.remove_folder, derived_prefix(locked))
    return locked


def publish_documents(stored: StoredFile) -> int:
    """Documents of a ready file that waited for it: published, or sent to review when
    uploads are reviewed or the same content was taken down before. Indexed on commit."""
    review_all = settings.CUNJU_LIBRARY_REVIEW_UPLOADS
    taken_down = stored.documents.filter(moderation=Moderation.TAKEN_DOWN).exists()
    now = timezone.now()
    published = 0
    waiting = Document.objects.select_for_update().filter(
        stored_file=stored, moderation=Moderation.PROCESSING
    )
    for document in waiting:
        if review_all or taken_down:
            from .moderation import announce_review

            document.moderation = Moderation.PENDING_REVIEW
            document.save(update_fields=["moderation"])
            announce_review(document)
            continue
        document.moderation = Moderation.PUBLISHED
        document.published_at = now
        document.save(update_fields=["moderation", "published_at"])
        after_commit(index_published, document.pk)
        published += 1
    return published


def index_published(document_id: int) -> None:
    """Add a published document to the search index (a failure there is logged, and
    ``cunju.library.search.reindex_all`` puts it right)."""
    from cunju.library.search import index_document

    document = Document.objects.filter(pk=document_id).select_related("stored_file").first()
    if document is None or document.moderation != Moderation.PUBLISHED:
        return
    try:
        index_document(document)
    except Exception:
        log.exception("indexing document %s failed", document_id)


# --- Recovery ------------------------------------------------------------------------------


def recover_stalled_files(*, enqueue=None, older_than_seconds: float = 120) -> dict[str, int]:
    """Hand files whose worker died back to the queue, and queue uploaded files that have
    no task waiting (their task was lost). Safe to run at any time, by any worker."""
    if enqueue is None:
        from .tasks import process_file

        def enqueue(pk: int) -> None:
            process_file.enqueue(pk)

    now = timezone.now()
    counts = {"requeued": 0, "given_up": 0, "queued": 0}
    for stored in StoredFile.objects.filter(status=Processing.CONVERTING):
        if not claim_is_dead(stored, now):
            continue
        if stored.attempts >= MAX_INTERRUPTIONS:
            fail_processing(SYSTEM, stored, errors.INTERRUPTED, f"claimed by {stored.claimed_by}")
            counts["given_up"] += 1
            continue
        with transaction.atomic():
            moved = StoredFile.objects.filter(
                pk=stored.pk, status=Processing.CONVERTING, claimed_by=stored.claimed_by
            ).update(status=Processing.UPLOADED, claimed_by="")
            if moved:
                log.warning("%s was left converting by %s: queued again", stored, stored.claimed_by)
                transaction.on_commit(lambda pk=stored.pk: enqueue(pk))
                counts["requeued"] += moved
    cutoff = now - dt.timedelta(seconds=older_than_seconds)
    waiting = set(
        StoredFile.objects.filter(status=Processing.UPLOADED, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for pk in sorted(waiting - queued_files()):
        enqueue(pk)
        counts["queued"] += 1
    # Scratch folders of uploads and conversions a dead process left behind.
    store.sweep_scratch(older_than=SCRATCH_MAX_AGE)
    return counts


def queued_files() -> set[int]:
    """Stored files with a processing task waiting in the database queue (empty for other
    backends, whose queues cannot be read)."""
    try:
        from django_tasks import TaskResultStatus
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return set()
    from .tasks import process_file

    if not isinstance(process_file.get_backend(), DatabaseBackend):
        return set()

    found = set()
    rows = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=process_file.module_path
    ).values_list("args_kwargs", flat=True)
    for value in rows:
        args = (value or {}).get("args") or []
        if args and isinstance(args[0], int):
            found.add(args[0])
    return found
