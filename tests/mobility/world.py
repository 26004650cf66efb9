"""Mobile members and transfer letters in both communities, made by the system.

湖滨社区 (A)  王远航 (新桥村党支部) away in 上海市浦东新区, with a card
             李来苏 from 安徽 living in 湖滨花苑 (inflow)
石舍社区 (B)  石外出 (石舍村党支部) away in 杭州市西湖区, letter to 金湖家园 waiting
             石转出 (金湖家园小区党支部), letter to an organization outside the system
             石流入 from 河南 living in 金湖家园 (inflow)
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from cunju.core.idnumbers import compose_resident_id
from cunju.core.system import SYSTEM
from cunju.members.actions import register_member
from cunju.members.models import Education, Member, MemberStatus, Occupation
from cunju.mobility import actions


def enter(organization, name: str, sequence: int, *, born=dt.date(1988, 4, 8)) -> Member:
    """A full member, entered by the system (ID numbers of their own: area 320585)."""
    return register_member(
        SYSTEM,
        organization=organization,
        name=name,
        sex="male",
        birth_date=born,
        admitted_on=dt.date(2012, 7, 1),
        full_on=dt.date(2013, 7, 1),
        status=MemberStatus.FULL,
        id_number=compose_resident_id("320585", born, sequence, "male"),
        phone=f"1372345{sequence:04d}",
        education=Education.HIGH_SCHOOL,
        occupation=Occupation.WORKER,
    )


def extend(w: SimpleNamespace) -> None:
    today = dt.date.today()
    w.away_a = enter(w.branch_a1, "王远航", 41)
    w.outflow_a = actions.register_outflow(
        SYSTEM,
        member=w.away_a,
        place="上海市浦东新区张江镇",
        region_code="310115",
        away_since=today - dt.timedelta(days=60),
        expected_return=today + dt.timedelta(days=60),
        phone="13723450041",
        work_unit="张江电子厂",
        job="装配工",
    )
    w.card_a = actions.issue_card(
        SYSTEM, w.outflow_a, number="HQ-2026-001", issued_on=today - dt.timedelta(days=50)
    )
    w.inflow_a = actions.register_inflow(
        SYSTEM,
        organization=w.branch_a2,
        name="李来苏",
        home_organization="中共合肥市某村党支部",
        place="湖滨花苑5幢",
        region_code="340104",
        away_since=today - dt.timedelta(days=200),
    )

    w.away_b = enter(w.branch_b1, "石外出", 42)
    w.outflow_b = actions.register_outflow(
        SYSTEM,
        member=w.away_b,
        place="杭州市西湖区",
        region_code="330106",
        away_since=today - dt.timedelta(days=400),
        work_unit="西湖物流公司",
    )
    w.transfer_b = actions.issue_transfer(
        SYSTEM,
        w.away_b,
        letter_number="SS-2026-007",
        issued_on=today - dt.timedelta(days=5),
        to_organization=w.branch_b2,
    )
    w.leaving_b = enter(w.branch_b2, "石转出", 43)
    w.transfer_b_out = actions.issue_transfer(
        SYSTEM,
        w.leaving_b,
        letter_number="SS-2026-008",
        issued_on=today - dt.timedelta(days=3),
        to_name="中共杭州市西湖区某社区委员会",
        to_region_code="330106",
    )
    w.inflow_b = actions.register_inflow(
        SYSTEM,
        organization=w.branch_b2,
        name="石流入",
        home_organization="中共郑州市某村党支部",
        place="金湖家园2幢",
        region_code="410102",
        away_since=today - dt.timedelta(days=30),
    )
    w.b_names += ["石外出", "石转出", "石流入", "SS-2026-007", "SS-2026-008"]
