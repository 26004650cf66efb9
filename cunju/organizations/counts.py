"""Member numbers per subtree of the organization tree, today or on an earlier date.

Today's numbers add up the organizations' own tallies (``OrganizationTally``, kept exact as
members change): one row per organization, so a province of a million members costs a sum
over its sixty thousand organizations, and however many nodes are shown it is one query.
The tallies are grouped by the path prefix of the deepest shown node and each group is added
to every shown node whose path is a prefix of it.

An earlier date counts the membership periods covering it, by the organization path they
hung on then, grouped and added up the same way. A small subtree's periods are simply
counted. A big subtree would mean reading a whole province's periods, so its numbers start
from those known on the nearest date — today's tallies, or a checkpoint of a past date
(``checkpoints.py``) — and take in the periods begun or ended between that date and the one
asked for: the work follows what changed in between, whatever the subtree holds. Every way
gives exactly what counting the periods gives (``subtree_counts_direct``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr

from cunju.core.dbsettings import execute_with_settings
from cunju.core.tree import STEP_WIDTH, subtree_q

from . import checkpoints


@dataclass
class Counts:
    """Members in a subtree: full, probationary, and mobile among them (流动党员)."""

    full: int = 0
    probationary: int = 0
    mobile: int = 0

    @property
    def total(self) -> int:
        return self.full + self.probationary

    def add(self, status: str, is_mobile: bool, n: int) -> None:
        from cunju.members.models import MemberStatus

        if status == MemberStatus.FULL:
            self.full += n
        elif status == MemberStatus.PROBATIONARY:
            self.probationary += n
        else:
            return
        if is_mobile:
            self.mobile += n


def common_root(paths: Iterable[str]) -> str:
    """The deepest path every one of ``paths`` lies under ("" when they share no root)."""
    paths = list(paths)
    if not paths:
        return ""
    first, last = min(paths), max(paths)
    step = STEP_WIDTH + 1
    shared = 0
    while (
        shared + step <= min(len(first), len(last))
        and first[shared : shared + step] == last[shared : shared + step]
    ):
        shared += step
    return first[:shared]


def prefixes(path: str) -> list[str]:
    """Every ancestor-or-self path of ``path``, root first."""
    step = STEP_WIDTH + 1
    return [path[:end] for end in range(step, len(path) + 1, step)]


def subtree_counts(nodes: Iterable[Any], on: dt.date | None = None) -> dict[int, Counts]:
    """Full, probationary and mobile members under each of ``nodes``, in one query.

    ``nodes`` are organizations (or ``history.OrganizationAsOf``) with ``pk`` and ``path``;
    for an earlier date ``on`` they must carry the paths they had then. Today's numbers
    add up the tallies of current members; an earlier date counts the membership periods
    covering it (``valid_from <= on < valid_to``), with the organization path as it was
    then, so a member admitted after ``on``, or gone before it, is not counted and a member
    who moved counts where they were. Returns ``{node pk: Counts}``, a zero ``Counts`` for
    empty nodes.
    """
    nodes = list(nodes)
    if not nodes:
        return {}
    root, deepest = _span(nodes)
    rows = _tallied(root, deepest) if on is None else _periods(root, deepest, on)
    return _added_up(nodes, rows)


def subtree_counts_direct(nodes: Iterable[Any], on: dt.date) -> dict[int, Counts]:
    """``subtree_counts`` on ``on`` by counting every membership period covering it: the
    reference the quicker ways must equal, and what they fall back to."""
    nodes = list(nodes)
    if not nodes:
        return {}
    root, deepest = _span(nodes)
    return _added_up(nodes, _periods_direct(root, deepest, on))


def _span(nodes: list[Any]) -> tuple[str, int]:
    """The common root of the nodes' paths and the length of the deepest."""
    paths = {node.path for node in nodes}
    return common_root(paths), max(len(path) for path in paths)


def _added_up(nodes: list[Any], rows: Iterable[tuple[str, int, int, int]]) -> dict[int, Counts]:
    """Each row (a path and its numbers) added to every node whose path is a prefix of it."""
    result = {node.pk: Counts() for node in nodes}
    by_path: dict[str, list[int]] = {}
    for node in nodes:
        by_path.setdefault(node.path, []).append(node.pk)
    for path, full, probationary, mobile in rows:
        for prefix in prefixes(path):
            for pk in by_path.get(prefix, ()):
                counts = result[pk]
                counts.full += full
                counts.probationary += probationary
                counts.mobile += mobile
    return result


def counts_under(path: str = "") -> Counts:
    """Today's members under the node at ``path`` (everyone for ""), from the tallies."""
    from .models import OrganizationTally

    tallies = OrganizationTally.objects.all()
    if path:
        tallies = tallies.filter(subtree_q(path, "org_path"))
    sums = tallies.aggregate(f=Sum("full"), p=Sum("probationary"), m=Sum("mobile"))
    return Counts(sums["f"] or 0, sums["p"] or 0, sums["m"] or 0)


def _tallied(root: str, length: int) -> list[tuple[str, int, int, int]]:
    """Today: the tallies under ``root`` summed per path prefix of ``length`` characters.

    No shown node is deeper than ``length``, so organizations below that depth only ever
    count together: one row per organization down to the deepest shown level.
    """
    from .models import OrganizationTally

    if root and length == len(root):
        # One node (or several at one path): a plain sum, nothing to group.
        counts = counts_under(root)
        return [(root, counts.full, counts.probationary, counts.mobile)]
    tallies = OrganizationTally.objects.all()
    if root:
        tallies = tallies.filter(subtree_q(root, "org_path"))
    grouped = (
        tallies.annotate(prefix=Substr("org_path", 1, length))
        .values("prefix")
        .annotate(f=Sum("full"), p=Sum("probationary"), m=Sum("mobile"))
        .order_by()
    )
    return [(row["prefix"], row["f"], row["p"], row["m"]) for row in grouped]


# A subtree with fewer members today than this, in fewer organizations than that, is
# counted directly: reading its periods costs less than correcting a count of the register.
SMALL_SUBTREE = 20_000
SMALL_SUBTREE_ORGANIZATIONS = 2_000

Rows = list[tuple[str, int, int, int]]


def _in_force(on: dt.date) -> Q:
    """Periods covering ``on``: begun on or before it, not ended by it."""
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))


@dataclass(frozen=True)
class _Checkpoint:
    """A checkpoint as the plan reads it (``checkpoints.py``)."""

    pk: int
    as_of: dt.date
    periods_seen: int
    members_seen: int
    versions_seen: int


def _periods(root: str, length: int, on: dt.date) -> Rows:
    """An earlier date: the subtree's periods covering ``on``, the cheapest exact way.

    A small subtree is counted directly. A big one starts from what is known on the nearest
    date — today's tallies, or a checkpoint — and is corrected by the periods begun or ended
    between that date and ``on``: the work follows the changes in between, not the subtree.
    The choice is only a matter of speed: every way gives the numbers a direct count gives.
    Two queries, the plan and the count (three when a checkpoint turns out out of date).
    """
    small, near = _plan(root, on)
    if small:
        return _periods_direct(root, length, on)
    # Checkpoints keep numbers down to a depth: deeper nodes count from today's tallies.
    usable = near if length <= checkpoints.PREFIX_LENGTH else []
    best = min(usable, key=lambda c: abs((c.as_of - on).days), default=None)
    if best is not None and abs((best.as_of - on).days) < abs((dt.date.today() - on).days):
        rows = _corrected(root, length, on, best)
        if rows is not None:
            return rows
        checkpoints.ask_to_keep()
    return _corrected(root, length, on, None)


def _plan(root: str, on: dt.date) -> tuple[bool, list[_Checkpoint]]:
    """Whether the subtree is small, and the checkpoints nearest ``on`` on either side, in
    one query. The size comes from today's tallies, read along their index up to
    ``SMALL_SUBTREE_ORGANIZATIONS`` rows: a subtree past that is not small anyway."""
    from .models import OrganizationTally, TallyCheckpoint

    connection = connections[TallyCheckpoint.objects.db]
    quote = connection.ops.quote_name
    path, as_of = quote("org_path"), quote("as_of")
    kept = quote(TallyCheckpoint._meta.db_table)
    within, params = "", []
    if root:
        within, params = f" WHERE {path} >= %s AND {path} < %s", [root, root[:-1] + "/"]
    sql = (
        f"SELECT sample.n, sample.held, c.{quote('id')}, c.{as_of}, c.{quote('periods_seen')}, "
        f"c.{quote('members_seen')}, c.{quote('versions_seen')} FROM ("
        f"SELECT COUNT(*) AS n, SUM(f + p) AS held FROM ("
        f"SELECT {quote('full')} AS f, {quote('probationary')} AS p FROM "
        f"{quote(OrganizationTally._meta.db_table)}{within} ORDER BY {path} LIMIT %s) AS rows"
        f") AS sample LEFT JOIN {kept} AS c "
        f"ON c.{as_of} = (SELECT MAX({as_of}) FROM {kept} WHERE {as_of} <= %s) "
        f"OR c.{as_of} = (SELECT MIN({as_of}) FROM {kept} WHERE {as_of} > %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, SMALL_SUBTREE_ORGANIZATIONS, on, on])
        rows = cursor.fetchall()
    near = [
        _Checkpoint(pk, _date(day), *(int(n) for n in seen))
        for _n, _held, pk, day, *seen in rows
        if pk is not None
    ]
    organizations, held = rows[0][0], rows[0][1] or 0
    return organizations < SMALL_SUBTREE_ORGANIZATIONS and held < SMALL_SUBTREE, near


def _date(value: Any) -> dt.date:
    # SQLite hands raw queries dates as text.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _corrected(root: str, length: int, on: dt.date, base: _Checkpoint | None) -> Rows | None:
    """The numbers on ``base``'s date (a checkpoint; today's tallies when None), corrected to
    ``on`` by the periods begun or ended in between, summed per path prefix of ``length``
    characters, in one statement. None when history on or before the checkpoint's date
    changed after it was taken.

    For two dates ``lo < hi``, a period covers ``hi`` and not ``lo`` when it began in
    between and had not ended by ``hi``; it covers ``lo`` and not ``hi`` when it ended in
    between, having begun by ``lo``. So count(hi) = count(lo) + the first − the second.
    Today's tallies are the count at the far end: the open periods, by the path of the
    organization the member is in now, which is each open period's own path (every member
    has one, in the organization, status and path the member has now). Each period counts
    under its own path, as the direct count does, so organizations moved in between need
    nothing more: what one end counts under a path, the changes take back under that path.
    """
    from cunju.members.models import MembershipPeriod, MemberStatus

    from .models import CheckpointTally, OrganizationTally, OrganizationVersion

    connection = connections[MembershipPeriod.objects.db]
    quote = connection.ops.quote_name
    sqlite = connection.vendor == "sqlite"

    def column(name: str, *, index: bool = True) -> str:
        # SQLite cannot tell how many rows a range holds and picks indexes by rules of
        # thumb: "+" keeps a column out of that choice, leaving the index meant.
        return quote(name) if index or not sqlite else f"+{quote(name)}"

    periods = quote(MembershipPeriod._meta.db_table)
    whole = bool(root) and length == len(root)
    prefix = "%s" if whole else f"SUBSTR({quote('org_path')}, 1, %s)"
    prefix_params = [root if whole else length]
    # One node alone: a plain sum (grouping by a constant costs PostgreSQL a step per row).
    grouped = "" if whole else " GROUP BY 1"
    counted = [MemberStatus.FULL.value, MemberStatus.PROBATIONARY.value]

    def within(path: str) -> tuple[str, list]:
        if not root:
            return "", []
        return f" AND {path} >= %s AND {path} < %s", [root, root[:-1] + "/"]

    def kept(table: str, condition: str, params: list) -> tuple[str, list]:
        """Numbers kept per path (tallies, a checkpoint's rows)."""
        inside, inside_params = within(quote("org_path"))
        sql = (
            f"SELECT {prefix}, SUM({quote('full')}), SUM({quote('probationary')}), "
            f"SUM({quote('mobile')}) FROM {table} WHERE {condition}{inside}{grouped}"
        )
        return sql, [*prefix_params, *params, *inside_params]

    def periods_counted(sign: str, condition: str, params: list) -> tuple[str, list]:
        """Active periods meeting ``condition``, counted with ``sign`` (a big subtree: read by
        the date or member the condition names, not by path)."""
        status = column("status", index=False)
        inside, inside_params = within(column("org_path", index=False))
        sql = (
            f"SELECT {prefix}, "
            f"{sign}SUM(CASE WHEN {quote('status')} = %s THEN 1 ELSE 0 END), "
            f"{sign}SUM(CASE WHEN {quote('status')} = %s THEN 1 ELSE 0 END), "
            f"{sign}SUM(CASE WHEN {quote('is_mobile')} THEN 1 ELSE 0 END) "
            f"FROM {periods} WHERE {condition} AND {status} IN (%s, %s){inside}{grouped}"
        )
        return sql, [*prefix_params, *counted, *params, *counted, *inside_params]

    begun_i, ended_i = quote("valid_from"), quote("valid_to")
    begun, ended = column("valid_from", index=False), column("valid_to", index=False)

    def began_between(sign: str, lo: dt.date, hi: dt.date | None) -> tuple[str, list]:
        if hi is None:
            return periods_counted(sign, f"{begun_i} > %s AND {ended} IS NULL", [lo])
        return periods_counted(
            sign,
            f"{begun_i} > %s AND {begun_i} <= %s AND ({ended} IS NULL OR {ended} > %s)",
            [lo, hi, hi],
        )

    def ended_between(sign: str, lo: dt.date, hi: dt.date | None) -> tuple[str, list]:
        upto, upto_params = ("", []) if hi is None else (f" AND {ended_i} <= %s", [hi])
        return periods_counted(
            sign, f"{ended_i} > %s{upto} AND {begun} <= %s", [lo, *upto_params, lo]
        )

    if base is None:
        parts = [
            kept(quote(OrganizationTally._meta.db_table), "1 = 1", []),
            began_between("-", on, None),
            ended_between("", on, None),
        ]
    else:
        then = base.as_of
        versions = quote(OrganizationVersion._meta.db_table)
        member = column("member_id", index=False)
        parts = [
            # Did history on or before the checkpoint's date change after it was taken?
            (
                f"SELECT %s, CASE WHEN EXISTS (SELECT 1 FROM {periods} "
                f"WHERE {quote('id')} > %s AND {member} <= %s AND {begun} <= %s) "
                f"OR EXISTS (SELECT 1 FROM {versions} "
                f"WHERE {quote('id')} > %s AND {begun} <= %s) THEN 1 ELSE 0 END, 0, 0",
                ["!", base.periods_seen, base.members_seen, then, base.versions_seen, then],
            ),
            kept(
                quote(CheckpointTally._meta.db_table), f"{quote('checkpoint_id')} = %s", [base.pk]
            ),
            # Members entered since, with their whole history.
            periods_counted(
                "",
                f"{quote('member_id')} > %s AND {begun} <= %s "
                f"AND ({ended} IS NULL OR {ended} > %s)",
                [base.members_seen, then, then],
            ),
        ]
        if then > on:
            parts += [began_between("-", on, then), ended_between("", on, then)]
        elif then < on:
            parts += [began_between("", then, on), ended_between("-", then, on)]
    totals: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        # PostgreSQL plans the sum over a province's tallies in parallel, which on a small
        # server is slower than one process (19 against 12 ms on two cores), and much slower
        # under load.
        execute_with_settings(
            connection,
            cursor,
            {"max_parallel_workers_per_gather": "0"},
            " UNION ALL ".join(sql for sql, _params in parts),
            [param for _sql, params in parts for param in params],
        )
        for key, *numbers in cursor.fetchall():
            if key == "!":
                if numbers[0]:
                    return None
                continue
            sums = totals.setdefault(key, [0, 0, 0])
            for i, n in enumerate(numbers):
                sums[i] += n or 0
    return [(key, *sums) for key, sums in totals.items() if any(sums)]


def _periods_direct(root: str, length: int, on: dt.date) -> list[tuple[str, int, int, int]]:
    """Every membership period covering ``on`` under ``root``, summed per prefix of
    ``length`` characters of the organization path it hung on then: the reference count."""
    from cunju.members.models import ACTIVE_STATUSES, MembershipPeriod

    rows = MembershipPeriod.objects.filter(_in_force(on), status__in=ACTIVE_STATUSES)
    if root:
        rows = rows.filter(subtree_q(root, "org_path"))
    # PostgreSQL would sort one group per organization (a province's tens of thousands, on
    # disk): grouping by the shown depth keeps it in memory. SQLite groups faster by the
    # column itself, whose index it reads in order anyway.
    if connections[rows.db].vendor == "sqlite":
        prefix = F("org_path")
    else:
        prefix = Substr("org_path", 1, length)
    grouped = (
        rows.annotate(prefix=prefix)
        .values("prefix", "status", "is_mobile")
        .annotate(n=Count("*"))
        .order_by()
    )
    totals: dict[str, Counts] = {}
    for row in grouped:
        totals.setdefault(row["prefix"], Counts()).add(row["status"], row["is_mobile"], row["n"])
    return [(path, c.full, c.probationary, c.mobile) for path, c in totals.items()]
