"""What secretaries see: the list by stage, a person's progress, the step forms, the to-do list."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from cunju.core.system import SYSTEM
from cunju.development import actions
from cunju.development.models import Applicant, Stage
from tests.world import client_for, xlsx_text

from .conftest import new_applicant, probationary, voted

TODAY = dt.date.today()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def test_the_list_shows_own_people_by_stage_and_never_community_b(world):
    client = client_for(world.secretary_a)
    page = client.get(reverse("development:list")).content.decode()
    assert world.applicant_a.name in page
    assert world.applicant_b.name not in page
    filtered = client.get(reverse("development:list"), {"stage": Stage.ACTIVIST})
    assert world.applicant_a.name not in filtered.content.decode()
    export = client.get(reverse("development:list"), {"export": "xlsx"})
    assert world.applicant_a.name in xlsx_text(export.content)
    assert world.applicant_b.name not in xlsx_text(export.content)


def test_names_and_dates_stay_on_one_line(world):
    page = client_for(world.secretary_a).get(reverse("development:list")).content.decode()
    applied = world.applicant_a.applied_on.isoformat()
    assert f'<td class="nowrap">{applied}</td>' in page
    assert f'<td class="nowrap"><a href="{world.applicant_a.get_absolute_url()}">' in page


def test_the_town_admin_sees_both_communities(world):
    page = client_for(world.town_admin).get(reverse("development:list")).content.decode()
    assert world.applicant_a.name in page and world.applicant_b.name in page


def test_the_detail_page_says_what_is_next_and_by_when(world):
    a = world.applicant_a
    due = actions.add_months(a.applied_on, 1)
    page = client_for(world.secretary_a).get(reverse("development:detail", args=[a.pk]))
    body = page.content.decode()
    assert "First talk" in body
    assert f"due by {due:%Y-%m-%d}" in body
    assert a.id_number.reveal() not in body, "the ID number prints masked"


def test_a_late_talk_is_refused_on_the_form_with_the_rule_and_the_date(world, road):
    a = new_applicant(road.branch, applied_on=dt.date(2026, 4, 1))
    url = reverse("development:step", args=[a.pk, "talk"])
    response = client_for(world.secretary_a).post(url, {"on": "2026-05-02"})
    assert response.status_code == 200
    assert "by 2026-05-01" in response.content.decode()
    a.refresh_from_db()
    assert a.first_talk_on is None


def test_a_step_form_records_the_step_and_returns_to_the_person(world):
    a = world.applicant_a
    url = reverse("development:step", args=[a.pk, "talk"])
    response = client_for(world.secretary_a).post(url, {"on": f"{TODAY:%Y-%m-%d}", "note": "谈心"})
    assert response.status_code == 302
    assert response["Location"] == a.get_absolute_url()
    a.refresh_from_db()
    assert a.first_talk_on == TODAY


def test_the_vote_form_counts_entitled_members_from_the_register(world, road):
    a = voted(road)
    page = client_for(world.secretary_a).get(reverse("development:step", args=[a.pk, "vote"]))
    assert "(today: 5)" in page.content.decode()


def test_a_clerk_cannot_open_the_approval(world, road):
    a = voted(road)
    url = reverse("development:approve", args=[a.pk])
    assert client_for(world.clerk_a).get(url).status_code == 403
    assert client_for(world.secretary_a).get(url).status_code == 200


def test_applications_are_received_through_the_form(world):
    response = client_for(world.secretary_a).post(
        reverse("development:add"),
        {
            "branch": world.branch_a2.pk,
            "name": "韩雪",
            "sex": "female",
            "birth_date": "2000-02-02",
            "education": "bachelor",
            "occupation": "worker",
            "applied_on": f"{days_ago(3):%Y-%m-%d}",
            "phone": "13912345678",
        },
    )
    assert response.status_code == 302
    assert Applicant.objects.get(name="韩雪").branch == world.branch_a2


def test_a_branch_of_community_b_is_not_offered(world):
    response = client_for(world.secretary_a).post(
        reverse("development:add"),
        {
            "branch": world.branch_b1.pk,
            "name": "韩雪",
            "sex": "female",
            "birth_date": "2000-02-02",
            "education": "bachelor",
            "occupation": "worker",
            "applied_on": f"{days_ago(3):%Y-%m-%d}",
        },
    )
    assert response.status_code == 200
    assert "branch" in response.context["form"].errors
    assert not Applicant.objects.filter(name="韩雪").exists()


def test_the_to_do_list_shows_overdue_and_due_steps_and_running_notices(world, road):
    late_talk = new_applicant(road.branch, applied_on=days_ago(35), name="迟谈话")
    soon_talk = new_applicant(road.branch, applied_on=days_ago(26), name="快谈话")
    noticed = new_applicant(road.branch, applied_on=days_ago(3), name="公示中")
    actions.record_first_talk(SYSTEM, noticed, on=days_ago(2))
    actions.start_notice(SYSTEM, noticed, starts_on=days_ago(1))
    unapproved = voted(road, days_ago(100))
    unapproved.name = "待审批"
    unapproved.save()
    ended = probationary(road, days_ago(370))
    ended.name = "期满未转"
    ended.save()
    far_away = new_applicant(world.branch_b1, applied_on=days_ago(40), name="石逾期")

    response = client_for(world.secretary_a).get(reverse("development:todo"))
    todo = response.context["todo"]
    overdue = {(s.applicant.name, str(s.label)) for s in todo.overdue}
    assert ("迟谈话", "First talk") in overdue
    late = "Approval of the admission (late: only with a special reason, by "
    assert any(name == "待审批" and label.startswith(late) for name, label in overdue)
    assert ("期满未转", "Decision on full membership (probation ends)") in overdue
    assert {(s.applicant.name, str(s.label)) for s in todo.due} == {("快谈话", "First talk")}
    assert [n.applicant.name for n in todo.notices] == ["公示中"]
    body = response.content.decode()
    assert soon_talk.name in body and late_talk.name in body
    assert far_away.name not in body

    town = client_for(world.town_admin).get(reverse("development:todo")).context["todo"]
    assert far_away.name in {s.applicant.name for s in town.overdue}


def test_the_detail_page_of_a_probationary_member_shows_the_whole_road(world, road):
    a = probationary(road)
    body = client_for(world.secretary_a).get(a.get_absolute_url()).content.decode()
    for expected in (
        "2025-05-20",  # the vote
        "Passed",
        road.members[0].name,  # contact and introducer
        "Admission as probationary member",  # the notice before the vote
        "valid until",  # the political review
        "Decision on full membership (probation ends)",
        "overdue since 2026-05-20",  # probation ended, nothing decided
    ):
        assert expected in body, expected
