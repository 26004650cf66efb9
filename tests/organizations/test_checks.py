"""Rule checks on branch size: at least 3 full members, at most 50 members (支部工作条例第四条)."""

from __future__ import annotations

from django.urls import reverse

from cunju.core.rules import Rule
from cunju.organizations.checks import check_organization
from cunju.organizations.counts import Counts
from tests.organizations.people import branch, members
from tests.world import client_for


def messages(org, **numbers) -> list[tuple[str, str]]:
    return [(f.level, f.message) for f in check_organization(org, Counts(**numbers))]


def test_a_branch_with_two_full_members_is_an_error_with_three_it_is_fine(world):
    found = messages(world.branch_a1, full=2, probationary=4)
    assert [level for level, _m in found] == ["error"]
    assert "needs at least 3 full members, has 2" in found[0][1]
    assert messages(world.branch_a1, full=3) == []


def test_fifty_members_are_fine_fifty_one_should_be_split(world):
    assert messages(world.branch_a1, full=45, probationary=5) == []
    found = messages(world.branch_a1, full=45, probationary=6)
    assert [level for level, _m in found] == ["warning"]
    assert "at most 50 members, has 51" in found[0][1]


def test_only_branches_are_checked(world):
    assert messages(world.committee_a, full=0) == []


def test_a_region_may_set_a_stricter_minimum(world):
    world.branch_a1.place.code = "320506110201"
    Rule.objects.create(key="organizations.branch_min_full_members", region_code="320506", value=5)
    assert "needs at least 5 full members, has 4" in messages(world.branch_a1, full=4)[0][1]
    assert messages(world.branch_b1, full=4) == []  # no code: the national rule


def test_the_branch_page_shows_the_error_from_the_register(world):
    small = branch(world.committee_a, "南湾村党支部")
    members(small, 2)
    members(small, 3, full=False)
    page = client_for(world.secretary_a).get(small.get_absolute_url()).content.decode()
    assert "needs at least 3 full members, has 2" in page
    members(small, 1)
    page = client_for(world.secretary_a).get(small.get_absolute_url()).content.decode()
    assert "needs at least" not in page


def test_the_checks_list_names_each_branch_in_scope_that_breaks_a_rule(world):
    small = branch(world.committee_a, "南湾村党支部")
    members(small, 2)
    fine = branch(world.committee_a, "北港村党支部")
    members(fine, 3)
    in_b = branch(world.committee_b, "东渚村党支部")
    page = client_for(world.secretary_a).get(reverse("organizations:checks")).content.decode()
    assert "南湾村党支部" in page and "needs at least 3 full members, has 2" in page
    assert "北港村党支部" not in page
    assert in_b.name not in page
    town = client_for(world.town_admin).get(reverse("organizations:checks")).content.decode()
    assert in_b.name in town
