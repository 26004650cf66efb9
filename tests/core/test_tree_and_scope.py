"""The two trees (places, Party organizations) and who sees which part of them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cunju.accounts.models import User
from cunju.core.models import AuditEvent
from cunju.core.system import SYSTEM
from cunju.core.tree import decode_step, encode_step
from cunju.organizations.actions import create_organization
from cunju.organizations.models import Organization
from cunju.places.actions import create_place
from cunju.places.models import Place


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def test_steps_are_fixed_width_base_36():
    assert encode_step(1) == "0001"
    assert encode_step(36) == "0010"
    assert decode_step(encode_step(1_000_000)) == 1_000_000
    # Sorting the text sorts the numbers, which is what keeps subtrees contiguous.
    steps = [encode_step(n) for n in (1, 9, 10, 35, 36, 37, 1295, 1296)]
    assert steps == sorted(steps)
    for bad in (0, 36**4):
        with pytest.raises(ValueError):
            encode_step(bad)


def test_paths_spell_out_the_way_down_from_the_root(world):
    assert world.town.path == "0001."
    assert world.community_a.path == "0001.0001."
    assert world.community_b.path == "0001.0002."
    assert world.area_b.path == "0001.0002.0002."
    assert [world.town.depth, world.community_b.depth, world.area_b.depth] == [0, 1, 2]
    assert world.branch_a2.path == world.committee_a.path + "0002."
    assert list(world.area_b.ancestors()) == [world.town, world.community_b]
    assert world.branch_b1.is_within(world.committee_b)
    assert not world.branch_b1.is_within(world.committee_a)


def test_a_subtree_is_the_node_and_everything_below_it(world):
    assert names(world.committee_a.subtree()) == {
        "中共湖滨社区委员会",
        "新桥村党支部",
        "湖滨花苑小区党支部",
    }
    assert names(Place.objects.subtree(world.community_b)) == {"石舍社区", "石舍村", "金湖家园"}
    assert names(Place.objects.descendants(world.community_b)) == {"石舍村", "金湖家园"}
    assert names(Organization.objects.roots()) == {"中共湖桥镇委员会"}


def test_the_tree_reads_depth_first_in_path_order(world):
    assert list(Organization.objects.values_list("name", flat=True)) == [
        "中共湖桥镇委员会",
        "中共湖滨社区委员会",
        "新桥村党支部",
        "湖滨花苑小区党支部",
        "中共石舍社区委员会",
        "石舍村党支部",
        "金湖家园小区党支部",
    ]


# --- for_user: each role sees its part --------------------------------------------------------


ORGANIZATIONS_SEEN = {
    "admin": {
        "中共湖桥镇委员会",
        "中共湖滨社区委员会",
        "新桥村党支部",
        "湖滨花苑小区党支部",
        "中共石舍社区委员会",
        "石舍村党支部",
        "金湖家园小区党支部",
    },
    "town_admin": {
        "中共湖桥镇委员会",
        "中共湖滨社区委员会",
        "新桥村党支部",
        "湖滨花苑小区党支部",
        "中共石舍社区委员会",
        "石舍村党支部",
        "金湖家园小区党支部",
    },
    "secretary_a": {"中共湖滨社区委员会", "新桥村党支部", "湖滨花苑小区党支部"},
    "secretary_b": {"中共石舍社区委员会", "石舍村党支部", "金湖家园小区党支部"},
    "member_a": {"新桥村党支部"},
}
PLACES_SEEN = {
    "admin": {"湖桥镇", "湖滨社区", "新桥村", "湖滨花苑", "石舍社区", "石舍村", "金湖家园"},
    "town_admin": {"湖桥镇", "湖滨社区", "新桥村", "湖滨花苑", "石舍社区", "石舍村", "金湖家园"},
    "secretary_a": {"湖滨社区", "新桥村", "湖滨花苑"},
    "secretary_b": {"石舍社区", "石舍村", "金湖家园"},
    "member_a": {"新桥村"},
}


@pytest.mark.parametrize("role", sorted(ORGANIZATIONS_SEEN))
def test_each_role_sees_its_part_of_both_trees(world, role):
    user = getattr(world, role)
    assert names(Organization.objects.for_user(user)) == ORGANIZATIONS_SEEN[role]
    assert names(Place.objects.for_user(user)) == PLACES_SEEN[role]


def test_the_system_admin_also_sees_what_lies_outside_the_town(world):
    other_town = create_place(SYSTEM, parent=None, kind="town", name="木渎镇")
    assert Place.objects.for_user(world.admin).filter(pk=other_town.pk).exists()
    assert not Place.objects.for_user(world.town_admin).filter(pk=other_town.pk).exists()


def test_users_are_seen_by_the_organization_they_belong_to(world):
    assert set(User.objects.for_user(world.secretary_a).values_list("username", flat=True)) == {
        "secretary-a",
        "clerk-a",
        "member-a",
        "liaison-a",
    }
    assert set(User.objects.for_user(world.member_a).values_list("username", flat=True)) == {
        "member-a"
    }
    town = set(User.objects.for_user(world.town_admin).values_list("username", flat=True))
    assert town == {"town-admin", "secretary-a", "secretary-b", "clerk-a", "member-a", "liaison-a"}
    # The system admin has no scope, so nobody but the system admins sees that account.
    assert "admin" not in town


def test_nobody_sees_anything_when_signed_out_deactivated_or_without_scope(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Organization.objects.for_user(AnonymousUser()).exists()
    world.secretary_a.is_active = False
    assert not Organization.objects.for_user(world.secretary_a).exists()
    world.clerk_a.scope = None
    assert not Place.objects.for_user(world.clerk_a).exists()
    assert not AuditEvent.objects.for_user(world.clerk_a).exists()


def test_the_system_actor_sees_everything(world):
    assert Organization.objects.for_user(SYSTEM).count() == Organization.objects.count()


# --- Moving a subtree ----------------------------------------------------------------------


@pytest.fixture
def groups_in_b(world) -> list[Organization]:
    """Two Party groups under 石舍村党支部, so community B's subtree is three levels deep."""
    return [
        create_organization(
            SYSTEM,
            parent=world.branch_b1,
            kind="group",
            category="village",
            name=name,
            place=world.village_b,
        )
        for name in ("第一党小组", "第二党小组")
    ]


def test_moving_a_committee_rehangs_its_whole_subtree(world, groups_in_b):
    committee_b = world.committee_b
    committee_b.move_under(world.committee_a)

    assert committee_b.path == world.committee_a.path + "0003."
    assert committee_b.depth == 2
    for org in Organization.objects.filter(
        pk__in=[
            committee_b.pk,
            world.branch_b1.pk,
            world.branch_b2.pk,
            *[g.pk for g in groups_in_b],
        ]
    ):
        assert org.path.startswith(committee_b.path)
        assert org.depth == org.path.count(".") - 1
        assert org.parent is None or org.path.startswith(org.parent.path)
    assert Organization.objects.get(pk=committee_b.pk).parent == world.committee_a
    assert Organization.objects.get(pk=groups_in_b[1].pk).depth == 4

    # The tree still reads depth-first, and secretary A now sees B's organizations.
    paths = list(Organization.objects.values_list("path", flat=True))
    assert paths == sorted(paths)
    assert names(Organization.objects.for_user(world.secretary_a)) >= {"石舍村党支部", "第二党小组"}
    # Nothing was left at the old place.
    assert not Organization.objects.filter(path__startswith="0001.0002.").exists()


def test_a_new_child_after_a_move_gets_a_fresh_path(world, groups_in_b):
    world.branch_b1.move_under(world.committee_a)
    third = create_organization(
        SYSTEM,
        parent=world.committee_a,
        kind="branch",
        category="retired",
        name="湖滨社区老党员党支部",
        place=world.community_a,
    )
    assert third.path == world.committee_a.path + "0004."
    assert (
        len(set(Organization.objects.values_list("path", flat=True)))
        == Organization.objects.count()
    )


def test_a_node_cannot_move_under_itself_or_its_own_subtree(world, groups_in_b):
    before = list(Organization.objects.values_list("pk", "path", "depth"))
    with pytest.raises(ValueError, match="under itself"):
        world.committee_b.move_under(world.committee_b)
    with pytest.raises(ValueError, match="under itself"):
        world.committee_b.move_under(groups_in_b[0])
    assert list(Organization.objects.values_list("pk", "path", "depth")) == before


def test_a_subtree_can_become_a_root(world):
    world.community_b.move_under(None)
    assert world.community_b.path == "0002."
    assert Place.objects.get(pk=world.area_b.pk).path == "0002.0002."
    assert Place.objects.get(pk=world.area_b.pk).depth == 1


# --- Scoping costs the same however big the subtree -----------------------------------------


def scope_queries(user_pk: int) -> int:
    user = User.objects.get(pk=user_pk)  # fresh, so nothing is cached on it
    with CaptureQueriesContext(connection) as queries:
        Organization.objects.for_user(user).count()
    return len(queries)


def test_counting_the_organizations_in_scope_takes_the_same_queries_at_any_size(
    world, django_assert_num_queries
):
    small = scope_queries(world.secretary_a.pk)
    for number in range(40):
        create_organization(
            SYSTEM,
            parent=world.branch_a1,
            kind="group",
            category="village",
            name=f"第{number + 1}党小组",
            place=world.village_a,
        )
    large = scope_queries(world.secretary_a.pk)
    assert small == large
    user = User.objects.get(pk=world.secretary_a.pk)
    # The user's scope organization, its place, then one COUNT.
    with django_assert_num_queries(3):
        assert Organization.objects.for_user(user).count() == 43
