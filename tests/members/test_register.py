"""Entering members in the register: the rules of admission dates and unique ID numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cunju.core.idnumbers import compose_resident_id
from cunju.core.system import SYSTEM
from cunju.members.actions import adult_on, register_member
from cunju.members.models import Member, MemberEvent
from tests.world import client_for

BORN = dt.date(1990, 4, 12)


def form_data(w, **overrides):
    data = {
        "organization": w.branch_a2.pk,
        "name": "郑春燕",
        "sex": "female",
        "ethnicity": "汉族",
        "birth_date": BORN.isoformat(),
        "id_number": compose_resident_id("320506", BORN, 31, "female"),
        "phone": "13700001111",
        "education": "college",
        "occupation": "community_worker",
        "work_unit": "湖滨社区居委会",
        "address": "",
        "status": "full",
        "admitted_on": "2015-06-30",
        "full_on": "2016-06-30",
    }
    data.update(overrides)
    return data


def test_a_secretary_enters_a_member_and_sees_the_file(world):
    client = client_for(world.secretary_a)
    response = client.post(reverse("members:add"), form_data(world))
    member = Member.objects.get(name="郑春燕")
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    assert member.organization == world.branch_a2
    assert member.org_path == world.branch_a2.path
    assert member.id_number.reveal() == compose_resident_id("320506", BORN, 31, "female")
    kinds = list(member.events.values_list("kind", flat=True))
    assert set(kinds) == {
        MemberEvent.Kind.ADMITTED,
        MemberEvent.Kind.FULL,
        MemberEvent.Kind.REGISTERED,
    }
    page = client.get(response["Location"]).content.decode()
    assert "郑春燕" in page and "137****1111" in page and "13700001111" not in page


def test_the_organization_choices_are_the_branches_and_committees_in_scope(world):
    response = client_for(world.secretary_a).get(reverse("members:add"))
    choices = set(response.context["form"].fields["organization"].queryset)
    assert choices == {world.committee_a, world.branch_a1, world.branch_a2}


def test_a_member_cannot_be_entered_in_community_b_from_community_a(world):
    response = client_for(world.secretary_a).post(
        reverse("members:add"), form_data(world, organization=world.branch_b1.pk)
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not Member.objects.filter(name="郑春燕").exists()


def test_a_duplicate_id_number_is_refused(world):
    taken = world.member_in_b.id_number.reveal()  # even one the secretary cannot see
    response = client_for(world.secretary_a).post(
        reverse("members:add"), form_data(world, id_number=taken)
    )
    assert response.context["form"].errors["id_number"] == [
        "A member with this ID number is already in the register."
    ]
    assert not Member.objects.filter(name="郑春燕").exists()


def test_an_invalid_id_number_is_refused_on_its_field(world):
    response = client_for(world.secretary_a).post(
        reverse("members:add"), form_data(world, id_number="320506199004123318")
    )
    assert "id_number" in response.context["form"].errors
    assert not Member.objects.filter(name="郑春燕").exists()


@pytest.mark.parametrize(
    ("admitted_on", "accepted"),
    [(dt.date(2008, 4, 11), False), (dt.date(2008, 4, 12), True)],
    ids=["day before 18th birthday", "18th birthday"],
)
def test_members_are_admitted_at_18_or_older(world, admitted_on, accepted):
    data = form_data(world, admitted_on=admitted_on.isoformat(), status="probationary")
    data["full_on"] = ""
    response = client_for(world.secretary_a).post(reverse("members:add"), data)
    if accepted:
        assert response.status_code == 302
    else:
        assert response.context["form"].errors["admitted_on"] == [
            "Members are admitted at 18 or older."
        ]
    assert Member.objects.filter(name="郑春燕").exists() == accepted


def test_the_18th_birthday_of_someone_born_on_29_february_is_1_march():
    assert adult_on(dt.date(2004, 2, 29)) == dt.date(2022, 3, 1)
    assert adult_on(dt.date(2004, 3, 1)) == dt.date(2022, 3, 1)


@pytest.mark.parametrize(
    ("full_on", "accepted"),
    [("2015-06-29", False), ("2015-06-30", True)],
    ids=["day before admission", "admission day"],
)
def test_full_membership_cannot_come_before_admission(world, full_on, accepted):
    response = client_for(world.secretary_a).post(
        reverse("members:add"), form_data(world, full_on=full_on)
    )
    if not accepted:
        assert response.context["form"].errors["full_on"] == [
            "Full membership cannot come before admission."
        ]
    assert Member.objects.filter(name="郑春燕").exists() == accepted


def test_a_full_member_needs_the_date_of_full_membership(world):
    response = client_for(world.secretary_a).post(
        reverse("members:add"), form_data(world, full_on="")
    )
    assert response.context["form"].errors["full_on"] == ["Give the date of full membership."]


def test_a_probationary_member_is_entered_without_party_standing(world):
    member = world.probationary_in_a
    assert member.full_on is None
    assert member.party_standing() is None
    page = client_for(world.secretary_a).get(reverse("members:detail", args=[member.pk]))
    assert page.context["standing"] is None


def test_registering_is_refused_without_the_permission(world):
    response = client_for(world.member_a).post(reverse("members:add"), form_data(world))
    assert response.status_code == 403
    assert not Member.objects.filter(name="郑春燕").exists()


def test_the_action_refuses_a_duplicate_id_number_for_the_system_too(world):
    with pytest.raises(ValidationError) as refused:
        register_member(
            SYSTEM,
            organization=world.branch_a1,
            name="重复",
            sex="male",
            birth_date=dt.date(1970, 6, 15),
            admitted_on=dt.date(1995, 7, 1),
            full_on=dt.date(1996, 7, 1),
            education="high_school",
            occupation="farmer",
            id_number=world.member_in_a.id_number.reveal(),
        )
    assert "id_number" in refused.value.message_dict
