"""The points pages: my ledger, a user's ledger for staff, the grant and deduct form."""

import datetime as dt

from django.urls import reverse

from cunju.points import ledger
from cunju.points.models import Entry
from tests.points.world import give_points
from tests.world import client_for

TODAY = dt.date.today().isoformat()


def test_my_ledger_shows_the_balance_and_each_entry_with_date_kind_memo_and_points(world):
    give_points(world, world.member_a, 15, "党史知识竞赛")
    client_for(world.town_admin).post(
        reverse("points:grant", args=[world.member_a.pk]),
        {"direction": "deduct", "points": 4, "memo": "重复登记"},
    )
    page = client_for(world.member_a).get(reverse("points:mine"))
    body = page.content.decode()
    assert page.status_code == 200
    assert '<strong id="balance">11</strong>' in body
    assert body.count(TODAY) >= 2
    assert "Granted by an administrator" in body and "Deducted by an administrator" in body
    assert "党史知识竞赛" in body and "重复登记" in body
    assert "+15" in body and "-4" in body
    # Newest first.
    assert body.index("重复登记") < body.index("党史知识竞赛")


def test_a_new_user_has_no_points_yet(world):
    body = client_for(world.clerk_a).get(reverse("points:mine")).content.decode()
    assert '<strong id="balance">0</strong>' in body and "No points yet." in body


def test_a_secretary_reads_the_ledger_of_a_member_in_their_community_only(world):
    give_points(world, world.member_a, 7)
    give_points(world, world.secretary_b, 9, "石舍社区专用")
    client = client_for(world.secretary_a)
    page = client.get(reverse("points:user", args=[world.member_a.pk]))
    assert page.status_code == 200
    assert '<strong id="balance">7</strong>' in page.content.decode()
    # Secretaries look but do not grant.
    assert reverse("points:grant", args=[world.member_a.pk]) not in page.content.decode()
    assert client.get(reverse("points:user", args=[world.secretary_b.pk])).status_code == 404
    # My own ledger never shows another's entries.
    assert "石舍社区专用" not in client.get(reverse("points:mine")).content.decode()


def test_members_cannot_read_other_ledgers(world):
    url = reverse("points:user", args=[world.secretary_a.pk])
    assert client_for(world.member_a).get(url).status_code == 403


def test_the_grant_form_grants_and_returns_to_the_ledger(world):
    client = client_for(world.town_admin)
    url = reverse("points:grant", args=[world.member_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"direction": "grant", "points": 30, "memo": "志愿服务"})
    assert response.status_code == 302
    assert response["Location"] == reverse("points:user", args=[world.member_a.pk])
    entry = Entry.objects.get(user=world.member_a)
    assert (entry.amount, entry.memo, entry.created_by) == (30, "志愿服务", world.town_admin)
    ledger_page = client.get(response["Location"]).content.decode()
    assert url in ledger_page  # the admin may grant again from there


def test_the_grant_form_says_what_is_wrong(world):
    client = client_for(world.town_admin)
    url = reverse("points:grant", args=[world.member_a.pk])
    give_points(world, world.member_a, 2)
    too_much = client.post(url, {"direction": "deduct", "points": 3, "memo": "更正"})
    assert too_much.status_code == 200
    assert "Not enough points: balance 2, needed 3." in too_much.content.decode()
    empty = client.post(url, {"direction": "grant", "points": 0, "memo": ""})
    assert empty.status_code == 200
    assert empty.context["form"].errors.keys() == {"points", "memo"}
    assert ledger.balance(world.member_a) == 2
    myself = client.post(
        reverse("points:grant", args=[world.town_admin.pk]),
        {"direction": "grant", "points": 3, "memo": "辛苦费"},
    )
    assert "You cannot grant or deduct your own points." in myself.content.decode()


def test_chinese_ledger_page(world):
    give_points(world, world.member_a, 5)
    page = client_for(world.member_a, language="zh-hans").get(reverse("points:mine"))
    assert page.status_code == 200 and TODAY in page.content.decode()
