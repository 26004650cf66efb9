"""Demo places and organizations: one town, three communities merged from villages."""

from __future__ import annotations

from typing import Any

from cunju.core.system import SYSTEM
from cunju.places.actions import create_place
from cunju.places.models import Place

from .actions import create_organization
from .models import Organization

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


def load(world: dict[str, Any]) -> str:
    province = create_place(SYSTEM, parent=None, kind=K.PROVINCE, name="江苏省", code="320000")
    city = create_place(SYSTEM, parent=province, kind=K.CITY, name="苏州市", code="320500")
    county = create_place(SYSTEM, parent=city, kind=K.COUNTY, name="吴中区", code="320506")
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
        community = create_place(
            SYSTEM,
            parent=town,
            kind=K.COMMUNITY,
            name=community_name,
            code=f"320506{110 + index:03d}000",
        )
        places = [
            create_place(
                SYSTEM,
                parent=community,
                kind=kind,
                name=name,
                code=f"320506{110 + index:03d}{201 + i:03d}",
            )
            for i, (name, kind) in enumerate(members)
        ]
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
    return (
        f"{Place.objects.count()} places, {Organization.objects.count()} Party organizations "
        f"({len(world['branches'])} branches)"
    )
