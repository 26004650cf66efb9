"""Demo dues: a year of payments for the demo members, built through the dues actions.

Bases follow each member's occupation; most members pay every month, some once a quarter, a
few stopped paying more than six months ago (and are flagged), and one member in difficulty
has a waiver approved by the community committee. Dates are relative to today.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from cunju.core.rules import Rule
from cunju.core.system import SYSTEM
from cunju.members.models import ACTIVE_STATUSES, Member, Occupation

from .actions import (
    BasisEntry,
    PaymentEntry,
    approve_exemption,
    collect_dues,
    recompute_arrears,
    set_bases,
)
from .amounts import DuesCalculator, add_months, dues_start, months_between
from .models import Category, DuesPayment, Way

# Monthly after-tax income ranges (yuan) by occupation, for the salaried and the retired.
INCOME = {
    Occupation.WORKER: (3200, 7500),
    Occupation.ENTERPRISE_MANAGER: (8000, 18000),
    Occupation.PROFESSIONAL: (5000, 11000),
    Occupation.PUBLIC_SERVANT: (6000, 12500),
    Occupation.COMMUNITY_WORKER: (3500, 6000),
    Occupation.SELF_EMPLOYED: (2500, 9000),
    Occupation.OTHER: (2200, 5000),
    Occupation.RETIRED: (2600, 6800),
}
CATEGORY = {
    Occupation.FARMER: Category.FARMER,
    Occupation.STUDENT: Category.STUDENT,
    Occupation.UNEMPLOYED: Category.UNEMPLOYED,
    Occupation.RETIRED: Category.RETIRED,
}
MONTHS = 12
DEFAULTERS = 4


def _basis(rng: Any, member: Member) -> tuple[str, Decimal | None]:
    category = CATEGORY.get(member.occupation, Category.SALARIED)
    if category not in (Category.SALARIED, Category.RETIRED):
        return category, None
    low, high = INCOME.get(member.occupation, INCOME[Occupation.OTHER])
    return category, Decimal(rng.randrange(low, high, 50))


def load(world: dict[str, Any]) -> str:
    rng = world["random"]
    members = list(
        Member.objects.filter(status__in=ACTIVE_STATUSES)
        .select_related("organization__place")
        .order_by("pk")
    )
    if not members:
        return "dues: no members to load"
    today = dt.date.today()
    this_month = today.replace(day=1)
    first = add_months(this_month, -MONTHS)
    last = add_months(this_month, -1)
    # Jiangsu's amount for farmer members (a demo value: provinces set 0.20 to 1.00).
    Rule.objects.get_or_create(
        key="dues.farmer_monthly",
        region_code="320000",
        effective_from=dt.date(2008, 4, 1),
        defaults={"value": "1.00", "source": "演示数据：江苏省农民党员党费标准"},
    )
    approver = world.get("demo-community-a")
    if approver is None or not approver.has_perm("dues.approve_exemption"):
        approver = SYSTEM

    bases = []
    for member in members:
        category, income = _basis(rng, member)
        bases.append(BasisEntry(member, dues_start(member), category, income, "按岗位核定"))
    set_bases(SYSTEM, bases)

    # Who pays how: most monthly, some quarterly, a few stopped seven to nine months ago.
    defaulters = {m.pk for m in rng.sample(members, min(DEFAULTERS, len(members)))}
    waived = next(
        (
            b.member
            for b in bases
            if b.category == Category.FARMER
            and b.member.pk not in defaulters
            and dues_start(b.member) <= first
        ),
        None,
    )
    if waived is not None:
        approve_exemption(
            approver,
            waived,
            first_month=add_months(this_month, -6),
            last_month=add_months(this_month, 5),
            reason="家中遭受水灾，生活困难，经社区党委研究同意免交一年",
        )
    plans: list[tuple[Member, list[dt.date], int]] = []
    quarterly = 0
    for member in members:
        months = months_between(max(first, dues_start(member)), last)
        if member.pk in defaulters:
            months = months[: max(0, len(months) - rng.randint(7, 9))]
            block = 1
        elif member == waived:
            months = [m for m in months if m < add_months(this_month, -6)]
            block = 1
        elif rng.random() < 0.2:
            block = 3
            quarterly += 1
        else:
            block = 1
            if rng.random() < 0.7 and dues_start(member) <= this_month:
                months.append(this_month)  # already paid this month
        plans.append((member, months, block))

    table = DuesCalculator().months(members, months_between(first, this_month))
    entries = []
    for member, months, block in plans:
        due = {d.month: d.amount for d in table[member.pk]}
        for i in range(0, len(months), block):
            chunk = months[i : i + block]
            paid_on = min(today, chunk[-1].replace(day=rng.randint(3, 25)))
            way = rng.choice([Way.CASH, Way.CASH, Way.TRANSFER, Way.ONLINE])
            entries.append(
                PaymentEntry(
                    member=member,
                    first_month=chunk[0],
                    months=len(chunk),
                    amount=sum((due[m] for m in chunk), Decimal("0.00")),
                    way=way,
                    paid_on=paid_on,
                    reference=""
                    if way == Way.CASH
                    else f"{paid_on:%Y%m%d}{rng.randrange(10**6):06d}",
                )
            )
    collect_dues(SYSTEM, entries)
    counts = recompute_arrears(SYSTEM)
    paid = DuesPayment.objects.count()
    return (
        f"dues: {len(members)} members, {paid} months paid ({quarterly} paying quarterly), "
        f"{counts['flagged']} in arrears, {1 if waived else 0} waiver"
    )
