"""Background work of the dues module: the monthly arrears check."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend, task

from cunju.core.system import SYSTEM

from .actions import recompute_arrears
from .amounts import add_months


def next_run_at(today: dt.date | None = None) -> dt.datetime:
    """01:30 on the first day of next month, local time."""
    today = today or timezone.localdate()
    first = add_months(today.replace(day=1), 1)
    return timezone.make_aware(dt.datetime.combine(first, dt.time(1, 30)))


def schedule_monthly_check() -> bool:
    """Queue the next monthly check unless one is already waiting; False when not queued.

    Safe to call at every start of the server and after every run.
    """
    if not default_task_backend.supports_defer:
        return False
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: trust it not to hold duplicates
        DBTaskResult = None
    if DBTaskResult is not None:
        waiting = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY,
            task_path=check_dues_arrears.module_path,
            run_after__gt=timezone.now(),
        )
        if waiting.exists():
            return False
    check_dues_arrears.using(run_after=next_run_at()).enqueue()
    return True


@task()
def check_dues_arrears() -> dict[str, int]:
    """Flag members with the set number of unpaid months, clear those who caught up.

    Runs once a month: each run queues the next one for the first of next month when the
    task backend can defer work (the database queue the worker reads can).
    """
    counts = recompute_arrears(SYSTEM)
    schedule_monthly_check()
    return counts
