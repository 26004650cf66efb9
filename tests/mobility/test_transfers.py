"""Transfers of the organizational relation: the inbox, acceptance, return, expiry, receipts."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from cunju.core.system import SYSTEM
from cunju.members.models import Member, MemberEvent, MembershipPeriod, MemberStatus
from cunju.mobility import actions
from cunju.mobility.models import MobileRecord, Transfer
from tests.mobility.world import enter
from tests.world import client_for

TODAY = dt.date.today()


def letter_from_a_to_b(world, *, issued_on=None, number="HB-2026-031"):
    """Secretary A sends 王远航's relation to 石舍村党支部 through the page."""
    response = client_for(world.secretary_a).post(
        reverse("mobility:transfer-issue", args=[world.away_a.pk]),
        {
            "to_organization": world.branch_b1.pk,
            "letter_number": number,
            "issued_on": (issued_on or TODAY).isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()
    return Transfer.objects.get(letter_number=number)


def test_a_letter_to_community_b_waits_in_b_inbox_and_moves_the_member_with_its_history(world):
    member = world.away_a
    events_before = set(member.events.values_list("pk", flat=True))
    letter = letter_from_a_to_b(world)
    assert letter.valid_until == _three_months(TODAY)

    # B sees the letter in its inbox, but not yet the member.
    inbox = client_for(world.secretary_b).get(reverse("mobility:inbox"))
    assert "HB-2026-031" in inbox.content.decode()
    assert "王远航" in inbox.content.decode()
    assert not Member.objects.for_user(world.secretary_b).filter(pk=member.pk).exists()
    # A's inbox does not list what A sent.
    own_inbox = client_for(world.secretary_a).get(reverse("mobility:inbox"))
    assert "HB-2026-031" not in own_inbox.content.decode()

    page = client_for(world.secretary_b).get(reverse("mobility:transfer-detail", args=[letter.pk]))
    assert reverse("mobility:transfer-accept", args=[letter.pk]) in page.content.decode()
    accepted = client_for(world.secretary_b).post(
        reverse("mobility:transfer-accept", args=[letter.pk]), {"on": TODAY.isoformat()}
    )
    assert accepted.status_code == 302

    member.refresh_from_db()
    assert member.organization == world.branch_b1
    assert member.org_path == world.branch_b1.path
    assert not member.is_mobile
    # The whole timeline came along, with an entry on each side.
    assert events_before <= set(member.events.values_list("pk", flat=True))
    moves = member.events.filter(kind=MemberEvent.Kind.TRANSFERRED)
    assert {e.organization_id for e in moves} == {world.branch_a1.pk, world.branch_b1.pk}
    # The period in A closed on the day; one in B opened.
    periods = list(MembershipPeriod.objects.filter(member=member).order_by("valid_from", "id"))
    assert periods[-1].organization == world.branch_b1 and periods[-1].valid_to is None
    assert any(p.organization == world.branch_a1 and p.valid_to == TODAY for p in periods)
    # The outflow record ended with the transfer and moved with the member.
    world.outflow_a.refresh_from_db()
    assert world.outflow_a.end_reason == MobileRecord.EndReason.TRANSFERRED

    letter.refresh_from_db()
    assert letter.status == Transfer.Status.ACCEPTED
    assert letter.accepted_by == world.secretary_b and letter.receipt_on == TODAY
    # The sender sees the letter completed but no longer the member (B is outside A's scope).
    sender_view = client_for(world.secretary_a).get(
        reverse("mobility:transfer-detail", args=[letter.pk])
    )
    assert sender_view.status_code == 200
    assert 'id="completed"' in sender_view.content.decode()
    assert not Member.objects.for_user(world.secretary_a).filter(pk=member.pk).exists()
    assert (
        client_for(world.secretary_a)
        .get(reverse("mobility:detail", args=[world.outflow_a.pk]))
        .status_code
        == 404
    )
    # B now sees the member and the record of the absence.
    assert Member.objects.for_user(world.secretary_b).filter(pk=member.pk).exists()
    assert (
        client_for(world.secretary_b)
        .get(reverse("mobility:detail", args=[world.outflow_a.pk]))
        .status_code
        == 200
    )


def _three_months(day):
    from cunju.mobility.rules import add_months

    return add_months(day, 3)


def test_only_the_receiving_side_accepts(world):
    letter = letter_from_a_to_b(world)
    with pytest.raises(Http404):
        actions.accept_transfer(world.secretary_a, letter, on=TODAY)
    forbidden = client_for(world.secretary_a).post(
        reverse("mobility:transfer-accept", args=[letter.pk]), {"on": TODAY.isoformat()}
    )
    assert forbidden.status_code == 404
    letter.refresh_from_db()
    assert letter.status == Transfer.Status.ISSUED


def test_a_returned_letter_goes_back_to_the_sender_with_the_reason(world):
    letter = letter_from_a_to_b(world)
    response = client_for(world.secretary_b).post(
        reverse("mobility:transfer-reject", args=[letter.pk]),
        {"on": TODAY.isoformat(), "reason": "党员档案不全"},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Transfer.Status.REJECTED
    world.away_a.refresh_from_db()
    assert world.away_a.organization == world.branch_a1
    page = client_for(world.secretary_a).get(reverse("mobility:list")).content.decode()
    assert "HB-2026-031" in page
    detail = (
        client_for(world.secretary_a)
        .get(reverse("mobility:transfer-detail", args=[letter.pk]))
        .content.decode()
    )
    assert "党员档案不全" in detail
    assert reverse("mobility:transfer-reissue", args=[letter.pk]) in detail
    new = actions.reissue_transfer(
        world.secretary_a, letter, letter_number="HB-2026-032", issued_on=TODAY
    )
    letter.refresh_from_db()
    assert letter.status == Transfer.Status.REISSUED and letter.replaced_by == new
    assert new.to_organization == world.branch_b1 and new.status == Transfer.Status.ISSUED


def test_a_return_needs_a_reason(world):
    letter = letter_from_a_to_b(world)
    with pytest.raises(ValidationError) as refused:
        actions.reject_transfer(world.secretary_b, letter, on=TODAY, reason=" ")
    assert "reason" in refused.value.message_dict


def test_an_expired_letter_is_flagged_cannot_be_accepted_and_is_reissued(world):
    issued = TODAY - dt.timedelta(days=120)
    letter = letter_from_a_to_b(world, issued_on=issued)
    assert letter.valid_until == _three_months(issued) < TODAY
    assert not letter.is_expired(letter.valid_until)
    assert letter.is_expired(letter.valid_until + dt.timedelta(days=1))
    assert list(Transfer.objects.for_user(world.secretary_a).expired()) == [letter]
    detail = (
        client_for(world.secretary_b)
        .get(reverse("mobility:transfer-detail", args=[letter.pk]))
        .content.decode()
    )
    assert 'id="expired"' in detail
    with pytest.raises(ValidationError) as refused:
        actions.accept_transfer(world.secretary_b, letter, on=TODAY)
    assert "expired" in refused.value.message_dict["on"][0]
    # Accepting on the last valid day (recorded late) is still in time.
    actions.accept_transfer(world.secretary_b, letter, on=letter.valid_until)
    assert Transfer.objects.get(pk=letter.pk).status == Transfer.Status.ACCEPTED


def test_an_expired_letter_is_reissued_through_the_page(world):
    letter = letter_from_a_to_b(world, issued_on=TODAY - dt.timedelta(days=100))
    response = client_for(world.secretary_a).post(
        reverse("mobility:transfer-reissue", args=[letter.pk]),
        {"letter_number": "HB-2026-040", "issued_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    new = Transfer.objects.get(letter_number="HB-2026-040")
    assert new.valid_until == _three_months(TODAY)
    assert Transfer.objects.get(pk=letter.pk).replaced_by == new


def test_a_letter_still_valid_is_not_reissued(world):
    letter = letter_from_a_to_b(world)
    with pytest.raises(ValidationError):
        actions.reissue_transfer(world.secretary_a, letter, letter_number="X", issued_on=TODAY)


def test_a_letter_outside_the_system_completes_with_the_receipt(world):
    member = enter(world.branch_a2, "周外迁", 71)
    letter = actions.issue_transfer(
        world.secretary_a,
        member,
        letter_number="HB-2026-050",
        issued_on=TODAY - dt.timedelta(days=10),
        to_name="中共南京市某街道党工委",
        to_region_code="320102",
    )
    assert letter.valid_until == _three_months(letter.issued_on)
    with pytest.raises(ValidationError):
        actions.accept_transfer(world.secretary_a, letter, on=TODAY)
    response = client_for(world.secretary_a).post(
        reverse("mobility:transfer-receipt", args=[letter.pk]), {"on": TODAY.isoformat()}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Transfer.Status.COMPLETED and letter.receipt_on == TODAY
    assert member.events.filter(kind=MemberEvent.Kind.TRANSFERRED).exists()
    # The member has left this register: no longer counted among current members.
    member.refresh_from_db()
    assert member.status == MemberStatus.TRANSFERRED_OUT
    assert not Member.objects.active().filter(pk=member.pk).exists()


def test_a_letter_inside_the_system_takes_no_receipt(world):
    letter = letter_from_a_to_b(world)
    with pytest.raises(ValidationError):
        actions.record_receipt(world.secretary_a, letter, on=TODAY)


def test_one_letter_at_a_time_and_never_to_the_own_organization(world):
    letter_from_a_to_b(world)
    with pytest.raises(ValidationError):
        actions.issue_transfer(
            SYSTEM,
            world.away_a,
            letter_number="X",
            issued_on=TODAY,
            to_organization=world.branch_b2,
        )
    other = enter(world.branch_a1, "周本支部", 72)
    with pytest.raises(ValidationError) as refused:
        actions.issue_transfer(
            SYSTEM, other, letter_number="Y", issued_on=TODAY, to_organization=world.branch_a1
        )
    assert "to_organization" in refused.value.message_dict


def test_a_branch_secretary_may_issue_but_not_accept(world):
    from tests.world import person

    branch_secretary = person("branch-b2", "陈支书", "branch_secretary", world.branch_b2, 31)
    letter = letter_from_a_to_b(world)
    assert not branch_secretary.has_perm("mobility.accept_transfer")
    response = client_for(branch_secretary).post(
        reverse("mobility:transfer-accept", args=[letter.pk]), {"on": TODAY.isoformat()}
    )
    assert response.status_code == 403


def test_transfers_are_seen_from_either_side_only(world):
    letter = letter_from_a_to_b(world)
    assert Transfer.objects.for_user(world.secretary_a).filter(pk=letter.pk).exists()
    assert Transfer.objects.for_user(world.secretary_b).filter(pk=letter.pk).exists()
    assert Transfer.objects.for_user(world.town_admin).filter(pk=letter.pk).exists()
    # B's own letters stay invisible to A.
    assert not Transfer.objects.for_user(world.secretary_a).filter(pk=world.transfer_b.pk).exists()
    waiting_for_b = set(Transfer.objects.received_by(world.secretary_b).pending())
    assert waiting_for_b == {world.transfer_b, letter}
