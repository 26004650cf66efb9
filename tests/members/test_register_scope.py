"""A secretary of community A never sees community B's members, wherever they look."""

from __future__ import annotations

from django.urls import reverse

from tests.world import client_for, xlsx_text

B_MEMBERS = ["钱石林", "冯金凤"]


def test_the_list_live_table_and_export_of_a_show_only_a(world):
    client = client_for(world.secretary_a)
    url = reverse("members:list")
    for query in ({}, {"status": "all"}, {"q": "q"}, {"q": "钱"}):
        page = client.get(url, query).content.decode()
        partial = client.get(url, query, HTTP_HX_REQUEST="true").content.decode()
        export = xlsx_text(client.get(url, {**query, "export": "xlsx"}).content)
        for text in (page, partial, export):
            assert not [name for name in B_MEMBERS if name in text], query
    everything = client.get(url, {"status": "all"}).content.decode()
    assert world.member_in_a.name in everything


def test_the_file_of_a_member_in_b_is_not_found_from_a(world):
    for user in (world.secretary_a, world.clerk_a, world.liaison_a):
        response = client_for(user).get(reverse("members:detail", args=[world.member_in_b.pk]))
        assert response.status_code == 404
        assert "钱石林" not in response.content.decode()


def test_the_town_admin_sees_both_communities(world):
    client = client_for(world.town_admin)
    body = client.get(reverse("members:list")).content.decode()
    assert all(name in body for name in ["孙湖明", *B_MEMBERS])
    assert client.get(reverse("members:detail", args=[world.member_in_b.pk])).status_code == 200


def test_a_member_without_a_role_in_the_register_sees_no_list(world):
    assert client_for(world.member_a).get(reverse("members:list")).status_code == 403
