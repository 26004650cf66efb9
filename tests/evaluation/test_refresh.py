"""The participant list follows the branch until the vote: members who join are added, those
who leave stop taking part, and what was entered stays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cunju.core.models import AuditEvent
from cunju.core.system import SYSTEM
from cunju.evaluation import actions
from cunju.evaluation.forms import PeerReviewForm
from cunju.evaluation.models import Grade, Stage
from cunju.members.actions import change_status, move_member, register_member
from cunju.members.models import MemberEvent, MemberStatus
from cunju.organizations.actions import create_organization
from cunju.organizations.models import Organization
from tests.evaluation.world import full_member
from tests.world import client_for

TODAY = dt.date.today()
OPENED = TODAY - dt.timedelta(days=20)


def branch_of(world, name: str) -> Organization:
    return create_organization(
        SYSTEM,
        parent=world.committee_a,
        kind=Organization.Kind.BRANCH,
        category=Organization.Category.VILLAGE,
        name=name,
        place=world.village_a,
    )


@pytest.fixture
def roster(world):
    """A round opened 20 days ago among 孙立, 钱芳, 李强 and 周文; since then 钱芳 died, 李强
    moved to another branch, and 王新 transferred in (admitted two years ago)."""
    branch = branch_of(world, "东村党支部")
    other = branch_of(world, "西村党支部")
    people = {name: full_member(branch, name) for name in ("孙立", "钱芳", "李强", "周文")}
    evaluation = actions.open_round(SYSTEM, branch=branch, year=OPENED.year, opened_on=OPENED)
    actions.enter_self_review(
        SYSTEM, evaluation.participants.get(member=people["钱芳"]), text="自评", on=OPENED
    )
    change_status(SYSTEM, people["钱芳"], status=MemberStatus.DECEASED, on=TODAY - dt.timedelta(3))
    move_member(SYSTEM, people["李强"], organization=other, on=TODAY - dt.timedelta(days=2))
    people["王新"] = register_member(
        SYSTEM,
        organization=branch,
        name="王新",
        sex="male",
        birth_date=dt.date(1990, 5, 5),
        admitted_on=TODAY - dt.timedelta(days=730),
        full_on=TODAY - dt.timedelta(days=365),
        education="bachelor",
        occupation="worker",
    )
    return evaluation, people, other


def by_name(evaluation):
    return {p.member.name: p for p in evaluation.participants.select_related("member")}


def test_refreshing_adds_joiners_and_sets_leavers_aside_keeping_their_records(roster):
    evaluation, people, other = roster
    changes = actions.refresh_participants(SYSTEM, evaluation)
    assert changes == {
        "added": ["王新"],
        "no_longer_taking_part": ["李强", "钱芳"],
        "taking_part_again": [],
    }
    p = by_name(evaluation)
    assert (p["王新"].takes_part, p["王新"].joined_on, p["王新"].is_graded) == (True, TODAY, True)
    assert (p["钱芳"].takes_part, p["钱芳"].left_on, p["钱芳"].left_reason) == (
        False,
        TODAY,
        "Deceased",
    )
    assert p["李强"].left_reason == f"moved to {other.name}"
    assert p["钱芳"].self_review.text == "自评", "what was entered stays"
    assert p["孙立"].takes_part and p["孙立"].joined_on is None
    event = AuditEvent.objects.filter(action="evaluation.refresh_participants").latest("id")
    assert event.changes["added"] == ["王新"]
    assert event.changes["no_longer_taking_part"] == ["李强", "钱芳"]


def test_refreshing_twice_changes_nothing_more(roster):
    evaluation, _people, _other = roster
    actions.refresh_participants(SYSTEM, evaluation)
    again = actions.refresh_participants(SYSTEM, evaluation)
    assert again == {"added": [], "no_longer_taking_part": [], "taking_part_again": []}
    assert evaluation.participants.count() == 5


def test_those_who_left_are_not_offered_as_reviewers(roster):
    evaluation, _people, _other = roster
    actions.refresh_participants(SYSTEM, evaluation)
    p = by_name(evaluation)
    form = PeerReviewForm(participant=p["孙立"])
    offered = [str(choice) for choice in form.fields["reviewer"].queryset]
    assert sorted(offered) == sorted(["周文", "王新"])
    refused = PeerReviewForm(
        {"reviewer": p["李强"].pk, "text": "……", "on": TODAY.isoformat()}, participant=p["孙立"]
    )
    assert not refused.is_valid() and "reviewer" in refused.errors


def test_those_who_left_are_out_of_the_vote_the_cap_and_the_close(roster):
    evaluation, _people, _other = roster
    actions.refresh_participants(SYSTEM, evaluation)
    p = by_name(evaluation)
    assert actions.cap_status(evaluation)["graded"] == 3  # 孙立, 周文, 王新
    actions.advance_round(SYSTEM, evaluation)
    actions.advance_round(SYSTEM, evaluation)
    assert evaluation.stage == Stage.VOTING
    with pytest.raises(ValidationError, match="no longer takes part"):
        actions.enter_tally(
            SYSTEM,
            p["李强"],
            excellent=0,
            qualified=3,
            basically_qualified=0,
            unqualified=0,
            on=TODAY,
        )
    for name in ("孙立", "周文", "王新"):
        actions.enter_tally(
            SYSTEM,
            p[name],
            excellent=0,
            qualified=3,
            basically_qualified=0,
            unqualified=0,
            on=TODAY,
        )
    actions.advance_round(SYSTEM, evaluation)  # no tally missing for those who left
    for name in ("孙立", "周文", "王新"):
        actions.grade_member(SYSTEM, p[name], grade=Grade.QUALIFIED, on=TODAY)
    actions.close_round(SYSTEM, evaluation, on=TODAY)
    assert not p["钱芳"].member.events.filter(kind=MemberEvent.Kind.EVALUATION).exists()
    assert p["王新"].member.events.filter(kind=MemberEvent.Kind.EVALUATION).exists()


def test_refreshing_is_refused_once_votes_are_in(roster):
    evaluation, _people, _other = roster
    actions.advance_round(SYSTEM, evaluation)
    actions.advance_round(SYSTEM, evaluation)
    first = evaluation.participants.get(member__name="孙立")
    actions.enter_tally(
        SYSTEM, first, excellent=1, qualified=2, basically_qualified=0, unqualified=0, on=TODAY
    )
    with pytest.raises(ValidationError, match="participants are fixed"):
        actions.refresh_participants(SYSTEM, evaluation)
    assert evaluation.participants.filter(takes_part=True).count() == 4
    failure = AuditEvent.objects.filter(action="evaluation.refresh_participants").latest("id")
    assert failure.outcome == AuditEvent.Outcome.FAILURE


def test_a_member_back_in_the_branch_takes_part_again(roster, world):
    evaluation, people, other = roster
    actions.refresh_participants(SYSTEM, evaluation)
    move_member(SYSTEM, people["李强"], organization=evaluation.branch, on=TODAY)
    changes = actions.refresh_participants(SYSTEM, evaluation)
    assert changes["taking_part_again"] == ["李强"]
    p = by_name(evaluation)["李强"]
    assert (p.takes_part, p.left_on, p.left_reason) == (True, None, "")


def test_the_refresh_date_is_checked(roster):
    evaluation, _people, _other = roster
    with pytest.raises(ValidationError, match="before the round opened"):
        actions.refresh_participants(SYSTEM, evaluation, on=OPENED - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="future"):
        actions.refresh_participants(SYSTEM, evaluation, on=TODAY + dt.timedelta(days=1))


def test_the_secretary_refreshes_on_the_round_page(world, roster):
    evaluation, _people, _other = roster
    client = client_for(world.secretary_a)
    page = client.get(evaluation.get_absolute_url()).content.decode()
    refresh = reverse("evaluation:refresh", args=[evaluation.pk])
    assert refresh in page
    response = client.post(refresh, follow=True)
    body = response.content.decode()
    assert "1 added, 2 no longer taking part" in body
    assert "No longer taking part" in body and "Deceased" in body
    assert client.get(refresh).status_code == 405
    assert client_for(world.secretary_b).post(refresh).status_code == 404


def test_the_excellent_cap_names_where_it_comes_from():
    from cunju.core.rules import RULES
    from cunju.evaluation import rules

    source = RULES[rules.EXCELLENT_SHARE].source
    assert "1/3" in source and "不含预备党员" in source
    assert "关于在党内开展民主评议党员的意见" not in source  # no such document
    assert "支部工作条例" in rules.EVALUATION_SOURCE
