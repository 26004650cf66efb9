"""The receiver of a transfer letter: a search over every organization in the system, by
name or pinyin, that shows each one's place in the tree and answers at most 20."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from cunju.core.system import SYSTEM
from cunju.mobility import receivers
from cunju.mobility.models import Transfer
from cunju.organizations.actions import create_organization
from cunju.organizations.models import Organization
from tests.world import client_for

TODAY = dt.date.today()
PATH_A1 = "湖桥镇党委 › 湖滨社区党委 › 新桥村党支部"
PATH_B1 = "湖桥镇党委 › 石舍社区党委 › 石舍村党支部"


def labels(found) -> list[str]:
    return [r.label for r in found]


def search_page(user, **params):
    return client_for(user).get(reverse("mobility:receivers"), params)


def test_names_pinyin_and_initials_find_an_organization_with_its_path(world):
    assert labels(receivers.search("新桥")) == [PATH_A1]
    assert PATH_A1 in labels(receivers.search("xinqiao"))
    assert PATH_A1 in labels(receivers.search("xq"))
    assert labels(receivers.search("石舍村")) == [PATH_B1]
    # Short names of committees find them too.
    assert "湖桥镇党委 › 中共湖滨社区委员会" in labels(receivers.search("湖滨社区党委"))


def test_the_exact_name_comes_first_and_the_answer_stops_at_20(world):
    for n in range(25):
        create_organization(
            SYSTEM,
            parent=world.committee_a,
            kind=Organization.Kind.BRANCH,
            category=Organization.Category.ENTERPRISE,
            name=f"新桥第{n + 1}企业党支部",
            place=world.village_a,
        )
    found = receivers.search("新桥")
    assert len(found) == 20
    assert found[0].label == PATH_A1, "the shortest, closest name first"
    answer = search_page(world.secretary_a, q="新桥").json()
    assert len(answer["results"]) == 20 and answer["more"] is True


def test_groups_and_the_members_own_organization_are_not_offered(world):
    group = create_organization(
        SYSTEM,
        parent=world.branch_a1,
        kind=Organization.Kind.GROUP,
        category=Organization.Category.VILLAGE,
        name="新桥第一党小组",
        place=world.village_a,
    )
    found = receivers.search("新桥", exclude=world.branch_a1.pk)
    assert group.pk not in [r.pk for r in found]
    assert world.branch_a1.pk not in [r.pk for r in found]


def test_any_organization_in_the_system_may_receive_but_only_names_are_shown(world):
    body = search_page(world.secretary_a, q="石舍").content.decode()
    assert "石舍村党支部" in body and "中共石舍社区委员会" in body
    assert "韩石根" not in body, "no member of community B"
    assert world.branch_b1.pk in [
        r["pk"] for r in search_page(world.secretary_a, q="石舍").json()["results"]
    ]


def test_the_endpoint_is_for_those_who_issue_letters(world, anonymous):
    url = reverse("mobility:receivers")
    assert anonymous.get(url, {"q": "新桥"}).status_code == 302
    assert search_page(world.member_a, q="新桥").status_code == 403
    empty = search_page(world.secretary_a)
    assert empty.status_code == 200 and empty.json() == {"results": [], "more": False}
    assert search_page(world.secretary_a, q="不存在的组织").json()["results"] == []
    named = search_page(world.secretary_a, q="石舍村").json()["results"]
    assert [r["label"] for r in named] == [PATH_B1]


def test_the_transfer_form_searches_instead_of_listing_every_organization(world):
    url = reverse("mobility:transfer-issue", args=[world.away_a.pk])
    body = client_for(world.secretary_a).get(url).content.decode()
    assert "<select" not in body.split('name="to_name"')[0].split("to_organization")[-1]
    assert reverse("mobility:receivers") in body
    assert f"exclude={world.away_a.organization_id}" in body
    assert "organizations/picker.js" in body
    assert "No organization in the system matches “%(text)s”." in body, "said when none match"
    assert "石舍村党支部" not in body, "no organization is listed before a search"


def post_letter(world, number: str, **fields):
    return client_for(world.secretary_a).post(
        reverse("mobility:transfer-issue", args=[world.away_a.pk]),
        {"letter_number": number, "issued_on": TODAY.isoformat(), **fields},
    )


def test_a_letter_goes_to_the_organization_chosen_from_the_list(world):
    response = post_letter(
        world, "HB-1", to_organization=world.branch_b1.pk, to_organization_query=PATH_B1
    )
    assert response.status_code == 302
    assert Transfer.objects.get(letter_number="HB-1").to_organization == world.branch_b1


def test_without_javascript_a_typed_name_or_path_is_resolved(world):
    assert post_letter(world, "HB-2", to_organization_query="石舍村党支部").status_code == 302
    assert Transfer.objects.get(letter_number="HB-2").to_organization == world.branch_b1


def test_a_typed_name_that_matches_several_asks_to_choose(world):
    response = post_letter(world, "HB-3", to_organization_query="石舍")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Several organizations match “石舍”" in body
    assert PATH_B1 in body
    assert not Transfer.objects.filter(letter_number="HB-3").exists()
    unknown = post_letter(world, "HB-4", to_organization_query="火星党支部")
    assert "No organization in the system matches “火星党支部”" in unknown.content.decode()


def test_a_forged_choice_is_refused(world):
    group = create_organization(
        SYSTEM,
        parent=world.branch_b1,
        kind=Organization.Kind.GROUP,
        category=Organization.Category.VILLAGE,
        name="石舍第一党小组",
        place=world.village_b,
    )
    for forged in (group.pk, world.away_a.organization_id, "x", 999999):
        response = post_letter(world, "HB-5", to_organization=forged)
        assert response.status_code == 200
        assert "Choose an organization from the list" in response.content.decode()
    assert not Transfer.objects.filter(letter_number="HB-5").exists()


def test_a_refused_form_keeps_the_chosen_receiver(world):
    response = post_letter(
        world, "", to_organization=world.branch_b1.pk, to_organization_query=PATH_B1
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{world.branch_b1.pk}"' in body and PATH_B1 in body
