"""The mobility pages as a community secretary uses them."""

import datetime as dt

from django.urls import reverse

from cunju.members.models import MemberEvent, MembershipPeriod
from cunju.mobility import actions
from cunju.mobility.models import MobileRecord
from cunju.mobility.rules import add_months
from tests.mobility.world import enter
from tests.world import client_for

TODAY = dt.date.today()


def go_away(world, member, expected_return):
    return client_for(world.secretary_a).post(
        reverse("mobility:outflow-add"),
        {
            "member": member.pk,
            "place": "苏州工业园区星海街",
            "region_code": "320571",
            "away_since": (TODAY - dt.timedelta(days=10)).isoformat(),
            "expected_return": expected_return.isoformat() if expected_return else "",
            "fixed_place": "on",
            "transfer_possible": "on",
            "phone": "13912340099",
            "work_unit": "园区电子厂",
        },
    )


def test_registering_an_absence_makes_the_member_mobile_and_says_what_to_do(world):
    member = enter(world.branch_a1, "郑出门", 81)
    since = TODAY - dt.timedelta(days=10)
    response = go_away(world, member, add_months(since, 6))
    assert response.status_code == 302
    entry = MobileRecord.objects.get(member=member)
    member.refresh_from_db()
    assert member.is_mobile
    assert MembershipPeriod.objects.get(member=member, valid_to__isnull=True).is_mobile
    assert member.events.filter(kind=MemberEvent.Kind.MOBILE).exists()
    page = client_for(world.secretary_a).get(entry.get_absolute_url()).content.decode()
    assert "Proposed: a mobile-member activity card" in page
    assert "139****0099" in page and "13912340099" not in page


def test_six_months_and_a_day_away_proposes_a_transfer_on_the_page(world):
    member = enter(world.branch_a1, "郑久出", 82)
    go_away(world, member, add_months(TODAY - dt.timedelta(days=10), 6) + dt.timedelta(days=1))
    entry = MobileRecord.objects.get(member=member)
    page = client_for(world.secretary_a).get(entry.get_absolute_url()).content.decode()
    assert "Proposed: transfer the organizational relation." in page
    assert reverse("mobility:transfer-issue", args=[member.pk]) in page


def test_a_member_already_away_is_not_registered_twice(world):
    response = go_away(world, world.away_a, None)
    assert response.status_code == 200
    assert "already registered as away" in response.content.decode()


def test_coming_back_clears_the_mobile_flag(world):
    response = client_for(world.secretary_a).post(
        reverse("mobility:end", args=[world.outflow_a.pk]),
        {"on": TODAY.isoformat(), "reason": "returned"},
    )
    assert response.status_code == 302
    world.away_a.refresh_from_db()
    assert not world.away_a.is_mobile


def test_an_earlier_absence_entered_later_is_history_and_the_member_stays_away(world):
    """Away now since a month; an absence of last spring is entered afterwards: the history
    has both, and the member is still counted away today."""
    member = enter(world.branch_a1, "郑两出", 83)
    day = lambda n: TODAY - dt.timedelta(days=n)  # noqa: E731
    actions.register_outflow(
        world.secretary_a, member=member, place="苏州", region_code="320571", away_since=day(30)
    )
    earlier = actions.register_outflow(
        world.secretary_a, member=member, place="无锡", region_code="320214", away_since=day(200)
    )
    actions.end_record(world.secretary_a, earlier, on=day(150))
    member.refresh_from_db()
    assert member.is_mobile
    mobile = list(
        MembershipPeriod.objects.filter(member=member)
        .order_by("valid_from")
        .values_list("is_mobile", "valid_from", "valid_to")
    )
    assert mobile[-4:] == [
        (False, mobile[-4][1], day(200)),
        (True, day(200), day(150)),
        (False, day(150), day(30)),
        (True, day(30), None),
    ]


def test_a_report_shows_as_last_reported(world):
    day = TODAY - dt.timedelta(days=3)
    response = client_for(world.secretary_a).post(
        reverse("mobility:report", args=[world.outflow_a.pk]),
        {"date": day.isoformat(), "way": "online", "content": "微信汇报工作情况"},
    )
    assert response.status_code == 302
    page = client_for(world.secretary_a).get(world.outflow_a.get_absolute_url()).content.decode()
    assert f'id="last-reported">{day:%Y-%m-%d}' in page


def test_the_overview_lists_overdue_reports_and_temporary_branches(world):
    since = add_months(TODAY, -14)
    names = ["冯一", "冯二", "冯三"]
    for sequence, name in enumerate(names, 83):
        actions.register_outflow(
            world.secretary_a,
            member=enter(world.branch_a1, name, sequence),
            place="昆山市花桥镇",
            region_code="320583",
            away_since=since,
        )
    page = client_for(world.secretary_a).get(reverse("mobility:list")).content.decode()
    temporary = page.split('id="temporary-branches"')[1].split("</section>")[0]
    assert "昆山市花桥镇 (320583)" in temporary
    assert all(name in temporary for name in names)
    overdue = page.split('id="not-reported"')[1].split("</section>")[0]
    assert all(name in overdue for name in names)
    assert "王远航" not in overdue  # away for two months only


def test_an_inflow_member_is_registered_for_an_organization_here(world):
    response = client_for(world.secretary_a).post(
        reverse("mobility:inflow-add"),
        {
            "organization": world.branch_a1.pk,
            "name": "韩外来",
            "home_organization": "中共徐州市某村党支部",
            "region_code": "320302",
            "place": "新桥村5组",
            "away_since": (TODAY - dt.timedelta(days=40)).isoformat(),
            "card_number": "XZ-88",
        },
    )
    assert response.status_code == 302
    listing = (
        client_for(world.secretary_a)
        .get(reverse("mobility:list"), {"direction": "inflow"})
        .content.decode()
    )
    assert "韩外来" in listing and "李来苏" in listing and "王远航" not in listing


def test_the_inflow_form_offers_only_organizations_in_scope(world):
    response = client_for(world.secretary_a).post(
        reverse("mobility:inflow-add"),
        {
            "organization": world.branch_b1.pk,
            "name": "韩越界",
            "home_organization": "中共徐州市某村党支部",
            "region_code": "320302",
            "place": "石舍村",
            "away_since": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not MobileRecord.objects.filter(name="韩越界").exists()


def test_the_list_exports_what_is_filtered(world):
    response = client_for(world.secretary_a).get(reverse("mobility:list"), {"export": "xlsx"})
    from tests.world import xlsx_text

    text = xlsx_text(response.content)
    assert "王远航" in text and "137****0041" in text and "石外出" not in text
