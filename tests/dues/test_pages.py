"""What secretaries and clerks see and do on the dues pages."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from cunju.dues.models import DuesExemption, DuesPayment
from tests.world import client_for, xlsx_text

THIS_MONTH = dt.date.today().replace(day=1)


def test_the_list_shows_each_members_monthly_dues_and_last_paid_month(world):
    client = client_for(world.secretary_a)
    page = client.get(reverse("dues:list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert world.payer_a.name in body and "¥15.00" in body
    assert world.payer_b.name not in body
    export = client.get(reverse("dues:list"), {"export": "xlsx"})
    text = xlsx_text(export.content)
    assert world.payer_a.name in text and "15" in text
    assert not any(word in text for word in world.b_names)

    town = client_for(world.town_admin).get(reverse("dues:list"), {"q": "hsg"})
    assert world.payer_b.name in town.content.decode()  # 韩石根 by pinyin initials
    assert "¥52.00" in town.content.decode()
    assert THIS_MONTH.strftime("%Y-%m") in town.content.decode()


def test_the_list_filters_members_in_arrears(world):
    client = client_for(world.secretary_a)
    client.post(reverse("dues:recompute-arrears"))
    flagged = client.get(reverse("dues:list"), {"in_arrears": "yes"}).content.decode()
    assert world.payer_a.name in flagged
    clear = client.get(reverse("dues:list"), {"in_arrears": "no"}).content.decode()
    assert world.payer_a.name not in clear
    # Nothing chosen: every member, and the box says so rather than "unknown".
    every = client.get(reverse("dues:list"), HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert world.payer_a.name in every
    assert "未知" not in every


def test_a_members_dues_page_lists_months_payments_and_the_start(world):
    page = client_for(world.town_admin).get(reverse("dues:member", args=[world.payer_b.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "1988-06" in body  # dues start with the probationary vote
    assert "¥52.00" in body and "Cash" in body and "Unpaid" in body


def test_the_clerk_records_a_payment_and_hears_what_is_due_when_wrong(world):
    client = client_for(world.clerk_a)
    url = reverse("dues:pay", args=[world.payer_a.pk])
    form = client.get(url)
    assert form.status_code == 200
    data = {
        "first_month": THIS_MONTH.strftime("%Y-%m"),
        "months": 2,
        "amount": "15.00",
        "way": "cash",
        "paid_on": dt.date.today().isoformat(),
    }
    wrong = client.post(url, data)
    assert wrong.status_code == 200
    assert "come to 30.00 yuan" in wrong.content.decode()
    right = client.post(url, {**data, "amount": "30.00"})
    assert right.status_code == 302
    assert right["Location"] == reverse("dues:member", args=[world.payer_a.pk])
    assert DuesPayment.objects.filter(member=world.payer_a).count() == 2


def test_the_basis_form_changes_the_amount(world):
    client = client_for(world.secretary_a)
    response = client.post(
        reverse("dues:basis", args=[world.payer_a.pk]),
        {
            "from_month": THIS_MONTH.strftime("%Y-%m"),
            "category": "salaried",
            "monthly_income": "10000.01",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("dues:member", args=[world.payer_a.pk])).content.decode()
    assert "¥200.00" in page


def test_only_committee_members_see_and_use_the_exemption_form(world):
    url = reverse("dues:exempt", args=[world.payer_a.pk])
    assert client_for(world.clerk_a).get(url).status_code == 403
    response = client_for(world.secretary_a).post(
        url,
        {
            "first_month": THIS_MONTH.strftime("%Y-%m"),
            "last_month": THIS_MONTH.strftime("%Y-%m"),
            "monthly_amount": "0.00",
            "reason": "患病住院",
        },
    )
    assert response.status_code == 302
    exemption = DuesExemption.objects.get(member=world.payer_a)
    assert exemption.monthly_amount == Decimal("0.00")
    assert exemption.approved_by == world.secretary_a


def test_members_without_the_dues_role_see_nothing(world):
    assert client_for(world.member_a).get(reverse("dues:list")).status_code == 403
    assert client_for(world.member_a).get(reverse("dues:ledger")).status_code == 403
