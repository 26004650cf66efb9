"""Demo evaluation: last year's closed round in every branch, this year's open in one.

Last year's rounds run from 10 to 28 December with self-reviews, peer reviews, the vote and
grades within the excellent cap; this year's round in the first branch is at peer review.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cunju.core.system import SYSTEM

from . import actions
from .models import EvaluationRound, Grade, Participant, Stage

SELF_REVIEWS = [
    "本年度认真学习党的理论，按时参加三会一课，按月交纳党费。不足是理论学习还不够系统，"
    "今后要多读原著。",
    "积极参加村里的环境整治和志愿服务，带头遵守村规民约。有时工作忙，参加组织生活不够准时，"
    "今后注意改进。",
    "按时参加主题党日活动，帮助邻里解决实际困难。与支部联系不够经常，今后主动汇报思想。",
    "参与调解邻里纠纷，协助做好人居环境整治。参加集体学习有时请假，今后尽量不缺席。",
    "围绕合作社发展出主意，带动周边农户增收。批评与自我批评方面还放不开，今后要敢于红脸出汗。",
]
PEER_REVIEWS = [
    "工作踏实，群众口碑好，建议加强政策学习。",
    "带头作用明显，在防汛中冲在前面。",
    "组织生活参加不够经常，希望多关心支部工作。",
    "热心公益，经常帮助困难群众。",
    "学习认真，发言有见地，可以多承担一些任务。",
]


def _reviews(rng: Any, evaluation: EvaluationRound, on: dt.date) -> None:
    participants = list(evaluation.participants.order_by("id"))
    for participant in participants:
        if rng.random() < 0.8:
            actions.enter_self_review(SYSTEM, participant, text=rng.choice(SELF_REVIEWS), on=on)
    if evaluation.stage == Stage.SELF_REVIEW:
        actions.advance_round(SYSTEM, evaluation)
    if len(participants) < 2:
        return
    for participant in participants:
        if rng.random() < 0.6:
            reviewer = rng.choice([p for p in participants if p.pk != participant.pk])
            actions.enter_peer_review(
                SYSTEM, participant, reviewer=reviewer, text=rng.choice(PEER_REVIEWS), on=on
            )


def _vote_and_grade(rng: Any, evaluation: EvaluationRound, year: int) -> None:
    actions.advance_round(SYSTEM, evaluation)  # to the vote
    graded = list(evaluation.participants.filter(is_graded=True).order_by("id"))
    voters = evaluation.participants.count()
    allowed = actions.cap_status(evaluation)["allowed"]
    excellent = set(p.pk for p in rng.sample(graded, rng.randint(allowed // 2, allowed)))
    weak = {p.pk for p in graded if p.pk not in excellent and rng.random() < 0.06}
    grades: dict[int, str] = {}
    for participant in graded:
        if participant.pk in excellent:
            top = rng.randint(voters // 2 + 1, voters)
            counts = {"excellent": top, "qualified": voters - top}
            grades[participant.pk] = Grade.EXCELLENT
        elif participant.pk in weak:
            low = rng.randint(voters // 2 + 1, voters)
            counts = {"basically_qualified": low, "qualified": voters - low}
            grades[participant.pk] = Grade.BASICALLY_QUALIFIED
        else:
            some = rng.randint(0, voters // 3)
            counts = {"excellent": some, "qualified": voters - some}
            grades[participant.pk] = Grade.QUALIFIED
        actions.enter_tally(
            SYSTEM,
            participant,
            excellent=counts.get("excellent", 0),
            qualified=counts.get("qualified", 0),
            basically_qualified=counts.get("basically_qualified", 0),
            unqualified=0,
            on=dt.date(year, 12, 18),
        )
    actions.advance_round(SYSTEM, evaluation)  # to grading
    for participant in graded:
        actions.grade_member(
            SYSTEM, participant, grade=grades[participant.pk], on=dt.date(year, 12, 22)
        )


def load(world: dict[str, Any]) -> str:
    rng = world["random"]
    today = dt.date.today()
    last_year = today.year - 1
    closed = graded = 0
    for branch in world.get("branches", []):
        opened_on = dt.date(last_year, 12, 10)
        if not actions.members_on(branch, opened_on):
            continue
        evaluation = actions.open_round(SYSTEM, branch=branch, year=last_year, opened_on=opened_on)
        _reviews(rng, evaluation, dt.date(last_year, 12, 12))
        _vote_and_grade(rng, evaluation, last_year)
        actions.close_round(SYSTEM, evaluation, on=dt.date(last_year, 12, 28))
        closed += 1
        graded += evaluation.participants.filter(is_graded=True).count()
    open_in = ""
    branches = [b for b in world.get("branches", []) if actions.members_on(b, today)]
    if branches:
        branch = branches[0]
        opened_on = max(dt.date(today.year, 1, 1), today - dt.timedelta(days=10))
        if actions.members_on(branch, opened_on):
            evaluation = actions.open_round(
                SYSTEM, branch=branch, year=today.year, opened_on=opened_on
            )
            _reviews(rng, evaluation, opened_on)
            open_in = branch.name
    excellent = Participant.objects.filter(grade=Grade.EXCELLENT).count()
    summary = (
        f"evaluation: {closed} closed rounds of {last_year} "
        f"({graded} graded, {excellent} excellent)"
    )
    if open_in:
        summary += f", {today.year} round open in {open_in}"
    return summary
