"""Cultivation contacts and introducers are chosen with the member picker, several at once:
each a chip with its id, or names typed without JavaScript, separated by commas."""

from __future__ import annotations

from django.urls import reverse

from cunju.development.forms import ActivistForm, IntroducersForm
from cunju.members.picker import MemberOffer
from tests.development.conftest import APPLIED, full_member, new_applicant
from tests.world import client_for


def test_contacts_are_offered_from_the_committee_and_chosen_by_id(world, road):
    applicant = new_applicant(road.branch, applied_on=APPLIED)
    form = ActivistForm(user=world.secretary_a, applicant=applicant)
    field = form.fields["contacts"]
    assert field.source == MemberOffer(world.secretary_a, status="full", under=world.committee_a.pk)
    html = str(form["contacts"])
    assert "<select" not in html and "陈立新" not in html and "data-org-picker-multiple" in html
    first, second = road.members[:2]
    bound = ActivistForm(
        {"on": "2024-04-15", "contacts": [second.pk, first.pk, second.pk]},
        user=world.secretary_a,
        applicant=applicant,
    )
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["contacts"] == [second, first]  # as chosen, once each
    # Shown again (an error elsewhere), the choices are chips with their labels.
    again = ActivistForm({"contacts": [first.pk]}, user=world.secretary_a, applicant=applicant)
    assert not again.is_valid()
    assert "陈立新（东港村党支部）" in str(again["contacts"])


def test_names_typed_without_javascript_are_resolved_each(world, road):
    applicant = new_applicant(road.branch, applied_on=APPLIED)
    full_member(world.branch_a1, "陈立新")  # a namesake elsewhere in the committee
    typed = IntroducersForm(
        {"on": "2024-04-15", "introducers_query": "黄建军，何志强"},
        user=world.secretary_a,
        applicant=applicant,
    )
    assert typed.is_valid(), typed.errors
    assert typed.cleaned_data["introducers"] == road.members[1:3]
    mixed = IntroducersForm(
        {
            "on": "2024-04-15",
            "introducers": [road.members[3].pk],
            "introducers_query": "陈立新、 查无此人",
        },
        user=world.secretary_a,
        applicant=applicant,
    )
    assert not mixed.is_valid()
    errors = " ".join(mixed.errors["introducers"])
    assert "陈立新（东港村党支部）" in errors and "陈立新（新桥村党支部）" in errors
    assert "查无此人" in errors
    # What was resolved stays chosen; what was not stays typed.
    html = str(mixed["introducers"])
    assert "罗永福（东港村党支部）" in html and 'value="陈立新，查无此人"' in html


def test_members_outside_the_scope_or_the_committee_are_refused(world, road):
    applicant = new_applicant(road.branch, applied_on=APPLIED)
    outsider = full_member(world.branch_b1, "石舍党员")
    form = ActivistForm(
        {"on": "2024-04-15", "contacts": [outsider.pk]},
        user=world.secretary_a,
        applicant=applicant,
    )
    assert not form.is_valid() and "contacts" in form.errors
    assert "石舍党员" not in str(form["contacts"])


def test_the_step_page_takes_two_introducers(world, road):
    applicant = new_applicant(road.branch, applied_on=APPLIED)
    url = reverse("development:step", args=[applicant.pk, "introducers"])
    page = client_for(world.secretary_a).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="introducers_query"' in body and reverse("members:picker") in body
