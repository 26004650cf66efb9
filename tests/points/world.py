"""Points, notices and library documents for the tests of downloads and moderation.

Nothing is added to every test's world up front: the helpers below make what a test (or
the every-URL registry) asks for, through the same actions the pages call.
"""

from __future__ import annotations

from types import SimpleNamespace

from cunju.notices.models import Notice
from cunju.points import ledger
from cunju.points.actions import grant


def extend(w: SimpleNamespace) -> None:
    pass


def give_points(w: SimpleNamespace, user, amount: int, memo: str = "学习积分") -> int:
    """Grant ``user`` points as the system administrator; returns the new balance."""
    grant(w.admin, user, amount, memo)
    return ledger.balance(user)


def notice_for(w: SimpleNamespace, user) -> Notice:
    """A notice in ``user``'s inbox (made once per world)."""
    cache = w.__dict__.setdefault("_notices", {})
    if user.pk not in cache:
        give_points(w, user, 1, "欢迎")
        cache[user.pk] = Notice.objects.filter(recipient=user).latest("pk")
    return cache[user.pk]
