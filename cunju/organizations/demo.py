"""Demo places and organizations: one town, three communities merged from villages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cunju.core.system import SYSTEM
from cunju.places.actions import create_place, merge_into_community
from cunju.places.models import Place

from .actions import create_organization, dissolve_organization, elect_committee
from .models import CommitteeMember, Organization

K = Place.Kind
OK = Organization.Kind
C = Organization.Category

# (community, [(place name, kind)], [(branch name, category, place index or None)])
COMMUNITIES = [
    (
        "湖滨社区",
        [("新桥村", K.VILLAGE), ("南湾村", K.VILLAGE), ("湖滨花苑", K.RESIDENTIAL_AREA)],
        [
            ("新桥村党支部", C.VILLAGE, 0),
            ("南湾村党支部", C.VILLAGE, 1),
            ("湖滨花苑小区党支部", C.RESIDENTIAL, 2),
            ("湖滨社区老党员党支部", C.RETIRED, None),
        ],
    ),
    (
        "石舍社区",
        [
            ("石舍村", K.VILLAGE),
            ("东渚村", K.VILLAGE),
            ("西山浜村", K.VILLAGE),
            ("石舍新苑", K.RESIDENTIAL_AREA),
            ("金湖家园", K.RESIDENTIAL_AREA),
        ],
        [
            ("石舍村党支部", C.VILLAGE, 0),
            ("东渚村党支部", C.VILLAGE, 1),
            ("西山浜村党支部", C.VILLAGE, 2),
            ("石舍新苑小区党支部", C.RESIDENTIAL, 3),
        ],
    ),
    (
        "采莲社区",
        [("采莲村", K.VILLAGE), ("北港村", K.VILLAGE), ("采莲新村", K.RESIDENTIAL_AREA)],
        [
            ("采莲村党支部", C.VILLAGE, 0),
            ("北港村党支部", C.VILLAGE, 1),
        ],
    ),
]


# When each community was formed from its villages (村居合一).
MERGED_ON = [dt.date(2019, 6, 1), dt.date(2019, 6, 1), dt.date(2020, 12, 1)]


def load(world: dict[str, Any]) -> str:
    province = create_place(SYSTEM, parent=None, kind=K.PROVINCE, name="江苏省", code="320000")
    city = create_place(SYSTEM, parent=province, kind=K.CITY, name="苏州市", code="320500")
    county = create_place(SYSTEM, parent=city, kind=K.COUNTY, name="吴中区", code="320506")
    # 湖桥镇 is an invented town: it has no code in GB/T 2260 data.
    town = create_place(SYSTEM, parent=county, kind=K.TOWN, name="湖桥镇", code="")
    park = create_place(SYSTEM, parent=town, kind=K.RESIDENTIAL_AREA, name="湖桥工业园")
    town_committee = create_organization(
        SYSTEM,
        parent=None,
        kind=OK.COMMITTEE,
        category=C.TOWN,
        name="中共湖桥镇委员会",
        short_name="湖桥镇党委",
        place=town,
    )
    world.update(
        town=town,
        town_committee=town_committee,
        communities=[],
        community_committees=[],
        branches=[],
    )
    for index, (community_name, members, branches) in enumerate(COMMUNITIES):
        places = [create_place(SYSTEM, parent=town, kind=kind, name=name) for name, kind in members]
        community = merge_into_community(
            SYSTEM,
            places=places,
            new_community_name=community_name,
            town=town,
            effective_on=MERGED_ON[index],
        )
        committee = create_organization(
            SYSTEM,
            parent=town_committee,
            kind=OK.COMMITTEE,
            category=C.COMMUNITY,
            name=f"中共{community_name}委员会",
            short_name=f"{community_name}党委",
            place=community,
        )
        world["communities"].append(community)
        world["community_committees"].append(committee)
        for branch_name, category, place_index in branches:
            branch = create_organization(
                SYSTEM,
                parent=committee,
                kind=OK.BRANCH,
                category=category,
                name=branch_name,
                place=places[place_index] if place_index is not None else community,
            )
            world["branches"].append(branch)
    # Branches the essay's model adds beyond the communities: industry, park enterprises, mobile.
    for name, category, place in [
        ("湖桥镇农业合作社联合党支部", C.INDUSTRY, town),
        ("湖桥工业园企业联合党支部", C.ENTERPRISE, park),
    ]:
        world["branches"].append(
            create_organization(
                SYSTEM,
                parent=town_committee,
                kind=OK.BRANCH,
                category=category,
                name=name,
                place=place,
            )
        )
    first = world["branches"][0]
    for group in ("第一党小组", "第二党小组"):
        create_organization(
            SYSTEM,
            parent=first,
            kind=OK.GROUP,
            category=C.VILLAGE,
            name=f"新桥村党支部{group}",
            place=first.place,
        )
    # 下塘村 went into 南湾村 when 湖滨社区 was formed (村居合一): its branch was merged into
    # 南湾村党支部 then, and the tree as of an earlier date still shows it.
    nanwan = world["branches"][1]
    merged = create_organization(
        SYSTEM,
        parent=nanwan.parent,
        kind=OK.BRANCH,
        category=C.VILLAGE,
        name="下塘村党支部",
        place=nanwan.place,
        founded_on=dt.date(1998, 7, 1),
    )
    dissolve_organization(
        SYSTEM, merged, on=MERGED_ON[0], into=nanwan, reason="村居合一：下塘村并入南湾村"
    )
    terms = elect_demo_committees(world)
    return (
        f"{Place.objects.count()} places, {Organization.objects.count()} Party organizations "
        f"({len(world['branches'])} branches), {terms} committee terms"
    )


SECRETARIES = ["沈建华", "陆国平", "顾月英", "朱志强", "钱卫东", "金秀兰", "蒋明", "范立新"]
DEPUTIES = ["吴晓燕", "徐海涛", "孙丽", "褚国庆", "卫红梅", "杨建军", "许文静", "何永康"]
MEMBERS = ["施金龙", "张桂芳", "孔德明", "曹雪琴", "严志平", "华丽娟", "金涛", "魏巧云"]


def elect_demo_committees(world: dict[str, Any]) -> int:
    """Committees for the town, the communities and most branches, with terms that are
    current, falling due within weeks and overdue, so the elections page has work."""
    today = dt.date.today()
    role = CommitteeMember.Role
    # Days since the election: a 5-year term elected 5 years minus 40 days ago is due in 40.
    ages = [5 * 365 - 40, 2 * 365, 5 * 365 + 20, 400, 3 * 365 - 30, 800, 5 * 365 - 80, 100]
    orgs = [
        world["town_committee"],
        *world["community_committees"],
        *world["branches"][:-2],
    ]
    count = 0
    for index, org in enumerate(orgs):
        elected_on = today - dt.timedelta(days=ages[index % len(ages)])
        k = index % len(SECRETARIES)
        seats = [{"role": role.SECRETARY, "name": SECRETARIES[k]}]
        if org.kind == OK.COMMITTEE:
            seats += [
                {"role": role.DEPUTY, "name": DEPUTIES[k]},
                {"role": role.MEMBER, "name": MEMBERS[k]},
                {"role": role.MEMBER, "name": MEMBERS[(k + 3) % len(MEMBERS)]},
            ]
        elif index % 2:
            seats.append({"role": role.MEMBER, "name": MEMBERS[k]})
        elect_committee(SYSTEM, org, elected_on=elected_on, seats=seats)
        count += 1
    return count
