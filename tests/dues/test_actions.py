"""Recording dues: the start month, paying twice, the amount due, exemptions, arrears."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from cunju.core.models import AuditEvent
from cunju.core.system import SYSTEM
from cunju.dues.actions import (
    approve_exemption,
    months_in_arrears,
    recompute_arrears,
    record_payment,
    refresh_arrears,
    set_basis,
)
from cunju.dues.amounts import DuesCalculator, add_months
from cunju.dues.models import Category, DuesPayment, Way
from cunju.dues.tasks import check_dues_arrears, next_run_at
from cunju.members.models import MemberEvent, Occupation
from tests.dues.world import dues_member

TODAY = dt.date.today()
THIS_MONTH = TODAY.replace(day=1)


def salaried(world, name="陈立新", *, admitted_on=dt.date(2025, 1, 20), income="4000.00"):
    """A member of branch A1 paying 1% of 4000.00 = 40.00 a month from the vote's month."""
    member = dues_member(
        world.branch_a1, name, admitted_on=admitted_on, occupation=Occupation.WORKER
    )
    set_basis(
        SYSTEM,
        member,
        from_month=admitted_on,
        category=Category.SALARIED,
        monthly_income=Decimal(income),
    )
    return member


def pay(member, first_month, months=1, amount=None, actor=SYSTEM, **extra):
    if amount is None:
        amount = Decimal("40.00") * months
    return record_payment(
        actor,
        member,
        first_month=first_month,
        months=months,
        amount=Decimal(amount),
        way=extra.pop("way", Way.CASH),
        paid_on=extra.pop("paid_on", TODAY),
        **extra,
    )


def message(exc_info, field):
    return " ".join(exc_info.value.message_dict[field])


# --- Dues start from the month of the probationary vote -----------------------------------


def test_dues_start_in_the_month_of_the_probationary_vote(world):
    member = salaried(world, admitted_on=dt.date(2025, 1, 20))
    rows = pay(member, dt.date(2025, 1, 1))
    assert [r.month for r in rows] == [dt.date(2025, 1, 1)]
    with pytest.raises(ValidationError) as refused:
        pay(member, dt.date(2024, 12, 1))
    assert "Dues start in 2025-01" in message(refused, "first_month")
    assert "2025-01-20" in message(refused, "first_month")


def test_the_basis_cannot_start_before_the_vote(world):
    member = salaried(world, admitted_on=dt.date(2025, 1, 20))
    with pytest.raises(ValidationError) as refused:
        set_basis(
            SYSTEM,
            member,
            from_month=dt.date(2024, 12, 1),
            category=Category.SALARIED,
            monthly_income=Decimal("4000"),
        )
    assert "2025-01" in message(refused, "from_month")


# --- Paying --------------------------------------------------------------------------------


def test_a_month_cannot_be_paid_twice(world):
    member = salaried(world)
    pay(member, dt.date(2025, 3, 1))
    with pytest.raises(ValidationError) as refused:
        pay(member, dt.date(2025, 2, 1), months=2)
    assert "2025-03 are already paid" in message(refused, "first_month")
    assert DuesPayment.objects.filter(member=member).count() == 1


def test_the_amount_must_be_what_is_due_and_the_message_says_how_much(world):
    member = salaried(world)
    with pytest.raises(ValidationError) as refused:
        pay(member, dt.date(2025, 2, 1), amount="30.00")
    assert message(refused, "amount") == (
        "2025-02 come to 40.00 yuan (2025-02 40.00), not 30.00 yuan."
    )
    assert not DuesPayment.objects.filter(member=member).exists()
    failed = AuditEvent.objects.filter(action="dues.record_payment", outcome="failure")
    assert failed.count() == 1


def test_a_quarter_paid_at_once_is_three_months_on_one_receipt(world):
    member = salaried(world)
    set_basis(
        SYSTEM,
        member,
        from_month=dt.date(2025, 3, 1),
        category=Category.SALARIED,
        monthly_income=Decimal("5000.01"),
    )
    with pytest.raises(ValidationError) as refused:
        pay(member, dt.date(2025, 1, 1), months=3, amount="120.00")
    assert "3 months come to 155.00 yuan" in message(refused, "amount")
    assert "2025-03 75.00" in message(refused, "amount")
    rows = pay(
        member,
        dt.date(2025, 1, 1),
        months=3,
        amount="155.00",
        way=Way.ONLINE,
        reference="WX2025040112",
    )
    assert [(r.month.month, r.amount) for r in rows] == [
        (1, Decimal("40.00")),
        (2, Decimal("40.00")),
        (3, Decimal("75.00")),
    ]
    assert len({r.receipt for r in rows}) == 1
    assert member.events.filter(kind=MemberEvent.Kind.DUES, summary__contains="155.00").exists()


def test_transfers_and_online_payments_need_their_reference(world):
    member = salaried(world)
    with pytest.raises(ValidationError) as refused:
        pay(member, dt.date(2025, 1, 1), way=Way.TRANSFER)
    assert "transaction number" in message(refused, "reference")


def test_no_payment_without_a_basis(world):
    member = dues_member(
        world.branch_a1, "任晓光", admitted_on=dt.date(2025, 1, 5), occupation=Occupation.WORKER
    )
    with pytest.raises(ValidationError) as refused:
        pay(member, dt.date(2025, 1, 1))
    assert "no dues basis for 2025-01" in message(refused, "first_month")


def test_dues_are_paid_at_most_a_year_ahead(world):
    member = salaried(world)
    pay(member, add_months(THIS_MONTH, 12))
    with pytest.raises(ValidationError):
        pay(member, add_months(THIS_MONTH, 13))


# --- Reductions and waivers ----------------------------------------------------------------


def test_only_the_committee_approves_a_reduction(world):
    member = salaried(world)
    with pytest.raises(PermissionDenied):
        approve_exemption(
            world.clerk_a,
            member,
            first_month=dt.date(2025, 5, 1),
            last_month=dt.date(2025, 6, 1),
            reason="住院治疗",
        )
    exemption = approve_exemption(
        world.secretary_a,
        member,
        first_month=dt.date(2025, 5, 1),
        last_month=dt.date(2025, 6, 1),
        monthly_amount=Decimal("10.00"),
        reason="住院治疗，收入减少",
    )
    assert exemption.approved_by == world.secretary_a
    assert exemption.approved_at is not None
    with pytest.raises(ValidationError) as refused:
        pay(member, dt.date(2025, 5, 1), months=2, amount="80.00")
    assert "20.00 yuan" in message(refused, "amount")
    rows = pay(member, dt.date(2025, 4, 1), months=3, amount="60.00")
    assert [r.amount for r in rows] == [Decimal("40.00"), Decimal("10.00"), Decimal("10.00")]


def test_a_waiver_leaves_nothing_to_pay_and_needs_a_reason(world):
    member = salaried(world)
    with pytest.raises(ValidationError) as refused:
        approve_exemption(
            world.secretary_a,
            member,
            first_month=dt.date(2025, 5, 1),
            last_month=dt.date(2025, 7, 1),
            reason=" ",
        )
    assert "why" in message(refused, "reason")
    approve_exemption(
        world.secretary_a,
        member,
        first_month=dt.date(2025, 5, 1),
        last_month=dt.date(2025, 7, 1),
        reason="遭受水灾",
    )
    dues = DuesCalculator().months([member], [dt.date(2025, 5, 1), dt.date(2025, 8, 1)])
    waived, after = dues[member.pk]
    assert waived.amount == Decimal("0.00") and waived.is_waived and waived.is_settled
    assert after.amount == Decimal("40.00") and not after.is_settled


def test_a_reduction_is_less_than_the_rules_ask(world):
    member = salaried(world)
    with pytest.raises(ValidationError) as refused:
        approve_exemption(
            world.secretary_a,
            member,
            first_month=dt.date(2025, 5, 1),
            last_month=dt.date(2025, 5, 1),
            monthly_amount=Decimal("45.00"),
            reason="试",
        )
    assert "40.00" in message(refused, "monthly_amount")


# --- Arrears: six months in a row without reason ------------------------------------------


def test_five_unpaid_months_are_not_arrears_and_six_are(world):
    member = salaried(world, admitted_on=dt.date(2025, 1, 20))
    pay(member, dt.date(2025, 1, 1), months=3)  # January to March
    # On 30 September, April to August have ended unpaid: five months.
    assert months_in_arrears(member, dt.date(2025, 9, 30)) == 5
    refresh_arrears(SYSTEM, member, on=dt.date(2025, 9, 30))
    assert not member.in_arrears
    # On 1 October, September has ended too: six months.
    assert months_in_arrears(member, dt.date(2025, 10, 1)) == 6
    refresh_arrears(SYSTEM, member, on=dt.date(2025, 10, 1))
    member.refresh_from_db()
    assert member.in_arrears
    assert member.events.filter(summary__contains="unpaid for 6 months").exists()
    # Catching up on the latest months clears the flag.
    pay(member, dt.date(2025, 4, 1), months=6)
    refresh_arrears(SYSTEM, member, on=dt.date(2025, 10, 1))
    member.refresh_from_db()
    assert not member.in_arrears
    assert member.events.filter(summary="Dues arrears cleared").exists()


def test_waived_months_are_not_unpaid_without_reason(world):
    member = salaried(world, admitted_on=dt.date(2025, 1, 20))
    pay(member, dt.date(2025, 1, 1), months=3)
    approve_exemption(
        world.secretary_a,
        member,
        first_month=dt.date(2025, 6, 1),
        last_month=dt.date(2025, 6, 1),
        reason="家庭困难",
    )
    # April, May, [June waived], July, August, September: the run is only three months.
    assert months_in_arrears(member, dt.date(2025, 10, 1)) == 3


def test_a_new_member_cannot_be_behind_for_months_before_the_vote(world):
    member = salaried(world, admitted_on=dt.date(2025, 6, 2))
    assert months_in_arrears(member, dt.date(2025, 10, 1)) == 4


def test_the_monthly_check_flags_and_clears_across_the_scope(world):
    behind = salaried(world, "欧阳明", admitted_on=dt.date(2024, 1, 3))
    pay(behind, add_months(THIS_MONTH, -5), months=5, amount="200.00")
    counts = recompute_arrears(SYSTEM)
    behind.refresh_from_db()
    assert not behind.in_arrears, "five months behind is not yet arrears"
    assert counts["checked"] >= 1
    # world.payer_a has never paid since 2005 and is flagged by the same run.
    world.payer_a.refresh_from_db()
    assert world.payer_a.in_arrears

    result = check_dues_arrears.enqueue()  # tests run tasks immediately
    assert result.return_value["flagged"] == 0, "nothing changed since the last check"


def test_the_check_run_by_a_secretary_stays_in_her_community(world):
    # B's member paid this month but none of the years before: behind, but not A's business.
    recompute_arrears(world.secretary_a)
    world.payer_b.refresh_from_db()
    assert not world.payer_b.in_arrears
    recompute_arrears(world.secretary_b)
    world.payer_b.refresh_from_db()
    assert world.payer_b.in_arrears, "paying this month does not make up for the six before"


def test_the_next_monthly_check_is_on_the_first_of_next_month():
    run = next_run_at(dt.date(2026, 12, 15))
    assert (run.year, run.month, run.day, run.hour) == (2027, 1, 1, 1)


# --- Scope ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "act",
    [
        lambda w, m: pay(m, THIS_MONTH, amount="52.00", actor=w.secretary_a),
        lambda w, m: set_basis(w.secretary_a, m, from_month=THIS_MONTH, category=Category.STUDENT),
        lambda w, m: approve_exemption(
            w.liaison_a, m, first_month=THIS_MONTH, last_month=THIS_MONTH, reason="x"
        ),
        lambda w, m: refresh_arrears(w.secretary_a, m),
    ],
    ids=["pay", "basis", "exempt", "arrears"],
)
def test_members_of_community_b_are_out_of_reach_from_a(act, world):
    with pytest.raises(Http404):
        act(world, world.payer_b)


def test_the_monthly_check_is_only_queued_where_the_backend_can_wait(world):
    from cunju.dues.tasks import schedule_monthly_check

    # Tests run tasks at once and cannot defer them: nothing is queued for next month.
    assert schedule_monthly_check() is False
