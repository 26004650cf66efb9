"""Member numbers per subtree of the organization tree, today or on an earlier date.

However many organizations are shown, their numbers cost one grouped query: members (or,
for an earlier date, membership periods covering it) are grouped by the exact organization
path they hang on, and each group is added to every shown node whose path is a prefix of
it. There are at most as many groups × statuses as organizations, and each is walked up
its own path, so the Python side is O(groups × depth).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

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
    count current members; an earlier date counts the membership periods covering it
    (``valid_from <= on < valid_to``), with the organization path as it was then, so a
    member admitted after ``on``, or gone before it, is not counted and a member who moved
    counts where they were. Returns ``{node pk: Counts}``, a zero ``Counts`` for empty nodes.
    """
    from cunju.members.models import ACTIVE_STATUSES, Member, MembershipPeriod

    nodes = list(nodes)
    result = {node.pk: Counts() for node in nodes}
    if not nodes:
        return result
    by_path: dict[str, list[int]] = {}
    for node in nodes:
        by_path.setdefault(node.path, []).append(node.pk)
    root = common_root(by_path)
    if on is None:
        rows = Member.objects.filter(status__in=ACTIVE_STATUSES)
    else:
        rows = MembershipPeriod.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=on),
            valid_from__lte=on,
            status__in=ACTIVE_STATUSES,
        )
    if root:
        rows = rows.filter(subtree_q(root, "org_path"))
    grouped = rows.values("org_path", "status", "is_mobile").annotate(n=Count("id")).order_by()
    for row in grouped:
        for prefix in prefixes(row["org_path"]):
            for pk in by_path.get(prefix, ()):
                result[pk].add(row["status"], row["is_mobile"], row["n"])
    return result
