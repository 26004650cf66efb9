"""`cunju demo`: the town the README describes, the same every time, with working logins."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cunju.accounts.models import User
from cunju.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from cunju.organizations.history import as_of
from cunju.organizations.models import Organization
from cunju.places.models import Place
from tests.world import client_for

README_ACCOUNTS = ["demo-admin", "demo-town", "demo-community-a", "demo-community-b", "demo-member"]


def demo(*args: str) -> None:
    call_command("demo", *args, stdout=io.StringIO())


def fingerprint() -> dict[str, list]:
    """What a person would compare between two demo databases."""
    return {
        "places": list(Place.objects.values_list("path", "kind", "name", "code")),
        "organizations": list(
            Organization.objects.values_list("path", "kind", "category", "name", "place__name")
        ),
        "users": [
            (
                u.username,
                u.full_name,
                u.role,
                u.scope.name if u.scope else "",
                u.id_number.reveal(),
                u.phone.reveal(),
            )
            for u in User.objects.order_by("username").select_related("scope")
        ],
    }


@pytest.fixture
def loaded(committed_demo) -> dict[str, list]:
    """The demo as `cunju demo` left it, committed (loaded once in a run, then restored)."""
    committed_demo()
    return fingerprint()


def test_the_demo_is_one_town_of_three_merged_communities(loaded):
    assert Place.objects.filter(kind="town").count() == 1
    communities = Place.objects.filter(kind="community")
    assert communities.count() == 3
    for community in communities:
        villages = community.children.filter(kind="village").count()
        areas = community.children.filter(kind="residential_area").count()
        assert 2 <= villages <= 3, community.name
        assert 1 <= areas <= 2, community.name
        assert community.organizations.filter(kind="committee").count() == 1
    assert 10 <= Organization.objects.filter(kind="branch").count() <= 14


def test_the_readme_accounts_exist_and_sign_in_with_the_demo_password(loaded):
    assert [username for username, _role in DEMO_ACCOUNTS] == README_ACCOUNTS
    for username in README_ACCOUNTS:
        client = client_for(None)
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        assert client.get(reverse("dashboard:home")).status_code == 200, username


def test_the_demo_accounts_have_the_roles_the_readme_gives(loaded):
    roles = dict(User.objects.values_list("username", "role"))
    assert roles["demo-admin"] == "system_admin"
    assert roles["demo-town"] == "town_admin"
    assert roles["demo-community-a"] == roles["demo-community-b"] == "community_secretary"
    assert roles["demo-member"] == "member"
    a = User.objects.get(username="demo-community-a")
    b = User.objects.get(username="demo-community-b")
    assert not Place.objects.for_user(a).filter(pk__in=Place.objects.for_user(b)).exists()


def test_running_again_when_data_exists_changes_nothing(loaded):
    demo("--if-empty")
    assert fingerprint() == loaded
    with pytest.raises(CommandError, match="not empty"):
        demo()


def test_reset_starts_over_with_the_same_data(loaded):
    # Committed data, as in a real database: PostgreSQL's TRUNCATE refuses to run in a
    # transaction that still has unchecked foreign keys from the first load.
    User.objects.filter(username="demo-member").update(full_name="改过的名字")
    demo("--reset")
    again = fingerprint()
    assert again == loaded
    # Same names and ID numbers, down to the check character.
    assert [u[4] for u in again["users"]] == [u[4] for u in loaded["users"]]
    assert User.objects.get(username="demo-member").check_password(DEMO_PASSWORD)


def test_a_village_branch_was_merged_when_its_community_was_formed(loaded):
    old = Organization.objects.get(name="下塘村党支部")
    assert (old.dissolved_on, old.merged_into.name) == (dt.date(2019, 6, 1), "南湾村党支部")
    assert not Organization.objects.current().filter(pk=old.pk).exists()
    assert as_of(old, dt.date(2019, 5, 31)).name == "下塘村党支部"
    assert as_of(old, dt.date(2019, 6, 1)) is None
