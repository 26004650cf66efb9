"""The branch ledger for a month: its totals are the sums of its member rows, to the fen."""

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from cunju.core.system import SYSTEM
from cunju.dues.actions import approve_exemption, record_payment, set_basis
from cunju.dues.amounts import LedgerRow, ledger
from cunju.dues.models import Category, DuesPayment, Way
from cunju.members.models import Occupation
from cunju.organizations.models import Organization
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


def only(row, names):
    """The row restricted to the members named (the world has others without a basis)."""
    return LedgerRow(row.organization, row.month, [d for d in row.members if d.member.pk in names])


def test_every_total_is_the_sum_of_its_member_rows_to_the_fen(world):
    mine = {m.pk for m in build(world).values()} | {world.payer_a.pk}
    rows = ledger(Organization.objects.for_user(world.secretary_a), MONTH)
    by_branch = {row.organization: row for row in rows}
    a1 = only(by_branch[world.branch_a1], mine)
    a2 = only(by_branch[world.branch_a2], mine)

    assert "甲六" not in {d.member.name for row in rows for d in row.members}
    assert not any(row.organization.path.startswith(world.committee_b.path) for row in rows)
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
        recorded = DuesPayment.objects.filter(month=MONTH, organization=row.organization).aggregate(
            total=Sum("amount")
        )["total"] or Decimal("0")
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


# --- Members who left since still count in the month they belonged ---------------------------


def leavers(world):
    """In March 2026 新桥村党支部 had 钱一 (died 2026-03-15), 钱二 (left the Party 2026-04-02),
    钱三 (moved to community B 2026-03-20, March not paid) and 钱四 (moved to 湖滨花苑
    2026-03-10 after paying March in 新桥村). 钱五 joined 湖滨花苑 on 2026-03-25."""
    from cunju.members.actions import change_status, move_member

    people = {}
    for name in ("钱一", "钱二", "钱三", "钱四"):
        member = dues_member(
            world.branch_a1, name, admitted_on=dt.date(2020, 1, 8), occupation=Occupation.OTHER
        )
        set_basis(
            SYSTEM,
            member,
            from_month=dt.date(2020, 1, 1),
            category=Category.SALARIED,
            monthly_income=Decimal("3000.00"),  # 15.00 a month
        )
        people[name] = member
    record_payment(
        SYSTEM,
        people["钱四"],
        first_month=MONTH,
        amount=Decimal("15.00"),
        way=Way.CASH,
        paid_on=dt.date(2026, 3, 5),
    )
    change_status(SYSTEM, people["钱一"], status="deceased", on=dt.date(2026, 3, 15))
    change_status(SYSTEM, people["钱二"], status="left", on=dt.date(2026, 4, 2))
    move_member(SYSTEM, people["钱三"], organization=world.branch_b1, on=dt.date(2026, 3, 20))
    move_member(SYSTEM, people["钱四"], organization=world.branch_a2, on=dt.date(2026, 3, 10))
    people["钱五"] = dues_member(
        world.branch_a2, "钱五", admitted_on=dt.date(2026, 3, 25), occupation=Occupation.OTHER
    )
    set_basis(
        SYSTEM,
        people["钱五"],
        from_month=MONTH,
        category=Category.STUDENT,
    )
    return people


def names_in(rows, organization):
    row = next((r for r in rows if r.organization == organization), None)
    return {d.member.name for d in row.members} if row else set()


def test_the_month_counts_everyone_who_belonged_then(world):
    people = leavers(world)
    a_rows = ledger(Organization.objects.for_user(world.secretary_a), MONTH)
    # 钱三 was last in community B in March: the month is B's, never counted twice.
    assert {"钱一", "钱二"} <= names_in(a_rows, world.branch_a1)
    assert "钱三" not in names_in(a_rows, world.branch_a1)
    # 钱四 paid March in 新桥村 before moving: the month stays where it was paid.
    assert "钱四" in names_in(a_rows, world.branch_a1)
    assert "钱四" not in names_in(a_rows, world.branch_a2)
    assert "钱五" in names_in(a_rows, world.branch_a2), "dues start in the month of the vote"
    b_rows = ledger(Organization.objects.for_user(world.secretary_b), MONTH)
    assert "钱三" in names_in(b_rows, world.branch_b1)
    everyone = ledger(Organization.objects.all(), MONTH)
    counted = [d.member.pk for row in everyone for d in row.members]
    assert len(counted) == len(set(counted)), "every member's month is counted once"
    for name in ("钱一", "钱二", "钱三", "钱四", "钱五"):
        assert people[name].pk in counted

    # April: 钱一 died in March and 钱三 had gone; 钱二 left on 2 April, so still owes April.
    april = ledger(Organization.objects.for_user(world.secretary_a), dt.date(2026, 4, 1))
    assert "钱一" not in names_in(april, world.branch_a1)
    assert "钱二" in names_in(april, world.branch_a1)


def test_the_month_reconciles_to_the_fen_with_leavers(world):
    leavers(world)
    build(world)
    rows = ledger(Organization.objects.all(), MONTH)
    for row in rows:
        recorded = DuesPayment.objects.filter(month=MONTH, organization=row.organization).aggregate(
            total=Sum("amount")
        )["total"] or Decimal("0")
        assert row.received == recorded
        assert row.expected == row.received + row.outstanding
    every_payment = DuesPayment.objects.filter(month=MONTH).aggregate(total=Sum("amount"))
    assert sum((r.received for r in rows), Decimal("0")) == every_payment["total"]
    a1 = next(r for r in rows if r.organization == world.branch_a1)
    qian = [d for d in a1.members if d.member.name.startswith("钱")]
    assert sum((d.amount for d in qian), Decimal("0")) == Decimal("45.00")  # 钱一 二 四
    assert sum((d.paid for d in qian), Decimal("0")) == Decimal("15.00")


def test_the_ledger_page_lists_leavers_without_opening_their_files(world):
    leavers(world)
    client = client_for(world.secretary_a)
    detail = client.get(
        "/dues/ledger/", {"month": "2026-03", "organization": world.branch_a1.pk}
    ).content.decode()
    assert "钱一" in detail and "(Deceased)" in detail
    assert "钱四" in detail and "moved to another organization" in detail
    b_side = client_for(world.secretary_b).get(
        "/dues/ledger/", {"month": "2026-03", "organization": world.branch_b1.pk}
    )
    body = b_side.content.decode()
    assert "钱三" in body
