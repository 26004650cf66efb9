"""The register list: each filter, the age bands on the birthday, the export of what is shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cunju.core.system import SYSTEM
from cunju.members.actions import change_status
from cunju.members.filtersets import years_before
from cunju.members.models import Education, Occupation
from tests.members.world import enter
from tests.world import client_for, read_xlsx

# The members this module's world and tests enter; other modules add their own to the world.
OURS = {"孙湖明", "徐晓雨", "吴国华", "钱石林", "冯金凤", "林生日", "艾青"}


def listed(user, **query) -> set[str]:
    """The names of our members the list shows with ``query``."""
    response = client_for(user).get(reverse("members:list"), query)
    assert response.status_code == 200
    return {row.record.name for row in response.context["table"].rows} & OURS


def test_the_list_shows_current_members_in_scope_by_default(world):
    change_status(SYSTEM, world.mobile_in_a, status="deceased", on=dt.date(2025, 1, 5))
    assert listed(world.secretary_a) == {"孙湖明", "徐晓雨"}
    assert listed(world.town_admin) == {"孙湖明", "徐晓雨", "钱石林", "冯金凤"}


def test_the_status_filter_shows_all_or_one_status(world):
    change_status(SYSTEM, world.mobile_in_a, status="left", on=dt.date(2025, 1, 5))
    assert listed(world.secretary_a, status="all") == {"孙湖明", "徐晓雨", "吴国华"}
    assert listed(world.secretary_a, status="left") == {"吴国华"}
    assert listed(world.secretary_a, status="probationary") == {"徐晓雨"}
    assert listed(world.secretary_a, status="deceased") == set()


@pytest.mark.parametrize("query", ["孙湖", "sunhu", "shm", "SHM"])
def test_members_are_found_by_name_pinyin_or_initials(world, query):
    assert listed(world.secretary_a, q=query) == {"孙湖明"}


def test_the_organization_filter_takes_the_whole_subtree(world):
    a = world.secretary_a
    assert listed(a, organization=world.branch_a1.pk) == {"孙湖明", "徐晓雨"}
    assert listed(a, organization=world.branch_a2.pk) == {"吴国华"}
    assert listed(a, organization=world.committee_a.pk) == {"孙湖明", "徐晓雨", "吴国华"}
    everyone = {"孙湖明", "徐晓雨", "吴国华", "钱石林", "冯金凤"}
    assert listed(world.town_admin, organization=world.town_committee.pk) == everyone


def test_an_organization_outside_scope_is_not_a_filter_choice(world):
    response = client_for(world.secretary_a).get(
        reverse("members:list"), {"organization": world.branch_b1.pk}
    )
    assert response.context["filter_errors"]
    assert list(response.context["table"].rows) == []
    assert "钱石林" not in response.content.decode()


def test_sex_education_occupation_mobile_and_arrears_filters(world):
    a = world.secretary_a
    assert listed(a, sex="female") == {"徐晓雨"}
    assert listed(a, sex="male") == {"孙湖明", "吴国华"}
    assert listed(a, education=Education.BACHELOR) == {"徐晓雨"}
    assert listed(a, occupation=Occupation.WORKER) == {"吴国华"}
    assert listed(a, mobile="yes") == {"吴国华"}
    assert listed(a, mobile="no") == {"孙湖明", "徐晓雨"}
    assert listed(a, arrears="yes") == {"吴国华"}
    assert listed(a, arrears="no") == {"孙湖明", "徐晓雨"}


@pytest.mark.parametrize(
    ("age", "birthday_offset", "band"),
    [
        (30, 0, "30-39"),  # 30th birthday today
        (30, 1, "under30"),  # turns 30 tomorrow
        (40, 0, "40-49"),
        (40, 1, "30-39"),
        (60, 0, "60-69"),
        (70, 0, "70plus"),
        (70, 1, "60-69"),
    ],
)
def test_age_bands_change_on_the_birthday(world, age, birthday_offset, band):
    today = dt.date.today()
    born = years_before(today, age) + dt.timedelta(days=birthday_offset)
    member = enter(
        world.branch_a2,
        "林生日",
        41,
        born=born,
        admitted_on=years_before(today, age - 19),
        full_on=years_before(today, age - 20),
    )
    expected = age - (1 if birthday_offset else 0)
    assert member.age() == expected
    for value in ("under30", "30-39", "40-49", "50-59", "60-69", "70plus"):
        assert ("林生日" in listed(world.secretary_a, age=value)) == (value == band), value


def test_the_years_before_29_february_fall_on_the_28th():
    assert years_before(dt.date(2028, 2, 29), 30) == dt.date(1998, 2, 28)
    assert years_before(dt.date(2028, 2, 29), 32) == dt.date(1996, 2, 29)


def test_the_list_is_sorted_by_pinyin(world):
    enter(world.branch_a1, "艾青", 42, born=dt.date(1980, 1, 1), admitted_on=dt.date(2005, 1, 1))
    response = client_for(world.secretary_a).get(reverse("members:list"))
    records = [row.record for row in response.context["table"].rows]
    assert [m.name_pinyin for m in records] == sorted(m.name_pinyin for m in records)
    # ai… < sun… < wu… < xu…
    assert [m.name for m in records if m.name in OURS] == ["艾青", "孙湖明", "吴国华", "徐晓雨"]


def test_the_table_shows_age_party_standing_and_masked_phones(world):
    response = client_for(world.secretary_a).get(reverse("members:list"), {"q": "孙湖明"})
    body = response.content.decode()
    member = world.member_in_a
    assert "139****0011" in body and "13912340011" not in body
    row = response.context["table"].rows[0]
    assert row.get_cell("age") == member.age()
    assert row.get_cell("standing") == str(member.party_standing())
    probationary = client_for(world.secretary_a).get(reverse("members:list"), {"q": "徐晓雨"})
    assert probationary.context["table"].rows[0].get_cell("standing") == "—"


def test_the_live_table_answers_with_the_table_only(world):
    response = client_for(world.secretary_a).get(
        reverse("members:list"), {"q": "wgh"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "吴国华" in body and "孙湖明" not in body


def test_the_export_holds_exactly_the_filtered_rows_with_chinese_headers(world):
    client = client_for(world.secretary_a, language="zh-hans")
    response = client.get(reverse("members:list"), {"organization": world.branch_a1.pk})
    export = client.get(
        reverse("members:list"), {"organization": world.branch_a1.pk, "export": "xlsx"}
    )
    rows = read_xlsx(export.content)
    header, body = rows[0], rows[1:]
    on_screen = [row.record.name for row in response.context["table"].rows]
    assert [row[0] for row in body] == on_screen
    assert [name for name in on_screen if name in OURS] == ["孙湖明", "徐晓雨"]
    assert len(header) == len(set(header))
    phone = header.index(next(h for h in header if "手机" in h or "phone" in h.lower()))
    assert body[on_screen.index("孙湖明")][phone] == "139****0011"
    text = "\t".join(str(v) for row in rows for v in row)
    assert "13912340011" not in text
    assert world.member_in_a.id_number.reveal() not in text
    assert world.member_in_a.id_number.masked in text


def test_people_are_listed_by_姓名_and_organizations_by_名称(world):
    """A person's name is 姓名 in Chinese, an organization's 名称: the same English word."""
    client = client_for(world.secretary_a)
    chinese = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}
    members = client.get(reverse("members:list"), **chinese).content.decode()
    assert ">姓名<" in members and "姓名或拼音" in members
    assert ">名称<" not in members
    # The organization box beside it is for names of organizations.
    assert members.count("名称或拼音") == members.count("输入名称或拼音") == 1
    organizations = client.get(reverse("organizations:list"), **chinese).content.decode()
    assert ">名称<" in organizations
