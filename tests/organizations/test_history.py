"""Organization history (组织沿革): renames and moves keep what the tree was on a date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.http import Http404
from django.urls import reverse

from cunju.core.system import SYSTEM
from cunju.members.models import Member, MembershipPeriod
from cunju.organizations.actions import move_organization, update_organization
from cunju.organizations.counts import subtree_counts
from cunju.organizations.history import as_of, nodes_as_of
from cunju.organizations.models import Organization, OrganizationVersion
from tests.organizations.people import branch, member
from tests.world import client_for

TODAY = dt.date.today()
BEFORE = dt.date(2025, 6, 30)
MOVED_ON = dt.date(2025, 9, 1)


def test_a_new_organization_reads_the_same_since_its_founding(world):
    org = branch(world.committee_a, "南湾村党支部", founded_on=dt.date(2019, 5, 4))
    assert as_of(org, dt.date(2019, 5, 4)).name == "南湾村党支部"
    assert as_of(org, dt.date(2019, 5, 3)) is None
    # Without a founding date it is taken to have always existed.
    assert as_of(world.branch_a1, dt.date(1990, 1, 1)).path == world.branch_a1.path


def test_a_renamed_organization_keeps_its_old_name_before_the_rename(world):
    update_organization(SYSTEM, world.branch_a1, name="新桥社区第一党支部", on=MOVED_ON)
    assert as_of(world.branch_a1, MOVED_ON - dt.timedelta(days=1)).name == "新桥村党支部"
    assert as_of(world.branch_a1, MOVED_ON).name == "新桥社区第一党支部"
    assert as_of(world.branch_a1, None).name == "新桥社区第一党支部"


def test_two_renames_on_one_day_leave_one_version_for_that_day(world):
    update_organization(SYSTEM, world.branch_a1, name="甲", on=MOVED_ON)
    update_organization(SYSTEM, world.branch_a1, name="乙", on=MOVED_ON)
    assert [v.name for v in world.branch_a1.versions.order_by("id")] == ["新桥村党支部", "乙"]


def test_a_rename_cannot_be_dated_before_the_last_change(world):
    update_organization(SYSTEM, world.branch_a1, name="甲", on=MOVED_ON)
    with pytest.raises(ValidationError) as error:
        update_organization(SYSTEM, world.branch_a1, name="乙", on=BEFORE)
    assert "last changed on 2025-09-01" in str(error.value)


def moved_world(world):
    """南湾村党支部 (with a group under it) moves from community A to community B."""
    org = branch(world.committee_a, "南湾村党支部")
    group = branch(org, "南湾村第一党小组", kind=Organization.Kind.GROUP)
    person = member(org, admitted_on=dt.date(2010, 7, 1))
    old_path = org.path
    move_organization(SYSTEM, org, parent=world.committee_b, on=MOVED_ON, reason="区划调整")
    org.refresh_from_db()
    group.refresh_from_db()
    person.refresh_from_db()
    return org, group, person, old_path


def test_moving_rewrites_the_paths_of_the_subtree_and_its_members(world):
    org, group, person, old_path = moved_world(world)
    assert org.parent == world.committee_b
    assert org.is_within(world.committee_b) and group.is_within(org)
    assert person.org_path == org.path != old_path
    assert person in Member.objects.for_user(world.secretary_b)
    assert person not in Member.objects.for_user(world.secretary_a)


def test_moving_keeps_the_old_place_in_the_tree_before_the_move_date(world):
    org, group, person, old_path = moved_world(world)
    then = as_of(org, MOVED_ON - dt.timedelta(days=1))
    assert (then.path, then.parent_id) == (old_path, world.committee_a.pk)
    assert as_of(group, BEFORE).path.startswith(old_path)
    assert as_of(org, MOVED_ON).parent_id == world.committee_b.pk
    periods = list(MembershipPeriod.objects.filter(member=person).order_by("valid_from"))
    assert [(p.org_path == old_path, p.valid_to) for p in periods[-2:]] == [
        (True, MOVED_ON),
        (False, None),
    ]


def test_numbers_before_a_move_count_under_the_old_parent(world):
    org, _group, _person, _old = moved_world(world)
    on = MOVED_ON - dt.timedelta(days=1)
    nodes = {n.pk: n for n in nodes_as_of(on, OrganizationVersion.objects.all())}
    counts = subtree_counts([nodes[org.pk], nodes[world.committee_a.pk]], on=on)
    assert counts[org.pk].full == 1
    base = subtree_counts([nodes[world.committee_a.pk]], on=on)[world.committee_a.pk].full
    assert base >= 1
    after = {n.pk: n for n in nodes_as_of(MOVED_ON, OrganizationVersion.objects.all())}
    now = subtree_counts([after[world.committee_a.pk], after[world.committee_b.pk]], on=MOVED_ON)
    later = subtree_counts([after[world.committee_a.pk]], on=MOVED_ON)
    assert later[world.committee_a.pk].full == base - 1
    assert now[world.committee_b.pk].full >= 1


def test_the_tree_as_of_before_the_move_shows_it_in_community_a(world):
    org, _group, _person, _old = moved_world(world)
    update_organization(SYSTEM, org, name="石舍南湾党支部", on=TODAY)
    client = client_for(world.secretary_a)
    url = reverse("organizations:tree")
    then = client.get(url, {"node": world.committee_a.pk, "on": BEFORE.isoformat()})
    assert "南湾村党支部" in then.content.decode()
    now = client.get(url, {"node": world.committee_a.pk}).content.decode()
    assert "南湾村党支部" not in now and "石舍南湾党支部" not in now
    town = client_for(world.town_admin).get(url, {"node": world.committee_b.pk}).content
    assert "石舍南湾党支部" in town.decode()


def test_an_organization_cannot_move_under_itself(world):
    group = branch(world.branch_a1, "第一党小组", kind=Organization.Kind.GROUP)
    with pytest.raises(ValidationError):
        move_organization(SYSTEM, world.branch_a1, parent=group, on=TODAY)


def test_a_branch_cannot_move_under_a_branch(world):
    with pytest.raises(ValidationError) as error:
        move_organization(SYSTEM, world.branch_a1, parent=world.branch_a2, on=TODAY)
    assert "cannot be under" in str(error.value)


def test_a_move_cannot_be_in_the_future(world):
    with pytest.raises(ValidationError):
        move_organization(
            SYSTEM, world.branch_a1, parent=world.committee_b, on=TODAY + dt.timedelta(days=1)
        )


def test_community_a_cannot_move_into_or_out_of_community_b(world):
    with pytest.raises(Http404):
        move_organization(world.secretary_a, world.branch_a1, parent=world.committee_b, on=TODAY)
    with pytest.raises(Http404):
        move_organization(world.secretary_a, world.branch_b1, parent=world.committee_a, on=TODAY)


def test_the_town_admin_moves_a_branch_on_the_page(world):
    client = client_for(world.town_admin)
    response = client.post(
        reverse("organizations:move", args=[world.branch_a2.pk]),
        {"parent": world.committee_b.pk, "on": TODAY.isoformat(), "reason": "区划调整"},
    )
    assert response.status_code == 302
    world.branch_a2.refresh_from_db()
    assert world.branch_a2.parent == world.committee_b


def test_a_move_cannot_be_dated_before_an_organization_left_the_subtree(world):
    # The group left on MOVED_ON: moving its old branch from BEFORE would have to move the
    # group too over those months, which the subtree of today no longer holds.
    org = branch(world.committee_a, "南湾村党支部")
    group = branch(org, "南湾村第一党小组", kind=Organization.Kind.GROUP)
    move_organization(SYSTEM, group, parent=world.branch_a1, on=MOVED_ON)
    with pytest.raises(ValidationError) as error:
        move_organization(SYSTEM, org, parent=world.committee_b, on=BEFORE)
    assert "南湾村第一党小组 left this organization on 2025-09-01" in str(error.value)
    move_organization(SYSTEM, org, parent=world.committee_b, on=MOVED_ON)
    assert as_of(group, BEFORE).path.startswith(as_of(org, BEFORE).path)


def test_a_move_cannot_be_dated_before_the_new_parent_was_set_up(world):
    parent = branch(
        world.committee_b,
        "石舍第一党总支",
        kind=Organization.Kind.GENERAL_BRANCH,
        founded_on=MOVED_ON,
    )
    with pytest.raises(ValidationError) as error:
        move_organization(SYSTEM, world.branch_a1, parent=parent, on=BEFORE)
    assert "set up on 2025-09-01" in str(error.value)
    assert world.branch_a1.parent == world.committee_a


def test_a_move_cannot_be_dated_before_the_new_parent_moved_where_it_is(world):
    # From BEFORE the branch would take the general branch's path of today, which it only
    # has since MOVED_ON: the counts of those months would be under the wrong community.
    parent = branch(world.committee_b, "石舍第一党总支", kind=Organization.Kind.GENERAL_BRANCH)
    move_organization(SYSTEM, parent, parent=world.committee_a, on=MOVED_ON)
    parent.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        move_organization(SYSTEM, world.branch_a1, parent=parent, on=BEFORE)
    assert "moved in the tree on 2025-09-01" in str(error.value)
    move_organization(SYSTEM, world.branch_a1, parent=parent, on=MOVED_ON)
    world.branch_a1.refresh_from_db()
    assert as_of(world.branch_a1, MOVED_ON).path.startswith(parent.path)


BETWEEN = dt.date(2025, 8, 1)


def test_a_place_in_the_tree_once_held_is_never_given_to_another_organization(world):
    """石舍东村党支部 leaves committee B on MOVED_ON; a branch moved to B dated BEFORE, or one
    founded there then, takes a new place, not the one it held in those months: each counts
    its own member."""
    leaver = branch(world.committee_b, "石舍东村党支部")
    member(leaver, admitted_on=dt.date(2010, 7, 1))
    held = leaver.path
    move_organization(SYSTEM, leaver, parent=world.committee_a, on=MOVED_ON)
    moved = branch(world.committee_a, "南湾村党支部")
    member(moved, admitted_on=dt.date(2010, 7, 1))
    move_organization(SYSTEM, moved, parent=world.committee_b, on=BEFORE)
    moved.refresh_from_db()
    founded = branch(world.committee_b, "石舍西村党支部", founded_on=BEFORE)
    assert held not in (moved.path, founded.path)
    paths = [n.path for n in nodes_as_of(BETWEEN, OrganizationVersion.objects.all())]
    assert len(paths) == len(set(paths))
    nodes = {n.pk: n for n in nodes_as_of(BETWEEN, OrganizationVersion.objects.all())}
    counts = subtree_counts([nodes[moved.pk], nodes[leaver.pk]], on=BETWEEN)
    assert (counts[moved.pk].full, counts[leaver.pk].full) == (1, 1)


def test_an_organization_cannot_be_founded_before_its_parent_moved_where_it_is(world):
    parent = branch(world.committee_b, "石舍第一党总支", kind=Organization.Kind.GENERAL_BRANCH)
    move_organization(SYSTEM, parent, parent=world.committee_a, on=MOVED_ON)
    parent.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        branch(parent, "石舍一组党支部", founded_on=BEFORE)
    assert "moved in the tree on 2025-09-01" in str(error.value)
    assert as_of(branch(parent, "石舍一组党支部", founded_on=MOVED_ON), MOVED_ON) is not None


def test_a_rename_is_dated_by_the_organizations_own_changes_only(world):
    # A rename rewrites no path: a branch that left, or one renamed, changes nothing of it.
    move_organization(SYSTEM, world.branch_a1, parent=world.committee_b, on=MOVED_ON)
    update_organization(SYSTEM, world.branch_a2, name="湖滨花苑党支部", on=MOVED_ON)
    update_organization(SYSTEM, world.committee_a, name="中共湖滨社区委员会（新）", on=BEFORE)
    assert as_of(world.committee_a, BEFORE).name == "中共湖滨社区委员会（新）"


def test_a_branch_founded_after_another_left_does_not_hold_back_moves_of_its_parent(world):
    general = branch(world.committee_b, "石舍第一党总支", kind=Organization.Kind.GENERAL_BRANCH)
    leaver = branch(general, "石舍东村党支部")
    move_organization(SYSTEM, leaver, parent=world.committee_a, on=BEFORE)
    newcomer = branch(general, "石舍西村党支部")
    general.refresh_from_db()
    move_organization(SYSTEM, general, parent=world.committee_a, on=MOVED_ON)
    newcomer.refresh_from_db()
    assert newcomer.is_within(general)


def test_the_check_finds_two_organizations_that_held_one_place_at_once(world, capsys):
    # Written before places were never given twice, or by hand.
    call_command("recount", "--check")
    OrganizationVersion.objects.create(
        organization=world.branch_a2,
        valid_from=BEFORE,
        valid_to=MOVED_ON,
        name=world.branch_a2.name,
        parent_id=world.committee_a.pk,
        path=world.branch_a1.path,
    )
    with pytest.raises(CommandError, match="1 pairs of organizations"):
        call_command("recount", "--check")
    assert f"{world.branch_a1.name} […, …) and {world.branch_a2.name} [2025-06-30" in (
        capsys.readouterr().err
    )
