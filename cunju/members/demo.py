"""Demo members: a few hundred Party members across the demo branches, every status.

Built the way an import builds them (``enter_members``, as the system), then a few members
are suspended, leave or die through ``change_status``. Names, birth dates and ID numbers are
drawn from ``world["random"]``; admission dates of probationary members are relative to today
so "admitted this year" stays true.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cunju.core.idnumbers import compose_resident_id
from cunju.core.system import SYSTEM
from cunju.organizations.models import Organization
from cunju.places.models import Place

from .actions import change_status
from .imports import enter_members
from .models import Education, Member, MemberStatus, Occupation, Sex

AREA_CODE = "320506"  # 吴中区
# Common surnames of southern Jiangsu first, so they come up more often.
SURNAMES = (
    "陈张王朱周沈顾陆徐吴钱金杨李刘黄赵孙胡郭何高林蒋姚施邹许曹蔡潘范唐冯倪严秦褚盛汤俞马宋谢"
)
MALE_NAMES = [
    "建国", "建华", "国强", "志刚", "卫东", "海峰", "明", "伟", "强", "磊", "军", "勇", "杰",
    "涛", "斌", "超", "浩", "宇", "鹏", "晨", "俊", "文彬", "永康", "德明", "福根", "金生",
    "根林", "荣华", "志明", "兴华", "雪明", "阿大", "家豪", "子轩", "梓航", "振华", "春生",
    "洪兴",
]  # fmt: skip
FEMALE_NAMES = [
    "秀英", "桂英", "玉兰", "美华", "丽", "芳", "敏", "静", "燕", "娟", "霞", "婷", "雪", "琳",
    "倩", "佳", "雯", "月琴", "凤英", "金妹", "小红", "海燕", "晓燕", "春梅", "彩萍", "雅琴",
    "欣怡", "梦婷", "阿珍", "菊芬", "雨萱", "诗涵",
]  # fmt: skip
OTHER_ETHNICITIES = ["回族", "满族", "苗族", "壮族", "土家族", "蒙古族"]
PHONE_PREFIXES = ["139", "138", "137", "136", "135", "150", "151", "158", "187", "188", "177"]
WORK_UNITS = {
    Occupation.WORKER: ["苏州湖桥精密机械有限公司", "吴中湖桥纺织有限公司", "湖桥工业园物流中心"],
    Occupation.ENTERPRISE_MANAGER: ["苏州湖桥精密机械有限公司", "湖桥镇农业发展有限公司"],
    Occupation.PROFESSIONAL: ["湖桥镇中心小学", "湖桥镇卫生院", "湖桥镇农业技术服务站"],
    Occupation.PUBLIC_SERVANT: ["湖桥镇人民政府", "吴中区湖桥镇派出所"],
    Occupation.COMMUNITY_WORKER: ["湖滨社区居委会", "石舍社区居委会", "采莲社区居委会"],
    Occupation.SELF_EMPLOYED: ["个体经营（农家乐）", "个体经营（水产养殖）", "个体经营（小超市）"],
    Occupation.STUDENT: ["苏州大学", "苏州职业大学"],
}
MOBILE_WORK = ["在外务工（上海）", "在外务工（杭州）", "在外务工（无锡）", "在外经商（南京）"]


def _education(rng: Any, born: int) -> str:
    E = Education
    if born < 1955:
        return rng.choice([E.PRIMARY, E.PRIMARY, E.JUNIOR_HIGH, E.HIGH_SCHOOL])
    if born < 1975:
        return rng.choice([E.JUNIOR_HIGH, E.JUNIOR_HIGH, E.HIGH_SCHOOL, E.SECONDARY_VOCATIONAL])
    if born < 1990:
        return rng.choice([E.HIGH_SCHOOL, E.SECONDARY_VOCATIONAL, E.COLLEGE, E.BACHELOR])
    return rng.choice([E.COLLEGE, E.BACHELOR, E.BACHELOR, E.POSTGRADUATE, E.HIGH_SCHOOL])


def _occupation(rng: Any, age: int, category: str) -> str:
    O = Occupation  # noqa: E741, N806
    if age >= 62 or category == Organization.Category.RETIRED:
        return rng.choice([O.RETIRED, O.RETIRED, O.RETIRED, O.FARMER])
    if category == Organization.Category.ENTERPRISE:
        return rng.choice([O.WORKER, O.WORKER, O.ENTERPRISE_MANAGER, O.PROFESSIONAL])
    if category == Organization.Category.INDUSTRY:
        return rng.choice([O.FARMER, O.FARMER, O.SELF_EMPLOYED, O.ENTERPRISE_MANAGER])
    if age < 24:
        return rng.choice([O.STUDENT, O.WORKER, O.COMMUNITY_WORKER])
    return rng.choice(
        [
            O.FARMER,
            O.FARMER,
            O.WORKER,
            O.WORKER,
            O.SELF_EMPLOYED,
            O.PROFESSIONAL,
            O.COMMUNITY_WORKER,
            O.PUBLIC_SERVANT,
            O.ENTERPRISE_MANAGER,
            O.UNEMPLOYED,
        ]
    )


def _address(rng: Any, place: Place) -> str:
    if place.kind == Place.Kind.VILLAGE:
        return f"{place.name}{rng.randint(1, 16)}组{rng.randint(1, 60)}号"
    if place.kind == Place.Kind.RESIDENTIAL_AREA:
        return f"{place.name}{rng.randint(1, 24)}幢{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
    return f"{place.name}{rng.randint(1, 200)}号"


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return dt.date(day.year + years, 3, 1)


class _People:
    """Draws members: unique ID numbers, plausible lives."""

    def __init__(self, rng: Any, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.used: set[str] = set()

    def id_number(self, born: dt.date, sex: str) -> str:
        for sequence in range(20, 100):
            number = compose_resident_id(AREA_CODE, born, sequence, sex)
            if number not in self.used:
                self.used.add(number)
                return number
        raise RuntimeError("no free ID sequence")  # 80 people born the same day: impossible

    def entry(self, branch: Organization, status: str) -> dict[str, Any]:
        rng, today = self.rng, self.today
        sex = Sex.FEMALE if rng.random() < 0.36 else Sex.MALE
        given = rng.choice(FEMALE_NAMES if sex == Sex.FEMALE else MALE_NAMES)
        name = rng.choice(SURNAMES) + given
        if status == MemberStatus.PROBATIONARY:
            admitted_on = today - dt.timedelta(days=rng.randint(20, 340))
            born = dt.date(rng.randint(1988, 2004), rng.randint(1, 12), rng.randint(1, 28))
            born = min(born, _years_after(admitted_on, -19))
            full_on = None
        else:
            if branch.category == Organization.Category.RETIRED:
                first, last = 1936, 1962
            elif branch.category == Organization.Category.ENTERPRISE:
                first, last = 1972, 2000
            else:
                first, last = 1938, 2001
            born = dt.date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))
            earliest = _years_after(born, 18 + rng.randint(0, 22))
            admitted_on = min(earliest, today - dt.timedelta(days=400 + rng.randint(0, 400)))
            if admitted_on < _years_after(born, 18):
                admitted_on = _years_after(born, 18)
            full_on = admitted_on + dt.timedelta(days=365 + rng.randint(0, 20))
        age = today.year - born.year
        occupation = _occupation(rng, age, branch.category)
        is_mobile = (
            status != MemberStatus.PROBATIONARY
            and occupation in (Occupation.WORKER, Occupation.SELF_EMPLOYED)
            and rng.random() < 0.3
        )
        work_unit = (
            rng.choice(MOBILE_WORK) if is_mobile else rng.choice(WORK_UNITS.get(occupation, [""]))
        )
        return {
            "organization": branch,
            "name": name,
            "sex": sex,
            "ethnicity": "汉族" if rng.random() < 0.95 else rng.choice(OTHER_ETHNICITIES),
            "birth_date": born,
            "id_number": self.id_number(born, sex),
            "phone": f"{rng.choice(PHONE_PREFIXES)}{rng.randint(10000000, 99999999)}",
            "education": _education(rng, born.year),
            "occupation": occupation,
            "work_unit": work_unit,
            "address": _address(rng, branch.place),
            "status": status,
            "admitted_on": admitted_on,
            "full_on": full_on,
            "is_mobile": is_mobile,
        }


def load(world: dict[str, Any]) -> str:
    rng = world["random"]
    today = dt.date.today()
    people = _People(rng, today)
    account = world.get("demo-member")
    entries: list[dict[str, Any]] = []
    if account is not None:
        # The demo member's own record: the account 曾小明 signs in with.
        people.used.add(account.id_number.reveal())
        entries.append(
            {
                "organization": account.scope or world["branches"][0],
                "name": account.full_name,
                "sex": Sex.MALE,
                "birth_date": dt.date(1990, 1, 15),
                "id_number": account.id_number.reveal(),
                "phone": account.phone.reveal(),
                "education": Education.BACHELOR,
                "occupation": Occupation.COMMUNITY_WORKER,
                "work_unit": "湖滨社区居委会",
                "address": "新桥村5组18号",
                "status": MemberStatus.FULL,
                "admitted_on": dt.date(2014, 6, 20),
                "full_on": dt.date(2015, 6, 22),
            }
        )
    for branch in world["branches"]:
        for _index in range(rng.randint(15, 40)):
            status = MemberStatus.PROBATIONARY if rng.random() < 0.07 else MemberStatus.FULL
            entries.append(people.entry(branch, status))
    ids = enter_members(SYSTEM, entries)
    by_id = Member.objects.select_related("organization").in_bulk(ids)
    members = [by_id[pk] for pk in ids]
    if account is not None:
        members[0].user = account
        members[0].save(update_fields=["user", "updated_at"])

    # A few lives move on: lost contact (停止党籍), left the Party, died.
    older_first = sorted(
        (m for m in members[1:] if m.status == MemberStatus.FULL), key=lambda m: m.birth_date
    )
    changes = [
        (older_first[: len(older_first) // 5], MemberStatus.DECEASED, "病故", 6),
        (older_first[len(older_first) // 2 :], MemberStatus.SUSPENDED, "失去联系超过六个月", 4),
        (older_first[len(older_first) // 3 :], MemberStatus.LEFT, "本人申请退党", 3),
    ]
    changed: set[int] = set()
    for pool, status, reason, count in changes:
        candidates = [m for m in pool if m.pk not in changed and not m.is_mobile]
        for member in rng.sample(candidates, count):
            earliest = (member.full_on or member.admitted_on) + dt.timedelta(days=30)
            on = max(earliest, today - dt.timedelta(days=rng.randint(30, 900)))
            change_status(SYSTEM, member, status=status, on=min(on, today), reason=reason)
            changed.add(member.pk)
    world["members"] = members
    counts = {
        status: sum(1 for m in members if m.status == status) for status in MemberStatus.values
    }
    mobile = sum(1 for m in members if m.is_mobile)
    return (
        f"{Member.objects.count()} Party members ("
        + ", ".join(f"{count} {status}" for status, count in counts.items())
        + f"; {mobile} mobile)"
    )
