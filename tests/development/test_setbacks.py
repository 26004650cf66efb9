"""When the road does not go on: a branch vote that fails, a higher committee that does not
approve (审批不同意), approval that comes late, and probation decisions that need both the
branch general meeting and the higher committee (《中国共产党章程》第七条)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cunju.core.models import AuditEvent
from cunju.core.system import SYSTEM
from cunju.development import actions
from cunju.development.models import Applicant, DevelopmentStep, Purpose, Stage
from cunju.development.progress import next_steps, todo_list
from cunju.members.models import MemberEvent, MemberStatus
from tests.world import client_for

from .conftest import VOTE, probationary, ready_for_vote, voted

D = dt.date


def refusal(error) -> str:
    return " ".join(str(m) for m in error.value.messages)


# --- A branch vote that does not pass --------------------------------------------------------


def test_a_failed_vote_is_recorded_and_the_person_stays_a_candidate(road):
    a = ready_for_vote(road)
    vote = actions.record_vote(SYSTEM, a, held_on=VOTE, yes=2, no=3, abstain=0)
    a.refresh_from_db()
    assert (vote.passed, a.stage, a.admission_vote_on) == (False, Stage.CANDIDATE, None)
    event = AuditEvent.objects.filter(action="development.record_vote").latest("id")
    assert event.changes["passed"] is False
    assert event.object_repr == a.name


def test_after_a_failed_vote_the_branch_votes_again_after_a_fresh_notice(road):
    a = ready_for_vote(road)
    actions.record_vote(SYSTEM, a, held_on=VOTE, yes=2, no=3, abstain=0)
    # No waiting time, but the old notice announced the failed proposal: a new one first.
    with pytest.raises(ValidationError) as refused:
        actions.record_vote(SYSTEM, a, held_on=VOTE + dt.timedelta(days=1), yes=5, no=0, abstain=0)
    assert "did not pass or was not approved (2025-05-20)" in refusal(refused)
    assert "A public notice of 5 working days must run first" in refusal(refused)
    notice = actions.start_notice(SYSTEM, a, starts_on=D(2025, 5, 21))
    assert notice.ends_on == D(2025, 5, 27)  # Wed 21 … Tue 27: five working days
    with pytest.raises(ValidationError, match="runs until 2025-05-27; earliest 2025-05-28"):
        actions.record_vote(SYSTEM, a, held_on=D(2025, 5, 27), yes=5, no=0, abstain=0)
    again = actions.record_vote(SYSTEM, a, held_on=D(2025, 5, 28), yes=5, no=0, abstain=0)
    a.refresh_from_db()
    assert again.passed and a.stage == Stage.AWAITING_APPROVAL


def test_a_fresh_vote_checks_the_preparation_again_on_its_own_date(road):
    a = ready_for_vote(road)  # political review 2025-04-30, valid until 2026-04-29
    actions.record_vote(SYSTEM, a, held_on=VOTE, yes=1, no=4, abstain=0)
    actions.start_notice(SYSTEM, a, starts_on=D(2026, 4, 20))
    with pytest.raises(ValidationError, match="valid until 2026-04-29; record a new one"):
        actions.record_vote(SYSTEM, a, held_on=D(2026, 5, 6), yes=5, no=0, abstain=0)


def test_the_to_do_list_and_the_page_show_a_failed_vote(world, road):
    a = ready_for_vote(road)
    actions.record_vote(SYSTEM, a, held_on=VOTE, yes=2, no=3, abstain=0)
    todo = todo_list(Applicant.objects.filter(pk=a.pk), a.notices.none())
    assert [(p.pk, v.passed) for p, v in todo.setbacks] == [(a.pk, False)]
    labels = [s.label for s in next_steps(a)]
    assert "Public notice: Admission as probationary member" in labels
    page = client_for(world.secretary_a).get(reverse("development:detail", args=[a.pk]))
    body = page.content.decode()
    assert "did not pass: 2 yes of 5 entitled" in body
    assert "No regulation sets a waiting time" in body


# --- The higher committee does not approve ---------------------------------------------------


def test_a_refused_admission_is_recorded_with_reason_and_date(road):
    a = voted(road)
    vote = actions.refuse_approval(SYSTEM, a, on=D(2025, 6, 20), reason="考察不够充分")
    a.refresh_from_db()
    assert (vote.refused_on, vote.refusal_reason) == (D(2025, 6, 20), "考察不够充分")
    assert a.stage == Stage.NOT_APPROVED
    assert a.is_open and a.member is None and a.admission_vote_on is None
    step = a.steps.get(kind=DevelopmentStep.Kind.REFUSAL)
    assert (step.date, step.note) == (D(2025, 6, 20), "考察不够充分")
    event = AuditEvent.objects.filter(action="development.refuse").latest("id")
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.message == "考察不够充分"
    assert event.changes["stage"] == [Stage.AWAITING_APPROVAL, Stage.NOT_APPROVED]
    assert event.object_repr == a.name
    with pytest.raises(ValidationError, match="No branch vote awaits approval"):
        actions.approve(SYSTEM, a, on=D(2025, 6, 21))


def test_a_refusal_needs_a_reason_a_committee_and_a_sane_date(road, world):
    a = voted(road)
    with pytest.raises(ValidationError, match="reason"):
        actions.refuse_approval(SYSTEM, a, on=D(2025, 6, 20), reason="  ")
    with pytest.raises(ValidationError, match="before the vote"):
        actions.refuse_approval(SYSTEM, a, on=D(2025, 5, 19), reason="x")
    with pytest.raises(PermissionDenied):
        actions.refuse_approval(world.clerk_a, a, on=D(2025, 6, 20), reason="x")
    a.refresh_from_db()
    assert a.stage == Stage.AWAITING_APPROVAL
    failed = AuditEvent.objects.filter(action="development.refuse").latest("id")
    assert failed.outcome == AuditEvent.Outcome.FAILURE


def test_after_a_refusal_the_branch_prepares_afresh_and_may_be_approved(road):
    a = voted(road)
    actions.refuse_approval(SYSTEM, a, on=D(2025, 6, 20), reason="考察不够充分")
    a.refresh_from_db()
    # The candidate's steps stay open while not approved.
    actions.record_review(SYSTEM, a, on=D(2025, 7, 1))
    actions.record_training(SYSTEM, a, on=D(2025, 7, 2), hours=24)
    with pytest.raises(ValidationError, match=r"not approved \(2025-06-20\)"):
        actions.record_vote(SYSTEM, a, held_on=D(2025, 7, 10), yes=5, no=0, abstain=0)
    actions.start_notice(SYSTEM, a, starts_on=D(2025, 7, 1))
    vote = actions.record_vote(SYSTEM, a, held_on=D(2025, 7, 10), yes=4, no=1, abstain=0)
    a.refresh_from_db()
    assert vote.passed and a.stage == Stage.AWAITING_APPROVAL
    assert a.admission_vote_on == D(2025, 7, 10)
    actions.approve(SYSTEM, a, on=D(2025, 7, 20))
    a.refresh_from_db()
    assert a.stage == Stage.PROBATIONARY
    assert a.member.admitted_on == D(2025, 7, 10)
    assert a.probation_ends_on == D(2026, 7, 10)


def test_the_stage_list_and_to_do_list_show_a_refusal(world, road):
    a = voted(road)
    actions.refuse_approval(SYSTEM, a, on=D(2025, 6, 20), reason="考察不够充分")
    client = client_for(world.secretary_a)
    listing = client.get(reverse("development:list"), {"stage": Stage.NOT_APPROVED})
    assert a.name in listing.content.decode()
    todo = client.get(reverse("development:todo")).content.decode()
    assert "Votes not passed or not approved" in todo
    assert "not approved 2025-06-20: 考察不够充分" in todo
    detail = client.get(reverse("development:detail", args=[a.pk])).content.decode()
    assert "Admission not approved" in detail
    assert "did not approve the branch vote of 2025-05-20" in detail


def test_the_refusal_page_is_for_the_committee(world, road):
    a = voted(road)
    url = reverse("development:refuse", args=[a.pk])
    assert client_for(world.clerk_a).get(url).status_code == 403
    client = client_for(world.secretary_a)
    assert client.get(url).status_code == 200
    empty = client.post(url, {"on": "2025-06-20", "reason": ""})
    assert empty.status_code == 200
    a.refresh_from_db()
    assert a.stage == Stage.AWAITING_APPROVAL
    done = client.post(url, {"on": "2025-06-20", "reason": "材料不全"})
    assert done.status_code == 302
    a.refresh_from_db()
    assert a.stage == Stage.NOT_APPROVED


def test_full_membership_not_approved_keeps_the_member_probationary(road):
    a = probationary(road)
    actions.start_notice(SYSTEM, a, starts_on=D(2026, 5, 6))
    actions.record_vote(SYSTEM, a, held_on=D(2026, 5, 25), yes=5, no=0, abstain=0)
    actions.refuse_approval(SYSTEM, a, on=D(2026, 6, 10), reason="需继续考察")
    a.refresh_from_db()
    assert (a.stage, a.full_vote_on) == (Stage.PROBATIONARY, None)
    assert a.member.status == MemberStatus.PROBATIONARY
    assert a.member.events.filter(
        kind=MemberEvent.Kind.DEVELOPMENT, summary__contains="not approved"
    ).exists()
    # The branch may now extend the probation (decided by its meeting, approved above).
    actions.extend_probation(
        SYSTEM, a, meeting_on=D(2026, 6, 15), on=D(2026, 6, 30), months=6, reason="需继续考察"
    )
    a.refresh_from_db()
    assert a.probation_ends_on == D(2026, 11, 20)
    todo = todo_list(Applicant.objects.filter(pk=a.pk), a.notices.none(), D(2026, 7, 1))
    assert todo.setbacks == [], "the extension answered the refusal"


# --- Approval time (审批时间) ----------------------------------------------------------------


def test_the_to_do_list_tells_when_approval_is_late_and_when_its_time_ran_out(road):
    a = voted(road)  # vote 2025-05-20: due by 2025-08-20, special cases by 2025-11-20
    (on_time,) = next_steps(a, D(2025, 8, 20))
    assert (on_time.label, on_time.date) == ("Approval of the admission", D(2025, 8, 20))
    (late,) = next_steps(a, D(2025, 9, 1))
    assert "late: only with a special reason, by 2025-11-20" in late.label
    assert late.state(D(2025, 9, 1)) == "overdue"
    (lapsed,) = next_steps(a, D(2025, 11, 21))
    assert "ran out on 2025-11-20; record the decision as not approved" in lapsed.label


def test_after_six_months_approval_is_refused_and_the_refusal_recorded(road):
    a = voted(road)
    with pytest.raises(ValidationError) as refused:
        actions.approve(SYSTEM, a, on=D(2025, 11, 21), special_reason="换届")
    assert "record that it did not approve" in refusal(refused)
    actions.refuse_approval(SYSTEM, a, on=D(2025, 11, 21), reason="超过审批期限")
    a.refresh_from_db()
    assert a.stage == Stage.NOT_APPROVED


# --- Extending or cancelling a probation -----------------------------------------------------


def test_an_extension_is_approved_within_three_months_of_the_branch_meeting(road):
    a = probationary(road)  # probation ends 2026-05-20
    with pytest.raises(ValidationError, match="before the branch meeting"):
        actions.extend_probation(
            SYSTEM, a, meeting_on=D(2026, 5, 25), on=D(2026, 5, 24), months=6, reason="考察"
        )
    with pytest.raises(ValidationError) as refused:
        actions.extend_probation(
            SYSTEM, a, meeting_on=D(2026, 5, 25), on=D(2026, 8, 26), months=6, reason="考察"
        )
    assert "within 3 months of the branch meeting, by 2026-08-25" in refusal(refused)
    actions.extend_probation(
        SYSTEM,
        a,
        meeting_on=D(2026, 5, 25),
        on=D(2026, 8, 26),
        months=12,
        reason="考察",
        special_reason="党委换届",
    )
    a.refresh_from_db()
    assert a.probation_ends_on == D(2027, 5, 20), "counted from the end of the probation"
    step = a.steps.get(kind=DevelopmentStep.Kind.EXTENSION)
    assert (step.meeting_on, step.date, step.months) == (D(2026, 5, 25), D(2026, 8, 26), 12)


def test_extending_or_cancelling_is_for_the_committee_that_approves(road, world):
    a = probationary(road)
    with pytest.raises(PermissionDenied):
        actions.extend_probation(
            world.clerk_a, a, meeting_on=D(2026, 5, 25), on=D(2026, 6, 1), months=6, reason="x"
        )
    with pytest.raises(PermissionDenied):
        actions.cancel_probation(
            world.clerk_a, a, meeting_on=D(2026, 5, 25), on=D(2026, 6, 1), reason="x"
        )
    url = reverse("development:step", args=[a.pk, "extend"])
    assert client_for(world.clerk_a).get(url).status_code == 403
    page = client_for(world.clerk_a).get(reverse("development:detail", args=[a.pk]))
    assert url not in page.content.decode()
    assert client_for(world.secretary_a).get(url).status_code == 200


def test_a_cancellation_records_the_meeting_and_the_approval(road):
    a = probationary(road)
    actions.cancel_probation(
        SYSTEM, a, meeting_on=D(2026, 1, 10), on=D(2026, 2, 1), reason="不履行党员义务"
    )
    a.refresh_from_db()
    assert (a.stage, a.cancelled_on) == (Stage.CANCELLED, D(2026, 2, 1))
    assert a.member.status == MemberStatus.LEFT
    step = a.steps.get(kind=DevelopmentStep.Kind.CANCELLATION)
    assert step.meeting_on == D(2026, 1, 10)


def test_the_votes_table_says_who_decided(world, road):
    a = voted(road)
    actions.refuse_approval(SYSTEM, a, on=D(2025, 6, 20), reason="考察不够充分")
    assert a.votes.get().purpose == Purpose.ADMISSION
    body = (
        client_for(world.secretary_a)
        .get(reverse("development:detail", args=[a.pk]))
        .content.decode()
    )
    assert "not approved 2025-06-20" in body
