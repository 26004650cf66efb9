"""The member picker: forms that choose a Party member (an outflow record, a committee seat)
search the register by name or pinyin instead of listing every member in a drop-down. Only
members of the user's scope come back, narrowed by status and subtree; what was typed
without JavaScript is resolved on the server."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cunju.members.models import MemberStatus
from cunju.members.picker import MemberOffer
from cunju.mobility.forms import OutflowForm
from cunju.organizations.forms import SeatForm
from tests.organizations.people import member
from tests.world import client_for

PICKER = reverse("members:picker")


def found(user, query: str, **params) -> list[dict]:
    response = client_for(user).get(PICKER, {"q": query, **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


@pytest.fixture
def people(world):
    w = world
    return {
        "a1": member(w.branch_a1, name="王芳"),
        "a2": member(w.branch_a2, name="王芳"),
        "probationer": member(w.branch_a1, name="王小明", full=False),
        "b1": member(w.branch_b1, name="王芳"),
        "gone": member(w.branch_a1, name="王老"),
    }


@pytest.mark.parametrize("query", ["王芳", "wangfang", "wf", "王"])
def test_names_pinyin_and_initials_find_members_labelled_with_their_branch(world, people, query):
    labels = [r["label"] for r in found(world.secretary_a, query)]
    assert {"王芳（新桥村党支部）", "王芳（湖滨花苑小区党支部）"} <= set(labels)


def test_members_outside_the_scope_never_come_back(world, people):
    pks = {r["pk"] for r in found(world.secretary_a, "王芳")}
    assert pks == {people["a1"].pk, people["a2"].pk}
    text = client_for(world.secretary_a).get(PICKER, {"q": "wf"}).content.decode()
    assert not [name for name in world.b_names if name in text]
    # The town sees community B's member too.
    assert people["b1"].pk in {r["pk"] for r in found(world.town_admin, "王芳")}
    # A subtree outside the scope is not a way in: it narrows to nothing.
    assert found(world.secretary_a, "王芳", under=world.branch_b1.pk) == []


def test_status_and_subtree_only_narrow(world, people):
    w = world
    people["gone"].status = MemberStatus.DECEASED
    people["gone"].save(update_fields=["status"])
    assert {r["name"] for r in found(w.secretary_a, "王")} >= {"王芳", "王小明", "王老"}
    active = {r["name"] for r in found(w.secretary_a, "王", status="active")}
    assert "王老" not in active and {"王芳", "王小明"} <= active
    full = {r["pk"] for r in found(w.secretary_a, "王", status="full", under=w.branch_a1.pk)}
    assert people["a1"].pk in full
    assert not full & {people[k].pk for k in ("a2", "probationer", "gone", "b1")}
    # Unknown values are ignored, never an error.
    assert found(w.secretary_a, "王芳", status="everyone", under="x")


def test_the_endpoint_needs_the_register_permission(world, people, anonymous):
    assert client_for(world.member_a).get(PICKER, {"q": "王"}).status_code == 403
    assert anonymous.get(PICKER, {"q": "王"}).status_code in (302, 403)


def test_a_long_list_says_more_match(world):
    for _ in range(25):
        member(world.branch_a1, name="李明")
    body = client_for(world.secretary_a).get(PICKER, {"q": "李明"}).json()
    assert len(body["results"]) == 20 and body["more"] is True


# --- In forms --------------------------------------------------------------------------------


def outflow_data(**extra) -> dict:
    return {
        "place": "苏州市吴中区",
        "region_code": "320506",
        "away_since": "2026-03-01",
        **extra,
    }


def test_the_outflow_form_takes_a_chosen_member_and_lists_nobody(world, people):
    w = world
    form = OutflowForm(user=w.secretary_a)
    html = str(form["member"])
    assert "<select" not in html and "王芳" not in html
    assert reverse("members:picker") + "?status=active" in html
    chosen = OutflowForm(outflow_data(member=people["a1"].pk), user=w.secretary_a)
    assert chosen.is_valid(), chosen.errors
    assert chosen.cleaned_data["member"] == people["a1"]
    # An id outside the scope is refused like any id that is not offered.
    outside = OutflowForm(outflow_data(member=people["b1"].pk), user=w.secretary_a)
    assert not outside.is_valid() and "member" in outside.errors
    assert "王芳" not in str(outside["member"])


def test_without_javascript_a_typed_name_or_label_is_resolved(world, people):
    w = world
    label = "王芳（湖滨花苑小区党支部）"
    by_label = OutflowForm(outflow_data(member_query=label), user=w.secretary_a)
    assert by_label.is_valid(), by_label.errors
    assert by_label.cleaned_data["member"] == people["a2"]
    unique = OutflowForm(outflow_data(member_query="王小明"), user=w.secretary_a)
    assert unique.is_valid(), unique.errors
    assert unique.cleaned_data["member"] == people["probationer"]
    # Two 王芳 in scope: explained, not guessed.
    several = OutflowForm(outflow_data(member_query="王芳"), user=w.secretary_a)
    assert not several.is_valid()
    message = str(several.errors["member"])
    assert "王芳（新桥村党支部）" in message and "王芳（湖滨花苑小区党支部）" in message
    nobody = OutflowForm(outflow_data(member_query="陈静"), user=w.secretary_a)
    assert not nobody.is_valid() and "陈静" in str(nobody.errors["member"])


def test_a_committee_seat_offers_full_members_under_the_organization(world, people):
    w = world
    form = SeatForm(user=w.secretary_a, org=w.branch_a1)
    offer = form.fields["member"].source
    assert offer == MemberOffer(w.secretary_a, status="full", under=w.branch_a1.pk)
    assert set(form.fields["member"].queryset) == set(offer.queryset()) and people["a1"] in set(
        offer.queryset()
    )
    assert people["probationer"] not in set(offer.queryset())
    assert people["a2"] not in set(offer.queryset())
    typed = SeatForm(
        {"role": "secretary", "on": "2026-01-01", "member_query": "王芳"},
        user=w.secretary_a,
        org=w.branch_a1,
    )
    typed.is_valid()
    assert "member" not in typed.errors, typed.errors
    assert typed.cleaned_data["member"] == people["a1"]


def test_the_election_page_searches_the_register(world, people):
    response = client_for(world.secretary_a).get(
        reverse("organizations:elect", args=[world.branch_a1.pk])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert '<select name="member"' not in body and 'name="member_query"' in body
    assert f"status=full&amp;under={world.branch_a1.pk}" in body
    assert "王芳" not in body
