"""Demo accounts: one per role the README lists, all with the demo password."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cunju.core.demo import DEMO_PASSWORD
from cunju.core.idnumbers import compose_resident_id
from cunju.core.system import SYSTEM

from .actions import create_user
from .models import User
from .roles import Role


def load(world: dict[str, Any]) -> str:
    community_a, community_b, _community_c = world["community_committees"]
    people = [
        ("demo-admin", "王建国", Role.SYSTEM_ADMIN, None, "male", dt.date(1975, 3, 12)),
        (
            "demo-town",
            "李秀英",
            Role.TOWN_ADMIN,
            world["town_committee"],
            "female",
            dt.date(1980, 7, 1),
        ),
        (
            "demo-community-a",
            "张伟",
            Role.COMMUNITY_SECRETARY,
            community_a,
            "male",
            dt.date(1978, 10, 8),
        ),
        (
            "demo-community-b",
            "陈静",
            Role.COMMUNITY_SECRETARY,
            community_b,
            "female",
            dt.date(1983, 5, 20),
        ),
        ("demo-member", "曾小明", Role.MEMBER, world["branches"][0], "male", dt.date(1990, 1, 15)),
        ("demo-clerk-a", "周敏", Role.CLERK, community_a, "female", dt.date(1992, 9, 9)),
        (
            "demo-branch-a",
            "单国强",
            Role.BRANCH_SECRETARY,
            world["branches"][0],
            "male",
            dt.date(1968, 12, 2),
        ),
    ]
    rng = world["random"]
    for index, (username, name, role, scope, sex, born) in enumerate(people):
        world[username] = create_user(
            SYSTEM,
            username=username,
            full_name=name,
            role=role,
            scope=scope,
            password=DEMO_PASSWORD,
            id_number=compose_resident_id("320506", born, index, sex),
            phone=f"13{rng.randint(5, 9)}{rng.randint(10000000, 99999999)}",
        )
    return f"{User.objects.count()} accounts (password {DEMO_PASSWORD})"
