"""Evaluation in the shared world: this year's round in 新桥村党支部 (A) and 石舍村党支部 (B).

Both rounds are at self-review, with the members the register has in those branches today.
Tests that need a known roster open a round in a branch of their own (``test_rounds.py``).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from cunju.core.system import SYSTEM
from cunju.evaluation.actions import members_on, open_round
from cunju.members.actions import register_member
from cunju.members.models import Member, MemberStatus
from cunju.organizations.models import Organization

FULL_SINCE = dt.date(2012, 7, 1)


def full_member(branch: Organization, name: str, sex: str = "male") -> Member:
    return register_member(
        SYSTEM,
        organization=branch,
        name=name,
        sex=sex,
        birth_date=dt.date(1980, 3, 8),
        admitted_on=FULL_SINCE - dt.timedelta(days=365),
        full_on=FULL_SINCE,
        education="high_school",
        occupation="farmer",
    )


def probationary_member(branch: Organization, name: str, sex: str = "female") -> Member:
    return register_member(
        SYSTEM,
        organization=branch,
        name=name,
        sex=sex,
        birth_date=dt.date(1998, 9, 1),
        admitted_on=dt.date.today() - dt.timedelta(days=120),
        status=MemberStatus.PROBATIONARY,
        education="bachelor",
        occupation="worker",
    )


def extend(w: SimpleNamespace) -> None:
    today = dt.date.today()
    for branch, name in ((w.branch_a1, "孙立"), (w.branch_b1, "郑海")):
        if not members_on(branch, today):  # the register of the world is empty there
            full_member(branch, name)
    w.evaluation_round_a = open_round(SYSTEM, branch=w.branch_a1, year=today.year, opened_on=today)
    w.evaluation_round_b = open_round(SYSTEM, branch=w.branch_b1, year=today.year, opened_on=today)
    w.evaluation_participant_b = w.evaluation_round_b.participants.order_by("id").first()
