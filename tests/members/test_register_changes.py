"""Correcting details, changing status and moving members between organizations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from cunju.core.system import SYSTEM
from cunju.members.actions import change_status, move_member, register_member, set_period_values
from cunju.members.imports import enter_members
from cunju.members.models import (
    Education,
    Member,
    MemberEvent,
    MembershipPeriod,
    MemberStatus,
    Occupation,
)
from cunju.organizations import checkpoints
from cunju.organizations.actions import move_organization
from cunju.organizations.counts import subtree_counts, subtree_counts_direct
from cunju.organizations.history import nodes_as_of
from cunju.organizations.models import OrganizationVersion, TallyCheckpoint
from tests.organizations.people import branch
from tests.world import client_for

TODAY = dt.date.today()
ADMITTED = dt.date(1996, 7, 1)  # full member since (``world.member_in_a``)


def test_editing_details_keeps_masked_numbers_unless_changed(world):
    member = world.member_in_a
    client = client_for(world.secretary_a)
    url = reverse("members:edit", args=[member.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    assert data["phone"] == "139****0011"
    data.update(address="新桥村5组1号", birth_date="1970-06-15")
    assert client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert member.address == "新桥村5组1号"
    assert member.phone.reveal() == "13912340011"  # the mask kept the stored number
    assert member.events.filter(kind=MemberEvent.Kind.DETAILS).count() == 1


def test_a_bad_edit_shows_the_reason_and_changes_nothing(world):
    member = world.member_in_a
    client = client_for(world.secretary_a)
    url = reverse("members:edit", args=[member.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    # Born so late that the 1995 admission would have been before the 18th birthday.
    data.update(name="孙改名", birth_date="1980-01-01")
    response = client.post(url, data)
    assert response.status_code == 200
    # The form has no admission date field, so the reason shows above the fields.
    assert response.context["form"].non_field_errors() == ["Members are admitted at 18 or older."]
    member.refresh_from_db()
    assert (member.name, member.birth_date) == ("孙湖明", dt.date(1970, 6, 15))
    assert "孙湖明" in response.content.decode()


def test_the_status_form_offers_only_the_allowed_next_statuses(world):
    client = client_for(world.secretary_a)
    full = client.get(reverse("members:status", args=[world.member_in_a.pk])).context["form"]
    assert {c for c, _ in full.fields["status"].choices} == {"suspended", "left", "deceased"}
    probationary = client.get(reverse("members:status", args=[world.probationary_in_a.pk])).context[
        "form"
    ]
    assert {c for c, _ in probationary.fields["status"].choices} == {"full", "left", "deceased"}


def test_a_probationary_member_becomes_full_with_party_standing_from_that_day(world):
    member = world.probationary_in_a
    response = client_for(world.secretary_a).post(
        reverse("members:status", args=[member.pk]),
        {"status": "full", "on": TODAY.isoformat(), "reason": "预备期满，支部大会讨论通过"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.status, member.full_on, member.party_standing()) == ("full", TODAY, 0)
    assert member.events.filter(kind=MemberEvent.Kind.FULL, date=TODAY).exists()


def test_a_status_change_dated_in_the_future_is_refused_on_the_form(world):
    member = world.member_in_a
    response = client_for(world.secretary_a).post(
        reverse("members:status", args=[member.pk]),
        {"status": "deceased", "on": (TODAY + dt.timedelta(days=1)).isoformat()},
    )
    assert response.context["form"].errors["on"] == ["The date is in the future."]
    member.refresh_from_db()
    assert member.status == MemberStatus.FULL


def test_a_status_change_before_admission_is_refused(world):
    response = client_for(world.secretary_a).post(
        reverse("members:status", args=[world.member_in_a.pk]),
        {"status": "left", "on": "1995-06-30"},
    )
    assert response.context["form"].errors["on"] == ["The date is before the member was admitted."]


def test_statuses_that_may_not_follow_are_refused_by_the_action(world):
    member = world.member_in_a
    change_status(SYSTEM, member, status="deceased", on=dt.date(2025, 2, 1))
    with pytest.raises(ValidationError, match="cannot become"):
        change_status(SYSTEM, member, status="full", on=dt.date(2025, 3, 1))
    with pytest.raises(ValidationError, match="cannot become"):
        change_status(SYSTEM, world.probationary_in_a, status="suspended", on=TODAY)
    # The file of a deceased member offers no status change.
    body = client_for(world.secretary_a).get(member.get_absolute_url()).content.decode()
    assert reverse("members:status", args=[member.pk]) not in body


def test_moving_within_scope_updates_the_path_timeline_and_history(world):
    member = world.member_in_a
    response = client_for(world.secretary_a).post(
        reverse("members:move", args=[member.pk]),
        {"organization": world.branch_a2.pk, "on": TODAY.isoformat(), "reason": "搬迁"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.organization, member.org_path) == (world.branch_a2, world.branch_a2.path)
    assert member.events.filter(kind=MemberEvent.Kind.TRANSFERRED, date=TODAY).exists()
    current = MembershipPeriod.objects.get(member=member, valid_to__isnull=True)
    assert current.organization == world.branch_a2


def test_the_move_choices_are_the_other_organizations_in_scope(world):
    form = (
        client_for(world.secretary_a)
        .get(reverse("members:move", args=[world.member_in_a.pk]))
        .context["form"]
    )
    assert set(form.fields["organization"].queryset) == {world.committee_a, world.branch_a2}


def test_moving_to_an_organization_outside_scope_is_refused(world):
    member = world.member_in_a
    response = client_for(world.secretary_a).post(
        reverse("members:move", args=[member.pk]),
        {"organization": world.branch_b1.pk, "on": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    with pytest.raises(Http404):
        move_member(world.secretary_a, member, organization=world.branch_b1, on=TODAY)
    member.refresh_from_db()
    assert member.organization == world.branch_a1


def test_a_move_dated_in_the_future_is_refused(world):
    member = world.member_in_a
    with pytest.raises(ValidationError) as refused:
        move_member(
            world.secretary_a,
            member,
            organization=world.branch_a2,
            on=TODAY + dt.timedelta(days=1),
        )
    assert refused.value.message_dict == {"on": ["The date is in the future."]}
    member.refresh_from_db()
    assert member.organization == world.branch_a1
    assert not MembershipPeriod.objects.filter(member=member, valid_from__gt=TODAY).exists()


def periods_of(member) -> list[tuple]:
    return list(
        MembershipPeriod.objects.filter(member=member)
        .order_by("valid_from", "pk")
        .values_list("organization_id", "org_path", "status", "is_mobile", "valid_from", "valid_to")
    )


def assert_one_after_another(periods: list[tuple]) -> None:
    for before, after in zip(periods, periods[1:], strict=False):
        assert before[5] == after[4], periods
    assert periods[-1][5] is None, periods


def test_a_change_entered_late_is_in_the_history_from_its_own_date(world):
    """A suspension dated before a later move: suspended in the old branch from its date, in
    the new one from the move; never in two branches at once."""
    member = world.member_in_a
    a1, a2 = world.branch_a1, world.branch_a2
    moved_on, suspended_on = TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=90)
    move_member(world.secretary_a, member, organization=a2, on=moved_on)
    member.refresh_from_db()
    change_status(world.secretary_a, member, status=MemberStatus.SUSPENDED, on=suspended_on)
    periods = periods_of(member)
    assert_one_after_another(periods)
    assert periods[-3:] == [
        (a1.pk, a1.path, MemberStatus.FULL, False, ADMITTED, suspended_on),
        (a1.pk, a1.path, MemberStatus.SUSPENDED, False, suspended_on, moved_on),
        (a2.pk, a2.path, MemberStatus.SUSPENDED, False, moved_on, None),
    ]
    member.refresh_from_db()
    assert (member.status, member.organization) == (MemberStatus.SUSPENDED, a2)
    assert MemberEvent.objects.filter(member=member, date=suspended_on).exists()
    # Numbers between the two dates count the member suspended in the old branch.
    between = TODAY - dt.timedelta(days=60)
    nodes = nodes_as_of(between, OrganizationVersion.objects.all())
    shown = [n for n in nodes if n.pk in (a1.pk, a2.pk)]
    assert subtree_counts(shown, on=between) == subtree_counts_direct(shown, on=between)
    assert not periods_covering(member, between, status=MemberStatus.FULL)


def periods_covering(member, on: dt.date, **match) -> bool:
    return (
        MembershipPeriod.objects.filter(member=member, valid_from__lte=on, **match)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .exists()
    )


def test_a_move_entered_late_takes_the_organizations_path_of_each_date(world):
    """Moved (entered late) into a branch that itself moved to another committee since:
    under the old committee until the branch moved, under the new one after."""
    member = world.member_in_a
    target = branch(world.committee_a, "北港村党支部")
    old_path = target.path
    branch_moved_on = TODAY - dt.timedelta(days=20)
    move_organization(SYSTEM, target, parent=world.committee_b, on=branch_moved_on)
    target.refresh_from_db()
    suspended_on = TODAY - dt.timedelta(days=10)
    change_status(SYSTEM, member, status=MemberStatus.SUSPENDED, on=suspended_on)
    member.refresh_from_db()
    moved_on = TODAY - dt.timedelta(days=40)
    move_member(SYSTEM, member, organization=target, on=moved_on)
    periods = periods_of(member)
    assert_one_after_another(periods)
    assert periods[-4:] == [
        (
            world.branch_a1.pk,
            world.branch_a1.path,
            MemberStatus.FULL,
            False,
            dt.date(1996, 7, 1),
            moved_on,
        ),
        (target.pk, old_path, MemberStatus.FULL, False, moved_on, branch_moved_on),
        (target.pk, target.path, MemberStatus.FULL, False, branch_moved_on, suspended_on),
        (target.pk, target.path, MemberStatus.SUSPENDED, False, suspended_on, None),
    ]
    member.refresh_from_db()
    assert (member.organization, member.org_path) == (target, target.path)


def test_a_change_dated_before_a_later_one_of_the_same_kind_is_refused(world):
    member = world.member_in_a
    change_status(SYSTEM, member, status=MemberStatus.SUSPENDED, on=TODAY - dt.timedelta(days=30))
    member.refresh_from_db()
    before = periods_of(member)
    with pytest.raises(ValidationError) as refused:
        change_status(SYSTEM, member, status=MemberStatus.FULL, on=TODAY - dt.timedelta(days=60))
    assert refused.value.message_dict == {
        "on": [
            f"The member's status changed again on {TODAY - dt.timedelta(days=30)}, after this "
            "date: status changes are entered in the order they happened."
        ]
    }
    member.refresh_from_db()
    assert member.status == MemberStatus.SUSPENDED and periods_of(member) == before
    move_member(SYSTEM, member, organization=world.branch_a2, on=TODAY - dt.timedelta(days=10))
    member.refresh_from_db()
    with pytest.raises(ValidationError, match="moved again on"):
        move_member(SYSTEM, member, organization=world.branch_a1, on=TODAY - dt.timedelta(20))
    member.refresh_from_db()
    assert member.organization == world.branch_a2
    # On the form, in Chinese.
    response = client_for(world.secretary_a).post(
        reverse("members:move", args=[member.pk]),
        {"organization": world.branch_a1.pk, "on": (TODAY - dt.timedelta(20)).isoformat()},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "调动须按发生先后录入" in response.content.decode()


def test_a_move_dated_before_admission_is_refused(world):
    member = world.probationary_in_a
    with pytest.raises(ValidationError, match="before the member was admitted"):
        move_member(
            SYSTEM,
            member,
            organization=world.branch_a2,
            on=member.admitted_on - dt.timedelta(days=1),
        )


def test_a_member_of_b_cannot_be_moved_from_a(world):
    response = client_for(world.secretary_a).post(
        reverse("members:move", args=[world.member_in_b.pk]),
        {"organization": world.branch_a1.pk, "on": TODAY.isoformat()},
    )
    assert response.status_code == 404
    world.member_in_b.refresh_from_db()
    assert world.member_in_b.organization == world.branch_b1


def test_a_change_undone_the_same_day_still_counts_as_a_later_change(world):
    member, day = world.member_in_a, TODAY - dt.timedelta(days=10)
    move_member(SYSTEM, member, organization=world.branch_a2, on=day)
    member.refresh_from_db()
    move_member(SYSTEM, member, organization=world.branch_a1, on=day)  # a mistake, undone
    member.refresh_from_db()
    with pytest.raises(ValidationError, match="moved again on"):
        move_member(SYSTEM, member, organization=world.branch_a2, on=day - dt.timedelta(days=5))


def test_a_move_before_the_organization_was_set_up_is_refused(world):
    member = world.member_in_a
    founded = TODAY - dt.timedelta(days=10)
    new = branch(world.committee_a, "新港村党支部", founded_on=founded)
    with pytest.raises(ValidationError) as refused:
        move_member(SYSTEM, member, organization=new, on=founded - dt.timedelta(days=1))
    assert refused.value.message_dict == {
        "on": [f"新港村党支部 was set up on {founded}, after this date."]
    }
    move_member(SYSTEM, member, organization=new, on=founded)
    assert periods_of(member)[-1][:2] == (new.pk, new.path)


def test_a_rewrite_never_stretches_a_row_over_dates_a_checkpoint_counted_otherwise(world):
    """Rows that disagree with what is written (written by hand, or by older versions): the
    row kept is cut, never stretched, so a checkpoint of a date it did not cover sees it."""
    member = world.member_in_a
    away_from = TODAY - dt.timedelta(days=200)
    set_period_values(member, away_from, None, is_mobile=True)
    checkpoints.take(away_from + dt.timedelta(days=50))
    checkpoint = TallyCheckpoint.objects.get(as_of=away_from + dt.timedelta(days=50))
    assert not checkpoints.changed_before(checkpoint)
    set_period_values(member, away_from - dt.timedelta(days=100), None, is_mobile=False)
    assert checkpoints.changed_before(checkpoint)
    periods = periods_of(member)
    assert not any(p[3] for p in periods)
    assert periods[-1][4:] == (away_from, None)  # a new row where the kept one ended
    assert_one_after_another(periods)


def test_a_member_entered_with_an_old_admission_has_the_paths_of_those_years(world):
    """Entered now, admitted years ago into a branch that moved to another committee since:
    counted under the old committee before the move, as a member moved there would be."""
    target = branch(world.committee_a, "南港村党支部")
    old_path = target.path
    branch_moved_on = TODAY - dt.timedelta(days=100)
    move_organization(SYSTEM, target, parent=world.committee_b, on=branch_moved_on)
    target.refresh_from_db()
    common = {
        "organization": target,
        "sex": "female",
        "birth_date": dt.date(1980, 2, 2),
        "admitted_on": dt.date(2015, 7, 1),
        "full_on": dt.date(2016, 7, 1),
        "education": Education.HIGH_SCHOOL,
        "occupation": Occupation.FARMER,
    }
    registered = register_member(SYSTEM, name="林晓", **common)
    (imported_id,) = enter_members(SYSTEM, [{"name": "林晓二", **common}])
    for member in (registered, Member.objects.get(pk=imported_id)):
        periods = periods_of(member)
        assert periods == [
            (target.pk, old_path, "probationary", False, dt.date(2015, 7, 1), dt.date(2016, 7, 1)),
            (target.pk, old_path, "full", False, dt.date(2016, 7, 1), branch_moved_on),
            (target.pk, target.path, "full", False, branch_moved_on, None),
        ], member.name
