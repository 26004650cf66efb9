"""A seat on a committee is a post the member holds: their file lists it until the seat ends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cunju.core.models import AuditEvent
from cunju.core.system import SYSTEM
from cunju.members.actions import end_post
from cunju.members.models import MemberEvent, Post
from cunju.organizations.actions import (
    add_committee_member,
    elect_committee,
    end_term,
    remove_committee_member,
)
from cunju.organizations.models import CommitteeMember
from tests.organizations.people import member
from tests.world import client_for

ROLE = CommitteeMember.Role
TODAY = dt.date.today()
ELECTED = dt.date(2024, 3, 1)


def test_an_election_gives_each_member_from_the_register_a_post(world):
    secretary = member(world.branch_a1, name="吴建平")
    deputy = member(world.branch_a1, name="钱玉兰")
    term = elect_committee(
        SYSTEM,
        world.branch_a1,
        elected_on=ELECTED,
        seats=[
            {"role": ROLE.SECRETARY, "member": secretary},
            {"role": ROLE.DEPUTY, "member": deputy},
            {"role": ROLE.MEMBER, "name": "镇派干部"},  # not in the register: no post
        ],
    )
    posts = Post.objects.filter(seat__term=term).order_by("seat__id")
    assert [(p.member, p.title, p.organization, p.started_on, p.ended_on) for p in posts] == [
        (secretary, "书记", world.branch_a1, ELECTED, None),
        (deputy, "副书记", world.branch_a1, ELECTED, None),
    ]
    assert term.seats.count() == 3, "the seat from outside the register has no post"
    # One audit event for the election, counting the posts it opened with it.
    event = AuditEvent.objects.filter(action="organizations.elect_committee").latest("id")
    assert event.object_repr.startswith(world.branch_a1.name)


def test_titles_are_register_data_in_the_default_language(world):
    person = member(world.branch_a1)
    add_committee_member(SYSTEM, world.term_a, role=ROLE.MEMBER, member=person, on=TODAY)
    assert person.posts.get().title == "委员"


def test_a_by_election_opens_a_post_and_removing_the_seat_ends_it(world):
    person = member(world.branch_a1, name="孙立新")
    seat = add_committee_member(
        SYSTEM, world.term_a, role=ROLE.DEPUTY, member=person, on=TODAY - dt.timedelta(days=30)
    )
    post = seat.post
    assert (post.member, post.organization, post.ended_on) == (person, world.committee_a, None)

    remove_committee_member(SYSTEM, seat, on=TODAY - dt.timedelta(days=2), reason="调离")
    post.refresh_from_db()
    seat.refresh_from_db()
    assert post.ended_on == seat.ended_on == TODAY - dt.timedelta(days=2)
    left = person.events.filter(kind=MemberEvent.Kind.POST).order_by("date", "id").last()
    assert left.date == TODAY - dt.timedelta(days=2)
    assert left.summary == "Left the post of 中共湖滨社区委员会 副书记"


def test_a_new_election_ends_the_posts_of_the_old_term(world):
    old = member(world.branch_a1, name="老书记")
    new = member(world.branch_a1, name="新书记")
    first = elect_committee(
        SYSTEM, world.branch_a1, elected_on=ELECTED, seats=[{"role": ROLE.SECRETARY, "member": old}]
    )
    second_on = dt.date(2025, 3, 1)
    elect_committee(
        SYSTEM,
        world.branch_a1,
        elected_on=second_on,
        seats=[{"role": ROLE.SECRETARY, "member": new}],
    )
    assert old.posts.get().ended_on == second_on
    assert new.posts.get().ended_on is None
    assert not first.seats.filter(ended_on__isnull=True).exists()


def test_re_elected_members_hold_a_post_for_each_term(world):
    person = member(world.branch_a1, name="连任者")
    seat = [{"role": ROLE.SECRETARY, "member": person}]
    elect_committee(SYSTEM, world.branch_a1, elected_on=ELECTED, seats=seat)
    elect_committee(SYSTEM, world.branch_a1, elected_on=dt.date(2025, 3, 1), seats=seat)
    spans = list(person.posts.order_by("started_on").values_list("started_on", "ended_on"))
    assert spans == [(ELECTED, dt.date(2025, 3, 1)), (dt.date(2025, 3, 1), None)]


def test_ending_a_term_ends_its_posts(world):
    person = member(world.branch_a1)
    term = elect_committee(
        SYSTEM, world.branch_a1, elected_on=ELECTED, seats=[{"role": ROLE.MEMBER, "member": person}]
    )
    end_term(SYSTEM, term, on=dt.date(2025, 1, 31), reason="撤并")
    assert person.posts.get().ended_on == dt.date(2025, 1, 31)


def test_a_post_ended_by_hand_is_not_ended_again_with_the_term(world):
    person = member(world.branch_a1)
    term = elect_committee(
        SYSTEM, world.branch_a1, elected_on=ELECTED, seats=[{"role": ROLE.MEMBER, "member": person}]
    )
    seat = term.seats.get()
    remove_committee_member(SYSTEM, seat, on=dt.date(2024, 9, 1))
    end_term(SYSTEM, term, on=dt.date(2025, 1, 31))
    assert person.posts.get().ended_on == dt.date(2024, 9, 1)
    lefts = person.events.filter(kind=MemberEvent.Kind.POST, summary__startswith="Left")
    assert lefts.count() == 1


def test_a_seat_post_ends_with_the_seat_not_on_the_members_page(world):
    person = member(world.branch_a1)
    seat = add_committee_member(SYSTEM, world.term_a, role=ROLE.MEMBER, member=person, on=TODAY)
    with pytest.raises(ValidationError) as error:
        end_post(SYSTEM, seat.post, on=TODAY)
    assert "remove the member from the committee" in str(error.value)
    seat.post.refresh_from_db()
    assert seat.post.ended_on is None

    response = client_for(world.secretary_a).post(
        reverse("members:end_post", args=[seat.post.pk]), {"on": f"{TODAY:%Y-%m-%d}"}
    )
    assert response.status_code == 200
    assert "remove the member from the committee" in response.content.decode()


def test_the_members_page_lists_the_seat_as_a_post(world):
    person = member(world.branch_a1, name="周立群")
    add_committee_member(SYSTEM, world.term_a, role=ROLE.DEPUTY, member=person, on=TODAY)
    page = client_for(world.secretary_a, language="zh-hans").get(
        reverse("members:detail", args=[person.pk])
    )
    body = page.content.decode()
    assert "副书记" in body and "中共湖滨社区委员会" in body


def test_a_refused_seat_leaves_no_post(world):
    person = member(world.branch_a1)
    with pytest.raises(ValidationError):
        add_committee_member(SYSTEM, world.term_a, role=ROLE.SECRETARY, member=person, on=TODAY)
    assert not Post.objects.filter(member=person).exists()
