"""Background work of the library: processing uploaded files, and picking up files whose
worker died while converting them."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import TaskResultStatus, task

log = logging.getLogger(__name__)

# How often the recovery sweep runs while a worker is up.
RECOVERY_INTERVAL = dt.timedelta(minutes=10)


@task()
def process_file(stored_file_id: int) -> str:
    """Convert one stored file, read its pages, publish its documents ("ready", "failed",
    or "skipped" when it was not waiting)."""
    from .pipeline import process_stored_file

    return process_stored_file(stored_file_id)


@task()
def recover_stalled_files() -> dict[str, int]:
    """Queue again what a dead worker left converting; then come back in ten minutes."""
    from .pipeline import recover_stalled_files as recover

    counts = recover()
    schedule_recovery()
    return counts


def schedule_recovery() -> bool:
    """Queue the next sweep unless one is already waiting (False when not queued)."""
    backend = recover_stalled_files.get_backend()
    if not backend.supports_defer:
        return False
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        DBTaskResult = None
    if DBTaskResult is not None:
        waiting = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY,
            task_path=recover_stalled_files.module_path,
            run_after__gt=timezone.now(),
        )
        if waiting.exists():
            return False
    recover_stalled_files.using(run_after=timezone.now() + RECOVERY_INTERVAL).enqueue()
    return True


def recover_at_start() -> dict[str, int]:
    """What a worker does as it starts: sweep once now, and keep sweeping."""
    from .pipeline import recover_stalled_files as recover

    counts = recover()
    if any(counts.values()):
        log.warning("library files picked up at start: %s", counts)
    schedule_recovery()
    return counts
