"""The shared test world: a town, two merged communities, their Party organizations and staff.

Everything is built through the same actions the pages call, acting as the system, so the
world has the paths, pinyin, encrypted numbers and audit events real data has.

    湖桥镇 (town)                          中共湖桥镇委员会           ← town admin 李秀英
    ├── 湖滨社区 (community A)             └── 中共湖滨社区委员会     ← secretary A, clerk A
    │   ├── 新桥村 (village)                   ├── 新桥村党支部       ← member 张三
    │   └── 湖滨花苑 (residential area)        └── 湖滨花苑小区党支部
    └── 石舍社区 (community B)             └── 中共石舍社区委员会     ← secretary B
        ├── 石舍村 (village)                   ├── 石舍村党支部
        └── 金湖家园 (residential area)        └── 金湖家园小区党支部
"""

from __future__ import annotations

import datetime as dt
import io
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.test import Client

from cunju.accounts.actions import create_user
from cunju.accounts.models import User
from cunju.accounts.roles import Role
from cunju.core.idnumbers import compose_resident_id
from cunju.core.system import SYSTEM
from cunju.organizations.actions import create_organization
from cunju.organizations.models import Organization
from cunju.places.actions import create_place
from cunju.places.models import Place

PASSWORD = "Test@2026pass"

K = Place.Kind
OK = Organization.Kind
C = Organization.Category


def _community(town: Place, town_committee: Organization, name: str, village: str, area: str):
    community = create_place(SYSTEM, parent=town, kind=K.COMMUNITY, name=name)
    village_place = create_place(SYSTEM, parent=community, kind=K.VILLAGE, name=village)
    area_place = create_place(SYSTEM, parent=community, kind=K.RESIDENTIAL_AREA, name=area)
    committee = create_organization(
        SYSTEM,
        parent=town_committee,
        kind=OK.COMMITTEE,
        category=C.COMMUNITY,
        name=f"中共{name}委员会",
        short_name=f"{name}党委",
        place=community,
    )
    village_branch = create_organization(
        SYSTEM,
        parent=committee,
        kind=OK.BRANCH,
        category=C.VILLAGE,
        name=f"{village}党支部",
        place=village_place,
    )
    area_branch = create_organization(
        SYSTEM,
        parent=committee,
        kind=OK.BRANCH,
        category=C.RESIDENTIAL,
        name=f"{area}小区党支部",
        place=area_place,
    )
    return community, village_place, area_place, committee, village_branch, area_branch


def person(
    username: str,
    full_name: str,
    role: str,
    scope: Organization | None,
    sequence: int,
    *,
    born: dt.date = dt.date(1980, 5, 20),
    sex: str = "male",
) -> User:
    """A user with a valid ID number and a mobile number, made by the system."""
    return create_user(
        SYSTEM,
        username=username,
        full_name=full_name,
        role=role,
        scope=scope,
        password=PASSWORD,
        id_number=compose_resident_id("320506", born, sequence, sex),
        phone=f"1381234{sequence:04d}",
    )


def build_world() -> SimpleNamespace:
    town = create_place(SYSTEM, parent=None, kind=K.TOWN, name="湖桥镇", code="320506100")
    town_committee = create_organization(
        SYSTEM,
        parent=None,
        kind=OK.COMMITTEE,
        category=C.TOWN,
        name="中共湖桥镇委员会",
        short_name="湖桥镇党委",
        place=town,
    )
    (community_a, village_a, area_a, committee_a, branch_a1, branch_a2) = _community(
        town, town_committee, "湖滨社区", "新桥村", "湖滨花苑"
    )
    (community_b, village_b, area_b, committee_b, branch_b1, branch_b2) = _community(
        town, town_committee, "石舍社区", "石舍村", "金湖家园"
    )
    w = SimpleNamespace(
        town=town,
        town_committee=town_committee,
        community_a=community_a,
        village_a=village_a,
        area_a=area_a,
        committee_a=committee_a,
        branch_a1=branch_a1,
        branch_a2=branch_a2,
        community_b=community_b,
        village_b=village_b,
        area_b=area_b,
        committee_b=committee_b,
        branch_b1=branch_b1,
        branch_b2=branch_b2,
    )
    w.admin = person("admin", "王建国", Role.SYSTEM_ADMIN, None, 1, born=dt.date(1975, 3, 12))
    w.town_admin = person("town-admin", "李秀英", Role.TOWN_ADMIN, town_committee, 2, sex="female")
    w.secretary_a = person("secretary-a", "赵志刚", Role.COMMUNITY_SECRETARY, committee_a, 3)
    w.secretary_b = person(
        "secretary-b", "陈静", Role.COMMUNITY_SECRETARY, committee_b, 4, sex="female"
    )
    w.clerk_a = person("clerk-a", "周敏", Role.CLERK, committee_a, 5, sex="female")
    w.member_a = person("member-a", "张三", Role.MEMBER, branch_a1, 6, born=dt.date(1990, 1, 15))
    # A town cadre posted to community A (包村干部): every permission, but only A's scope.
    # Where a secretary's role lacks a permission, this user still proves the scope holds.
    w.liaison_a = person("liaison-a", "刘洋", Role.TOWN_ADMIN, committee_a, 7)

    # Words that must never reach anybody scoped to community A.
    w.b_names = [
        community_b.name,
        village_b.name,
        area_b.name,
        committee_b.name,
        branch_b1.name,
        branch_b2.name,
        w.secretary_b.full_name,
        w.secretary_b.username,
    ]
    for extension in WORLD_EXTENSIONS:
        try:
            module = import_module(extension)
        except ModuleNotFoundError as missing:
            if not extension.startswith(missing.name or "-"):
                raise
            continue
        module.extend(w)
    return w


# Modules that add their records to the world (``extend(world)``), in dependency order.
WORLD_EXTENSIONS = [
    "tests.places.world",
    "tests.organizations.world",
    "tests.members.world",
    "tests.development.world",
    "tests.mobility.world",
    "tests.dues.world",
    "tests.evaluation.world",
    "tests.points.world",
    "tests.library.world",
]


def client_for(user: User | None = None, *, language: str = "en", **defaults: Any) -> Client:
    """A browser session for ``user`` (anonymous when None), asking for ``language``."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language, **defaults)
    if user is not None:
        client.force_login(user)
    return client


def read_xlsx(content: bytes) -> list[list[Any]]:
    """The first sheet of a workbook as rows of cell values, header row first."""
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [
        ["" if value is None else value for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]


def xlsx_text(content: bytes) -> str:
    """Every cell of the first sheet as one string, for "does it mention…" checks."""
    return "\n".join("\t".join(str(v) for v in row) for row in read_xlsx(content))
