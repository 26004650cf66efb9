"""Points (积分): one append-only ledger per user.

Each entry carries the user's running sequence number and the balance after it. The pair
(user, seq) is unique, so two postings computed from the same previous entry cannot both be
written: the second fails and is retried against the new balance (or refused). A check
constraint keeps every balance at zero or above. The balance is the last entry's, and always
equals the sum of the amounts (``verify``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cunju.core.scoping import ScopedQuerySet


class Kind(models.TextChoices):
    DOWNLOAD_CHARGE = "download_charge", _("Download of a document")
    DOWNLOAD_INCOME = "download_income", _("Income from a download")
    REFUND = "refund", _("Refund of a download")
    INCOME_REVERSAL = "income_reversal", _("Reversal of download income")
    GRANT = "grant", _("Granted by an administrator")
    DEDUCTION = "deduction", _("Deducted by an administrator")
    STUDY = "study", _("Study")
    ACTIVITY = "activity", _("Activity")
    EVALUATION = "evaluation", _("Evaluation")


class EntryQuerySet(ScopedQuerySet):
    def own(self, user) -> EntryQuerySet:
        """A user's own entries, which they always see, whatever their scope."""
        if not getattr(user, "is_authenticated", False) or user.pk is None:
            return self.none()
        return self.filter(user=user)


class Entry(models.Model):
    """积分明细: one posting; never changed or deleted once written."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="points_entries",
        verbose_name=_("user"),
    )
    seq = models.PositiveIntegerField(_("number"))
    amount = models.IntegerField(_("points"))
    balance = models.IntegerField(_("balance after"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    # What the entry is about, as "app_label.model:pk" (a document, an activity…).
    reference = models.CharField(_("reference"), max_length=80, blank=True, db_index=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )

    # Entries are seen in the scope of their user's organization (and by the user themself).
    scope_tree = "organization"
    scope_lookup = "user__scope__path"

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["user", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["user", "seq"], name="points_entry_sequence"),
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="points_balance_not_negative"
            ),
            models.CheckConstraint(condition=~models.Q(amount=0), name="points_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.amount:+d} → {self.balance}"
