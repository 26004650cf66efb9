"""Dissolving (撤销) and merging (合并) Party organizations: gone from today's tree, kept in
its history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from cunju.accounts.actions import create_user, update_user
from cunju.core.models import AuditEvent
from cunju.core.system import SYSTEM
from cunju.development.actions import register_applicant
from cunju.library.management.commands.library import Command as LibraryCommand
from cunju.library.samples import make_pdf
from cunju.library.search import search, searchable
from cunju.members.actions import add_post, change_status, move_member
from cunju.members.models import Education, MemberEvent, MemberStatus, Occupation
from cunju.mobility.actions import register_inflow
from cunju.organizations.actions import (
    dissolve_organization,
    elect_committee,
    move_organization,
    update_organization,
)
from cunju.organizations.counts import subtree_counts
from cunju.organizations.history import as_of, nodes_as_of
from cunju.organizations.models import Organization, OrganizationVersion
from cunju.organizations.picker import Offer
from tests.library.test_ingest import upload
from tests.organizations.people import branch, member, members
from tests.world import client_for

TODAY = dt.date.today()
FOUNDED = dt.date(2019, 5, 4)
ON = dt.date(2025, 9, 1)
DAY_BEFORE = ON - dt.timedelta(days=1)


def inflow(org: Organization, since: dt.date):
    """A member of elsewhere taking part in ``org``'s life since ``since``."""
    return register_inflow(
        SYSTEM,
        organization=org,
        name="李来苏",
        home_organization="中共合肥市某村党支部",
        place="南湾村5组",
        region_code="340104",
        away_since=since,
    )


def test_an_empty_branch_is_dissolved_and_kept_in_its_history(world):
    org = branch(world.committee_a, "南湾村党支部", founded_on=FOUNDED)
    dissolve_organization(SYSTEM, org, on=ON, reason="村庄撤并")
    org.refresh_from_db()
    assert (org.dissolved_on, org.merged_into) == (ON, None)
    assert as_of(org, DAY_BEFORE).name == "南湾村党支部"
    assert as_of(org, ON) is None
    assert list(org.versions.values_list("valid_from", "valid_to")) == [(FOUNDED, ON)]
    # Gone from what may be chosen, from today's tree and from the default list.
    assert org not in Offer(world.secretary_a).organizations()
    assert org not in Organization.objects.current()
    client = client_for(world.secretary_a)
    detail = client.get(reverse("organizations:detail", args=[world.committee_a.pk]))
    assert "南湾村党支部" not in detail.content.decode()
    listed = client.get(reverse("organizations:list")).content.decode()
    assert "南湾村党支部" not in listed
    dissolved = client.get(reverse("organizations:list"), {"state": "dissolved"}).content
    assert "南湾村党支部" in dissolved.decode() and "dissolved on 2025-09-01" in dissolved.decode()
    # Its own page stays, saying so, without the actions of a living organization.
    page = client.get(org.get_absolute_url()).content.decode()
    assert "Dissolved on 2025-09-01." in page
    assert reverse("organizations:move", args=[org.pk]) not in page
    event = AuditEvent.objects.filter(action="organizations.dissolve_organization").latest("id")
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.changes["dissolved_on"] == "2025-09-01"


def test_the_tree_as_of_a_date_before_still_shows_it(world):
    org = branch(world.committee_a, "南湾村党支部", founded_on=FOUNDED)
    dissolve_organization(SYSTEM, org, on=ON)
    then = nodes_as_of(DAY_BEFORE, OrganizationVersion.objects.filter(parent=world.committee_a))
    assert org.pk in [n.pk for n in then]
    later = nodes_as_of(ON, OrganizationVersion.objects.filter(parent=world.committee_a))
    assert org.pk not in [n.pk for n in later]
    client = client_for(world.secretary_a)
    url = reverse("organizations:tree")
    before = client.get(url, {"node": world.committee_a.pk, "on": DAY_BEFORE.isoformat()})
    assert "南湾村党支部" in before.content.decode()
    assert "南湾村党支部" not in client.get(url, {"node": world.committee_a.pk}).content.decode()


def test_an_organization_with_members_or_organizations_under_it_is_merged_not_dissolved(world):
    org = branch(world.committee_a, "南湾村党支部")
    member(org)
    branch(org, "南湾村第一党小组", kind=Organization.Kind.GROUP)
    with pytest.raises(ValidationError) as error:
        dissolve_organization(SYSTEM, org, on=ON)
    assert "still has 1 members, 1 organizations under it and 0 people" in str(error.value)
    org.refresh_from_db()
    assert org.dissolved_on is None
    assert not org.versions.filter(valid_to__isnull=False).exists()


def test_merging_moves_the_members_and_groups_and_keeps_the_numbers_before(world):
    org = branch(world.committee_a, "南湾村党支部", founded_on=FOUNDED)
    group = branch(org, "南湾村第一党小组", kind=Organization.Kind.GROUP)
    people = members(org, 2, admitted_on=dt.date(2010, 7, 1))
    gone = member(org, admitted_on=dt.date(2010, 7, 1))
    # History stays where it was.
    change_status(SYSTEM, gone, status=MemberStatus.DECEASED, on=dt.date(2024, 1, 5))
    into = world.branch_a2
    before = subtree_counts([into], on=DAY_BEFORE)[into.pk].full
    today = subtree_counts([into])[into.pk].full
    elect_committee(SYSTEM, org, elected_on=dt.date(2024, 3, 1))

    dissolve_organization(SYSTEM, org, on=ON, into=into)

    org.refresh_from_db()
    group.refresh_from_db()
    assert (org.dissolved_on, org.merged_into) == (ON, into)
    assert group.parent == into and group.is_within(into)
    for person in people:
        person.refresh_from_db()
        assert (person.organization, person.org_path) == (into, into.path)
        event = person.events.get(kind=MemberEvent.Kind.TRANSFERRED)
        # In the site's language, whatever the clerk's.
        assert (event.date, event.data["reason"]) == (ON, f"并入{into.name}")
    gone.refresh_from_db()
    assert gone.organization == org
    # Numbers: before the date the members counted in the old branch, from it in the new one.
    nodes = {n.pk: n for n in nodes_as_of(DAY_BEFORE, OrganizationVersion.objects.all())}
    assert subtree_counts([nodes[org.pk]], on=DAY_BEFORE)[org.pk].full == 2
    assert subtree_counts([into], on=DAY_BEFORE)[into.pk].full == before
    assert subtree_counts([into], on=ON)[into.pk].full == before + 2
    assert subtree_counts([into])[into.pk].full == today + 2
    assert subtree_counts([org])[org.pk].total == 0
    # The committee's term ended with it.
    assert org.terms.get().ended_on == ON


def test_a_dissolved_organization_can_no_longer_be_chosen_or_changed(world):
    org = branch(world.committee_a, "南湾村党支部")
    dissolve_organization(SYSTEM, org, on=ON)
    org.refresh_from_db()
    someone = member(world.branch_a2)
    attempts = [
        lambda: member(org),
        lambda: move_member(SYSTEM, someone, organization=org, on=TODAY),
        lambda: inflow(org, TODAY),
        lambda: branch(org, "第一党小组", kind=Organization.Kind.GROUP),
        lambda: move_organization(SYSTEM, world.branch_a2, parent=org, on=TODAY),
        lambda: move_organization(SYSTEM, org, parent=world.committee_b, on=TODAY),
        lambda: update_organization(SYSTEM, org, name="新南湾村党支部", on=TODAY),
        lambda: elect_committee(SYSTEM, org, elected_on=TODAY),
        lambda: dissolve_organization(SYSTEM, org, on=TODAY),
        lambda: dissolve_organization(SYSTEM, world.branch_a2, on=TODAY, into=org),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as error:
            attempt()
        assert "南湾村党支部 was dissolved on 2025-09-01." in str(error.value)


def test_the_name_of_a_dissolved_organization_may_be_given_again(world):
    old = branch(world.committee_a, "南湾村党支部")
    dissolve_organization(SYSTEM, old, on=ON)
    new = branch(world.committee_a, "南湾村党支部")
    assert new.pk != old.pk and new.path != old.path
    with pytest.raises(ValidationError):
        branch(world.committee_a, "南湾村党支部")


def test_people_in_development_go_where_it_is_merged(world):
    org = branch(world.committee_a, "南湾村党支部")
    applicant = register_applicant(
        SYSTEM,
        branch=org,
        name="林小满",
        sex="female",
        birth_date=dt.date(2001, 4, 2),
        applied_on=TODAY - dt.timedelta(days=3),
        education=Education.BACHELOR,
        occupation=Occupation.FARMER,
    )
    guest = inflow(org, TODAY - dt.timedelta(days=200))
    with pytest.raises(ValidationError) as error:
        dissolve_organization(SYSTEM, org, on=TODAY)
    assert "0 members, 0 organizations under it and 2 people in development" in str(error.value)
    dissolve_organization(SYSTEM, org, on=TODAY, into=world.branch_a2)
    applicant.refresh_from_db()
    guest.refresh_from_db()
    assert applicant.branch == guest.organization == world.branch_a2
    event = AuditEvent.objects.filter(action="organizations.dissolve_organization").latest("id")
    assert (event.changes["applicants"], event.changes["inflow"]) == (1, 1)


def test_an_open_evaluation_round_and_accounts_hold_a_dissolution_back(world):
    # 新桥村党支部 (branch_a1) has its round of this year open in the world.
    with pytest.raises(ValidationError) as error:
        dissolve_organization(SYSTEM, world.branch_a1, on=TODAY, into=world.branch_a2)
    assert "Its democratic evaluation round is still open." in str(error.value)
    other = branch(world.committee_a, "北湾村党支部")
    create_user(
        SYSTEM,
        username="beiwan-clerk",
        full_name="王北湾",
        role="member",
        scope=other,
        password="Beiwan@2026pass",
    )
    with pytest.raises(ValidationError) as error:
        dissolve_organization(SYSTEM, other, on=TODAY, into=world.branch_a2)
    assert "Give these accounts another scope first: beiwan-clerk." in str(error.value)
    other.refresh_from_db()
    assert other.dissolved_on is None


def test_dates_scope_and_the_top_of_the_tree(world):
    org = branch(world.committee_a, "南湾村党支部", founded_on=FOUNDED)
    with pytest.raises(ValidationError, match="in the future"):
        dissolve_organization(SYSTEM, org, on=TODAY + dt.timedelta(days=1))
    update_organization(SYSTEM, org, name="南湾党支部", on=ON)
    with pytest.raises(ValidationError, match="last changed on 2025-09-01"):
        dissolve_organization(SYSTEM, org, on=DAY_BEFORE)
    with pytest.raises(ValidationError, match="set up on 2019-05-04"):
        dissolve_organization(SYSTEM, world.branch_a2, on=dt.date(2019, 1, 1), into=org)
    with pytest.raises(ValidationError, match="into itself"):
        dissolve_organization(SYSTEM, world.committee_a, on=TODAY, into=org)
    group = branch(world.branch_a2, "第一党小组", kind=Organization.Kind.GROUP)
    with pytest.raises(ValidationError, match="merge into a branch, general branch or committee"):
        dissolve_organization(SYSTEM, org, on=TODAY, into=group)
    with pytest.raises(Http404):
        dissolve_organization(world.secretary_a, world.branch_b1, on=TODAY)
    with pytest.raises(Http404):
        dissolve_organization(world.secretary_a, org, on=TODAY, into=world.branch_b1)
    top = Organization.objects.get(parent=None)
    with pytest.raises(ValidationError, match="top organization"):
        dissolve_organization(SYSTEM, top, on=TODAY)


def test_a_later_move_of_the_parent_leaves_the_dissolved_history_as_it_ended(world):
    org = branch(world.branch_a1, "第一党小组", kind=Organization.Kind.GROUP)
    dissolve_organization(SYSTEM, org, on=ON)
    with pytest.raises(ValidationError, match="last changed on 2025-09-01"):
        move_organization(SYSTEM, world.branch_a1, parent=world.committee_b, on=DAY_BEFORE)
    move_organization(SYSTEM, world.branch_a1, parent=world.committee_b, on=TODAY)
    assert org.versions.count() == 1 and as_of(org, TODAY) is None


def test_the_town_admin_merges_a_branch_on_the_page(world):
    org = branch(world.committee_a, "南湾村党支部")
    person = member(org)
    client = client_for(world.town_admin)
    url = reverse("organizations:dissolve", args=[org.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"on": TODAY.isoformat()})
    assert refused.status_code == 200
    assert "choose the organization to merge it into" in refused.content.decode()
    done = client.post(url, {"into": world.branch_a2.pk, "on": TODAY.isoformat(), "reason": ""})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.organization == world.branch_a2
    page = client.get(org.get_absolute_url()).content.decode()
    assert "Merged into" in page and world.branch_a2.get_absolute_url() in page
    # Its form now leads back to its page; out of scope it is not there at all.
    assert client.get(url).status_code == 302
    outsider = client_for(world.secretary_b)
    assert outsider.get(url).status_code == 404
    assert outsider.get(org.get_absolute_url()).status_code == 404


def test_the_merge_form_offers_neither_the_organization_nor_what_is_under_it(world):
    org = branch(world.committee_a, "南湾村党支部")
    group = branch(org, "南湾村第一党小组", kind=Organization.Kind.GROUP)
    client = client_for(world.secretary_a)
    found = client.get(reverse("organizations:picker"), {"q": "南湾", "exclude_under": org.pk})
    assert found.json()["results"] == []
    offered = client.get(reverse("organizations:picker"), {"q": "南湾"}).json()["results"]
    assert {r["pk"] for r in offered} == {org.pk, group.pk}


# --- What happened there after the date, and what it leaves behind -------------------------


def test_a_dissolution_cannot_be_dated_before_what_happened_there(world):
    org = branch(world.committee_a, "南湾村党支部", founded_on=FOUNDED)
    moved, died = member(org, name="王离开"), member(org, name="李故去")
    later = TODAY - dt.timedelta(days=10)
    move_member(SYSTEM, moved, organization=world.branch_a2, on=later)
    change_status(SYSTEM, died, status=MemberStatus.DECEASED, on=later - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        dissolve_organization(SYSTEM, org, on=ON)
    assert "王离开、李故去" in str(error.value) and f"the last on {later}" in str(error.value)
    dissolve_organization(SYSTEM, org, on=later)
    nodes = {n.pk: n for n in nodes_as_of(later, OrganizationVersion.objects.all())}
    assert org.pk not in nodes
    counted = subtree_counts([nodes[world.committee_a.pk]], on=later)[world.committee_a.pk]
    children = [n for n in nodes.values() if n.parent_id == world.committee_a.pk]
    parts = subtree_counts(children, on=later)
    assert counted.total == sum(parts[n.pk].total for n in children)


def test_a_dissolution_cannot_be_dated_before_its_committee_was_elected(world):
    org = branch(world.committee_a, "南湾村党支部", founded_on=FOUNDED)
    elected = TODAY - dt.timedelta(days=10)
    elect_committee(SYSTEM, org, elected_on=elected)
    with pytest.raises(ValidationError, match=f"Its committee changed on {elected}"):
        dissolve_organization(SYSTEM, org, on=ON)


def test_posts_held_there_end_with_it(world):
    org = branch(world.committee_a, "南湾村党支部")
    person = member(org)
    post = add_post(SYSTEM, person, title="组织委员", started_on=FOUNDED, organization=org)
    dissolve_organization(SYSTEM, org, on=TODAY, into=world.branch_a2)
    post.refresh_from_db()
    assert post.ended_on == TODAY
    with pytest.raises(ValidationError, match="was dissolved"):
        add_post(SYSTEM, person, title="宣传委员", started_on=FOUNDED, organization=org)


def test_accounts_cannot_work_in_a_dissolved_organization(world):
    org = branch(world.committee_a, "南湾村党支部")
    clerk = create_user(
        SYSTEM,
        username="nanwan-clerk",
        full_name="王南湾",
        role="member",
        scope=org,
        password="Nanwan@2026pass",
    )
    update_user(SYSTEM, clerk, is_active=False)
    # Even an inactive account: reactivated, it would work in an organization that is gone.
    with pytest.raises(ValidationError, match="another scope first: nanwan-clerk"):
        dissolve_organization(SYSTEM, org, on=TODAY)
    update_user(SYSTEM, clerk, scope=world.branch_a2)
    dissolve_organization(SYSTEM, org, on=TODAY)
    with pytest.raises(ValidationError, match="was dissolved"):
        update_user(SYSTEM, clerk, scope=org)
    with pytest.raises(ValidationError, match="was dissolved"):
        create_user(
            SYSTEM,
            username="nanwan-2",
            full_name="李南湾",
            role="member",
            scope=org,
            password="Nanwan@2026pass",
        )


def test_the_documents_of_a_merged_branch_go_where_it_went(world, tmp_path):
    org = branch(world.committee_a, "南湾村党支部")
    document, _ = upload(
        world.admin, make_pdf(tmp_path / "南湾村学习资料.pdf", "南湾村学习资料", 2), shared_with=org
    )
    reader = create_user(
        SYSTEM,
        username="huabin-reader",
        full_name="花苑读者",
        role="member",
        scope=world.branch_a2,
        password="Huabin@2026pass",
    )
    assert (document.organization, document.shared_with) == (org, org)
    assert not searchable(reader).filter(pk=document.pk).exists()
    dissolve_organization(SYSTEM, org, on=TODAY, into=world.branch_a2)
    document.refresh_from_db()
    assert (document.organization, document.shared_with) == (world.branch_a2, world.branch_a2)
    assert document.org_path == document.shared_path == world.branch_a2.path
    assert searchable(reader).filter(pk=document.pk).exists()
    assert document.pk in [hit.document.pk for hit in search(reader, "南湾村学习资料")]
    # Nothing new is shared with it, and the command line takes the living namesake.
    with pytest.raises(ValidationError, match="was dissolved"):
        upload(world.admin, make_pdf(tmp_path / "另一份.pdf", "另一份", 1), shared_with=org)
    again = branch(world.committee_a, "南湾村党支部")
    assert LibraryCommand().organization("南湾村党支部") == again


def test_groups_of_one_name_become_one_in_a_merge(world):
    org = branch(world.committee_a, "南湾村党支部")
    group = branch(org, "第一党小组", kind=Organization.Kind.GROUP)
    other = branch(org, "第二党小组", kind=Organization.Kind.GROUP)
    twin = branch(world.branch_a2, "第一党小组", kind=Organization.Kind.GROUP)
    leader = add_post(SYSTEM, member(org), title="党小组长", started_on=FOUNDED, organization=group)
    dissolve_organization(SYSTEM, org, on=TODAY, into=world.branch_a2)
    group.refresh_from_db()
    other.refresh_from_db()
    leader.refresh_from_db()
    assert (group.dissolved_on, group.merged_into) == (TODAY, twin)
    assert other.parent == world.branch_a2 and other.dissolved_on is None
    assert leader.ended_on == TODAY
    groups = Organization.objects.current().filter(parent=world.branch_a2)
    assert sorted(groups.values_list("name", flat=True)) == ["第一党小组", "第二党小组"]
    # A branch still does not merge into a group.
    with pytest.raises(ValidationError, match="merge into a branch"):
        dissolve_organization(SYSTEM, world.branch_a2, on=TODAY, into=twin)
