"""The points ledger (积分账本): post an entry, read a balance, check a user's history.

Every posting appends one ``Entry`` with the next sequence number and the balance after it.
Two postings computed from the same previous entry cannot both land: the unique (user, seq)
constraint refuses the second, which is retried against the fresh balance inside a savepoint.
On PostgreSQL the user's row is locked first, so concurrent postings for one user queue
instead of colliding; on SQLite the project's IMMEDIATE transactions already let one writer
in at a time. A posting that would take the balance below zero is refused, never clipped.

Postings are made by actions (a download, an admin's grant, later study and activities),
inside the action's transaction: ``post`` never opens a transaction of its own that could
commit a charge while the rest of the action fails.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Entry, Kind

# Enough for a burst of postings for one user; each retry reads the balance afresh.
RETRIES = 5
MEMO_LENGTH = Entry._meta.get_field("memo").max_length


def _last(user: Any) -> Entry | None:
    return Entry.objects.filter(user=user).order_by("-seq").first()


def balance(user: Any) -> int:
    """The user's points now: the balance after their last entry (0 without entries)."""
    last = (
        Entry.objects.filter(user=user).order_by("-seq").values_list("balance", flat=True).first()
    )
    return last or 0


def lock_accounts(*users: Any) -> None:
    """Hold the ledgers of ``users`` until the transaction ends, always in the same order.

    A posting that touches two users (a download: the reader and the uploader) locks both
    first, by primary key, so two such postings in opposite directions cannot deadlock.
    A no-op on SQLite, where the transaction already holds the only write lock.
    """
    ids = sorted({u.pk for u in users if getattr(u, "pk", None) is not None})
    if ids:
        # NO KEY UPDATE: rows that merely point at the user (a notice, an audit event) are
        # still written meanwhile; only other postings for the same user wait.
        list(
            get_user_model()
            .objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def post(
    user: Any,
    amount: int,
    kind: str,
    *,
    memo: str = "",
    reference: str = "",
    by: Any = None,
) -> Entry:
    """Append ``amount`` points (negative to take) to ``user``'s ledger and return the entry.

    Refuses with ValidationError when the balance would go below zero. Call it inside the
    acting transaction (an ``@action``).
    """
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise ValueError(f"a posting needs a whole, non-zero number of points, not {amount!r}")
    if kind not in Kind.values:
        raise ValueError(f"unknown kind of points entry {kind!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("points are posted inside an action's transaction")
    created_by = by if getattr(by, "pk", None) is not None else None
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                lock_accounts(user)
                last = _last(user)
                before = last.balance if last else 0
                after = before + amount
                if after < 0:
                    raise ValidationError(
                        _("Not enough points: balance %(balance)s, needed %(needed)s.")
                        % {"balance": before, "needed": -amount},
                        code="not_enough_points",
                    )
                return Entry.objects.create(
                    user=user,
                    seq=(last.seq if last else 0) + 1,
                    amount=amount,
                    balance=after,
                    kind=kind,
                    memo=str(memo)[:MEMO_LENGTH],
                    reference=reference,
                    created_by=created_by,
                )
        except IntegrityError:
            # Another posting took this sequence number first: read again and retry.
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def verify(user: Any) -> bool:
    """True when the user's entries are numbered 1, 2, 3… without gaps and every balance is
    the one before plus the amount (so the last balance is the sum of all amounts)."""
    running = 0
    expected_seq = 1
    for seq, amount, entry_balance in (
        Entry.objects.filter(user=user).order_by("seq").values_list("seq", "amount", "balance")
    ):
        running += amount
        if seq != expected_seq or entry_balance != running or running < 0:
            return False
        expected_seq += 1
    return True
