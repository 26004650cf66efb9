"""How much a member pays a month: every bracket boundary, retirees, farmers, the 0.20 groups."""

import datetime as dt
from decimal import Decimal

import pytest

from cunju.core.rules import Rule
from cunju.core.system import SYSTEM
from cunju.dues.actions import set_basis
from cunju.dues.amounts import DuesCalculator, bracket_rate, monthly_amount, to_fen
from cunju.dues.models import Category
from cunju.members.models import Occupation
from tests.dues.world import dues_member

MONTH = dt.date(2026, 10, 1)


def amount(category, income=None, region=""):
    value = None if income is None else Decimal(income)
    return DuesCalculator().by_rules(category, value, MONTH, region)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("income", "dues"),
    [
        ("0.00", "0.00"),
        ("1000.00", "5.00"),
        ("3000.00", "15.00"),  # 0.5% of the whole base
        ("3000.01", "30.00"),  # the cliff: 1% of the whole base, not of the part above 3000
        ("4999.99", "50.00"),
        ("5000.00", "50.00"),
        ("5000.01", "75.00"),
        ("10000.00", "150.00"),
        ("10000.01", "200.00"),
        ("25000.00", "500.00"),
    ],
)
def test_salaried_members_pay_one_rate_on_the_whole_after_tax_income(income, dues):
    assert amount(Category.SALARIED, income) == Decimal(dues)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("income", "dues"),
    [
        ("2999.00", "15.00"),  # 14.995 rounds half up to the fen
        ("1001.00", "5.01"),  # 5.005
        ("3333.33", "33.33"),
        ("7777.77", "116.67"),  # 116.66655
    ],
)
def test_amounts_are_rounded_to_the_fen_half_up(income, dues):
    assert amount(Category.SALARIED, income) == Decimal(dues)
    assert amount(Category.SALARIED, income).as_tuple().exponent == -2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pension", "dues"),
    [("3000.00", "15.00"), ("5000.00", "25.00"), ("5000.01", "50.00"), ("12000.00", "120.00")],
)
def test_retired_members_pay_half_a_percent_up_to_5000_and_one_percent_above(pension, dues):
    assert amount(Category.RETIRED, pension) == Decimal(dues)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "category",
    [Category.STUDENT, Category.UNEMPLOYED, Category.RELIEF, Category.LOW_INCOME],
)
def test_students_unemployed_and_members_on_relief_or_dibao_pay_twenty_fen(category):
    assert amount(category) == Decimal("0.20")
    # Whatever income was entered does not matter for them.
    assert amount(category, "8000.00") == Decimal("0.20")


@pytest.mark.django_db
def test_farmers_pay_the_provinces_fixed_amount_and_fifty_fen_until_it_is_entered():
    assert amount(Category.FARMER, region="320506") == Decimal("0.50")
    Rule.objects.create(
        key="dues.farmer_monthly",
        region_code="320000",
        value="1.00",
        effective_from=dt.date(2026, 1, 1),
        source="苏组通〔2008〕",
    )
    assert amount(Category.FARMER, region="320506") == Decimal("1.00")  # Jiangsu
    assert amount(Category.FARMER, region="330106") == Decimal("0.50")  # Zhejiang: default
    earlier = DuesCalculator().by_rules(Category.FARMER, None, dt.date(2025, 12, 1), "320506")
    assert earlier == Decimal("0.50"), "the province's amount applies from its date on"


def test_the_rate_tables_are_read_as_decimals_never_floats():
    table = [["3000.00", "0.005"], [None, "0.01"]]
    assert bracket_rate(table, Decimal("3000.00")) == Decimal("0.005")
    assert bracket_rate(table, Decimal("3000.01")) == Decimal("0.01")
    assert isinstance(to_fen(Decimal("1") / 3), Decimal)


def test_a_farmer_in_the_world_pays_what_jiangsu_sets(world):
    farmer = dues_member(
        world.branch_a1, "陶春生", admitted_on=dt.date(1999, 9, 9), occupation=Occupation.FARMER
    )
    set_basis(SYSTEM, farmer, from_month=dt.date(2020, 1, 1), category=Category.FARMER)
    assert monthly_amount(farmer) == Decimal("0.50")
    # The branch's village has no division code: the town's (320506100) says Jiangsu.
    Rule.objects.create(key="dues.farmer_monthly", region_code="320000", value="0.80")
    assert monthly_amount(farmer) == Decimal("0.80")


def test_the_latest_basis_in_force_decides_the_amount(world):
    member = world.payer_a  # 3000.00 from 2005-03
    set_basis(
        SYSTEM,
        member,
        from_month=dt.date(2026, 7, 1),
        category=Category.SALARIED,
        monthly_income=Decimal("3000.01"),
    )
    assert monthly_amount(member, dt.date(2026, 6, 15)) == Decimal("15.00")
    assert monthly_amount(member, dt.date(2026, 7, 1)) == Decimal("30.00")


def test_without_a_basis_the_amount_is_not_known(world):
    member = dues_member(
        world.branch_a2, "林晓东", admitted_on=dt.date(2015, 5, 5), occupation=Occupation.WORKER
    )
    assert monthly_amount(member) is None
