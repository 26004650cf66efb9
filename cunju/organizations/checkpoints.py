"""Checkpoints: the members of every part of the tree on a few past dates (``TallyCheckpoint``).

Numbers as of a date start from what is known on a date near it and correct it by the
membership periods begun or ended in between (``counts``). Today's tallies are always known;
a checkpoint is the same for a past date. One is taken each time ``SPAN`` period starts and
ends have gone by since the last, so wherever a date falls, the correction reads about half a
span at most. A checkpoint keeps its numbers per path down to the fourth level of the tree
(a town in a province): deeper nodes are counted from today's tallies or directly.

History can change after a checkpoint was taken: a member entered later with an admission
years back, a death or a move recorded with an earlier date, an organization moved from an
earlier date. The history actions leave a trace of each such change:

* a member's change (entered late or not) rewrites the periods from its date: a row covering
  a date S is either left as it was over S, or replaced by new rows, one of them dated on or
  before S (``members.actions.start_period``, ``set_period_values``);
* moving an organization adds organization versions dated the move, and the periods it
  splits are new rows dated the move too (``organizations.actions.move_organization``);
* a member entered later brings only new rows, all of them their own.

So a checkpoint remembers the highest period, member and version ids it had seen. It is
exact for its date S while no period of an earlier member and no organization version dated
on or before S came after it; periods of members entered since are added to it. The count
checks this in the statement that reads the checkpoint; one found out of date is retaken in
the background (``keep_checkpoints``) and until then the date is counted from today.
Members are never deleted (they leave the register by a status); a write that changed
history some other way must retake the checkpoints (``rebuild``, as ``cunju recount`` does).
``verify`` compares every checkpoint, and today's tallies, with a direct count.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend, task

from cunju.core.tree import STEP_WIDTH

from .models import CheckpointTally, OrganizationTally, OrganizationVersion, TallyCheckpoint

log = logging.getLogger(__name__)

# Period starts and ends between two checkpoints (on PostgreSQL, reading 100,000 index
# entries takes some 20 ms).
SPAN = 100_000
# Numbers are kept per path of this length: four levels (province, city, county, town).
PREFIX_LENGTH = (STEP_WIDTH + 1) * 4


# --- Where checkpoints go -------------------------------------------------------------------


def planned_dates(
    existing: list[dt.date] | tuple = (), today: dt.date | None = None
) -> list[dt.date]:
    """The checkpoints to add to ``existing`` so that no stretch of history between two of
    them (or before the first, or since the last) holds ``SPAN`` period starts and ends: the
    first day of the month after the one where a stretch reaches it, up to today."""
    from cunju.members.models import MembershipPeriod

    today = today or timezone.localdate()
    periods = MembershipPeriod.objects.order_by()
    changes: dict[dt.date, int] = {}
    for field, rows in (("valid_from", periods), ("valid_to", periods.exclude(valid_to=None))):
        for day, n in rows.values_list(field).annotate(n=Count("*")):
            changes[day] = changes.get(day, 0) + n
    kept = sorted(existing)
    dates: list[dt.date] = []
    gone_by = 0
    for day in sorted(changes):
        while kept and day > kept[0]:
            # A checkpoint counts what happened on or before its date: start afresh after it.
            kept.pop(0)
            gone_by = 0
        gone_by += changes[day]
        if gone_by >= SPAN:
            first = _next_month(day)
            if first > today:
                break
            if first not in existing and (not dates or dates[-1] != first):
                dates.append(first)
            gone_by = 0
    return dates


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


# --- Taking one -----------------------------------------------------------------------------


def take(on: dt.date) -> TallyCheckpoint:
    """Count the members of every path on ``on`` into its checkpoint (made or replaced).

    Writers to the periods and versions wait meanwhile (SQLite's writers do anyway), so the
    ids seen are exactly the rows counted.
    """
    from cunju.members.models import Member, MembershipPeriod

    from .counts import _periods_direct

    with transaction.atomic():
        if connection.vendor == "postgresql":
            tables = ", ".join(
                connection.ops.quote_name(model._meta.db_table)
                for model in (MembershipPeriod, OrganizationVersion)
            )
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN SHARE MODE")
        seen = {
            "periods_seen": MembershipPeriod.objects.aggregate(n=Max("pk"))["n"] or 0,
            "members_seen": Member.objects.aggregate(n=Max("pk"))["n"] or 0,
            "versions_seen": OrganizationVersion.objects.aggregate(n=Max("pk"))["n"] or 0,
        }
        sums: dict[str, list[int]] = {}
        for path, *numbers in _periods_direct("", PREFIX_LENGTH, on):
            row = sums.setdefault(path[:PREFIX_LENGTH], [0, 0, 0])
            for i, n in enumerate(numbers):
                row[i] += n
        checkpoint, _created = TallyCheckpoint.objects.update_or_create(as_of=on, defaults=seen)
        CheckpointTally.objects.filter(checkpoint=checkpoint).delete()
        CheckpointTally.objects.bulk_create(
            (
                CheckpointTally(
                    checkpoint=checkpoint, org_path=path, full=f, probationary=p, mobile=m
                )
                for path, (f, p, m) in sorted(sums.items())
                if f or p or m
            ),
            batch_size=5000,
        )
    return checkpoint


# --- Out of date ----------------------------------------------------------------------------


def changed_before(checkpoint: TallyCheckpoint) -> bool:
    """Whether history on or before the checkpoint's date changed after it was taken."""
    from cunju.members.models import MembershipPeriod

    later = MembershipPeriod.objects.filter(
        pk__gt=checkpoint.periods_seen,
        member_id__lte=checkpoint.members_seen,
        valid_from__lte=checkpoint.as_of,
    )
    moved = OrganizationVersion.objects.filter(
        pk__gt=checkpoint.versions_seen, valid_from__lte=checkpoint.as_of
    )
    return later.exists() or moved.exists()


def keep(today: dt.date | None = None) -> dict[str, int]:
    """Retake the checkpoints history changed under, and those many rows came after (the
    checks read those rows); add checkpoints where history has grown too long between two."""
    from cunju.members.models import MembershipPeriod

    retaken = 0
    for checkpoint in TallyCheckpoint.objects.all():
        since = MembershipPeriod.objects.filter(pk__gt=checkpoint.periods_seen)
        busy = since.values("pk")[: SPAN // 10].count() >= SPAN // 10
        if busy or changed_before(checkpoint):
            if not busy:
                log.info("history on or before %s changed: checkpoint retaken", checkpoint)
            take(checkpoint.as_of)
            retaken += 1
    added = planned_dates(list(TallyCheckpoint.objects.values_list("as_of", flat=True)), today)
    for day in added:
        take(day)
    return {"retaken": retaken, "added": len(added)}


def rebuild(today: dt.date | None = None) -> int:
    """Take every checkpoint afresh where history calls for one; returns how many."""
    dates = planned_dates(today=today)
    TallyCheckpoint.objects.exclude(as_of__in=dates).delete()
    for day in dates:
        take(day)
    return len(dates)


def next_run_at(today: dt.date | None = None) -> dt.datetime:
    """02:30 tomorrow, local time."""
    today = today or timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time(2, 30)))


def _waiting():
    """Queued runs of ``keep_checkpoints`` not started yet (None: the backend cannot tell)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: trust it with duplicates
        return None
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=keep_checkpoints.module_path
    )


def schedule_checkpoints() -> bool:
    """Queue tonight's run unless one is waiting; False when not queued (also when the task
    backend cannot run work later). Safe to call at every start of the server and after
    every run."""
    if not default_task_backend.supports_defer:
        return False
    waiting = _waiting()
    if waiting is not None and waiting.filter(run_after__gt=timezone.now()).exists():
        return False
    keep_checkpoints.using(run_after=next_run_at()).enqueue()
    return True


def ask_to_keep() -> None:
    """Queue a run now (a count found a checkpoint out of date) unless one is due already."""
    waiting = _waiting()
    if waiting is not None and default_task_backend.supports_defer:
        due = waiting.filter(Q(run_after__isnull=True) | Q(run_after__lte=timezone.now()))
        if due.exists():
            return
    keep_checkpoints.enqueue()


@task()
def keep_checkpoints() -> dict[str, int]:
    """Bring the checkpoints up to date: every night, and when a count finds one out of date."""
    result = keep()
    schedule_checkpoints()
    return result


# --- Checking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """Numbers (full, probationary, mobile) under a path that differ from a direct count:
    on a checkpoint's date, or today (``on`` None) between the tallies and the open periods."""

    on: dt.date | None
    org_path: str
    kept: tuple
    counted: tuple


def verify() -> list[Mismatch]:
    """Every difference between what numbers as of a date start from and a direct count:
    today's tallies against the open membership periods (each member has one, in the
    organization, status and path the member has now), and each checkpoint history has not
    changed under against the periods covering its date."""
    from cunju.members.models import ACTIVE_STATUSES, MembershipPeriod

    from .counts import Counts, _periods_direct

    wrong: list[Mismatch] = []

    def compare(on, kept: dict[str, tuple], counted: dict[str, tuple]) -> None:
        for path in sorted(set(kept) | set(counted)):
            have, want = kept.get(path, (0, 0, 0)), counted.get(path, (0, 0, 0))
            if have != want:
                wrong.append(Mismatch(on, path, have, want))

    tallied: dict[str, tuple] = {}
    for path, *numbers in OrganizationTally.objects.values_list(
        "org_path", "full", "probationary", "mobile"
    ):
        if any(numbers):
            tallied[path] = tuple(numbers)
    open_periods: dict[str, Counts] = {}
    grouped = (
        MembershipPeriod.objects.filter(valid_to__isnull=True, status__in=ACTIVE_STATUSES)
        .values_list("org_path", "status", "is_mobile")
        .annotate(n=Count("*"))
        .order_by()
    )
    for path, status, is_mobile, n in grouped:
        open_periods.setdefault(path, Counts()).add(status, is_mobile, n)
    compare(None, tallied, {p: (c.full, c.probationary, c.mobile) for p, c in open_periods.items()})
    for checkpoint in TallyCheckpoint.objects.all():
        if changed_before(checkpoint):
            continue  # out of date, and known to be: counts do not start from it
        kept = _checkpoint_rows(checkpoint)
        counted: dict[str, list[int]] = {}
        for path, *numbers in _periods_direct("", PREFIX_LENGTH, checkpoint.as_of):
            row = counted.setdefault(path[:PREFIX_LENGTH], [0, 0, 0])
            for i, n in enumerate(numbers):
                row[i] += n
        compare(
            checkpoint.as_of,
            kept,
            {p: tuple(row) for p, row in counted.items() if any(row)},
        )
    return wrong


def _checkpoint_rows(checkpoint: TallyCheckpoint) -> dict[str, tuple]:
    """What counts start from on the checkpoint's date: its rows and members entered since."""
    from cunju.members.models import ACTIVE_STATUSES, MembershipPeriod

    from .counts import Counts, _in_force

    rows: dict[str, list[int]] = {}
    for path, *numbers in CheckpointTally.objects.filter(checkpoint=checkpoint).values_list(
        "org_path", "full", "probationary", "mobile"
    ):
        rows[path] = list(numbers)
    since = (
        MembershipPeriod.objects.filter(
            _in_force(checkpoint.as_of),
            member_id__gt=checkpoint.members_seen,
            status__in=ACTIVE_STATUSES,
        )
        .values_list("org_path", "status", "is_mobile")
        .annotate(n=Count("*"))
        .order_by()
    )
    for path, status, is_mobile, n in since:
        counts = Counts()
        counts.add(status, is_mobile, n)
        row = rows.setdefault(path[:PREFIX_LENGTH], [0, 0, 0])
        row[0] += counts.full
        row[1] += counts.probationary
        row[2] += counts.mobile
    return {path: tuple(row) for path, row in rows.items() if any(row)}
