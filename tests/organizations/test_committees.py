"""Committees (支部委员会 / 党委委员会), their terms and seats, and the elections due (换届)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from cunju.core.models import AuditEvent
from cunju.core.rules import Rule
from cunju.core.system import SYSTEM
from cunju.members.models import MemberEvent
from cunju.organizations.actions import (
    add_committee_member,
    add_years,
    elect_committee,
    end_term,
    remove_committee_member,
)
from cunju.organizations.models import CommitteeMember, Organization, Term
from tests.organizations.people import branch, member
from tests.world import client_for

ROLE = CommitteeMember.Role
TODAY = dt.date.today()


def test_a_community_committee_serves_five_years(world):
    term = elect_committee(SYSTEM, world.committee_a, elected_on=dt.date(2025, 1, 10))
    assert (term.term_years, term.due_on) == (5, dt.date(2030, 1, 10))


def test_a_village_branch_serves_five_years_an_enterprise_branch_three(world):
    village = elect_committee(SYSTEM, world.branch_a1, elected_on=dt.date(2025, 3, 1))
    enterprise = branch(
        world.committee_a, "湖滨工业园企业党支部", category=Organization.Category.ENTERPRISE
    )
    other = elect_committee(SYSTEM, enterprise, elected_on=dt.date(2025, 3, 1))
    assert (village.term_years, village.due_on) == (5, dt.date(2030, 3, 1))
    assert (other.term_years, other.due_on) == (3, dt.date(2028, 3, 1))


def test_a_province_can_set_its_own_term_length_from_a_date(world):
    Rule.objects.create(
        key="organizations.term_years.committee",
        region_code="",
        effective_from=dt.date(2025, 1, 1),
        value=4,
    )
    branch_term = elect_committee(SYSTEM, world.branch_a1, elected_on=dt.date(2025, 6, 1))
    before = elect_committee(SYSTEM, world.committee_b, elected_on=dt.date(2024, 12, 31))
    after = elect_committee(SYSTEM, world.committee_a, elected_on=dt.date(2025, 1, 1))
    assert branch_term.term_years == 5  # a branch, untouched by the committee rule
    assert (before.term_years, after.term_years) == (5, 4)


def test_a_term_begun_on_29_february_falls_due_on_28_february():
    assert add_years(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)


def test_a_new_election_ends_the_current_term_and_its_seats(world):
    old = world.term_a
    new = elect_committee(
        SYSTEM,
        world.committee_a,
        elected_on=TODAY,
        seats=[{"role": ROLE.SECRETARY, "name": "赵志刚"}],
    )
    old.refresh_from_db()
    assert old.ended_on == TODAY
    assert not old.seats.filter(ended_on__isnull=True).exists()
    assert list(Term.objects.filter(organization=world.committee_a, ended_on=None)) == [new]
    assert [str(s) for s in new.seats.all()] == ["Secretary 赵志刚"]


def test_an_election_cannot_predate_the_current_term(world):
    with pytest.raises(ValidationError) as error:
        elect_committee(SYSTEM, world.committee_a, elected_on=world.term_a.elected_on)
    assert "must be later" in str(error.value)


def test_an_election_cannot_be_in_the_future(world):
    with pytest.raises(ValidationError):
        elect_committee(SYSTEM, world.branch_a1, elected_on=TODAY + dt.timedelta(days=1))


def test_a_party_group_has_no_committee(world):
    group = branch(world.branch_a1, "第一党小组", kind=Organization.Kind.GROUP)
    with pytest.raises(ValidationError):
        elect_committee(SYSTEM, group, elected_on=TODAY)


def test_a_committee_has_one_secretary(world):
    with pytest.raises(ValidationError) as error:
        add_committee_member(SYSTEM, world.term_a, role=ROLE.SECRETARY, name="钱新")
    assert "already has a secretary" in str(error.value)
    add_committee_member(SYSTEM, world.term_a, role=ROLE.DEPUTY, name="钱新")


def test_a_seat_from_the_register_goes_on_the_members_timeline(world):
    person = member(world.branch_a1, name="孙立新")
    seat = add_committee_member(SYSTEM, world.term_a, role=ROLE.MEMBER, member=person, on=TODAY)
    assert seat.name == "孙立新"
    event = person.events.get(kind=MemberEvent.Kind.POST)
    assert event.summary == "Committee member of 中共湖滨社区委员会"


def test_probationary_members_and_members_elsewhere_cannot_be_elected(world):
    probationary = member(world.branch_a1, full=False)
    with pytest.raises(ValidationError) as error:
        add_committee_member(SYSTEM, world.term_a, role=ROLE.MEMBER, member=probationary)
    assert "Only full members" in str(error.value)
    in_b = member(world.branch_b1)
    with pytest.raises(ValidationError) as error:
        add_committee_member(SYSTEM, world.term_a, role=ROLE.MEMBER, member=in_b)
    assert "is not a member under" in str(error.value)


def test_removing_a_seat_keeps_it_as_a_former_seat(world):
    seat = world.term_a.seats.get(name="孙丽")
    remove_committee_member(SYSTEM, seat, on=TODAY, reason="moved away")
    seat.refresh_from_db()
    assert seat.ended_on == TODAY
    page = client_for(world.secretary_a).get(reverse("organizations:term", args=[world.term_a.pk]))
    assert "Former committee members" in page.content.decode()


def test_ending_a_term_closes_it_without_a_successor(world):
    end_term(SYSTEM, world.term_a, on=TODAY, reason="merged")
    world.term_a.refresh_from_db()
    assert world.term_a.ended_on == TODAY
    assert not world.committee_a.terms.filter(ended_on__isnull=True).exists()
    with pytest.raises(ValidationError):
        end_term(SYSTEM, world.term_a, on=TODAY)


def test_community_a_cannot_touch_community_bs_committee(world):
    with pytest.raises(Http404):
        elect_committee(world.secretary_a, world.committee_b, elected_on=TODAY)
    with pytest.raises(Http404):
        add_committee_member(world.secretary_a, world.term_b, role=ROLE.MEMBER, name="x")
    with pytest.raises(Http404):
        remove_committee_member(world.secretary_a, world.seat_b)
    assert AuditEvent.objects.filter(
        action="organizations.remove_committee_member", outcome="failure"
    ).exists()


def test_the_secretary_records_an_election_on_the_page(world):
    client = client_for(world.secretary_a)
    response = client.post(
        reverse("organizations:elect", args=[world.branch_a2.pk]),
        {"elected_on": "2025-04-01", "name": "吴国华"},
    )
    term = Term.objects.get(organization=world.branch_a2)
    assert response.status_code == 302 and response["Location"] == term.get_absolute_url()
    detail = client.get(world.branch_a2.get_absolute_url()).content.decode()
    assert "吴国华" in detail and "2030-04-01" in detail


def test_a_seat_is_added_and_removed_on_the_term_page(world):
    client = client_for(world.secretary_a)
    url = reverse("organizations:seat-add", args=[world.term_a.pk])
    response = client.post(url, {"role": "deputy", "name": "周晓", "on": TODAY.isoformat()})
    assert response.status_code == 302
    seat = world.term_a.seats.get(name="周晓")
    client.post(reverse("organizations:seat-remove", args=[seat.pk]))
    seat.refresh_from_db()
    assert seat.ended_on == TODAY


# --- Elections due (换届提醒) ------------------------------------------------------------


def term_due_in(org: Organization, days: int) -> Term:
    """A term of ``org`` whose next election falls due ``days`` from today."""
    due = TODAY + dt.timedelta(days=days)
    elected = due.replace(year=due.year - 5)
    if add_years(elected, 5) != due:  # 29 February: shift by a day
        elected += dt.timedelta(days=1)
        due += dt.timedelta(days=1)
    term = elect_committee(SYSTEM, org, elected_on=elected)
    assert term.due_on == due
    return term


def due_names(user) -> str:
    return client_for(user).get(reverse("organizations:elections")).content.decode()


def test_a_term_due_in_90_days_is_listed_one_due_in_91_days_is_not(world):
    soon = term_due_in(world.branch_a1, 90)
    later = term_due_in(world.branch_a2, 91)
    page = due_names(world.secretary_a)
    assert world.branch_a1.name in page and "Due in 90 days" in page
    assert world.branch_a2.name not in page
    assert (soon.due_on - TODAY).days == 90 and (later.due_on - TODAY).days == 91


def test_an_overdue_term_is_listed_as_overdue(world):
    term_due_in(world.branch_a1, -3)
    page = due_names(world.secretary_a)
    assert "Overdue by 3 days" in page


def test_a_term_due_today_is_due_not_overdue(world):
    term_due_in(world.branch_a1, 0)
    assert "Due today" in due_names(world.secretary_a)


def test_the_warning_period_is_a_rule(world):
    Rule.objects.create(key="organizations.election_warning_days", region_code="", value=120)
    term_due_in(world.branch_a2, 100)
    assert world.branch_a2.name in due_names(world.secretary_a)


def test_a_secretary_sees_only_elections_due_in_their_community(world):
    term_due_in(world.branch_a1, 10)
    term_due_in(world.branch_b1, 10)
    page = due_names(world.secretary_a)
    assert world.branch_a1.name in page and world.branch_b1.name not in page
    both = due_names(world.town_admin)
    assert world.branch_a1.name in both and world.branch_b1.name in both


def test_the_elections_due_filter_tells_overdue_from_soon(world):
    term_due_in(world.branch_a1, -1)
    term_due_in(world.branch_a2, 1)
    client = client_for(world.secretary_a)
    overdue = client.get(reverse("organizations:elections"), {"state": "overdue"})
    text = overdue.content.decode()
    assert world.branch_a1.name in text and world.branch_a2.name not in text
