"""Party members in both communities, entered in the register as the system.

新桥村党支部 (A)      孙湖明 full member since 1996, 徐晓雨 probationary
湖滨花苑小区党支部 (A) 吴国华 full member, mobile, dues in arrears
石舍村党支部 (B)      钱石林 full member, with a post, a difficulty and a family member
金湖家园小区党支部 (B) 冯金凤 probationary
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from cunju.core.idnumbers import compose_resident_id
from cunju.core.system import SYSTEM
from cunju.members.actions import add_difficulty, add_family_member, add_post, register_member
from cunju.members.models import Difficulty, Education, MemberStatus, Occupation


def enter(
    organization,
    name: str,
    sequence: int,
    *,
    born: dt.date,
    admitted_on: dt.date,
    full_on: dt.date | None = None,
    sex: str = "male",
    **details,
):
    """A member with a valid ID number and mobile number, entered by the system."""
    return register_member(
        SYSTEM,
        organization=organization,
        name=name,
        sex=sex,
        birth_date=born,
        admitted_on=admitted_on,
        full_on=full_on,
        status=MemberStatus.FULL if full_on else MemberStatus.PROBATIONARY,
        id_number=compose_resident_id("320506", born, sequence, sex),
        phone=f"1391234{sequence:04d}",
        education=details.pop("education", Education.HIGH_SCHOOL),
        occupation=details.pop("occupation", Occupation.FARMER),
        **details,
    )


def extend(w: SimpleNamespace) -> None:
    today = dt.date.today()
    w.member_in_a = enter(
        w.branch_a1,
        "孙湖明",
        11,
        born=dt.date(1970, 6, 15),
        admitted_on=dt.date(1995, 7, 1),
        full_on=dt.date(1996, 7, 1),
        address="新桥村3组12号",
    )
    w.probationary_in_a = enter(
        w.branch_a1,
        "徐晓雨",
        12,
        sex="female",
        born=dt.date(2000, 3, 10),
        admitted_on=today - dt.timedelta(days=100),
        education=Education.BACHELOR,
        occupation=Occupation.COMMUNITY_WORKER,
    )
    w.mobile_in_a = enter(
        w.branch_a2,
        "吴国华",
        13,
        born=dt.date(1985, 11, 2),
        admitted_on=dt.date(2010, 6, 20),
        full_on=dt.date(2011, 6, 20),
        occupation=Occupation.WORKER,
        is_mobile=True,
    )
    # Arrears are set by the dues module; the register only shows the flag.
    w.mobile_in_a.in_arrears = True
    w.mobile_in_a.save(update_fields=["in_arrears"])

    w.member_in_b = enter(
        w.branch_b1,
        "钱石林",
        14,
        born=dt.date(1968, 2, 8),
        admitted_on=dt.date(1992, 5, 4),
        full_on=dt.date(1993, 5, 4),
    )
    w.probationary_in_b = enter(
        w.branch_b2,
        "冯金凤",
        15,
        sex="female",
        born=dt.date(1998, 9, 9),
        admitted_on=today - dt.timedelta(days=200),
    )
    w.post_in_b = add_post(
        SYSTEM,
        w.member_in_b,
        title="组织委员",
        organization=w.branch_b1,
        started_on=dt.date(2021, 3, 1),
    )
    w.difficulty_in_b = add_difficulty(
        SYSTEM,
        w.member_in_b,
        kind=Difficulty.Kind.ILLNESS,
        since=dt.date(2024, 4, 1),
        note="慢性病，长期服药",
    )
    w.family_in_b = add_family_member(
        SYSTEM, w.member_in_b, name="钱石妹", relation="女儿", birth_date=dt.date(1995, 1, 1)
    )
    w.b_names += [
        w.member_in_b.name,
        w.probationary_in_b.name,
        w.family_in_b.name,
    ]
