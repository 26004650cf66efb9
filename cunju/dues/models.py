"""Party dues (党费): monthly amounts by the rules, exemptions, payments, ledgers, arrears.

Months are stored as the first day of the month. A member's amount for a month follows from
their dues basis in force that month (``DuesBasis``), the rules of ``rules.py`` and any
approved exemption (``DuesExemption``); ``amounts.py`` does the arithmetic. Payments are kept
one row per month paid for, so a quarter paid at once is three rows sharing a receipt, and
every ledger total is a plain sum of rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cunju.core.scoping import ScopedQuerySet


class Category(models.TextChoices):
    """Which rule sets a member's dues."""

    SALARIED = "salaried", _("Salaried (after-tax monthly income)")
    RETIRED = "retired", _("Retired (monthly pension)")
    FARMER = "farmer", _("Farmer (fixed amount set by the province)")
    STUDENT = "student", _("Student")
    UNEMPLOYED = "unemployed", _("Unemployed")
    RELIEF = "relief", _("Living on relief or a survivor's pension")
    LOW_INCOME = "low_income", _("Minimum living allowance (低保)")


# Categories whose amount is a share of the monthly income.
INCOME_CATEGORIES = (Category.SALARIED, Category.RETIRED)


class Way(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    ONLINE = "online", _("Online payment")


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


class DuesBasis(models.Model):
    """交纳党费基数: from which month a member pays under which category and income."""

    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="dues_bases",
        verbose_name=_("Party member"),
    )
    from_month = models.DateField(_("from month"), help_text=_("First day of the month."))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    monthly_income = models.DecimalField(
        _("monthly base (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("After-tax regular monthly income, or the monthly pension for retirees."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "member__org_path"

    class Meta:
        verbose_name = _("dues basis")
        verbose_name_plural = _("dues bases")
        ordering = ["member", "-from_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "from_month"], name="dues_basis_one_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.from_month:%Y-%m} {self.get_category_display()}"


class DuesExemption(models.Model):
    """少交或免交党费: a reduced amount (or none) for some months, approved by the committee."""

    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="dues_exemptions",
        verbose_name=_("Party member"),
    )
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    monthly_amount = models.DecimalField(
        _("reduced monthly amount"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("0.00 waives the dues for these months."),
    )
    reason = models.CharField(_("reason"), max_length=300)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_by_name = models.CharField(_("approved by"), max_length=100, blank=True)
    approved_at = models.DateTimeField(_("approved at"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "member__org_path"

    class Meta:
        verbose_name = _("dues exemption")
        verbose_name_plural = _("dues exemptions")
        ordering = ["member", "-first_month"]

    def __str__(self) -> str:
        return f"{self.member} {self.first_month:%Y-%m}–{self.last_month:%Y-%m}"

    @property
    def is_waiver(self) -> bool:
        return self.monthly_amount == 0

    def covers(self, month: dt.date) -> bool:
        return self.first_month <= month <= self.last_month


class DuesPayment(models.Model):
    """One month of dues paid (a payment covering a quarter is three rows, one receipt)."""

    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="dues_payments",
        verbose_name=_("Party member"),
    )
    # The organization the member belonged to when paying: ledgers stay put when members move.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Party organization"),
    )
    month = models.DateField(_("month paid for"), help_text=_("First day of the month."))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    way = models.CharField(_("paid by"), max_length=20, choices=Way.choices)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("Bank or online payment number.")
    )
    receipt = models.CharField(_("receipt"), max_length=40, db_index=True)
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "member__org_path"

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["member", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_payment_once_a_month")
        ]
        indexes = [models.Index(fields=["month", "organization"], name="dues_payment_month_org")]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} {self.amount}"
