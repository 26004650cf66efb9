"""Demo people in development: every stage in the demo branches, dated relative to today.

Each person is walked through the same actions a secretary uses, so the dates obey the rules.
Some first talks, reviews and approvals fall due within the week, some are overdue, and a few
public notices are running today, so the to-do list has something in each section.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from cunju.core.idnumbers import compose_resident_id
from cunju.core.personal_data import ID_NUMBER, blind_index
from cunju.core.system import SYSTEM
from cunju.members.actions import register_member
from cunju.members.models import Education, Member, MemberStatus, Occupation
from cunju.organizations.models import Organization

from . import actions
from .models import Applicant, Stage

DAY = dt.timedelta(days=1)
AREA_CODE = "320506"
SURNAMES = "陈张王朱周沈顾陆徐吴钱金杨李刘黄孙胡林蒋姚施邹许曹潘范唐冯严秦俞马宋"
GIVEN = {
    "male": ["子轩", "浩然", "宇航", "俊杰", "文博", "晨阳", "家豪", "志远", "明轩", "振宇"],
    "female": ["欣怡", "梦婷", "雨萱", "诗涵", "佳怡", "思雨", "晓雯", "雅琪", "静怡", "婉清"],
}
EDUCATIONS = [Education.BACHELOR, Education.COLLEGE, Education.HIGH_SCHOOL]
OCCUPATIONS = [
    Occupation.FARMER,
    Occupation.WORKER,
    Occupation.COMMUNITY_WORKER,
    Occupation.SELF_EMPLOYED,
    Occupation.PROFESSIONAL,
]


class Walk:
    """Takes one person as far as the dates given; the earlier steps are derived from them."""

    def __init__(self, world: dict[str, Any], branch: Organization, helpers: list[Member]):
        self.rng = world["random"]
        self.branch = branch
        self.helpers = helpers
        self.today = dt.date.today()

    def person(self, applied_on: dt.date) -> Applicant:
        rng = self.rng
        sex = rng.choice(["male", "female"])
        born = dt.date(rng.randint(1986, 2003), rng.randint(1, 12), rng.randint(1, 28))
        born = min(born, actions.adult_on(applied_on, -18) - DAY * rng.randint(30, 900))
        name = rng.choice(SURNAMES) + rng.choice(GIVEN[sex])
        sequence = rng.randint(60, 99)
        number = compose_resident_id(AREA_CODE, born, sequence, sex)
        while Member.objects.filter(id_number_index=blind_index(ID_NUMBER, number)).exists():
            sequence = sequence + 1 if sequence < 99 else 60
            number = compose_resident_id(AREA_CODE, born, sequence, sex)
        return actions.register_applicant(
            SYSTEM,
            branch=self.branch,
            name=name,
            sex=sex,
            birth_date=born,
            applied_on=applied_on,
            education=rng.choice(EDUCATIONS),
            occupation=rng.choice(OCCUPATIONS),
            id_number=number,
            phone=f"15{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        )

    def notice_then(self, applicant: Applicant, step_on: dt.date) -> None:
        # 18 days cover five working days even across the Spring Festival.
        actions.start_notice(SYSTEM, applicant, starts_on=step_on - 18 * DAY)

    def activist(self, activist_on: dt.date, *, applied_on: dt.date | None = None) -> Applicant:
        applied_on = applied_on or activist_on - 60 * DAY
        a = self.person(applied_on)
        actions.record_first_talk(SYSTEM, a, on=applied_on + 8 * DAY, note="了解入党动机")
        self.notice_then(a, activist_on)
        contacts = self.helpers[: self.rng.randint(1, 2)]
        actions.name_activist(SYSTEM, a, on=activist_on, contacts=contacts)
        return a

    def reviews(self, a: Applicant, since: dt.date, until: dt.date) -> None:
        review = actions.add_months(since, 6)
        while review <= until:
            actions.record_review(SYSTEM, a, on=review, note="表现良好")
            review = actions.add_months(review, 6)

    def candidate(self, candidate_on: dt.date) -> Applicant:
        activist_on = actions.add_months(candidate_on, -12) - 10 * DAY
        a = self.activist(activist_on)
        self.reviews(a, activist_on, candidate_on)
        self.notice_then(a, candidate_on)
        actions.name_candidate(SYSTEM, a, on=candidate_on)
        return a

    def ready(self, vote_on: dt.date) -> Applicant:
        candidate_on = vote_on - 45 * DAY
        a = self.candidate(candidate_on)
        actions.assign_introducers(
            SYSTEM, a, on=candidate_on + 3 * DAY, introducers=self.helpers[:2]
        )
        actions.record_political_review(SYSTEM, a, on=candidate_on + 7 * DAY, note="政审合格")
        actions.record_training(SYSTEM, a, on=candidate_on + 14 * DAY, days=3, hours=24)
        self.notice_then(a, vote_on)
        return a

    def vote(self, a: Applicant, held_on: dt.date) -> None:
        entitled = actions.entitled_voters(self.branch, held_on)
        no = self.rng.randint(0, max(0, entitled // 5))
        actions.record_vote(SYSTEM, a, held_on=held_on, yes=entitled - no, no=no, abstain=0)

    def voted(self, vote_on: dt.date) -> Applicant:
        a = self.ready(vote_on)
        self.vote(a, vote_on)
        return a

    def probationary(self, vote_on: dt.date) -> Applicant:
        a = self.voted(vote_on)
        actions.approve(SYSTEM, a, on=vote_on + 25 * DAY)
        a.refresh_from_db()
        return a

    def full_voted(self, vote_on: dt.date) -> Applicant:
        a = self.probationary(vote_on)
        held_on = a.probation_ends_on + 3 * DAY
        self.notice_then(a, held_on)
        self.vote(a, held_on)
        return a


def profiles(today: dt.date) -> list[tuple[str, Callable[[Walk], Any]]]:
    """One way to stand on the road per entry; each branch gets a few of them."""
    months = actions.add_months
    return [
        ("talk due soon", lambda w: w.person(today - 26 * DAY)),
        ("talk overdue", lambda w: w.person(today - 40 * DAY)),
        (
            "activist notice running",
            lambda w: (
                a := w.person(today - 50 * DAY),
                actions.record_first_talk(SYSTEM, a, on=today - 40 * DAY),
                actions.start_notice(SYSTEM, a, starts_on=today - DAY),
            ),
        ),
        ("review due soon", lambda w: w.activist(months(today + 3 * DAY, -6))),
        ("review overdue", lambda w: w.activist(months(today - 20 * DAY, -6))),
        (
            "candidate notice running",
            lambda w: (
                a := w.activist(today - 400 * DAY),
                w.reviews(a, today - 400 * DAY, today - DAY),
                actions.start_notice(SYSTEM, a, starts_on=today - 2 * DAY),
            ),
        ),
        (
            "admission notice running",
            lambda w: (
                a := w.candidate(today - 60 * DAY),
                actions.assign_introducers(
                    SYSTEM, a, on=today - 50 * DAY, introducers=w.helpers[:2]
                ),
                actions.record_political_review(SYSTEM, a, on=today - 45 * DAY),
                actions.record_training(SYSTEM, a, on=today - 20 * DAY, days=3),
                actions.start_notice(SYSTEM, a, starts_on=today - 3 * DAY),
            ),
        ),
        ("candidate preparing", lambda w: w.candidate(today - 15 * DAY)),
        ("approval due soon", lambda w: w.voted(months(today + 4 * DAY, -3))),
        ("approval overdue", lambda w: w.voted(months(today - 10 * DAY, -3))),
        ("probation ends soon", lambda w: w.probationary(months(today + 5 * DAY, -12))),
        ("probation ended, no decision", lambda w: w.probationary(months(today - 15 * DAY, -12))),
        ("probationary", lambda w: w.probationary(today - 120 * DAY)),
        ("full membership voted", lambda w: w.full_voted(months(today - 40 * DAY, -12))),
        (
            "full member",
            lambda w: (
                a := w.full_voted(months(today - 200 * DAY, -12)),
                actions.approve(SYSTEM, a, on=a.probation_ends_on + 20 * DAY),
            ),
        ),
        (
            "probation extended",
            lambda w: (
                a := w.probationary(months(today - 60 * DAY, -12)),
                actions.extend_probation(
                    SYSTEM,
                    a,
                    meeting_on=a.probation_ends_on + 5 * DAY,
                    on=a.probation_ends_on + 20 * DAY,
                    months=6,
                    reason="需进一步考察",
                ),
            ),
        ),
    ]


def helpers_for(world: dict[str, Any], branch: Organization) -> list[Member]:
    """Full members of the branch who act as contacts and introducers (entered when missing)."""
    helpers = list(
        Member.objects.filter(organization=branch, status=MemberStatus.FULL, is_mobile=False)
        .exclude(full_on__gt=dt.date.today() - dt.timedelta(days=800))
        .order_by("id")[:4]
    )
    rng = world["random"]
    while len(helpers) < 3:
        born = dt.date(rng.randint(1955, 1975), rng.randint(1, 12), rng.randint(1, 28))
        sequence = 40 + len(helpers)
        helpers.append(
            register_member(
                SYSTEM,
                organization=branch,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN["male"]),
                sex="male",
                birth_date=born,
                admitted_on=dt.date(born.year + 25, 7, 1),
                full_on=dt.date(born.year + 26, 7, 1),
                status=MemberStatus.FULL,
                id_number=compose_resident_id("320507", born, sequence, "male"),
                education=Education.HIGH_SCHOOL,
                occupation=Occupation.FARMER,
            )
        )
    return helpers


def load(world: dict[str, Any]) -> str:
    today = dt.date.today()
    options = profiles(today)
    branches = [
        b
        for b in world["branches"]
        if b.kind == Organization.Kind.BRANCH and b.category != Organization.Category.RETIRED
    ]
    per_branch = 6
    for index, branch in enumerate(branches):
        walk = Walk(world, branch, helpers_for(world, branch))
        for k in range(per_branch):
            _label, build = options[(index * per_branch + k) % len(options)]
            build(walk)
    people = Applicant.objects.all()
    world["applicants"] = list(people)
    by_stage = {s: people.filter(stage=s).count() for s in Stage.values}
    shown = ", ".join(f"{count} {stage}" for stage, count in by_stage.items() if count)
    return f"development: {people.count()} people ({shown})"
