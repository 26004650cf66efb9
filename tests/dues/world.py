"""Dues in both communities: a salaried member in A and a retired member in B, each with a
dues basis, and B's member with a payment, so every dues page has something to hide."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from cunju.core.system import SYSTEM
from cunju.dues.actions import record_payment, set_basis
from cunju.dues.models import Category, Way
from cunju.members.actions import register_member
from cunju.members.models import Education, MemberStatus, Occupation


def dues_member(organization, name: str, *, admitted_on: dt.date, occupation: str, **extra):
    """A member (no ID number needed for dues) entered by the system; full after a year."""
    full_on = admitted_on + dt.timedelta(days=366)
    if full_on > dt.date.today():
        full_on = None
    return register_member(
        SYSTEM,
        organization=organization,
        name=name,
        sex=extra.pop("sex", "male"),
        birth_date=extra.pop("born", dt.date(1975, 4, 18)),
        admitted_on=admitted_on,
        full_on=full_on,
        status=MemberStatus.FULL if full_on else MemberStatus.PROBATIONARY,
        education=Education.HIGH_SCHOOL,
        occupation=occupation,
        **extra,
    )


def extend(w: SimpleNamespace) -> None:
    this_month = dt.date.today().replace(day=1)
    w.payer_a = dues_member(
        w.branch_a1, "郑国平", admitted_on=dt.date(2005, 3, 8), occupation=Occupation.WORKER
    )
    set_basis(
        SYSTEM,
        w.payer_a,
        from_month=dt.date(2005, 3, 1),
        category=Category.SALARIED,
        monthly_income=Decimal("3000.00"),
    )
    w.payer_b = dues_member(
        w.branch_b1,
        "韩石根",
        admitted_on=dt.date(1988, 6, 1),
        occupation=Occupation.RETIRED,
        born=dt.date(1952, 9, 30),
    )
    set_basis(
        SYSTEM,
        w.payer_b,
        from_month=dt.date(2008, 4, 1),
        category=Category.RETIRED,
        monthly_income=Decimal("5200.00"),
    )
    record_payment(
        SYSTEM,
        w.payer_b,
        first_month=this_month,
        amount=Decimal("52.00"),
        way=Way.CASH,
        paid_on=dt.date.today(),
    )
    w.b_names.append(w.payer_b.name)
