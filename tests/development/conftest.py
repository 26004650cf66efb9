"""A branch of our own for each test, its full members, and the road through development.

The dates are fixed and in the past, so every step is allowed "today" whenever the tests run.
"""

from __future__ import annotations

import datetime as dt
from itertools import count

import pytest

from cunju.core.idnumbers import compose_resident_id
from cunju.core.system import SYSTEM
from cunju.development import actions
from cunju.members.actions import register_member
from cunju.members.models import Education, MemberStatus, Occupation
from cunju.organizations.actions import create_organization
from cunju.organizations.models import Organization

D = dt.date
_sequence = count(1)
LONG_AGO = D(2010, 7, 1)
BORN = D(1998, 6, 1)
APPLIED = D(2024, 3, 1)
ACTIVIST = D(2024, 4, 15)
CANDIDATE = D(2025, 4, 15)
VOTE = D(2025, 5, 20)


def full_member(branch, name: str, *, full_on: D = LONG_AGO, **extra):
    born = D(1960, 1, 1) + dt.timedelta(days=(next(_sequence) % 300) * 30)
    return register_member(
        SYSTEM,
        organization=branch,
        name=name,
        sex="male",
        birth_date=born,
        admitted_on=full_on - dt.timedelta(days=366),
        full_on=full_on,
        status=MemberStatus.FULL,
        id_number=compose_resident_id("320509", born, 30, "male"),
        education=Education.HIGH_SCHOOL,
        occupation=Occupation.FARMER,
        **extra,
    )


def new_applicant(branch, *, applied_on: D, born: D = BORN, name: str = "周晓明"):
    return actions.register_applicant(
        SYSTEM,
        branch=branch,
        name=name,
        sex="male",
        birth_date=born,
        applied_on=applied_on,
        education=Education.BACHELOR,
        occupation=Occupation.WORKER,
    )


def to_activist(road, applied_on: D = APPLIED, activist_on: D = ACTIVIST):
    a = new_applicant(road.branch, applied_on=applied_on)
    actions.record_first_talk(SYSTEM, a, on=applied_on + dt.timedelta(days=10))
    actions.start_notice(SYSTEM, a, starts_on=activist_on - dt.timedelta(days=14))
    actions.name_activist(SYSTEM, a, on=activist_on, contacts=[road.members[0]])
    return a


def to_candidate(road, activist_on: D = ACTIVIST, candidate_on: D = CANDIDATE):
    a = to_activist(road, activist_on=activist_on)
    actions.start_notice(SYSTEM, a, starts_on=candidate_on - dt.timedelta(days=14))
    actions.name_candidate(SYSTEM, a, on=candidate_on)
    return a


def ready_for_vote(road, vote_on: D = VOTE):
    a = to_candidate(road)
    actions.assign_introducers(SYSTEM, a, on=D(2025, 4, 20), introducers=road.members[:2])
    actions.record_political_review(SYSTEM, a, on=vote_on - dt.timedelta(days=20))
    actions.record_training(SYSTEM, a, on=vote_on - dt.timedelta(days=11), days=3)
    actions.start_notice(SYSTEM, a, starts_on=vote_on - dt.timedelta(days=14))
    return a


def voted(road, vote_on: D = VOTE):
    a = ready_for_vote(road, vote_on)
    actions.record_vote(SYSTEM, a, held_on=vote_on, yes=5, no=0, abstain=0)
    return a


def probationary(road, vote_on: D = VOTE):
    a = voted(road, vote_on)
    actions.approve(SYSTEM, a, on=vote_on + dt.timedelta(days=30))
    a.refresh_from_db()
    return a


class Road:
    """A fresh branch in community A with five full members (the entitled voters)."""

    def __init__(self, world):
        self.world = world
        self.branch = create_organization(
            SYSTEM,
            parent=world.committee_a,
            kind=Organization.Kind.BRANCH,
            category=Organization.Category.VILLAGE,
            name="东港村党支部",
            place=world.village_a,
        )
        self.members = [
            full_member(self.branch, name)
            for name in ("陈立新", "黄建军", "何志强", "罗永福", "高德明")
        ]


@pytest.fixture
def road(world) -> Road:
    return Road(world)
