"""Demo mobile members and transfer letters.

Community A (湖滨社区) has members away: three in 上海市浦东新区 (a temporary branch is
suggested), some with activity cards, some long away and due to transfer their relation, one
who has not reported home for over a year, and a letter on its way to 石舍村党支部 in community
B, waiting in B's inbox. Members from elsewhere live in both communities.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cunju.core.idnumbers import compose_resident_id
from cunju.core.system import SYSTEM
from cunju.members.actions import register_member
from cunju.members.models import ACTIVE_STATUSES, Education, Member, MemberStatus, Occupation

from . import actions
from .rules import add_months

# (place, division code, work unit, days away, expected return in days or None, card?)
AWAY = [
    ("上海市浦东新区张江镇", "310115", "上海张江精密电子有限公司", 150, 60, True),
    ("上海市浦东新区川沙新镇", "310115", "川沙物流园", 90, 40, True),
    ("上海市浦东新区周浦镇", "310115", "周浦建工集团", 420, None, False),
    ("杭州市西湖区转塘街道", "330106", "杭州转塘茶叶合作社", 700, None, False),
    ("无锡市新吴区", "320214", "无锡新吴机电厂", 60, 100, True),
    ("南京市秦淮区", "320104", "个体经营（餐饮）", 520, None, False),
]
INFLOW = [
    (0, "马从安", "中共阜阳市颍州区某村党支部", "湖滨花苑3幢", "341202", 300, "湖桥精密机械"),
    (1, "罗自川", "中共南充市顺庆区某村党支部", "石舍新苑8幢", "511302", 120, "湖桥物流中心"),
]


def _members_of(world: dict[str, Any], committee: Any, count: int) -> list[Member]:
    """Active members of a community, mobile ones first; entered here if there are too few."""
    members = [
        m
        for m in world.get("members", [])
        if m.org_path.startswith(committee.path)
        and m.status in ACTIVE_STATUSES
        and m.user_id is None  # the demo member's own account stays at home
    ]
    members.sort(key=lambda m: (not m.is_mobile, m.pk))
    branches = [b for b in world["branches"] if b.path.startswith(committee.path)]
    sequence = 60
    while len(members) < count:
        born = dt.date(1980 + len(members), 5, 1 + len(members))
        members.append(
            register_member(
                SYSTEM,
                organization=branches[len(members) % len(branches)],
                name=f"流动党员{len(members) + 1}",
                sex="male",
                birth_date=born,
                admitted_on=dt.date(2010, 7, 1),
                full_on=dt.date(2011, 7, 1),
                status=MemberStatus.FULL,
                id_number=compose_resident_id("320585", born, sequence, "male"),
                education=Education.HIGH_SCHOOL,
                occupation=Occupation.WORKER,
            )
        )
        sequence += 1
    return members[:count]


def load(world: dict[str, Any]) -> str:
    rng = world["random"]
    today = dt.date.today()
    committee_a, committee_b = world["community_committees"][:2]
    away = _members_of(world, committee_a, len(AWAY) + 2)
    records = []
    for index, (place, code, unit, days, back, card) in enumerate(AWAY):
        since = today - dt.timedelta(days=days)
        entry = actions.register_outflow(
            SYSTEM,
            member=away[index],
            place=place,
            region_code=code,
            away_since=since,
            expected_return=today + dt.timedelta(days=back) if back else None,
            phone=f"13{rng.randint(500000000, 999999999)}",
            work_unit=unit,
            job=rng.choice(["技术员", "仓库管理", "施工员", "销售", "厨师"]),
        )
        records.append(entry)
        if card:
            actions.issue_card(
                SYSTEM,
                entry,
                number=f"湖滨流动证{today.year}-{index + 1:03d}",
                issued_on=since + dt.timedelta(days=7),
            )
        # Reports every few months; the member in 南京 stopped reporting over a year ago.
        last = today - dt.timedelta(days=400) if code == "320104" else today
        day = since + dt.timedelta(days=30)
        while day <= last:
            actions.add_report(
                SYSTEM,
                entry,
                date=day,
                way=rng.choice(["phone", "online", "letter"]),
                content="汇报在外工作和学习情况，按时交纳党费。",
            )
            day = add_months(day, 4)
    # A letter for a member who moved to community B, waiting in B's inbox.
    branch_b = next(b for b in world["branches"] if b.path.startswith(committee_b.path))
    letter = actions.issue_transfer(
        SYSTEM,
        away[-1],
        letter_number=f"湖滨党组转字〔{today.year}〕第031号",
        issued_on=today - dt.timedelta(days=6),
        to_organization=branch_b,
        note="随家人迁居石舍村。",
    )
    # A member who moved to Nanjing for good: a letter outside the system, receipt returned.
    moved = actions.issue_transfer(
        SYSTEM,
        away[-2],
        letter_number=f"湖滨党组转字〔{today.year}〕第027号",
        issued_on=today - dt.timedelta(days=40),
        to_name="中共南京市玄武区梅园新村街道工作委员会",
        to_region_code="320102",
        note="在南京定居工作。",
    )
    actions.record_receipt(SYSTEM, moved, on=today - dt.timedelta(days=21))
    for committee_index, name, home, place, code, days, unit in INFLOW:
        committee = world["community_committees"][committee_index]
        branch = next(b for b in world["branches"] if b.path.startswith(committee.path))
        actions.register_inflow(
            SYSTEM,
            organization=branch,
            name=name,
            home_organization=home,
            place=place,
            region_code=code,
            away_since=today - dt.timedelta(days=days),
            work_unit=unit,
            card_number=f"{code}-{days:04d}",
        )
    world["mobile_records"] = records
    world["transfer_in_flight"] = letter
    return (
        f"mobility: {len(records)} members away, {len(INFLOW)} from elsewhere, "
        f"1 transfer letter waiting in {branch_b.name}'s inbox, 1 member transferred out"
    )
