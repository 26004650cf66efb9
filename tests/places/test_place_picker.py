"""The place picker: forms that choose a place (where a place belongs, where an organization
sits) search the user's part of the tree by name or pinyin instead of listing every place —
a county's villages, areas, buildings and units — in a drop-down."""

from __future__ import annotations

from django.urls import reverse

from cunju.organizations.forms import OrganizationForm
from cunju.places.forms import PlaceForm
from cunju.places.models import Place
from tests.world import client_for

PICKER = reverse("places:picker")


def found(user, query: str, **params) -> list[dict]:
    response = client_for(user).get(PICKER, {"q": query, **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def labels(user, query: str, **params) -> list[str]:
    return [r["label"] for r in found(user, query, **params)]


def test_names_pinyin_and_initials_find_a_place_labelled_from_the_users_top(world):
    for query in ("新桥", "xinqiao", "xq", "新桥村"):
        assert "湖滨社区 › 新桥村" in labels(world.secretary_a, query), query
        assert "湖桥镇 › 湖滨社区 › 新桥村" in labels(world.town_admin, query), query


def test_places_outside_the_scope_never_come_back(world):
    for query in ("石舍", "shishe", "ss", "金湖", "湖桥"):
        text = client_for(world.secretary_a).get(PICKER, {"q": query}).content.decode()
        assert "石舍" not in text and "金湖" not in text, query
        assert "湖桥镇" not in text, query
    assert "湖桥镇 › 石舍社区 › 石舍村" in labels(world.town_admin, "石舍")


def test_kinds_only_narrow_and_unknown_ones_are_ignored(world):
    assert labels(world.town_admin, "湖", kind="community") == ["湖桥镇 › 湖滨社区"]
    assert "湖桥镇 › 湖滨社区 › 湖滨花苑" in labels(world.town_admin, "湖", kind="everything")


def test_the_endpoint_needs_the_tree_permission(world, anonymous):
    assert client_for(world.member_a).get(PICKER, {"q": "新桥"}).status_code == 403
    assert anonymous.get(PICKER, {"q": "新桥"}).status_code in (302, 403)


def test_a_new_place_is_put_under_a_chosen_or_typed_parent(world):
    form = PlaceForm(user=world.town_admin)
    html = str(form["parent"])
    assert "<select" not in html and "新桥村" not in html
    assert "unit" not in form.fields["parent"].source.kinds  # a unit holds nothing
    chosen = PlaceForm(
        {"parent": world.village_a.pk, "kind": "building", "name": "1号楼"}, user=world.town_admin
    )
    assert chosen.is_valid(), chosen.errors
    assert chosen.cleaned_data["parent"] == world.village_a
    typed = PlaceForm(
        {"parent_query": "湖桥镇 › 湖滨社区 › 新桥村", "kind": "building", "name": "2号楼"},
        user=world.town_admin,
    )
    assert typed.is_valid(), typed.errors
    assert typed.cleaned_data["parent"] == world.village_a
    outside = PlaceForm(
        {"parent": world.village_b.pk, "kind": "building", "name": "3号楼"}, user=world.secretary_a
    )
    assert not outside.is_valid() and "parent" in outside.errors
    assert "石舍" not in str(outside["parent"])


def test_the_organization_form_searches_places(world):
    form = OrganizationForm(user=world.secretary_a)
    html = str(form["place"])
    assert "<select" not in html and reverse("places:picker") in html
    several = OrganizationForm({"place_query": "湖滨"}, user=world.secretary_a)
    several.is_valid()
    message = str(several.errors["place"])
    assert "湖滨社区" in message and "湖滨花苑" in message
    assert Place.objects.filter(name="湖滨花苑").exists()
