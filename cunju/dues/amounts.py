"""How much a member owes for a month (党费计算), and what a month of a branch adds up to.

All money is ``Decimal`` rounded to the fen (0.01) half up. ``DuesCalculator`` caches the
rules it reads, so a ledger of a few hundred members costs a handful of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet

from cunju.core.rules import RULES, Rule, region_chain, rule
from cunju.members.models import ACTIVE_STATUSES, Member, MembershipPeriod

from . import rules
from .models import Category, DuesBasis, DuesExemption, DuesPayment, first_of_month

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_fen(value: Decimal) -> Decimal:
    """Round to the fen, half up (0.005 → 0.01)."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from ``first`` to ``last``, both included."""
    months = []
    month = first_of_month(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def dues_start(member: Member) -> dt.date:
    """Dues are paid from the month of the branch vote on probationary membership."""
    return first_of_month(member.admitted_on)


def bracket_rate(table: list, base: Decimal) -> Decimal:
    """The one rate of the first bracket whose upper bound is at least ``base``."""
    for upper, rate in table:
        if upper is None or base <= Decimal(str(upper)):
            return Decimal(str(rate))
    raise ValueError("the rate table has no open top bracket")


def region_of(member: Member) -> str:
    """The division code of the member's place (or the nearest place above with one)."""
    place = member.organization.place
    if place.code:
        return place.code
    for ancestor in reversed(list(place.ancestors())):
        if ancestor.code:
            return ancestor.code
    return ""


@dataclass
class MonthDue:
    """One member's dues for one month: what the rules ask, what applies, what was paid."""

    member: Member
    month: dt.date
    by_rules: Decimal | None  # None: no dues basis yet, so the amount is not known
    exemption: DuesExemption | None = None
    payment: DuesPayment | None = None
    basis: DuesBasis | None = None

    @property
    def amount(self) -> Decimal | None:
        """What the member owes this month."""
        if self.exemption is not None:
            return self.exemption.monthly_amount
        return self.by_rules

    @property
    def paid(self) -> Decimal:
        return self.payment.amount if self.payment is not None else ZERO

    @property
    def is_waived(self) -> bool:
        return self.payment is None and self.exemption is not None and self.exemption.is_waiver

    @property
    def is_settled(self) -> bool:
        """Paid, or nothing to pay because the committee waived it."""
        return self.payment is not None or self.is_waived

    @property
    def status(self) -> str:
        if self.payment is not None:
            return "paid"
        if self.is_waived:
            return "waived"
        return "unpaid"


class DuesCalculator:
    """Amounts by the rules; reads each rule's overrides once per calculation."""

    def __init__(self) -> None:
        self._rows: dict[str, list[tuple[str, dt.date, Any]]] = {}
        self._regions: dict[int, str] = {}

    def rule(self, key: str, month: dt.date, region: str = "") -> Any:
        """``cunju.core.rules.rule`` answered from one read of the key's override rows."""
        if key not in RULES:
            return rule(key, on=month, region=region or None)  # raises: unknown rule
        if key not in self._rows:
            self._rows[key] = list(
                Rule.objects.filter(key=key)
                .order_by("-effective_from")
                .values_list("region_code", "effective_from", "value")
            )
        rows = [(code, value) for code, since, value in self._rows[key] if since <= month]
        for code in region_chain(region or None):
            for row_code, value in rows:
                if row_code == code:
                    return value
        return RULES[key].default

    def region(self, member: Member) -> str:
        if member.organization_id not in self._regions:
            self._regions[member.organization_id] = region_of(member)
        return self._regions[member.organization_id]

    def by_rules(
        self, category: str, income: Decimal | None, month: dt.date, region: str = ""
    ) -> Decimal:
        """The monthly amount the rules give for a category and monthly base."""
        if category == Category.SALARIED:
            base = Decimal(income or 0)
            return to_fen(base * bracket_rate(self.rule(rules.SALARIED_RATES, month), base))
        if category == Category.RETIRED:
            base = Decimal(income or 0)
            return to_fen(base * bracket_rate(self.rule(rules.RETIRED_RATES, month), base))
        if category == Category.FARMER:
            return to_fen(Decimal(str(self.rule(rules.FARMER_MONTHLY, month, region))))
        return to_fen(Decimal(str(self.rule(rules.MINIMUM_MONTHLY, month, region))))

    def for_basis(self, basis: DuesBasis, month: dt.date) -> Decimal:
        return self.by_rules(basis.category, basis.monthly_income, month, self.region(basis.member))

    def months(self, members: Iterable[Member], months: list[dt.date]) -> dict[int, list[MonthDue]]:
        """Each member's dues for each month (from their start month on), by member id."""
        members = list(members)
        ids = [m.pk for m in members]
        if not ids or not months:
            return {m.pk: [] for m in members}
        first, last = min(months), max(months)
        bases: dict[int, list[DuesBasis]] = defaultdict(list)
        for basis in DuesBasis.objects.filter(member_id__in=ids, from_month__lte=last).order_by(
            "-from_month"
        ):
            bases[basis.member_id].append(basis)
        exemptions: dict[int, list[DuesExemption]] = defaultdict(list)
        for exemption in DuesExemption.objects.filter(
            member_id__in=ids, first_month__lte=last, last_month__gte=first
        ).order_by("-approved_at"):
            exemptions[exemption.member_id].append(exemption)
        payments = {
            (p.member_id, p.month): p
            for p in DuesPayment.objects.filter(
                member_id__in=ids, month__gte=first, month__lte=last
            )
        }
        result: dict[int, list[MonthDue]] = {}
        for member in members:
            start = dues_start(member)
            rows = []
            for month in sorted(months):
                if month < start:
                    continue
                basis = next((b for b in bases[member.pk] if b.from_month <= month), None)
                if basis is not None:
                    basis.member = member
                amount = self.for_basis(basis, month) if basis is not None else None
                exemption = next((e for e in exemptions[member.pk] if e.covers(month)), None)
                rows.append(
                    MonthDue(
                        member=member,
                        month=month,
                        by_rules=amount,
                        exemption=exemption,
                        payment=payments.get((member.pk, month)),
                        basis=basis,
                    )
                )
            result[member.pk] = rows
        return result

    def month(self, member: Member, month: dt.date) -> MonthDue | None:
        """One member's dues for one month (None before their dues start)."""
        rows = self.months([member], [first_of_month(month)])[member.pk]
        return rows[0] if rows else None


def monthly_amount(member: Member, month: dt.date | None = None) -> Decimal | None:
    """What the member owes for ``month`` (this month), or None without a dues basis."""
    month = first_of_month(month or dt.date.today())
    due = DuesCalculator().month(member, max(month, dues_start(member)))
    return due.amount if due is not None else None


def unpaid_run(dues: list[MonthDue]) -> int:
    """How many months in a row, counting back from the last one, are unpaid without reason."""
    run = 0
    for due in reversed(dues):
        if due.is_settled:
            break
        run += 1
    return run


# --- The branch ledger (党费收缴台账) --------------------------------------------------------


@dataclass
class LedgerRow:
    """One Party organization's dues for one month; its totals are sums of its member rows."""

    organization: Any
    month: dt.date
    members: list[MonthDue] = field(default_factory=list)

    @property
    def expected(self) -> Decimal:
        return sum((d.amount or ZERO for d in self.members), ZERO)

    @property
    def received(self) -> Decimal:
        return sum((d.paid for d in self.members), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((d.amount or ZERO for d in self.members if not d.is_settled), ZERO)

    @property
    def paid_count(self) -> int:
        return sum(1 for d in self.members if d.payment is not None)

    @property
    def waived_count(self) -> int:
        return sum(1 for d in self.members if d.is_waived)

    @property
    def unpaid_count(self) -> int:
        return sum(1 for d in self.members if not d.is_settled)

    @property
    def unknown_count(self) -> int:
        return sum(1 for d in self.members if d.amount is None)


def organization_of_month(member_ids: Iterable[int], month: dt.date) -> dict[int, int]:
    """Where each member's dues for ``month`` belong: member id → organization id.

    Everyone who was a full or probationary member at some time in the month owes that
    month once, whether they have left, died or moved since (their membership periods say
    where they were). A member in two organizations that month counts where the month was
    paid, else where they were last that month, so no month is counted twice.
    """
    month = first_of_month(month)
    end = add_months(month, 1)
    ids = list(member_ids)
    home: dict[int, int] = {}
    periods = (
        MembershipPeriod.objects.filter(
            member_id__in=ids, status__in=ACTIVE_STATUSES, valid_from__lt=end
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=month))
        .order_by("valid_from", "id")
        .values_list("member_id", "organization_id")
    )
    for member_id, organization_id in periods:
        home[member_id] = organization_id  # the last one that month wins
    paid = DuesPayment.objects.filter(member_id__in=ids, month=month)
    home.update(paid.values_list("member_id", "organization_id"))
    return home


def ledger(organizations: QuerySet, month: dt.date) -> list[LedgerRow]:
    """The month's ledger (党费收缴台账) of each of ``organizations`` (already scoped).

    It counts every member who belonged to an organization in the month, also those who
    left, died or transferred out since, and every payment recorded for the month there, so
    its "received" is the sum of the payment rows to the fen.
    """
    month = first_of_month(month)
    end = add_months(month, 1)
    scope = organizations.values("pk")
    candidates = set(
        MembershipPeriod.objects.filter(
            organization__in=scope, status__in=ACTIVE_STATUSES, valid_from__lt=end
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=month))
        .values_list("member_id", flat=True)
    )
    candidates |= set(
        DuesPayment.objects.filter(organization__in=scope, month=month).values_list(
            "member_id", flat=True
        )
    )
    home = organization_of_month(candidates, month)
    wanted = {o.pk: o for o in organizations.filter(pk__in=set(home.values()))}
    members = list(
        Member.objects.filter(pk__in=[m for m, o in home.items() if o in wanted])
        .select_related("organization__place")
        .order_by("name_pinyin", "pk")
    )
    dues = DuesCalculator().months(members, [month])
    rows: dict[int, LedgerRow] = {}
    for member in members:
        organization = wanted[home[member.pk]]
        for due in dues[member.pk]:
            row = rows.setdefault(
                organization.pk, LedgerRow(organization=organization, month=month)
            )
            row.members.append(due)
    return sorted(rows.values(), key=lambda r: r.organization.path)
