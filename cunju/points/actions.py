"""Points actions: an administrator grants or deducts points by hand.

System postings (a download's charge and the uploader's income, refunds) are made by the
actions they belong to, through ``ledger.post``, inside those actions' transactions.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from cunju.core.actions import action, describe, require
from cunju.core.scoping import ensure_in_scope
from cunju.notices.actions import Message, notify

from . import ledger
from .models import Entry, Kind

# A hand posting above this is far more likely a typo than a decision.
MAX_MANUAL_POINTS = 10_000


@action("points.grant", gettext_lazy("Grant or deduct points"))
def grant(actor: Any, user: Any, amount: int, memo: str) -> Entry:
    """Add ``amount`` points to ``user`` (a negative amount deducts), with the reason why."""
    require(actor, "points.add_entry")
    ensure_in_scope(actor, user)
    describe(user)
    memo = (memo or "").strip()
    if not memo:
        raise ValidationError({"memo": _("Say why the points are granted or deducted.")})
    if not isinstance(amount, int) or amount == 0:
        raise ValidationError({"amount": _("Give a whole number of points other than 0.")})
    if abs(amount) > MAX_MANUAL_POINTS:
        raise ValidationError(
            {
                "amount": _("At most %(max)s points can be granted or deducted at once.")
                % {"max": MAX_MANUAL_POINTS}
            }
        )
    if getattr(actor, "pk", None) is not None and actor.pk == user.pk:
        raise ValidationError(_("You cannot grant or deduct your own points."))
    kind = Kind.GRANT if amount > 0 else Kind.DEDUCTION
    try:
        entry = ledger.post(user, amount, kind, memo=memo, by=actor)
    except ValidationError as exc:
        raise ValidationError({"amount": exc.messages}) from exc
    describe(user, {"amount": amount, "balance": entry.balance, "memo": memo})
    if amount > 0:
        message = gettext_noop("%(by)s granted you %(points)s points: %(memo)s")
    else:
        message = gettext_noop("%(by)s deducted %(points)s points from you: %(memo)s")
    notify(
        user,
        Message(message, by=actor, points=abs(amount), memo=memo),
        reverse("points:mine"),
    )
    return entry
