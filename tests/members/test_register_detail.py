"""A member's file: masked numbers, the dated timeline, posts, awards, difficulties, family."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from cunju.core.models import AuditEvent
from cunju.core.system import SYSTEM
from cunju.members.actions import (
    add_commendation,
    add_difficulty,
    add_family_member,
    add_post,
    end_difficulty,
    end_post,
    remove_family_member,
)
from cunju.members.models import Commendation, Difficulty, FamilyMember, MemberEvent, Post
from tests.world import client_for

TODAY = dt.date.today()


def detail(user, member):
    return client_for(user).get(reverse("members:detail", args=[member.pk]))


def timeline(member) -> list[tuple[dt.date, str]]:
    return list(member.events.values_list("date", "kind"))


def test_the_file_shows_masked_numbers_and_a_show_button(world):
    member = world.member_in_a
    body = detail(world.secretary_a, member).content.decode()
    assert member.id_number.masked in body and member.id_number.reveal() not in body
    assert "139****0011" in body and "13912340011" not in body
    assert reverse("core:reveal", args=["members.member", member.pk, "id_number"]) in body
    # A clerk may read the file but not reveal numbers: no button.
    clerk = detail(world.clerk_a, member).content.decode()
    assert "core/reveal" not in clerk and member.id_number.masked in clerk


def test_revealing_a_members_number_is_allowed_and_audited(world):
    member = world.member_in_a
    url = reverse("core:reveal", args=["members.member", member.pk, "phone"])
    response = client_for(world.secretary_a).post(url)
    assert "13912340011" in response.content.decode()
    assert AuditEvent.objects.filter(
        action="core.reveal_personal_data", object_id=str(member.pk), username="secretary-a"
    ).exists()
    assert client_for(world.clerk_a).post(url).status_code == 403
    other = reverse("core:reveal", args=["members.member", world.member_in_b.pk, "phone"])
    assert client_for(world.secretary_a).post(other).status_code == 404


def test_the_file_shows_standing_dates_and_organization(world):
    member = world.member_in_a
    response = detail(world.secretary_a, member)
    body = response.content.decode()
    assert response.context["standing"] == member.party_standing()
    assert "1995-07-01" in body and "1996-07-01" in body
    assert world.branch_a1.name in body


def test_the_timeline_lists_everything_newest_first(world):
    member = world.member_in_a
    add_commendation(SYSTEM, member, kind="award", date=dt.date(2021, 7, 1), title="优秀共产党员")
    add_post(SYSTEM, member, title="支部书记", started_on=dt.date(2005, 3, 1))
    events = detail(world.secretary_a, member).context["events"]
    dates = [e.date for e in events]
    assert dates == sorted(dates, reverse=True)
    assert dates[-2:] == [dt.date(1996, 7, 1), dt.date(1995, 7, 1)]
    body = detail(world.secretary_a, member).content.decode()
    body = body[body.index('id="timeline"') : body.index('id="posts"')]
    order = [body.index(text) for text in ("2021-07-01", "2005-03-01", "1996-07-01", "1995-07-01")]
    assert order == sorted(order)


def test_a_post_and_its_end_are_on_the_timeline(world):
    member = world.member_in_a
    post = add_post(
        SYSTEM,
        member,
        title="组织委员",
        organization=world.branch_a1,
        started_on=dt.date(2018, 1, 10),
    )
    assert (dt.date(2018, 1, 10), MemberEvent.Kind.POST) in timeline(member)
    end_post(SYSTEM, post, on=dt.date(2023, 1, 9))
    post.refresh_from_db()
    assert post.ended_on == dt.date(2023, 1, 9)
    summaries = member.events.filter(kind=MemberEvent.Kind.POST).values_list("summary", flat=True)
    assert any("组织委员" in s and "Left" in s for s in summaries)
    with pytest.raises(ValidationError, match="already ended"):
        end_post(SYSTEM, post, on=dt.date(2023, 2, 1))


@pytest.mark.parametrize(
    ("started_on", "ended_on", "field"),
    [
        (TODAY + dt.timedelta(days=1), None, "started_on"),
        (dt.date(1969, 12, 31), None, "started_on"),  # before birth
        (dt.date(2020, 1, 2), dt.date(2020, 1, 1), "ended_on"),
    ],
)
def test_impossible_post_dates_are_refused(world, started_on, ended_on, field):
    with pytest.raises(ValidationError) as refused:
        add_post(SYSTEM, world.member_in_a, title="委员", started_on=started_on, ended_on=ended_on)
    assert field in refused.value.message_dict
    assert not Post.objects.filter(member=world.member_in_a).exists()


def test_a_post_ends_no_earlier_than_it_started(world):
    post = add_post(SYSTEM, world.member_in_a, title="委员", started_on=dt.date(2020, 1, 2))
    with pytest.raises(ValidationError):
        end_post(SYSTEM, post, on=dt.date(2020, 1, 1))
    end_post(SYSTEM, post, on=dt.date(2020, 1, 2))


@pytest.mark.parametrize(
    ("kind", "event_kind"),
    [("award", MemberEvent.Kind.AWARD), ("punishment", MemberEvent.Kind.PUNISHMENT)],
)
def test_awards_and_punishments_are_on_the_timeline(world, kind, event_kind):
    member = world.member_in_a
    add_commendation(
        SYSTEM, member, kind=kind, date=dt.date(2022, 6, 30), title="记录", issuer="湖滨社区党委"
    )
    event = member.events.get(kind=event_kind)
    assert event.date == dt.date(2022, 6, 30)
    assert "记录" in event.summary and "湖滨社区党委" in event.summary


def test_a_difficulty_and_its_end_are_on_the_timeline(world):
    member = world.member_in_a
    difficulty = add_difficulty(
        SYSTEM, member, kind=Difficulty.Kind.DISASTER, since=dt.date(2024, 7, 20), note="房屋受损"
    )
    with pytest.raises(ValidationError, match="already recorded"):
        add_difficulty(SYSTEM, member, kind=Difficulty.Kind.DISASTER, since=dt.date(2024, 8, 1))
    with pytest.raises(ValidationError, match="before it began"):
        end_difficulty(SYSTEM, difficulty, on=dt.date(2024, 7, 19))
    end_difficulty(SYSTEM, difficulty, on=dt.date(2025, 3, 1))
    entries = timeline(member)
    assert (dt.date(2024, 7, 20), MemberEvent.Kind.DIFFICULTY) in entries
    assert (dt.date(2025, 3, 1), MemberEvent.Kind.DIFFICULTY) in entries
    with pytest.raises(ValidationError, match="already over"):
        end_difficulty(SYSTEM, difficulty, on=dt.date(2025, 3, 2))


def test_family_members_are_added_and_removed_without_touching_the_timeline(world):
    member = world.member_in_a
    before = timeline(member)
    relative = add_family_member(SYSTEM, member, name="孙小明", relation="儿子")
    assert list(member.family.values_list("name", flat=True)) == ["孙小明"]
    with pytest.raises(ValidationError):
        add_family_member(SYSTEM, member, name="孙小红", relation=" ")
    remove_family_member(SYSTEM, relative)
    assert not member.family.exists()
    assert timeline(member) == before
    assert AuditEvent.objects.filter(action="members.remove_family_member").exists()


def test_the_add_forms_write_the_records_and_return_to_the_file(world):
    member = world.member_in_a
    client = client_for(world.secretary_a)
    file_url = reverse("members:detail", args=[member.pk])
    posts = [
        ("members:add_post", {"title": "宣传委员", "started_on": "2019-05-01"}),
        (
            "members:add_commendation",
            {"kind": "award", "date": "2020-07-01", "title": "优秀党务工作者"},
        ),
        ("members:add_difficulty", {"kind": "illness", "since": "2023-02-01"}),
        ("members:add_family_member", {"name": "李芳", "relation": "配偶"}),
    ]
    for name, data in posts:
        response = client.post(reverse(name, args=[member.pk]), data)
        assert (response.status_code, response["Location"]) == (302, file_url), name
    assert Post.objects.get(member=member).title == "宣传委员"
    assert Commendation.objects.get(member=member).title == "优秀党务工作者"
    difficulty = Difficulty.objects.get(member=member)
    relative = FamilyMember.objects.get(member=member)
    body = client.get(file_url).content.decode()
    for text in ("宣传委员", "优秀党务工作者", "李芳", "2023-02-01"):
        assert text in body

    post = Post.objects.get(member=member)
    assert (
        client.post(reverse("members:end_post", args=[post.pk]), {"on": "2024-05-01"})["Location"]
        == file_url
    )
    assert (
        client.post(reverse("members:end_difficulty", args=[difficulty.pk]), {"on": "2024-02-01"})[
            "Location"
        ]
        == file_url
    )
    assert (
        client.post(reverse("members:remove_family_member", args=[relative.pk])).status_code == 302
    )
    post.refresh_from_db()
    difficulty.refresh_from_db()
    assert (post.ended_on, difficulty.until) == (dt.date(2024, 5, 1), dt.date(2024, 2, 1))
    assert not FamilyMember.objects.filter(pk=relative.pk).exists()


def test_a_refused_record_shows_the_reason_on_the_form_and_saves_nothing(world):
    member = world.member_in_a
    response = client_for(world.secretary_a).post(
        reverse("members:add_post", args=[member.pk]),
        {"title": "委员", "started_on": "2020-01-02", "ended_on": "2020-01-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ended_on"] == ["The post cannot end before it starts."]
    assert not Post.objects.filter(member=member).exists()
    assert not member.events.filter(kind=MemberEvent.Kind.POST).exists()


def test_a_secretary_of_a_cannot_add_to_the_file_of_a_member_in_b(world):
    with pytest.raises(Http404):
        add_post(world.secretary_a, world.member_in_b, title="宣传委员", started_on=TODAY)
    assert not world.member_in_b.posts.filter(title="宣传委员").exists()
