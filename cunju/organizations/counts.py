"""Member numbers per subtree of the organization tree, today or on an earlier date.

Today's numbers add up the organizations' own tallies (``OrganizationTally``, kept exact as
members change): one row per organization, so a province of a million members costs a sum
over its sixty thousand organizations, and however many nodes are shown it is one query.
The tallies are grouped by the path prefix of the deepest shown node and each group is added
to every shown node whose path is a prefix of it.

An earlier date counts the membership periods covering it, by the organization path they
hung on then, grouped and added up the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr

from cunju.core.tree import STEP_WIDTH, subtree_q


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
    result = {node.pk: Counts() for node in nodes}
    if not nodes:
        return result
    by_path: dict[str, list[int]] = {}
    for node in nodes:
        by_path.setdefault(node.path, []).append(node.pk)
    root = common_root(by_path)
    deepest = max(len(path) for path in by_path)
    rows = _tallied(root, deepest) if on is None else _periods(root, deepest, on)
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


def _periods(root: str, length: int, on: dt.date) -> list[tuple[str, int, int, int]]:
    """An earlier date: membership periods covering ``on`` under ``root``, summed per prefix
    of ``length`` characters of the organization path they had then."""
    from cunju.members.models import ACTIVE_STATUSES, MembershipPeriod

    rows = MembershipPeriod.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on),
        valid_from__lte=on,
        status__in=ACTIVE_STATUSES,
    )
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
        .annotate(n=Count("id"))
        .order_by()
    )
    totals: dict[str, Counts] = {}
    for row in grouped:
        totals.setdefault(row["prefix"], Counts()).add(row["status"], row["is_mobile"], row["n"])
    return [(path, c.full, c.probationary, c.mobile) for path, c in totals.items()]
