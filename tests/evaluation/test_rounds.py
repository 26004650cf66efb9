"""Democratic evaluation (民主评议党员): the annual round from opening to closing."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.urls import reverse

from cunju.core.rules import RULES, Rule
from cunju.core.system import SYSTEM
from cunju.evaluation import actions
from cunju.evaluation.models import EvaluationRound, Grade, Participant, Stage
from cunju.evaluation.rules import excellent_cap
from cunju.members.actions import change_status
from cunju.members.models import MemberEvent, MemberStatus
from cunju.organizations.actions import create_organization
from cunju.organizations.models import Organization
from tests.evaluation.world import full_member, probationary_member
from tests.world import client_for

TODAY = dt.date.today()
NAMES = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"


def new_branch(w, name: str, *, full: int, probationary: int = 0) -> Organization:
    branch = create_organization(
        SYSTEM,
        parent=w.committee_a,
        kind=Organization.Kind.BRANCH,
        category=Organization.Category.VILLAGE,
        name=name,
        place=w.village_a,
    )
    for i in range(full):
        full_member(branch, f"党员{NAMES[i]}")
    for i in range(probationary):
        probationary_member(branch, f"预备{NAMES[i]}")
    return branch


@pytest.fixture
def round_a(world) -> EvaluationRound:
    """This year's round of a branch of community A: 孙立, 钱芳 and 李强 (full members) and
    吴悦 (probationary); three graded members allow one excellent."""
    branch = create_organization(
        SYSTEM,
        parent=world.committee_a,
        kind=Organization.Kind.BRANCH,
        category=Organization.Category.RESIDENTIAL,
        name="湖滨花苑第二党支部",
        place=world.area_a,
    )
    for name in ("孙立", "钱芳", "李强"):
        full_member(branch, name)
    probationary_member(branch, "吴悦")
    return open_now(branch)


def at_grading(evaluation: EvaluationRound, on: dt.date = TODAY) -> EvaluationRound:
    """Walk a round through the steps, every graded member tallied "qualified"."""
    while evaluation.stage != Stage.VOTING:
        actions.advance_round(SYSTEM, evaluation)
    for participant in evaluation.participants.filter(is_graded=True):
        actions.enter_tally(
            SYSTEM,
            participant,
            excellent=1,
            qualified=8,
            basically_qualified=0,
            unqualified=0,
            on=on,
        )
    return actions.advance_round(SYSTEM, evaluation)


def open_now(branch: Organization, year: int = TODAY.year) -> EvaluationRound:
    return actions.open_round(SYSTEM, branch=branch, year=year, opened_on=TODAY)


def grade_excellent(evaluation: EvaluationRound, count: int) -> list[Participant]:
    graded = list(evaluation.participants.filter(is_graded=True).order_by("id"))
    for participant in graded[:count]:
        actions.grade_member(SYSTEM, participant, grade=Grade.EXCELLENT, on=TODAY)
    return graded


# --- Opening: who takes part --------------------------------------------------------------


def test_full_and_probationary_members_take_part_but_only_full_members_are_graded(world, round_a):
    evaluation = round_a
    taking_part = {p.member.name: p.is_graded for p in evaluation.participants.all()}
    assert taking_part["孙立"] is True
    assert taking_part["钱芳"] is True
    assert taking_part["吴悦"] is False  # probationary
    assert evaluation.stage == Stage.SELF_REVIEW


def test_suspended_left_and_deceased_members_are_not_part_of_the_round(world):
    branch = new_branch(world, "测试一支部", full=4)
    suspended, left, deceased, stays = branch.members.order_by("id")
    change_status(SYSTEM, suspended, status=MemberStatus.SUSPENDED, on=TODAY)
    change_status(SYSTEM, left, status=MemberStatus.LEFT, on=TODAY)
    change_status(SYSTEM, deceased, status=MemberStatus.DECEASED, on=TODAY)
    evaluation = open_now(branch)
    assert [p.member for p in evaluation.participants.all()] == [stays]


def test_the_members_are_those_of_the_branch_on_the_day_the_round_opens(world):
    branch = new_branch(world, "测试二支部", full=2)
    earlier, member = branch.members.order_by("id")
    # Left the Party after last year's round opened: took part then, not now.
    change_status(SYSTEM, member, status=MemberStatus.LEFT, on=TODAY)
    last_year = actions.open_round(
        SYSTEM, branch=branch, year=TODAY.year - 1, opened_on=dt.date(TODAY.year - 1, 12, 1)
    )
    this_year = open_now(branch)
    assert set(last_year.participants.values_list("member", flat=True)) == {earlier.pk, member.pk}
    assert set(this_year.participants.values_list("member", flat=True)) == {earlier.pk}


def test_one_round_per_branch_per_year(world):
    with pytest.raises(ValidationError) as refused:
        open_now(world.branch_a1)
    assert "one democratic evaluation a year" in str(refused.value)
    # Last year's round, held late, is another round.
    last_year = actions.open_round(
        SYSTEM, branch=world.branch_a1, year=TODAY.year - 1, opened_on=TODAY
    )
    assert last_year.year == TODAY.year - 1
    with pytest.raises(IntegrityError):
        EvaluationRound.objects.create(branch=world.branch_a1, year=TODAY.year, opened_on=TODAY)


def test_a_round_opens_in_its_year_or_the_year_after_never_in_the_future(world):
    branch = new_branch(world, "测试三支部", full=2)
    with pytest.raises(ValidationError, match="future"):
        actions.open_round(
            SYSTEM, branch=branch, year=TODAY.year, opened_on=TODAY + dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="early in the year after"):
        actions.open_round(SYSTEM, branch=branch, year=TODAY.year - 2, opened_on=TODAY)
    with pytest.raises(ValidationError, match="early in the year after"):
        actions.open_round(SYSTEM, branch=branch, year=TODAY.year + 1, opened_on=TODAY)


def test_only_a_branch_with_members_holds_a_round(world):
    with pytest.raises(ValidationError, match="held by a Party branch"):
        actions.open_round(SYSTEM, branch=world.committee_a, year=TODAY.year, opened_on=TODAY)
    empty = new_branch(world, "测试空支部", full=0)
    with pytest.raises(ValidationError, match="no full or probationary members"):
        open_now(empty)


# --- Reviews and tallies ------------------------------------------------------------------


def test_self_review_then_peer_review_then_tallies_in_stage_order(world, round_a):
    evaluation = round_a
    sun, qian, wu = (evaluation.participants.get(member__name=n) for n in ("孙立", "钱芳", "吴悦"))
    actions.enter_self_review(SYSTEM, wu, text="认真学习，按时交纳党费。", on=TODAY)
    with pytest.raises(ValidationError, match="Peer review"):
        actions.enter_peer_review(SYSTEM, sun, reviewer=qian, text="带头参加志愿服务。", on=TODAY)
    actions.advance_round(SYSTEM, evaluation)
    # The probationary member reviews and is reviewed like everyone else.
    actions.enter_peer_review(SYSTEM, sun, reviewer=wu, text="带头参加志愿服务。", on=TODAY)
    actions.enter_peer_review(SYSTEM, wu, reviewer=qian, text="积极参加组织生活。", on=TODAY)
    with pytest.raises(ValidationError, match="self-review, not a peer review"):
        actions.enter_peer_review(SYSTEM, sun, reviewer=sun, text="……", on=TODAY)
    with pytest.raises(ValidationError, match="Vote tallies"):
        actions.enter_tally(
            SYSTEM, sun, excellent=3, qualified=0, basically_qualified=0, unqualified=0, on=TODAY
        )
    assert sun.peer_reviews.count() == 1
    assert wu.self_review.text == "认真学习，按时交纳党费。"


def test_a_second_peer_review_by_the_same_member_replaces_the_first(world, round_a):
    evaluation = round_a
    actions.advance_round(SYSTEM, evaluation)
    sun, qian = (evaluation.participants.get(member__name=n) for n in ("孙立", "钱芳"))
    actions.enter_peer_review(SYSTEM, sun, reviewer=qian, text="初稿", on=TODAY)
    actions.enter_peer_review(SYSTEM, sun, reviewer=qian, text="定稿", on=TODAY)
    assert list(sun.peer_reviews.values_list("text", flat=True)) == ["定稿"]


def test_the_proposed_grade_is_the_one_with_most_ballots_and_a_tie_proposes_nothing(world, round_a):
    evaluation = round_a
    actions.advance_round(SYSTEM, evaluation)
    actions.advance_round(SYSTEM, evaluation)
    sun, qian = (evaluation.participants.get(member__name=n) for n in ("孙立", "钱芳"))
    actions.enter_tally(
        SYSTEM, sun, excellent=5, qualified=4, basically_qualified=1, unqualified=0, on=TODAY
    )
    actions.enter_tally(
        SYSTEM, qian, excellent=4, qualified=4, basically_qualified=0, unqualified=1, on=TODAY
    )
    sun.refresh_from_db()
    qian.refresh_from_db()
    assert sun.proposed_grade == Grade.EXCELLENT
    assert sun.tally.ballots == 10
    assert qian.proposed_grade == ""


def test_tallies_are_counts_of_ballots(world, round_a):
    evaluation = round_a
    actions.advance_round(SYSTEM, evaluation)
    actions.advance_round(SYSTEM, evaluation)
    sun = evaluation.participants.get(member__name="孙立")
    with pytest.raises(ValidationError) as negative:
        actions.enter_tally(
            SYSTEM, sun, excellent=-1, qualified=5, basically_qualified=0, unqualified=0, on=TODAY
        )
    assert "excellent" in negative.value.error_dict
    with pytest.raises(ValidationError, match="every count is zero"):
        actions.enter_tally(
            SYSTEM, sun, excellent=0, qualified=0, basically_qualified=0, unqualified=0, on=TODAY
        )


def test_nobody_votes_on_a_probationary_member(world, round_a):
    evaluation = round_a
    actions.advance_round(SYSTEM, evaluation)
    actions.advance_round(SYSTEM, evaluation)
    wu = evaluation.participants.get(member__name="吴悦")
    with pytest.raises(ValidationError, match="not graded"):
        actions.enter_tally(
            SYSTEM, wu, excellent=3, qualified=0, basically_qualified=0, unqualified=0, on=TODAY
        )


def test_grading_starts_only_once_every_graded_member_has_a_tally(world, round_a):
    evaluation = round_a
    actions.advance_round(SYSTEM, evaluation)
    actions.advance_round(SYSTEM, evaluation)
    sun = evaluation.participants.get(member__name="孙立")
    actions.enter_tally(
        SYSTEM, sun, excellent=0, qualified=3, basically_qualified=0, unqualified=0, on=TODAY
    )
    with pytest.raises(ValidationError, match="李强、钱芳"):
        actions.advance_round(SYSTEM, evaluation)
    # The probationary member needs no tally.
    for name in ("钱芳", "李强"):
        actions.enter_tally(
            SYSTEM,
            evaluation.participants.get(member__name=name),
            excellent=0,
            qualified=3,
            basically_qualified=0,
            unqualified=0,
            on=TODAY,
        )
    assert actions.advance_round(SYSTEM, evaluation).stage == Stage.GRADING
    with pytest.raises(ValidationError, match="close it"):
        actions.advance_round(SYSTEM, evaluation)


# --- Grading and the excellent cap --------------------------------------------------------


@pytest.mark.parametrize(
    ("graded", "allowed"), [(2, 0), (3, 1), (8, 2), (9, 3), (10, 3), (11, 3), (12, 4)]
)
def test_the_excellent_cap_is_a_third_of_those_graded_rounded_down(graded, allowed):
    assert excellent_cap(graded, Fraction(RULES["evaluation.excellent_share"].default)) == allowed


@pytest.mark.parametrize("graded", [9, 10])
def test_three_excellent_are_allowed_and_a_fourth_refused(world, graded):
    branch = new_branch(world, f"测试{graded}人支部", full=graded, probationary=2)
    evaluation = at_grading(open_now(branch))
    members = grade_excellent(evaluation, 3)
    assert actions.cap_status(evaluation) == {
        "share": "1/3",
        "graded": graded,
        "allowed": 3,
        "excellent": 3,
    }
    with pytest.raises(ValidationError) as refused:
        actions.grade_member(SYSTEM, members[3], grade=Grade.EXCELLENT, on=TODAY)
    message = str(refused.value)
    assert "evaluation.excellent_share" in message
    assert f"with {graded} graded that is 3" in message
    # Re-grading one of the three as excellent again is no fourth.
    actions.grade_member(SYSTEM, members[0], grade=Grade.EXCELLENT, on=TODAY)
    # Freeing a place lets another member be excellent.
    actions.grade_member(SYSTEM, members[0], grade=Grade.QUALIFIED, on=TODAY)
    actions.grade_member(SYSTEM, members[3], grade=Grade.EXCELLENT, on=TODAY)
    assert evaluation.participants.filter(grade=Grade.EXCELLENT).count() == 3


def test_probationary_members_do_not_count_towards_the_cap(world):
    # 5 full members allow 1 excellent, however many probationary members take part.
    branch = new_branch(world, "测试预备支部", full=5, probationary=4)
    evaluation = at_grading(open_now(branch))
    members = grade_excellent(evaluation, 1)
    with pytest.raises(ValidationError, match="with 5 graded that is 1"):
        actions.grade_member(SYSTEM, members[1], grade=Grade.EXCELLENT, on=TODAY)


def test_an_admin_may_set_another_share_for_a_region(world):
    Rule.objects.create(key="evaluation.excellent_share", region_code="", value="1/2")
    branch = new_branch(world, "测试半数支部", full=4)
    evaluation = at_grading(open_now(branch))
    members = grade_excellent(evaluation, 2)
    with pytest.raises(ValidationError, match="with 4 graded that is 2"):
        actions.grade_member(SYSTEM, members[2], grade=Grade.EXCELLENT, on=TODAY)


def test_grading_a_probationary_member_is_refused(world):
    branch = new_branch(world, "测试四支部", full=3, probationary=1)
    evaluation = at_grading(open_now(branch))
    probationary = evaluation.participants.get(is_graded=False)
    for grade in Grade:
        with pytest.raises(ValidationError, match="not graded"):
            actions.grade_member(SYSTEM, probationary, grade=grade, on=TODAY)
    probationary.refresh_from_db()
    assert probationary.grade == ""


def test_grades_are_given_only_at_the_grading_stage(world, round_a):
    sun = round_a.participants.get(member__name="孙立")
    with pytest.raises(ValidationError, match="Grades can be entered"):
        actions.grade_member(SYSTEM, sun, grade=Grade.QUALIFIED, on=TODAY)


def test_the_committee_may_grade_otherwise_than_the_vote_proposes(world, round_a):
    evaluation = at_grading(round_a)
    sun = evaluation.participants.get(member__name="孙立")
    assert sun.proposed_grade == Grade.QUALIFIED
    actions.grade_member(
        SYSTEM, sun, grade=Grade.BASICALLY_QUALIFIED, on=TODAY, note="组织生活缺席较多"
    )
    sun.refresh_from_db()
    assert (sun.grade, sun.grade_note) == (Grade.BASICALLY_QUALIFIED, "组织生活缺席较多")


# --- Closing ------------------------------------------------------------------------------


def test_closing_is_refused_while_a_graded_member_lacks_a_grade(world, round_a):
    evaluation = round_a
    with pytest.raises(ValidationError, match="closes after grading"):
        actions.close_round(SYSTEM, evaluation, on=TODAY)
    at_grading(evaluation)
    sun, qian = (evaluation.participants.get(member__name=n) for n in ("孙立", "钱芳"))
    actions.grade_member(SYSTEM, sun, grade=Grade.EXCELLENT, on=TODAY)
    actions.grade_member(SYSTEM, qian, grade=Grade.QUALIFIED, on=TODAY)
    with pytest.raises(ValidationError, match="Grade 李强 before closing"):
        actions.close_round(SYSTEM, evaluation, on=TODAY)
    # The probationary member has no grade and holds nothing up.
    li = evaluation.participants.get(member__name="李强")
    actions.grade_member(SYSTEM, li, grade=Grade.QUALIFIED, on=TODAY)
    closed = actions.close_round(SYSTEM, evaluation, on=TODAY)
    assert (closed.stage, closed.closed_on) == (Stage.CLOSED, TODAY)


def test_closing_puts_each_result_on_the_members_timeline(world, round_a):
    evaluation = at_grading(round_a)
    sun, qian, wu = (evaluation.participants.get(member__name=n) for n in ("孙立", "钱芳", "吴悦"))
    actions.grade_member(SYSTEM, sun, grade=Grade.EXCELLENT, on=TODAY)
    actions.grade_member(SYSTEM, qian, grade=Grade.QUALIFIED, on=TODAY)
    li = evaluation.participants.get(member__name="李强")
    actions.grade_member(SYSTEM, li, grade=Grade.UNQUALIFIED, on=TODAY)
    assert not MemberEvent.objects.filter(kind=MemberEvent.Kind.EVALUATION).exists()
    actions.close_round(SYSTEM, evaluation, on=TODAY)
    entries = {
        e.member.name: e
        for e in MemberEvent.objects.filter(kind=MemberEvent.Kind.EVALUATION).select_related(
            "member"
        )
    }
    year = TODAY.year
    assert entries["孙立"].summary == f"Democratic evaluation {year}: Excellent"
    assert entries["钱芳"].summary == f"Democratic evaluation {year}: Qualified"
    assert entries["李强"].summary == f"Democratic evaluation {year}: Unqualified"
    assert entries["吴悦"].summary == (
        f"Democratic evaluation {year}: took part, not graded (probationary)"
    )
    assert entries["孙立"].date == TODAY
    assert entries["孙立"].data["grade"] == Grade.EXCELLENT


def test_a_closed_round_changes_no_more(world, round_a):
    evaluation = at_grading(round_a)
    for participant in evaluation.participants.filter(is_graded=True):
        actions.grade_member(SYSTEM, participant, grade=Grade.QUALIFIED, on=TODAY)
    actions.close_round(SYSTEM, evaluation, on=TODAY)
    sun = evaluation.participants.get(member__name="孙立")
    with pytest.raises(ValidationError, match="was closed on"):
        actions.grade_member(SYSTEM, sun, grade=Grade.EXCELLENT, on=TODAY)
    with pytest.raises(ValidationError, match="was closed on"):
        actions.enter_self_review(SYSTEM, sun, text="补交", on=TODAY)
    with pytest.raises(ValidationError, match="was closed on"):
        actions.close_round(SYSTEM, evaluation, on=TODAY)


def test_closing_dates_follow_the_round(world, round_a):
    evaluation = at_grading(round_a)
    for participant in evaluation.participants.filter(is_graded=True):
        actions.grade_member(SYSTEM, participant, grade=Grade.QUALIFIED, on=TODAY)
    with pytest.raises(ValidationError, match="future"):
        actions.close_round(SYSTEM, evaluation, on=TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="before the round opened"):
        actions.close_round(SYSTEM, evaluation, on=TODAY - dt.timedelta(days=1))


# --- Who may act --------------------------------------------------------------------------


def test_secretary_a_cannot_touch_community_b_and_a_member_cannot_act(world, round_a):
    with pytest.raises(Http404):
        actions.advance_round(world.secretary_a, world.evaluation_round_b)
    with pytest.raises(Http404):
        actions.open_round(world.secretary_a, branch=world.branch_b2, year=2020, opened_on=TODAY)
    with pytest.raises(PermissionDenied):
        actions.advance_round(world.member_a, round_a)
    assert world.evaluation_round_b.stage == Stage.SELF_REVIEW


# --- Pages --------------------------------------------------------------------------------


def test_the_list_shows_rounds_in_scope_by_year_and_branch(world):
    client = client_for(world.secretary_a)
    page = client.get(reverse("evaluation:list"), {"year": TODAY.year})
    body = page.content.decode()
    assert page.status_code == 200
    assert world.branch_a1.name in body
    assert world.branch_b1.name not in body
    assert len(client.get(reverse("evaluation:list"), {"year": 1999}).context["table"].rows) == 0
    by_branch = client.get(reverse("evaluation:list"), {"branch": world.branch_a2.pk})
    assert world.branch_a1.name not in by_branch.content.decode().split("<tbody")[-1]


def test_the_round_page_shows_participants_tallies_grades_and_the_cap(world, round_a):
    evaluation = at_grading(round_a)
    sun = evaluation.participants.get(member__name="孙立")
    actions.grade_member(SYSTEM, sun, grade=Grade.EXCELLENT, on=TODAY)
    page = client_for(world.secretary_a).get(evaluation.get_absolute_url())
    body = page.content.decode()
    for text in ("孙立", "钱芳", "吴悦", "(not graded)", "Excellent 1 / 1 allowed", "Grading"):
        assert text in body, text


def test_opening_a_round_through_the_page(world):
    branch = new_branch(world, "测试页面支部", full=3, probationary=1)
    client = client_for(world.secretary_a)
    response = client.post(
        reverse("evaluation:open"),
        {"branch": branch.pk, "year": TODAY.year, "opened_on": f"{TODAY:%Y-%m-%d}"},
    )
    evaluation = EvaluationRound.objects.get(branch=branch)
    assert response.status_code == 302
    assert response["Location"] == evaluation.get_absolute_url()
    assert evaluation.participants.count() == 4
    again = client.post(
        reverse("evaluation:open"),
        {"branch": branch.pk, "year": TODAY.year, "opened_on": f"{TODAY:%Y-%m-%d}"},
    )
    assert "one democratic evaluation a year" in again.content.decode()


def test_the_open_form_offers_only_branches_in_scope(world):
    form = client_for(world.secretary_a).get(reverse("evaluation:open")).context["form"]
    assert set(form.fields["branch"].queryset) == {world.branch_a1, world.branch_a2}


def test_grading_beyond_the_cap_through_the_page_shows_the_rule(world):
    branch = new_branch(world, "测试页面评定支部", full=3)
    evaluation = at_grading(open_now(branch))
    first, second, _third = evaluation.participants.order_by("id")
    client = client_for(world.secretary_a)
    url = reverse("evaluation:grade", args=[first.pk])
    ok = client.post(url, {"grade": "excellent", "on": f"{TODAY:%Y-%m-%d}"})
    assert ok.status_code == 302
    refused = client.post(
        reverse("evaluation:grade", args=[second.pk]),
        {"grade": "excellent", "on": f"{TODAY:%Y-%m-%d}"},
    )
    assert refused.status_code == 200
    assert "with 3 graded that is 1" in refused.content.decode()


def test_advancing_through_the_page_says_what_is_missing(world, round_a):
    evaluation = round_a
    client = client_for(world.secretary_a)
    url = reverse("evaluation:advance", args=[evaluation.pk])
    client.post(url)
    client.post(url)
    response = client.post(url, follow=True)
    assert "Enter the vote tally of" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.stage == Stage.VOTING


def test_closing_through_the_page_is_refused_until_graded(world, round_a):
    evaluation = at_grading(round_a)
    client = client_for(world.secretary_a)
    url = reverse("evaluation:close", args=[evaluation.pk])
    refused = client.post(url, {"on": f"{TODAY:%Y-%m-%d}"})
    assert refused.status_code == 200
    assert "before closing the round" in refused.content.decode()
