"""Every rule of member development at its boundary, and the message that names the rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from cunju.core.rules import Rule
from cunju.core.system import SYSTEM
from cunju.development import actions
from cunju.development.models import Purpose, Stage
from cunju.development.workdays import working_day_span
from cunju.members.actions import change_status
from cunju.members.models import Member, MemberStatus
from cunju.mobility.actions import issue_card, register_outflow

from .conftest import (
    D,
    full_member,
    new_applicant,
    probationary,
    ready_for_vote,
    to_activist,
    to_candidate,
    voted,
)


def refusal(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# --- Applicant -----------------------------------------------------------------------------


def test_an_applicant_of_17_is_refused_with_the_day_they_turn_18(road):
    with pytest.raises(ValidationError) as refused:
        new_applicant(road.branch, born=D(2006, 5, 10), applied_on=D(2024, 5, 9))
    assert "at least 18 years old" in refusal(refused)
    assert "earliest 2024-05-10" in refusal(refused)


def test_an_applicant_on_their_18th_birthday_is_received(road):
    a = new_applicant(road.branch, born=D(2006, 5, 10), applied_on=D(2024, 5, 10))
    assert a.stage == Stage.APPLICANT


def test_the_first_talk_on_the_last_day_of_the_month_is_on_time(road):
    # Received 1 April: the month runs to 1 May, the 30th day after.
    a = new_applicant(road.branch, applied_on=D(2026, 4, 1))
    actions.record_first_talk(SYSTEM, a, on=D(2026, 5, 1))
    a.refresh_from_db()
    assert a.first_talk_on == D(2026, 5, 1)


def test_a_first_talk_a_day_late_needs_the_reason(road):
    a = new_applicant(road.branch, applied_on=D(2026, 4, 1))
    with pytest.raises(ValidationError) as refused:
        actions.record_first_talk(SYSTEM, a, on=D(2026, 5, 2))
    assert "within 1 month(s) of the application, by 2026-05-01" in refusal(refused)
    actions.record_first_talk(SYSTEM, a, on=D(2026, 5, 2), late_reason="申请人外出务工")
    assert a.steps.get().note.endswith("申请人外出务工")


def test_an_activist_needs_the_first_talk_and_a_finished_notice(road):
    a = new_applicant(road.branch, applied_on=D(2024, 3, 1))
    with pytest.raises(ValidationError, match="first talk"):
        actions.name_activist(SYSTEM, a, on=D(2024, 4, 15), contacts=road.members[:1])
    actions.record_first_talk(SYSTEM, a, on=D(2024, 3, 5))
    with pytest.raises(ValidationError, match="public notice of 5 working days must run first"):
        actions.name_activist(SYSTEM, a, on=D(2024, 4, 15), contacts=road.members[:1])
    notice = actions.start_notice(SYSTEM, a, starts_on=D(2024, 4, 1))
    # Qingming 2024: 4–6 April off, Sunday 7 April worked.
    assert notice.ends_on == D(2024, 4, 8)
    with pytest.raises(ValidationError) as refused:
        actions.name_activist(SYSTEM, a, on=D(2024, 4, 8), contacts=road.members[:1])
    assert "runs until 2024-04-08; earliest 2024-04-09" in refusal(refused)
    actions.name_activist(SYSTEM, a, on=D(2024, 4, 9), contacts=road.members[:1])
    a.refresh_from_db()
    assert (a.stage, a.activist_on) == (Stage.ACTIVIST, D(2024, 4, 9))


def test_the_local_minimum_between_application_and_activist_is_a_rule(road):
    Rule.objects.create(key="development.months_application_to_activist", value=3)
    a = new_applicant(road.branch, applied_on=D(2024, 1, 10))
    actions.record_first_talk(SYSTEM, a, on=D(2024, 1, 20))
    actions.start_notice(SYSTEM, a, starts_on=D(2024, 3, 1))
    with pytest.raises(ValidationError) as refused:
        actions.name_activist(SYSTEM, a, on=D(2024, 4, 9), contacts=road.members[:1])
    assert "at least 3 month(s) after the application" in refusal(refused)
    assert "earliest 2024-04-10" in refusal(refused)
    actions.name_activist(SYSTEM, a, on=D(2024, 4, 10), contacts=road.members[:1])


@pytest.mark.parametrize("how_many", [0, 3])
def test_an_activist_has_one_or_two_cultivation_contacts(road, how_many):
    a = new_applicant(road.branch, applied_on=D(2024, 3, 1))
    actions.record_first_talk(SYSTEM, a, on=D(2024, 3, 5))
    actions.start_notice(SYSTEM, a, starts_on=D(2024, 4, 1))
    with pytest.raises(ValidationError, match="Assign 1 to 2 full members"):
        actions.name_activist(SYSTEM, a, on=D(2024, 4, 15), contacts=road.members[:how_many])
    actions.name_activist(SYSTEM, a, on=D(2024, 4, 15), contacts=road.members[:2])
    assert a.steps.filter(kind="contact").count() == 2


def test_a_probationary_member_cannot_be_a_cultivation_contact(road):
    a = new_applicant(road.branch, applied_on=D(2024, 3, 1))
    actions.record_first_talk(SYSTEM, a, on=D(2024, 3, 5))
    actions.start_notice(SYSTEM, a, starts_on=D(2024, 4, 1))
    other = probationary(road)
    with pytest.raises(ValidationError, match="is not a full member"):
        actions.name_activist(SYSTEM, a, on=D(2025, 8, 1), contacts=[other.member])


# --- Development candidate -----------------------------------------------------------------


def test_a_candidate_is_named_a_full_year_after_becoming_activist(road):
    a = to_activist(road, activist_on=D(2025, 3, 15))
    actions.start_notice(SYSTEM, a, starts_on=D(2026, 3, 2))
    with pytest.raises(ValidationError) as refused:
        actions.name_candidate(SYSTEM, a, on=D(2026, 3, 14))
    assert "after at least 12 months as an activist" in refusal(refused)
    assert "earliest 2026-03-15" in refusal(refused)
    actions.name_candidate(SYSTEM, a, on=D(2026, 3, 15))
    a.refresh_from_db()
    assert (a.stage, a.candidate_on) == (Stage.CANDIDATE, D(2026, 3, 15))


def test_a_candidate_has_two_introducers_who_are_full_members(road):
    a = to_candidate(road)
    with pytest.raises(ValidationError, match="2 full members as introducers"):
        actions.assign_introducers(SYSTEM, a, on=D(2025, 4, 20), introducers=road.members[:1])
    suspended = road.members[4]
    change_status(SYSTEM, suspended, status=MemberStatus.SUSPENDED, on=D(2025, 1, 1))
    suspended.refresh_from_db()
    with pytest.raises(ValidationError, match="高德明 is not a full member"):
        actions.assign_introducers(
            SYSTEM, a, on=D(2025, 4, 20), introducers=[road.members[0], suspended]
        )
    actions.assign_introducers(SYSTEM, a, on=D(2025, 4, 20), introducers=road.members[:2])


@pytest.mark.parametrize(
    ("days", "hours", "enough"),
    [(2, 23, False), (3, None, True), (None, 24, True), (2, 24, True), (3, 0, True)],
)
def test_training_lasts_three_days_or_24_class_hours(road, days, hours, enough):
    a = to_candidate(road)
    if enough:
        actions.record_training(SYSTEM, a, on=D(2025, 5, 9), days=days, hours=hours)
    else:
        with pytest.raises(ValidationError, match="at least 3 days or 24 class hours"):
            actions.record_training(SYSTEM, a, on=D(2025, 5, 9), days=days, hours=hours)


def test_the_political_review_is_valid_for_one_year(road):
    a = to_candidate(road)
    actions.assign_introducers(SYSTEM, a, on=D(2025, 4, 20), introducers=road.members[:2])
    review = actions.record_political_review(SYSTEM, a, on=D(2025, 1, 10))
    assert review.valid_until == D(2026, 1, 9)
    actions.record_training(SYSTEM, a, on=D(2025, 5, 9), days=3)
    actions.start_notice(SYSTEM, a, starts_on=D(2025, 12, 29))
    with pytest.raises(ValidationError, match="was valid until 2026-01-09; record a new one"):
        actions.record_vote(SYSTEM, a, held_on=D(2026, 1, 10), yes=5, no=0, abstain=0)
    vote = actions.record_vote(SYSTEM, a, held_on=D(2026, 1, 9), yes=5, no=0, abstain=0)
    assert vote.passed


def test_the_vote_waits_for_introducers_review_training_and_notice(road):
    a = to_candidate(road)
    steps = [
        ("Assign 2 introducers first", lambda: actions.assign_introducers(
            SYSTEM, a, on=D(2025, 4, 20), introducers=road.members[:2])),
        ("Record the political review first", lambda: actions.record_political_review(
            SYSTEM, a, on=D(2025, 4, 25))),
        ("Record the concentrated training first", lambda: actions.record_training(
            SYSTEM, a, on=D(2025, 5, 9), hours=24)),
        ("public notice of 5 working days", lambda: actions.start_notice(
            SYSTEM, a, starts_on=D(2025, 5, 6))),
    ]  # fmt: skip
    for missing, supply in steps:
        with pytest.raises(ValidationError, match=missing):
            actions.record_vote(SYSTEM, a, held_on=D(2025, 5, 20), yes=5, no=0, abstain=0)
        supply()
    assert actions.record_vote(SYSTEM, a, held_on=D(2025, 5, 20), yes=5, no=0, abstain=0).passed


# --- Public notices ------------------------------------------------------------------------


def test_a_notice_across_national_day_2026_counts_the_swapped_saturday():
    # 30 Sep works; 1–7 Oct are off; Saturday 10 Oct is a swapped workday; Sunday 11 is off.
    span = working_day_span(D(2026, 9, 30), 5)
    assert span.end == D(2026, 10, 12)
    assert not span.estimated


def test_a_notice_across_spring_festival_2026_skips_the_holiday_and_counts_its_saturday():
    # 2026: 15–23 Feb off; Saturday 14 Feb is a swapped workday: 12, 13, 14, 24, 25.
    assert working_day_span(D(2026, 2, 12), 5).end == D(2026, 2, 25)


def test_a_year_without_a_published_calendar_falls_back_to_weekdays_and_says_so(road):
    span = working_day_span(D(2027, 1, 4), 5)
    assert (span.end, span.estimated) == (D(2027, 1, 8), True)
    a = new_applicant(road.branch, applied_on=D(2026, 11, 1))
    notice = actions.start_notice(SYSTEM, a, starts_on=D(2026, 12, 28))
    assert notice.estimated
    assert notice.purpose == Purpose.ACTIVIST


def test_a_notice_for_the_same_step_does_not_overlap_the_running_one(road):
    a = new_applicant(road.branch, applied_on=D(2026, 9, 1))
    actions.start_notice(SYSTEM, a, starts_on=D(2026, 9, 30))
    with pytest.raises(ValidationError, match="may start from 2026-10-13"):
        actions.start_notice(SYSTEM, a, starts_on=D(2026, 10, 12))


# --- The admission vote --------------------------------------------------------------------


def test_entitled_voters_are_the_full_members_not_suspended_card_holders_included(road):
    on = D(2025, 5, 20)
    probationary(road)  # admitted at this vote: a probationary member has no vote
    assert actions.entitled_voters(road.branch, on) == 5
    change_status(SYSTEM, road.members[4], status=MemberStatus.SUSPENDED, on=D(2025, 1, 1))
    away = full_member(road.branch, "马远航")
    outflow = register_outflow(
        SYSTEM, member=away, place="上海市浦东新区", region_code="310115", away_since=D(2025, 2, 1)
    )
    issue_card(SYSTEM, outflow, number="HQ-2025-009", issued_on=D(2025, 2, 10))
    away_without_card = full_member(road.branch, "马近航")
    register_outflow(
        SYSTEM,
        member=away_without_card,
        place="无锡市",
        region_code="320205",
        away_since=D(2025, 3, 1),
    )
    full_member(road.branch, "新来人", full_on=D(2025, 6, 1))  # full only after the vote
    # Four not suspended, and both members away: a card holder votes at home, not where
    # the card lets them join organizational life.
    assert actions.entitled_voters(road.branch, on) == 6
    assert actions.entitled_voters(road.branch, D(2025, 2, 9)) == 6


@pytest.mark.parametrize(("yes", "passed"), [(3, False), (4, True)])
def test_the_vote_needs_more_than_half_of_the_entitled_not_of_those_present(road, yes, passed):
    full_member(road.branch, "第六人")  # six entitled: three is exactly half
    a = ready_for_vote(road)
    vote = actions.record_vote(SYSTEM, a, held_on=D(2025, 5, 20), yes=yes, no=0, abstain=0)
    assert (vote.entitled, vote.computed_entitled, vote.passed) == (6, 6, passed)
    a.refresh_from_db()
    assert a.stage == (Stage.AWAITING_APPROVAL if passed else Stage.CANDIDATE)


def test_the_user_may_correct_the_entitled_count(road):
    a = ready_for_vote(road)
    vote = actions.record_vote(
        SYSTEM, a, held_on=D(2025, 5, 20), yes=2, no=0, abstain=1, entitled=4
    )
    assert (vote.entitled, vote.computed_entitled, vote.passed) == (4, 5, False)


def test_more_votes_than_entitled_members_are_refused(road):
    a = ready_for_vote(road)
    with pytest.raises(ValidationError, match="6 votes are more than the 5 members"):
        actions.record_vote(SYSTEM, a, held_on=D(2025, 5, 20), yes=4, no=1, abstain=1)


# --- Approval ------------------------------------------------------------------------------


def test_approval_within_three_months_of_the_vote(road):
    a = voted(road)  # vote 2025-05-20
    actions.approve(SYSTEM, a, on=D(2025, 8, 20))
    a.refresh_from_db()
    assert a.stage == Stage.PROBATIONARY


def test_approval_after_three_months_needs_a_special_reason_and_stops_at_six(road):
    a = voted(road)
    with pytest.raises(ValidationError) as refused:
        actions.approve(SYSTEM, a, on=D(2025, 8, 21))
    assert "within 3 months of the vote, by 2025-08-20" in refusal(refused)
    with pytest.raises(ValidationError, match="at most 6 months after the vote, by 2025-11-20"):
        actions.approve(SYSTEM, a, on=D(2025, 11, 21), special_reason="党委换届")
    actions.approve(SYSTEM, a, on=D(2025, 11, 20), special_reason="党委换届")


def test_only_a_committee_may_approve(road, world):
    a = voted(road)
    with pytest.raises(PermissionDenied):
        actions.approve(world.clerk_a, a, on=D(2025, 6, 1))
    actions.approve(world.secretary_a, a, on=D(2025, 6, 1))


def test_admission_enters_a_probationary_member_admitted_on_the_vote_date(road):
    a = probationary(road)
    member = a.member
    assert member.status == MemberStatus.PROBATIONARY
    assert member.admitted_on == D(2025, 5, 20)
    assert member.organization == road.branch
    assert a.probation_ends_on == D(2026, 5, 20)
    assert member.party_standing() is None
    assert member.events.filter(kind="development").exists()


# --- Probation and full membership ---------------------------------------------------------


def full_notice_and_vote(a, vote_on: dt.date, yes: int = 5):
    actions.start_notice(SYSTEM, a, starts_on=vote_on - dt.timedelta(days=14))
    return actions.record_vote(SYSTEM, a, held_on=vote_on, yes=yes, no=0, abstain=0)


def test_full_membership_is_voted_when_probation_ends(road):
    a = probationary(road)
    actions.start_notice(SYSTEM, a, starts_on=D(2026, 5, 6))
    with pytest.raises(ValidationError, match="when the probation ends; earliest 2026-05-20"):
        actions.record_vote(SYSTEM, a, held_on=D(2026, 5, 19), yes=5, no=0, abstain=0)


def test_full_membership_makes_them_full_from_the_end_of_probation(road):
    a = probationary(road)
    # The new probationary member has no vote: still five entitled.
    vote = full_notice_and_vote(a, D(2026, 5, 25))
    assert (vote.purpose, vote.entitled, vote.passed) == (Purpose.FULL, 5, True)
    actions.approve(SYSTEM, a, on=D(2026, 6, 10))
    a.refresh_from_db()
    member = Member.objects.get(pk=a.member_id)
    assert a.stage == Stage.FULL
    assert member.status == MemberStatus.FULL
    assert member.full_on == a.full_on == D(2026, 5, 20)
    assert member.party_standing(on=D(2027, 5, 19)) == 0
    assert member.party_standing(on=D(2027, 5, 20)) == 1


@pytest.mark.parametrize("months", [5, 13])
def test_probation_is_extended_by_six_to_twelve_months(road, months):
    a = probationary(road)
    with pytest.raises(ValidationError, match="by 6 to 12 months"):
        actions.extend_probation(
            SYSTEM, a, meeting_on=D(2026, 5, 20), on=D(2026, 6, 1), months=months, reason="考察"
        )


def test_probation_is_extended_once_and_only_when_it_ends(road):
    a = probationary(road)
    with pytest.raises(ValidationError, match="earliest 2026-05-20"):
        actions.extend_probation(
            SYSTEM, a, meeting_on=D(2026, 5, 19), on=D(2026, 6, 1), months=6, reason="考察"
        )
    actions.extend_probation(
        SYSTEM, a, meeting_on=D(2026, 5, 20), on=D(2026, 6, 1), months=6, reason="需继续考察"
    )
    a.refresh_from_db()
    assert a.probation_ends_on == D(2026, 11, 20)
    assert a.member.events.filter(kind="probation_extended").exists()
    with pytest.raises(ValidationError, match="only once"):
        actions.extend_probation(
            SYSTEM, a, meeting_on=D(2026, 11, 20), on=D(2026, 11, 21), months=6, reason="再延"
        )


def test_cancelling_probation_takes_them_off_the_register(road):
    a = probationary(road)
    actions.cancel_probation(
        SYSTEM, a, meeting_on=D(2026, 5, 20), on=D(2026, 6, 1), reason="不具备党员条件"
    )
    a.refresh_from_db()
    assert a.stage == Stage.CANCELLED
    assert Member.objects.get(pk=a.member_id).status == MemberStatus.LEFT


# --- Scope ---------------------------------------------------------------------------------


def test_a_community_a_secretary_cannot_touch_community_b(world):
    with pytest.raises(Http404):
        actions.record_first_talk(world.secretary_a, world.applicant_b, on=dt.date.today())
    with pytest.raises(Http404):
        actions.register_applicant(
            world.secretary_a,
            branch=world.branch_b1,
            name="外人",
            sex="male",
            birth_date=D(1990, 1, 1),
            applied_on=D(2026, 1, 5),
            education="high_school",
            occupation="farmer",
        )


def test_a_contact_from_another_community_is_out_of_reach(road, world):
    a = new_applicant(road.branch, applied_on=D(2024, 3, 1))
    actions.record_first_talk(SYSTEM, a, on=D(2024, 3, 5))
    actions.start_notice(SYSTEM, a, starts_on=D(2024, 4, 1))
    outsider = full_member(world.branch_b1, "石外人")
    with pytest.raises(Http404):
        actions.name_activist(world.secretary_a, a, on=D(2024, 4, 15), contacts=[outsider])
