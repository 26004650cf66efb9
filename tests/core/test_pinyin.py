"""Finding people and places by pinyin: 张三 by "zs", "zhangsan", "zhang" or "张"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cunju.accounts.models import User
from cunju.accounts.roles import Role
from cunju.core.pinyin import full_pinyin, initials, name_search_q
from cunju.places.models import Place
from tests.world import client_for, person


@pytest.fixture
def people(world) -> dict[str, User]:
    """Three more members of 新桥村党支部, two with surnames read unlike the word."""
    return {
        "曾小明": person("zeng-xm", "曾小明", Role.MEMBER, world.branch_a1, 21),
        "单国强": person("shan-gq", "单国强", Role.MEMBER, world.branch_a1, 22),
        "张伟": person("zhang-wei", "张伟", Role.MEMBER, world.branch_a1, 23),
    }


def found(query: str) -> set[str]:
    condition = name_search_q(query, field="full_name")
    return set(User.objects.filter(condition).values_list("full_name", flat=True))


@pytest.mark.parametrize("query", ["zs", "zhangsan", "zhang", "张", "张三", "ZhangSan", " zs "])
def test_zhang_san_is_found_by_initials_pinyin_or_characters(world, people, query):
    assert "张三" in found(query)


def test_a_search_finds_only_what_matches(world, people):
    assert found("zs") == {"张三"}
    assert found("zhang") == {"张三", "张伟"}
    assert found("zhangw") == {"张伟"}
    assert found("zx") == {"曾小明"}
    assert found("王五") == set()


def test_surnames_use_their_surname_reading(world, people):
    zeng = User.objects.get(username="zeng-xm")
    assert (zeng.name_pinyin, zeng.name_initials) == ("zengxiaoming", "zxm")
    shan = User.objects.get(username="shan-gq")
    assert (shan.name_pinyin, shan.name_initials) == ("shanguoqiang", "sgq")
    assert found("zengxiaoming") == found("zxm") == {"曾小明"}
    assert found("shanguoqiang") == found("sgq") == {"单国强"}
    # As ordinary words the same characters read differently; only people's names change.
    assert full_pinyin("曾经") == "cengjing"
    assert full_pinyin("单独") == "dandu"


def test_compound_surnames_and_mixed_text():
    assert full_pinyin("欧阳娜娜", person=True) == "ouyangnana"
    assert full_pinyin("尉迟恭", person=True) == "yuchigong"
    assert initials("尉迟恭", person=True) == "ycg"
    assert full_pinyin("3号楼A座") == "3haolouazuo"
    assert initials("3号楼A座") == "3hlaz"


def test_renaming_keeps_the_pinyin_in_step(world):
    from cunju.places.actions import update_place

    update_place(world.town_admin, world.village_a, name="新桥新村")
    village = Place.objects.get(pk=world.village_a.pk)
    assert (village.name_pinyin, village.name_initials) == ("xinqiaoxincun", "xqxc")


def test_the_user_list_searches_by_pinyin(world, people):
    client = client_for(world.secretary_a)
    response = client.get(reverse("accounts:list"), {"q": "zxm"})
    rows = {row.record.full_name for row in response.context["table"].rows}
    assert rows == {"曾小明"}
    assert "曾小明" in response.content.decode()
    assert "单国强" not in response.content.decode()


def test_the_live_search_answers_with_the_matching_rows(world, people):
    client = client_for(world.secretary_a)
    response = client.get(reverse("accounts:list"), {"q": "zhang"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "张三" in body and "张伟" in body
    assert "曾小明" not in body


@pytest.mark.parametrize(
    ("name", "query", "expected"),
    [
        ("places:list", "xqc", {"新桥村"}),
        ("places:list", "hubin", {"湖滨社区", "湖滨花苑"}),
        ("organizations:list", "xinqiao", {"新桥村党支部"}),
    ],
)
def test_place_and_organization_lists_search_by_pinyin(world, name, query, expected):
    response = client_for(world.town_admin).get(reverse(name), {"q": query})
    assert {row.record.name for row in response.context["table"].rows} == expected
