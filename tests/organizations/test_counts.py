"""Member numbers per subtree, today and as of an earlier date, in one query however big."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from cunju.core.system import SYSTEM
from cunju.members.actions import change_status, move_member
from cunju.members.models import MemberStatus
from cunju.organizations.counts import common_root, subtree_counts
from tests.organizations.people import branch, member, members
from tests.world import client_for


def numbers(counts) -> tuple[int, int, int]:
    return (counts.full, counts.probationary, counts.mobile)


def test_each_node_counts_its_whole_subtree(world):
    committee = branch(world.committee_a, "中共湖滨第二委员会", kind="committee")
    one = branch(committee, "一村党支部")
    two = branch(committee, "二村党支部")
    members(one, 3)
    members(one, 1, full=False, mobile=True)
    members(two, 2, mobile=True)
    gone = member(two)
    change_status(SYSTEM, gone, status=MemberStatus.LEFT, on=dt.date.today())
    counts = subtree_counts([committee, one, two])
    assert numbers(counts[one.pk]) == (3, 1, 1)
    assert numbers(counts[two.pk]) == (2, 0, 2)
    assert numbers(counts[committee.pk]) == (5, 1, 3)
    assert counts[committee.pk].total == 6


def test_nodes_in_different_communities_are_counted_together(world):
    a = branch(world.committee_a, "甲村党支部")
    b = branch(world.committee_b, "乙村党支部")
    members(a, 2)
    members(b, 1)
    counts = subtree_counts([a, b])
    assert (counts[a.pk].full, counts[b.pk].full) == (2, 1)


def test_the_query_count_does_not_grow_with_the_subtree(world, django_assert_num_queries):
    small = branch(world.committee_a, "中共小委员会", kind="committee")
    members(branch(small, "小一村党支部"), 1)
    big = branch(world.committee_b, "中共大委员会", kind="committee")
    for i in range(6):
        child = branch(big, f"大{i}村党支部")
        members(child, 2)
        members(child, 1, full=False)
    small_nodes = [small, *small.children.all()]
    big_nodes = [big, *big.children.all()]
    with django_assert_num_queries(1):
        subtree_counts(small_nodes)
    with django_assert_num_queries(1):
        counts = subtree_counts(big_nodes)
    assert counts[big.pk].total == 18
    # An earlier date: the plan (how big, which checkpoint), then the count.
    with django_assert_num_queries(2):
        subtree_counts(small_nodes, on=dt.date(2020, 1, 1))
    with django_assert_num_queries(2):
        subtree_counts(big_nodes, on=dt.date(2020, 1, 1))


def test_numbers_as_of_an_earlier_date(world):
    org = branch(world.committee_a, "南湾村党支部")
    before = dt.date(2025, 6, 30)
    # Full since 2011: counted as full then.
    member(org, admitted_on=dt.date(2010, 7, 1))
    # Admitted after the date: not counted then.
    member(org, admitted_on=dt.date(2025, 7, 1), full=False)
    # Probationary on the date, full later: probationary then.
    member(org, admitted_on=dt.date(2025, 1, 1), full_on=dt.date(2025, 12, 1))
    # Left before the date: not counted then.
    left = member(org, admitted_on=dt.date(2000, 7, 1))
    change_status(SYSTEM, left, status=MemberStatus.LEFT, on=dt.date(2025, 6, 30))
    # Left after the date: counted then.
    later = member(org, admitted_on=dt.date(2000, 7, 1))
    change_status(SYSTEM, later, status=MemberStatus.LEFT, on=dt.date(2025, 7, 1))
    assert numbers(subtree_counts([org], on=before)[org.pk]) == (2, 1, 0)
    assert numbers(subtree_counts([org])[org.pk]) == (2, 1, 0)
    assert subtree_counts([org])[org.pk].total == 3


def test_a_member_who_moved_counts_where_they_were(world):
    old = branch(world.committee_a, "旧村党支部")
    new = branch(world.committee_a, "新村党支部")
    person = member(old, admitted_on=dt.date(2010, 7, 1))
    moved_on = dt.date(2025, 3, 1)
    move_member(SYSTEM, person, organization=new, on=moved_on)
    day_before = subtree_counts([old, new], on=moved_on - dt.timedelta(days=1))
    assert (day_before[old.pk].full, day_before[new.pk].full) == (1, 0)
    on_the_day = subtree_counts([old, new], on=moved_on)
    assert (on_the_day[old.pk].full, on_the_day[new.pk].full) == (0, 1)


def test_common_root_is_the_deepest_shared_node():
    assert common_root(["0001.0002.", "0001.0002.0003."]) == "0001.0002."
    assert common_root(["0001.0002.", "0001.0003."]) == "0001."
    assert common_root(["0001.", "0002."]) == ""
    assert common_root(["0001.0012.", "0001.0013."]) == "0001."


# --- The tree page ------------------------------------------------------------------------


def test_the_tree_shows_the_scope_with_subtree_numbers_and_opens_a_node(world):
    org = branch(world.committee_a, "南湾村党支部")
    members(org, 4)
    members(org, 1, full=False, mobile=True)
    client = client_for(world.secretary_a)
    top = client.get(reverse("organizations:tree")).content.decode()
    assert world.committee_a.name in top
    assert world.committee_b.name not in top
    opened = client.get(
        reverse("organizations:tree"), {"node": world.committee_a.pk}, HTTP_HX_REQUEST="true"
    )
    text = opened.content.decode()
    assert "<html" not in text
    assert "南湾村党支部" in text
    assert "5 members: 4 full, 1 probationary, 1 mobile" in text


def test_the_tree_as_of_an_earlier_date_counts_the_members_then(world):
    org = branch(world.committee_a, "南湾村党支部")
    members(org, 3, admitted_on=dt.date(2010, 7, 1))
    members(org, 2, admitted_on=dt.date(2025, 7, 1), full=False)
    client = client_for(world.secretary_a)
    then = client.get(
        reverse("organizations:tree"), {"node": world.committee_a.pk, "on": "2025-06-30"}
    ).content.decode()
    assert "as of 2025-06-30" in then
    assert "3 members: 3 full, 0 probationary, 0 mobile" in then
    now = client.get(reverse("organizations:tree"), {"node": world.committee_a.pk}).content
    assert "5 members: 3 full, 2 probationary, 0 mobile" in now.decode()


def test_the_tree_will_not_open_a_node_of_another_community(world):
    client = client_for(world.secretary_a)
    response = client.get(reverse("organizations:tree"), {"node": world.committee_b.pk})
    assert response.status_code == 404
    response = client.get(
        reverse("organizations:tree"), {"node": world.committee_b.pk, "on": "2025-06-30"}
    )
    assert response.status_code == 404


def test_the_detail_page_shows_member_numbers_of_the_subtree(world):
    org = branch(world.committee_a, "南湾村党支部")
    members(org, 3, mobile=True)
    page = client_for(world.secretary_a).get(org.get_absolute_url()).content.decode()
    assert "full members" in page and "mobile members" in page


def test_the_tree_page_costs_the_same_queries_for_a_small_and_a_big_community(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(5):
        members(branch(world.committee_b, f"大{i}村党支部"), 2)
    client = client_for(world.town_admin)
    url = reverse("organizations:tree")
    client.get(url, {"node": world.committee_a.pk})  # warm the session and caches
    sizes = []
    for node in (world.committee_a, world.committee_b):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"node": node.pk}).status_code == 200
        sizes.append(len(queries))
    assert sizes[0] == sizes[1]
