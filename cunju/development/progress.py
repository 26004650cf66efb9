"""What comes next for a person in development, and when: the detail page and the to-do list.

A next step either has a deadline (the first talk, the half-yearly review, approval, the
decision when probation ends) or becomes possible from a date (naming a candidate a year
after becoming an activist). The to-do list shows deadlines within the due-soon window and
those already passed, and the votes that did not pass or were not approved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from . import rules
from .actions import ONE_DAY, add_months, current_notice, iso, pending_vote, value
from .models import (
    OPEN_STAGES,
    PREPARING_STAGES,
    Applicant,
    BranchVote,
    DevelopmentStep,
    Purpose,
    Stage,
)


@dataclass
class NextStep:
    applicant: Applicant
    label: str
    date: dt.date | None = None
    # True: must happen by ``date``; False: possible from ``date`` (or now when None).
    deadline: bool = False

    def state(self, today: dt.date, soon_days: int = 7) -> str:
        if self.date is None:
            return "open"
        if not self.deadline:
            return "possible" if self.date <= today else "waiting"
        if self.date < today:
            return "overdue"
        if self.date <= today + dt.timedelta(days=soon_days):
            return "due"
        return "scheduled"


def notice_step(applicant: Applicant, purpose: str, earliest: dt.date | None, label: str) -> list:
    """The notice to post, or the step it leads to, possible the day after it ends."""
    notice = current_notice(applicant, purpose)
    if notice is None:
        return [
            NextStep(
                applicant,
                _("Public notice: %(purpose)s") % {"purpose": Purpose(purpose).label},
                earliest,
            )
        ]
    after = notice.ends_on + ONE_DAY
    return [NextStep(applicant, label, max(after, earliest) if earliest else after)]


def approval_step(a: Applicant, held_on: dt.date, label: str, today: dt.date) -> NextStep:
    """Approval due within 3 months of the vote; after that, say how long special cases may
    take, and once that has passed too, that the committee's decision is to be recorded."""
    deadline = add_months(held_on, int(value(rules.APPROVAL_MONTHS, a, held_on)))
    last = add_months(held_on, int(value(rules.APPROVAL_MONTHS_SPECIAL, a, held_on)))
    if today > last:
        label = _(
            "%(step)s: the time for approval ran out on %(last)s; record the decision as not "
            "approved"
        ) % {"step": label, "last": iso(last)}
    elif today > deadline:
        label = _("%(step)s (late: only with a special reason, by %(last)s)") % {
            "step": label,
            "last": iso(last),
        }
    return NextStep(a, label, deadline, deadline=True)


def next_steps(applicant: Applicant, today: dt.date | None = None) -> list[NextStep]:
    """The steps open for ``applicant`` now, with the date each is due or becomes possible."""
    today = today or dt.date.today()
    a = applicant
    steps: list[NextStep] = []
    if a.stage == Stage.APPLICANT:
        if not a.first_talk_on:
            months = int(value(rules.FIRST_TALK_MONTHS, a, a.applied_on))
            steps.append(
                NextStep(a, _("First talk"), add_months(a.applied_on, months), deadline=True)
            )
        months = int(value(rules.MONTHS_TO_ACTIVIST, a, a.applied_on))
        earliest = max(add_months(a.applied_on, months), a.first_talk_on or a.applied_on)
        steps += notice_step(a, Purpose.ACTIVIST, earliest, _("Name an activist"))
    elif a.stage == Stage.ACTIVIST:
        months = int(value(rules.REVIEW_MONTHS, a, a.activist_on))
        since = a.last_review_on or a.activist_on
        steps.append(NextStep(a, _("Half-yearly review"), add_months(since, months), True))
        months = int(value(rules.ACTIVIST_MONTHS, a, a.activist_on))
        earliest = add_months(a.activist_on, months)
        steps += notice_step(a, Purpose.CANDIDATE, earliest, _("Name a development candidate"))
    elif a.stage in PREPARING_STAGES:
        kinds = set(a.steps.values_list("kind", flat=True))
        if DevelopmentStep.Kind.INTRODUCER not in kinds:
            steps.append(NextStep(a, _("Assign introducers")))
        review = (
            a.steps.filter(kind=DevelopmentStep.Kind.POLITICAL_REVIEW).order_by("-date").first()
        )
        if review is None:
            steps.append(NextStep(a, _("Political review")))
        else:
            steps.append(
                NextStep(a, _("Political review expires"), review.valid_until, deadline=True)
            )
        if DevelopmentStep.Kind.TRAINING not in kinds:
            steps.append(NextStep(a, _("Concentrated training")))
        steps += notice_step(a, Purpose.ADMISSION, None, _("Admission vote"))
    elif a.stage == Stage.AWAITING_APPROVAL:
        steps.append(approval_step(a, a.admission_vote_on, _("Approval of the admission"), today))
    elif a.stage == Stage.PROBATIONARY:
        vote = pending_vote(a)
        if vote is not None:
            steps.append(approval_step(a, vote.held_on, _("Approval of full membership"), today))
        else:
            steps.append(
                NextStep(
                    a,
                    _("Decision on full membership (probation ends)"),
                    a.probation_ends_on,
                    deadline=True,
                )
            )
    return steps


def setback(applicant: Applicant) -> BranchVote | None:
    """The person's latest vote when it did not pass or was not approved (what to act on)."""
    latest = applicant.votes.order_by("-held_on", "-id").first()
    if latest is None or not latest.is_setback:
        return None
    # An extension decided since answers a full membership that was not approved.
    since = latest.refused_on or latest.held_on
    if applicant.steps.filter(kind=DevelopmentStep.Kind.EXTENSION, date__gte=since).exists():
        return None
    return latest


@dataclass
class TodoList:
    overdue: list[NextStep]
    due: list[NextStep]
    notices: list[Any]
    # (person, vote): the latest vote did not pass or was not approved
    setbacks: list[tuple[Applicant, BranchVote]]


def todo_list(applicants: Any, notices: Any, today: dt.date | None = None) -> TodoList:
    """Deadlines passed and due within the window, and notices running on ``today``."""
    today = today or dt.date.today()
    overdue, due, setbacks = [], [], []
    for applicant in applicants.filter(stage__in=OPEN_STAGES).select_related("branch__place"):
        soon = int(value(rules.DUE_SOON_DAYS, applicant, today))
        vote = setback(applicant)
        if vote is not None:
            setbacks.append((applicant, vote))
        for step in next_steps(applicant, today):
            state = step.state(today, soon)
            if state == "overdue":
                overdue.append(step)
            elif state == "due":
                due.append(step)
    running = notices.filter(starts_on__lte=today, ends_on__gte=today).select_related(
        "applicant__branch"
    )
    return TodoList(
        overdue=sorted(overdue, key=lambda s: s.date),
        due=sorted(due, key=lambda s: s.date),
        notices=list(running.order_by("ends_on")),
        setbacks=sorted(setbacks, key=lambda pair: pair[1].refused_on or pair[1].held_on),
    )
