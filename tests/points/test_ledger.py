"""The points ledger: running balances, never below zero, numbered without gaps."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from cunju.core.models import AuditEvent
from cunju.notices.models import Notice
from cunju.points import ledger
from cunju.points.actions import grant
from cunju.points.models import Entry, Kind


def post(user, amount, kind=Kind.STUDY, **extra):
    with transaction.atomic():
        return ledger.post(user, amount, kind, **extra)


def test_each_entry_carries_the_next_number_and_the_balance_after_it(world):
    member = world.member_a
    assert ledger.balance(member) == 0
    first = post(member, 10, memo="学习强国 week 1")
    second = post(member, -4, Kind.DOWNLOAD_CHARGE, reference="library.download:1")
    third = post(member, 3, Kind.ACTIVITY, by=world.secretary_a)
    assert [(e.seq, e.amount, e.balance) for e in (first, second, third)] == [
        (1, 10, 10),
        (2, -4, 6),
        (3, 3, 9),
    ]
    assert third.created_by == world.secretary_a
    assert ledger.balance(member) == 9
    assert ledger.verify(member)
    # Another user's ledger is separate.
    assert ledger.balance(world.clerk_a) == 0
    assert post(world.clerk_a, 1).seq == 1


def test_a_posting_that_would_go_below_zero_is_refused_and_writes_nothing(world):
    member = world.member_a
    post(member, 3)
    with pytest.raises(ValidationError) as refused:
        post(member, -5, Kind.DOWNLOAD_CHARGE)
    assert refused.value.messages == ["Not enough points: balance 3, needed 5."]
    assert Entry.objects.filter(user=member).count() == 1
    # Exactly the balance is fine, and leaves zero.
    assert post(member, -3, Kind.DOWNLOAD_CHARGE).balance == 0
    with pytest.raises(ValidationError):
        post(member, -1, Kind.DEDUCTION)
    assert ledger.balance(member) == 0 and ledger.verify(member)


def test_postings_are_whole_non_zero_numbers_of_a_known_kind_inside_a_transaction(world):
    with pytest.raises(ValueError):
        post(world.member_a, 0)
    with pytest.raises(ValueError):
        post(world.member_a, 1.5)
    with pytest.raises(ValueError):
        post(world.member_a, 1, "lottery")
    assert not Entry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_outside_an_action_nothing_is_posted(world):
    # A posting that committed on its own could charge a reader whose download then fails.
    with pytest.raises(RuntimeError):
        ledger.post(world.member_a, 5, Kind.STUDY)
    assert not Entry.objects.exists()


def test_the_database_refuses_a_negative_balance_or_a_repeated_number(world):
    post(world.member_a, 5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(user=world.member_a, seq=2, amount=-6, balance=-1, kind=Kind.STUDY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(user=world.member_a, seq=1, amount=1, balance=6, kind=Kind.STUDY)


def test_verify_finds_a_gap_or_a_balance_that_does_not_add_up(world):
    member = world.member_a
    for amount in (5, 7, -2):
        post(member, amount)
    assert ledger.verify(member)
    Entry.objects.filter(user=member, seq=2).update(balance=13)
    assert not ledger.verify(member)
    Entry.objects.filter(user=member, seq=2).update(balance=12)
    assert ledger.verify(member)
    Entry.objects.filter(user=member, seq=3).update(seq=4)
    assert not ledger.verify(member)


# --- Grants and deductions by an administrator ----------------------------------------------


def test_the_town_admin_grants_and_deducts_points_and_the_member_is_told(world):
    entry = grant(world.town_admin, world.member_a, 20, "党课学习优秀")
    assert (entry.kind, entry.amount, entry.balance) == (Kind.GRANT, 20, 20)
    assert entry.created_by == world.town_admin
    deduction = grant(world.town_admin, world.member_a, -5, "重复登记")
    assert (deduction.kind, deduction.balance) == (Kind.DEDUCTION, 15)
    notices = list(Notice.objects.filter(recipient=world.member_a).order_by("pk"))
    assert [n.message for n in notices] == [
        "李秀英 granted you 20 points: 党课学习优秀",
        "李秀英 deducted 5 points from you: 重复登记",
    ]
    event = AuditEvent.objects.filter(action="points.grant").latest("pk")
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.changes["amount"] == -5 and event.changes["balance"] == 15


def test_a_deduction_beyond_the_balance_is_refused(world):
    grant(world.town_admin, world.member_a, 3, "签到")
    with pytest.raises(ValidationError) as refused:
        grant(world.town_admin, world.member_a, -4, "更正")
    assert refused.value.message_dict["amount"] == ["Not enough points: balance 3, needed 4."]
    assert ledger.balance(world.member_a) == 3
    failed = AuditEvent.objects.filter(action="points.grant").latest("pk")
    assert failed.outcome == AuditEvent.Outcome.FAILURE


@pytest.mark.parametrize(
    ("amount", "memo", "field"),
    [(0, "x", "amount"), (10_001, "x", "amount"), (-10_001, "x", "amount"), (5, "  ", "memo")],
)
def test_a_grant_needs_a_reason_and_a_sensible_amount(world, amount, memo, field):
    with pytest.raises(ValidationError) as refused:
        grant(world.town_admin, world.member_a, amount, memo)
    assert field in refused.value.message_dict
    assert not Entry.objects.exists()


def test_the_largest_grant_allowed_goes_through(world):
    assert grant(world.town_admin, world.member_a, 10_000, "年度").balance == 10_000


def test_nobody_grants_themselves_points(world):
    with pytest.raises(ValidationError):
        grant(world.town_admin, world.town_admin, 5, "辛苦费")
    assert not Entry.objects.exists()


def test_grants_need_the_permission_and_the_user_in_scope(world):
    # A community secretary may look at ledgers but not post to them.
    with pytest.raises(PermissionDenied):
        grant(world.secretary_a, world.member_a, 5, "x")
    # The liaison holds the permission, but only over community A.
    with pytest.raises(Http404):
        grant(world.liaison_a, world.secretary_b, 5, "x")
    grant(world.liaison_a, world.member_a, 5, "x")
    assert ledger.balance(world.secretary_b) == 0
    assert ledger.balance(world.member_a) == 5
