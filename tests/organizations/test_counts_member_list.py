"""The member list's total: from the tallies when it filters by organization and status only,
otherwise counted up to a cap ("10,000+") rather than over a whole province."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cunju.members import views as member_views
from cunju.members.models import Member, MemberStatus
from tests.organizations.people import branch, member, members
from tests.world import client_for

URL = reverse("members:list")


def listed(user, **query):
    """The list page for ``user`` and the SQL it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client_for(user).get(URL, query)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries]


def counts_the_register(sql: list[str]) -> bool:
    table = Member._meta.db_table
    return any("COUNT(" in q.upper() and table in q for q in sql)


def test_an_unfiltered_list_takes_its_total_from_the_tallies(world):
    org = branch(world.committee_a, "南湾村党支部")
    members(org, 3)
    member(org, full=False, mobile=True)
    response, sql = listed(world.secretary_a)
    visible = Member.objects.for_user(world.secretary_a).active()
    assert response.context["table"].paginator.count == visible.count()
    assert not counts_the_register(sql)
    everything, sql = listed(world.town_admin)
    assert everything.context["table"].paginator.count == Member.objects.active().count()
    assert not counts_the_register(sql)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": MemberStatus.FULL}, {"status": MemberStatus.FULL}),
        ({"status": MemberStatus.PROBATIONARY}, {"status": MemberStatus.PROBATIONARY}),
        ({"mobile": "yes"}, {"is_mobile": True}),
        ({"mobile": "no"}, {"is_mobile": False}),
    ],
)
def test_a_subtree_status_or_mobility_filter_takes_its_total_from_the_tallies(
    world, query, expected
):
    org = branch(world.committee_a, "南湾村党支部")
    members(org, 3)
    members(org, 2, full=False, mobile=True)
    response, sql = listed(world.secretary_a, organization=org.pk, **query)
    rows = Member.objects.active().filter(org_path__startswith=org.path, **expected)
    assert response.context["table"].paginator.count == rows.count()
    assert not counts_the_register(sql)
    assert {row.record.pk for row in response.context["table"].rows} == set(
        rows.values_list("pk", flat=True)
    )


def test_other_filters_are_counted_up_to_the_cap(world, monkeypatch):
    monkeypatch.setattr(member_views, "COUNT_CAP", 3)
    monkeypatch.setattr(member_views.MemberListView, "per_page", 2)
    org = branch(world.committee_a, "南湾村党支部")
    members(org, 5)
    few, sql = listed(world.secretary_a, organization=org.pk, sex="male", age="40-49")
    paginator = few.context["table"].paginator
    assert paginator.capped and paginator.count == 4
    assert "Page 1 · 3+ rows" in few.content.decode()
    assert counts_the_register(sql)
    # Under the cap the number is exact.
    exact, _sql = listed(world.secretary_a, organization=org.pk, q="党员", sex="female")
    assert not exact.context["table"].paginator.capped
    assert exact.context["table"].paginator.count == 0


def test_a_status_outside_the_tallies_is_counted(world):
    response, sql = listed(world.secretary_a, status="all")
    assert response.context["table"].paginator.count == (
        Member.objects.for_user(world.secretary_a).count()
    )
    assert counts_the_register(sql)
