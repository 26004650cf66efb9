"""A branch's collection day and yearly review: many members at once, all or none."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from cunju.core.rules import Rule, rule
from cunju.core.system import SYSTEM
from cunju.dues.actions import BasisEntry, PaymentEntry, collect_dues, set_bases
from cunju.dues.amounts import DuesCalculator, monthly_amount
from cunju.dues.models import Category, DuesPayment, Way
from cunju.members.models import Occupation
from tests.dues.world import dues_member

MARCH = dt.date(2026, 3, 1)
PAID_ON = dt.date(2026, 3, 12)


def two_members(world):
    one = dues_member(
        world.branch_a1, "卢文", admitted_on=dt.date(2020, 2, 2), occupation=Occupation.FARMER
    )
    two = dues_member(
        world.branch_a2, "卢武", admitted_on=dt.date(2020, 2, 2), occupation=Occupation.STUDENT
    )
    set_bases(
        world.secretary_a,
        [
            BasisEntry(one, dt.date(2020, 2, 1), Category.FARMER),
            BasisEntry(two, dt.date(2020, 2, 1), Category.STUDENT, Decimal("900")),
        ],
    )
    return one, two


def test_bases_for_several_members_at_once(world):
    one, two = two_members(world)
    assert monthly_amount(one, MARCH) == Decimal("0.50")
    assert monthly_amount(two, MARCH) == Decimal("0.20")
    assert two.dues_bases.get().monthly_income is None, "a student's income is not a base"


def test_a_collection_day_records_everyone_or_nobody(world):
    one, two = two_members(world)
    good = PaymentEntry(one, MARCH, Decimal("0.50"), Way.CASH, PAID_ON)
    bad = PaymentEntry(two, MARCH, Decimal("0.50"), Way.CASH, PAID_ON)
    with pytest.raises(ValidationError) as refused:
        collect_dues(world.clerk_a, [good, bad])
    assert "come to 0.20 yuan" in " ".join(refused.value.messages)
    assert not DuesPayment.objects.filter(member__in=[one, two]).exists()

    rows = collect_dues(
        world.clerk_a, [good, PaymentEntry(two, MARCH, Decimal("0.60"), Way.CASH, PAID_ON, 3)]
    )
    assert sum(r.amount for r in rows) == Decimal("1.10")
    assert DuesPayment.objects.filter(member=two).count() == 3


def test_the_same_month_twice_in_one_collection_is_refused(world):
    one, _two = two_members(world)
    entry = PaymentEntry(one, MARCH, Decimal("0.50"), Way.CASH, PAID_ON)
    with pytest.raises(ValidationError) as refused:
        collect_dues(SYSTEM, [entry, entry])
    assert "appear twice" in " ".join(refused.value.messages)


def test_a_collection_cannot_reach_into_community_b(world):
    one, _two = two_members(world)
    entries = [
        PaymentEntry(one, MARCH, Decimal("0.50"), Way.CASH, PAID_ON),
        PaymentEntry(world.payer_b, MARCH, Decimal("52.00"), Way.CASH, PAID_ON),
    ]
    with pytest.raises(Http404):
        collect_dues(world.secretary_a, entries)
    with pytest.raises(Http404):
        set_bases(world.secretary_a, [BasisEntry(world.payer_b, MARCH, Category.STUDENT)])


@pytest.mark.django_db
@pytest.mark.parametrize("region", ["", "320506", "320583", "330106"])
@pytest.mark.parametrize("month", [dt.date(2019, 6, 1), dt.date(2024, 1, 1), dt.date(2026, 7, 1)])
def test_the_calculator_reads_rules_exactly_as_the_rule_table_answers(region, month):
    for code, since, value in [
        ("", dt.date(2024, 1, 1), "0.40"),
        ("320000", dt.date(2020, 1, 1), "0.60"),
        ("320000", dt.date(2026, 1, 1), "0.80"),
        ("320500", dt.date(2024, 1, 1), "1.00"),
        ("320583", dt.date(2019, 1, 1), "0.30"),
    ]:
        Rule.objects.create(
            key="dues.farmer_monthly", region_code=code, effective_from=since, value=value
        )
    expected = rule("dues.farmer_monthly", on=month, region=region or None)
    assert DuesCalculator().rule("dues.farmer_monthly", month, region) == expected
