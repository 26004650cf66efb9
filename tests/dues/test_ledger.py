"""The branch ledger for a month: its totals are the sums of its member rows, to the fen."""

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from cunju.core.system import SYSTEM
from cunju.dues.actions import approve_exemption, record_payment, set_basis
from cunju.dues.amounts import ledger
from cunju.dues.models import Category, DuesPayment, Way
from cunju.members.models import Member, Occupation
from tests.dues.world import dues_member
from tests.world import client_for, read_xlsx

MONTH = dt.date(2026, 3, 1)

# name, branch, category, base income, pays March?
PEOPLE = [
    ("甲一", "branch_a1", Category.SALARIED, "3000.01", True),  # 30.00
    ("甲二", "branch_a1", Category.SALARIED, "7777.77", True),  # 116.67
    ("甲三", "branch_a1", Category.RETIRED, "4321.09", False),  # 21.61 (21.60545)
    ("甲四", "branch_a1", Category.FARMER, None, True),  # 0.50
    ("甲五", "branch_a1", Category.STUDENT, None, False),  # 0.20
    ("乙一", "branch_a2", Category.LOW_INCOME, None, True),  # 0.20
    ("乙二", "branch_a2", Category.SALARIED, "10000.01", False),  # 200.00, waived in March
]


def build(world):
    members = {}
    for name, branch, category, income, pays in PEOPLE:
        member = dues_member(
            getattr(world, branch),
            name,
            admitted_on=dt.date(2020, 1, 8),
            occupation=Occupation.OTHER,
        )
        basis = set_basis(
            SYSTEM,
            member,
            from_month=dt.date(2020, 1, 1),
            category=category,
            monthly_income=Decimal(income) if income else None,
        )
        members[name] = member
        if pays:
            from cunju.dues.amounts import DuesCalculator

            due = DuesCalculator().for_basis(basis, MONTH)
            record_payment(
                SYSTEM,
                member,
                first_month=MONTH,
                amount=due,
                way=Way.CASH,
                paid_on=dt.date(2026, 3, 10),
            )
    approve_exemption(
        SYSTEM,
        members["乙二"],
        first_month=MONTH,
        last_month=MONTH,
        reason="大病住院",
    )
    # Admitted after March: owes nothing for March and is not in its ledger.
    dues_member(world.branch_a1, "甲六", admitted_on=dt.date(2026, 4, 2), occupation="worker")
    return members


def test_every_total_is_the_sum_of_its_member_rows_to_the_fen(world):
    mine = [m.pk for m in build(world).values()] + [world.payer_a.pk]
    members = (
        Member.objects.for_user(world.secretary_a)
        .filter(pk__in=mine)
        .select_related("organization__place")
    )
    rows = ledger(members, MONTH)
    by_branch = {row.organization: row for row in rows}
    a1 = by_branch[world.branch_a1]
    a2 = by_branch[world.branch_a2]

    everyone = ledger(Member.objects.for_user(world.secretary_a), MONTH)
    assert "甲六" not in {d.member.name for row in everyone for d in row.members}
    assert a1.expected == sum(d.amount for d in a1.members if d.amount is not None)
    assert a1.received == sum(d.paid for d in a1.members)
    # 30.00 + 116.67 + 21.61 + 0.50 + 0.20 plus world.payer_a's 15.00
    assert a1.expected == Decimal("183.98")
    assert a1.received == Decimal("147.17")
    assert a1.outstanding == Decimal("36.81")
    assert a1.expected == a1.received + a1.outstanding
    assert (a1.paid_count, a1.unpaid_count, a1.waived_count) == (3, 3, 0)

    assert a2.expected == Decimal("0.20"), "the waived 200.00 is not expected"
    assert (a2.paid_count, a2.unpaid_count, a2.waived_count) == (1, 0, 1)

    # The books agree with the payment rows themselves.
    for row in rows:
        recorded = DuesPayment.objects.filter(
            month=MONTH, member__organization=row.organization
        ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
        assert row.received == recorded


def test_the_ledger_page_and_its_export_reconcile_and_stay_in_scope(world):
    build(world)
    client = client_for(world.secretary_a)
    page = client.get("/dues/ledger/", {"month": "2026-03"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "¥184.18" in body  # A's total: 183.98 + 0.20
    assert "¥147.37" in body
    assert not any(word in body for word in world.b_names)

    detail = client.get(
        "/dues/ledger/", {"month": "2026-03", "organization": world.branch_a1.pk}
    ).content.decode()
    assert "¥116.67" in detail and "甲二" in detail

    export = client.get("/dues/ledger/", {"month": "2026-03", "export": "xlsx"})
    rows = read_xlsx(export.content)
    header, *branches, total = rows
    due = header.index("Due (yuan)")
    assert [r[0] for r in branches] == [world.branch_a1.name, world.branch_a2.name]
    assert round(sum(Decimal(str(r[due])) for r in branches), 2) == Decimal(str(total[due]))
    assert Decimal(str(total[due])).quantize(Decimal("0.01")) == Decimal("184.18")
