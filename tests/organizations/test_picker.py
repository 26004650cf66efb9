"""The organization picker: a search over the user's own part of the tree instead of a
drop-down of every organization. Names outside the scope never come back — not as answers,
not as ancestors in a label, not in an error — and what was typed without JavaScript is
resolved on the server."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cunju.members.filtersets import MemberFilterSet
from cunju.members.models import Member
from cunju.organizations import picker
from cunju.organizations.models import Organization
from cunju.organizations.picker import LIMIT, Offer
from tests.organizations.people import branch
from tests.world import client_for, read_xlsx

A1 = "湖滨社区党委 › 新桥村党支部"  # as community A's secretary sees it
TOWN_A1 = "湖桥镇党委 › 湖滨社区党委 › 新桥村党支部"  # as the town sees it
MEMBERS = reverse("members:list")


def found(user, query: str, **params) -> list[dict]:
    response = client_for(user).get(reverse("organizations:picker"), {"q": query, **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def labels(user, query: str, **params) -> list[str]:
    return [r["label"] for r in found(user, query, **params)]


def listed(user, **query) -> tuple[set[str], object]:
    response = client_for(user).get(MEMBERS, query)
    assert response.status_code == 200
    return {row.record.name for row in response.context["table"].rows}, response


# --- The search ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["新桥", "xinqiao", "xq", "新桥村党支部"])
def test_names_pinyin_and_initials_find_an_organization_labelled_from_the_users_top(world, query):
    assert A1 in labels(world.secretary_a, query)
    # The town sees the same organization under its own top.
    assert TOWN_A1 in labels(world.town_admin, query)


def test_committees_are_found_by_short_name_and_by_initials_after_zhong_gong(world):
    # A label ends with the full name; the steps above it use the short names.
    assert labels(world.secretary_a, "湖滨社区党委") == ["中共湖滨社区委员会"]
    # 中共湖滨社区委员会: initials zghbsqwyh
    assert "中共湖滨社区委员会" in labels(world.secretary_a, "hbsq")
    assert "湖桥镇党委 › 中共湖滨社区委员会" in labels(world.town_admin, "hbsq")


def test_names_outside_the_scope_never_come_back(world):
    secretary = world.secretary_a
    for query in ("石舍", "shishe", "ss", "金湖", "党支部", "dangzhibu", "湖桥", "委员会"):
        body = client_for(secretary).get(reverse("organizations:picker"), {"q": query})
        text = body.content.decode()
        leaked = [name for name in world.b_names if name in text]
        assert not leaked, (query, leaked)
        # The town committee above the scope is not an answer, nor a step of any label.
        assert "湖桥镇" not in text, query
    # The town administrator does see community B.
    assert "湖桥镇党委 › 石舍社区党委 › 石舍村党支部" in labels(world.town_admin, "石舍")


def test_a_member_sees_only_the_own_branch(world):
    assert [r["pk"] for r in found(world.member_a, "党支部")] == [world.branch_a1.pk]
    assert found(world.member_a, "湖滨花苑") == []


def test_the_answer_stops_at_20_and_says_more_match(world):
    for n in range(22):
        branch(world.committee_a, f"新桥第{n + 1}企业党支部")
    response = client_for(world.secretary_a).get(reverse("organizations:picker"), {"q": "新桥"})
    answer = response.json()
    assert len(answer["results"]) == 20 and answer["more"] is True
    assert answer["results"][0]["label"] == A1, "the exact, shortest name first"
    assert answer["results"][0] == {"pk": world.branch_a1.pk, "name": "新桥村党支部", "label": A1}


def test_kind_and_exclusions_narrow_but_never_widen(world):
    town = world.town_admin
    a2 = "湖桥镇党委 › 湖滨社区党委 › 湖滨花苑小区党支部"
    assert set(labels(town, "湖滨")) == {"湖桥镇党委 › 中共湖滨社区委员会", a2}
    assert labels(town, "湖滨", kind="branch") == [a2]
    assert labels(town, "湖滨", exclude=world.branch_a2.pk) == ["湖桥镇党委 › 中共湖滨社区委员会"]
    under_a = [r["pk"] for r in found(town, "dangzhibu", exclude_under=world.committee_a.pk)]
    assert set(under_a) == {world.branch_b1.pk, world.branch_b2.pk}
    # Nonsense is ignored, and nothing a parameter says reaches past the user's scope.
    assert TOWN_A1 in labels(town, "新桥", kind="nonsense", exclude="x", exclude_under="y")
    secretary = world.secretary_a
    assert found(secretary, "石舍", exclude_under=world.committee_a.pk) == []
    assert found(secretary, "新桥", exclude_under=world.town_committee.pk) != [], (
        "an organization above the scope excludes nothing"
    )


def test_the_endpoint_needs_a_sign_in(world, anonymous):
    response = anonymous.get(reverse("organizations:picker"), {"q": "新桥"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "新桥" not in response.content.decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (A1, "branch_a1"),
        ("湖滨社区党委›新桥村党支部", "branch_a1"),
        ("新桥村党支部", "branch_a1"),
        ("xinqiaocun", "branch_a1"),
        ("湖滨花苑", "branch_a2"),
    ],
)
def test_typed_text_resolves_to_the_one_organization_it_names(world, text, expected):
    offer = Offer(world.secretary_a)
    organization, candidates = picker.resolve(offer.organizations(), text, tree=offer.tree())
    assert organization == getattr(world, expected)
    assert candidates == []


def test_typed_text_that_names_several_or_none_gives_the_candidates_in_scope(world):
    offer = Offer(world.secretary_a)
    organization, candidates = picker.resolve(offer.organizations(), "党支部", tree=offer.tree())
    assert organization is None
    assert {c.organization for c in candidates} == {world.branch_a1, world.branch_a2}
    outside = picker.resolve(offer.organizations(), "石舍村党支部", tree=offer.tree())
    assert outside == (None, [])


# --- The member list's filter ------------------------------------------------------------------


def test_the_member_filter_takes_an_id_from_a_link_and_shows_its_label(world):
    names, response = listed(world.secretary_a, organization=world.branch_a1.pk)
    assert {"孙湖明", "徐晓雨"} <= names and "吴国华" not in names
    body = response.content.decode()
    assert f'name="organization" value="{world.branch_a1.pk}"' in body
    assert f'value="{A1}"' in body
    assert "<option" not in body.split('name="organization"')[1].split("</label>")[0]


def test_an_id_outside_the_scope_is_an_invalid_filter_that_names_nothing(world):
    for value in (world.branch_b1.pk, world.committee_b.pk, 999_999, "abc", "-1"):
        names, response = listed(world.secretary_a, organization=value)
        assert response.context["filter_errors"], value
        assert names == set()
        body = response.content.decode()
        assert "Choose an organization from the list." in body
        assert not [name for name in world.b_names if name in body], value
        # The box is left empty: the id is not echoed back as a choice.
        assert 'name="organization" value=""' in body


def test_without_javascript_a_typed_name_filters_the_list(world):
    names, response = listed(world.secretary_a, organization="", organization_query="xinqiaocun")
    assert not response.context["filter_errors"]
    assert {"孙湖明", "徐晓雨"} <= names and "吴国华" not in names
    body = response.content.decode()
    # The box now shows what the text named, with its id, for the next submit.
    assert f'name="organization" value="{world.branch_a1.pk}"' in body
    assert f'value="{A1}"' in body


def test_a_typed_name_matching_several_lists_them_and_filters_nothing(world):
    names, response = listed(world.secretary_a, organization_query="党支部")
    assert names == set()
    body = response.content.decode()
    assert "Several organizations match “党支部”" in body
    assert A1 in body and "湖滨社区党委 › 湖滨花苑小区党支部" in body
    assert not [name for name in world.b_names if name in body]


def test_a_typed_name_outside_the_scope_is_simply_not_found(world):
    names, response = listed(world.secretary_a, organization_query="石舍村党支部")
    assert names == set()
    body = response.content.decode()
    assert "No organization within your scope matches “石舍村党支部”." in body
    assert "湖桥镇党委" not in body and "中共石舍社区委员会" not in body


def test_the_chosen_id_counts_while_the_text_is_its_label_or_name(world):
    a2 = world.branch_a2
    for text in (
        "",
        "湖滨社区党委 › 湖滨花苑小区党支部",
        "湖滨社区党委›湖滨花苑小区党支部",
        a2.name,
    ):
        names, _response = listed(world.secretary_a, organization=a2.pk, organization_query=text)
        assert "吴国华" in names and "孙湖明" not in names, text


def test_text_edited_after_a_choice_wins_over_the_earlier_id(world):
    # Without JavaScript the hidden id of the earlier choice is sent with the new text.
    names, response = listed(
        world.secretary_a, organization=world.branch_a2.pk, organization_query="xinqiaocun"
    )
    assert {"孙湖明", "徐晓雨"} <= names and "吴国华" not in names
    body = response.content.decode()
    assert f'name="organization" value="{world.branch_a1.pk}"' in body
    assert f'value="{A1}"' in body
    unclear, response = listed(
        world.secretary_a, organization=world.branch_a2.pk, organization_query="党支部"
    )
    assert unclear == set() and response.context["filter_errors"]
    body = response.content.decode()
    assert 'name="organization" value=""' in body, "the stale id is dropped"
    assert 'value="党支部"' in body, "what was typed stays to be corrected"


def test_a_label_names_its_organization_among_many_namesakes(world):
    # More organizations of one name than a search answers: the path tells them apart.
    for n in range(LIMIT + 3):
        parent = branch(world.committee_a, f"湖滨第{n + 1}总支", kind="general_branch")
        branch(parent, "第一党支部")
    offer = Offer(world.secretary_a)
    wanted = "湖滨社区党委 › 湖滨第17总支 › 第一党支部"
    organization, candidates = picker.resolve(offer.organizations(), wanted, tree=offer.tree())
    assert organization is not None and organization.parent.name == "湖滨第17总支"
    assert candidates == []
    organization, candidates = picker.resolve(
        offer.organizations(), "第一党支部", tree=offer.tree()
    )
    assert organization is None and len(candidates) == LIMIT + 1


def test_the_export_holds_what_a_typed_name_filtered(world):
    client = client_for(world.secretary_a)
    export = client.get(MEMBERS, {"organization_query": "湖滨花苑", "export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    exported = {row[0] for row in read_xlsx(export.content)[1:]}
    expected = set(
        Member.objects.active().filter(organization=world.branch_a2).values_list("name", flat=True)
    )
    assert exported == expected and "吴国华" in exported


def test_the_list_page_does_not_grow_with_the_number_of_organizations(world):
    def page():
        with CaptureQueriesContext(connection) as queries:
            response = client_for(world.town_admin).get(
                MEMBERS, {"organization": world.committee_a.pk}
            )
        return len(response.content), len(queries)

    size_before, queries_before = page()
    for n in range(40):
        branch(world.committee_b, f"石舍第{n + 1}企业党支部")
    size_after, queries_after = page()
    assert queries_after == queries_before
    # Nothing per organization: the page differs only by what the table shows.
    assert abs(size_after - size_before) < 200


def test_the_filter_value_is_labelled_with_one_query_after_the_check(world):
    # The check of the id finds the organization; its label costs one more query (the names
    # of its ancestors), and rendering the box asks nothing again.
    request = RequestFactory().get(MEMBERS)
    request.user = world.town_admin
    assert request.user.scope.place is not None  # the user's scope, read once per request
    filterset = MemberFilterSet(
        {"organization": str(world.branch_a1.pk)}, queryset=Member.objects.all(), request=request
    )
    with CaptureQueriesContext(connection) as checking:
        assert filterset.is_valid()
    with CaptureQueriesContext(connection) as rendering:
        html = str(filterset.form["organization"])
    assert len(checking) == 2
    assert len(rendering) == 0
    assert TOWN_A1 in html


# --- The same picker in the other filters and forms ----------------------------------------


@pytest.mark.parametrize(
    ("url", "name", "kind_param"),
    [
        ("dues:list", "organization", ["committee", "general_branch", "branch"]),
        ("development:list", "branch", ["branch", "general_branch"]),
        ("evaluation:list", "branch", ["branch"]),
    ],
)
def test_the_other_lists_search_instead_of_listing(world, url, name, kind_param):
    client = client_for(world.liaison_a)
    page = client.get(reverse(url))
    assert page.status_code == 200
    body = page.content.decode()
    assert f'name="{name}_query"' in body and 'role="combobox"' in body
    expected = "&amp;".join(f"kind={k}" for k in kind_param)
    assert f"/organizations/picker/?{expected}" in body
    chosen = client.get(reverse(url), {name: world.branch_a1.pk})
    assert not chosen.context["filter_errors"]
    refused = client.get(reverse(url), {name: world.branch_b1.pk})
    assert refused.context["filter_errors"]
    assert not [n for n in world.b_names if n in refused.content.decode()]


def test_a_filter_refuses_an_organization_of_another_kind(world):
    response = client_for(world.liaison_a).get(
        reverse("evaluation:list"), {"branch": world.committee_a.pk}
    )
    assert response.context["filter_errors"]


def register(user, **data):
    born = dt.date(1990, 4, 12)
    from cunju.core.idnumbers import compose_resident_id

    fields = {
        "name": "郑春燕",
        "sex": "female",
        "ethnicity": "汉族",
        "birth_date": born.isoformat(),
        "id_number": compose_resident_id("320506", born, 31, "female"),
        "education": "college",
        "occupation": "community_worker",
        "status": "full",
        "admitted_on": "2015-06-30",
        "full_on": "2016-06-30",
        **data,
    }
    return client_for(user).post(reverse("members:add"), fields)


def test_a_form_takes_a_typed_name_without_javascript(world):
    response = register(world.secretary_a, organization="", organization_query="湖滨花苑")
    assert response.status_code == 302
    assert Member.objects.get(name="郑春燕").organization == world.branch_a2


def test_a_form_refuses_an_organization_outside_the_scope_or_of_the_wrong_kind(world):
    group = branch(world.branch_a1, "新桥第一党小组", kind=Organization.Kind.GROUP)
    for value in (world.branch_b1.pk, group.pk):
        response = register(world.secretary_a, organization=value)
        assert response.status_code == 200
        assert "Choose an organization from the list." in response.content.decode()
    several = register(world.secretary_a, organization_query="党支部")
    assert "Several organizations match “党支部”" in several.content.decode()
    assert not Member.objects.filter(name="郑春燕").exists()


def test_a_form_shows_the_organization_a_link_preselects_but_not_one_outside(world):
    client = client_for(world.secretary_a)
    mine = client.get(reverse("members:add"), {"organization": world.branch_a2.pk})
    assert 'value="湖滨社区党委 › 湖滨花苑小区党支部"' in mine.content.decode()
    theirs = client.get(reverse("members:add"), {"organization": world.branch_b1.pk}).content
    assert not [n for n in world.b_names if n in theirs.decode()]
    assert 'name="organization" value=""' in theirs.decode()


def test_moving_an_organization_offers_nothing_under_itself(world):
    client = client_for(world.town_admin)
    page = client.get(reverse("organizations:move", args=[world.committee_a.pk]))
    body = page.content.decode()
    assert f"exclude_under={world.committee_a.pk}" in body
    field = page.context["form"].fields["parent"]
    assert world.branch_a1 not in field.queryset and world.committee_a not in field.queryset
    assert world.committee_b in field.queryset
    response = client.post(
        reverse("organizations:move", args=[world.committee_a.pk]),
        {"parent": world.branch_a1.pk, "on": dt.date.today().isoformat()},
    )
    assert response.status_code == 200
    assert "Choose an organization from the list." in response.content.decode()
    world.committee_a.refresh_from_db()
    assert world.committee_a.parent == world.town_committee


def test_setting_up_an_organization_under_the_one_a_link_names(world):
    client = client_for(world.secretary_a)
    page = client.get(reverse("organizations:add"), {"parent": world.committee_a.pk})
    assert 'value="中共湖滨社区委员会"' in page.content.decode()
    response = client.post(
        reverse("organizations:add"),
        {
            "parent_query": "湖滨社区党委",
            "kind": "branch",
            "category": "village",
            "name": "南湖村党支部",
            "place": world.village_a.pk,
        },
    )
    assert response.status_code == 302
    made = Organization.objects.get(name="南湖村党支部")
    assert made.parent == world.committee_a


def test_the_box_is_a_labelled_combobox_over_a_listbox(world):
    body = client_for(world.secretary_a).get(reverse("members:add")).content.decode()
    box = body.split("data-org-picker-query")[0].rsplit("<input", 1)[1]
    assert 'role="combobox"' in box and 'aria-autocomplete="list"' in box
    assert 'aria-expanded="false"' in box and 'aria-controls="id_organization-results"' in box
    assert 'id="id_organization"' in box and 'name="organization_query"' in box
    assert '<label for="id_organization">' in body
    assert 'id="id_organization-results" role="listbox"' in body
    assert 'role="status" aria-live="polite"' in body
    assert "organizations/picker.js" in body


def test_the_picker_is_chinese_for_a_chinese_browser(world):
    body = (
        client_for(world.secretary_a, language="zh-hans").get(reverse("members:add")).content
    ).decode()
    assert "输入名称或拼音" in body  # the box's hint
    assert "找到的党组织" in body  # the list's name for screen readers


def test_a_plain_transfer_receiver_still_reaches_the_whole_system(world):
    # The letter's receiver is the one picker not bound to the scope: it answers community B.
    response = client_for(world.secretary_a).get(reverse("mobility:receivers"), {"q": "石舍村"})
    assert [r["label"] for r in response.json()["results"]] == [
        "湖桥镇党委 › 石舍社区党委 › 石舍村党支部"
    ]


def test_the_system_acting_alone_is_offered_nothing(world):
    # No user (a filterset built without a request): nothing may be chosen.
    filterset = MemberFilterSet({"organization": str(world.branch_a1.pk)}, request=None)
    assert not filterset.is_valid()
    assert Offer(None).organizations().count() == 0
