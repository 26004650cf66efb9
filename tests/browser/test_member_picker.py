"""The member picker as a person uses it in Chromium: register a member going away by typing
the name's pinyin and choosing from the list, instead of scrolling a drop-down of the whole
register."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.test_shell import log_in
from tests.world import PASSWORD, build_world

pytestmark = pytest.mark.browser


def test_typing_pinyin_lists_members_and_choosing_one_registers_the_outflow(
    browser, live_server, transactional_db, artifacts
):
    from cunju.mobility.models import MobileRecord
    from tests.organizations.people import member

    world = build_world()
    wang = member(world.branch_a1, name="王芳")
    member(world.branch_a2, name="王芳")
    member(world.branch_b1, name="王芳")  # community B: never listed for A's secretary
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, world.secretary_a.username, PASSWORD)
        page.goto("/mobility/outflow/add/")
        assert page.locator("select[name=member]").count() == 0

        box = page.locator("input[name=member_query]")
        assert "张三" in box.get_attribute("placeholder")
        box.press_sequentially("wangf", delay=50)
        listbox = page.locator("#id_member-results")
        options = listbox.get_by_role("option")
        choice = listbox.get_by_role("option", name="王芳（新桥村党支部）", exact=True)
        choice.wait_for()
        names = options.all_inner_texts()
        assert sorted(names) == ["王芳（新桥村党支部）", "王芳（湖滨花苑小区党支部）"], names
        page.screenshot(path=artifacts / "member-picker-zh.png")
        box.press("ArrowDown")
        box.press("Enter")
        assert page.locator("input[name=member]").input_value() == str(wang.pk)
        assert box.input_value() == "王芳（新桥村党支部）"

        page.locator("input[name=place]").fill("苏州市吴中区")
        page.locator("input[name=region_code]").fill("320506")
        page.locator("input[name=away_since]").fill("2026-03-01")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert MobileRecord.objects.get(member=wang).place == "苏州市吴中区"
    finally:
        context.close()


def test_several_contacts_are_chosen_as_chips_and_one_removed(
    browser, live_server, transactional_db, artifacts
):
    """Naming an activist: two cultivation contacts chosen by typing, one taken back."""
    import datetime as dt

    from cunju.core.system import SYSTEM
    from cunju.development import actions
    from tests.development.conftest import ACTIVIST, APPLIED, Road, new_applicant

    world = build_world()
    road = Road(world)  # 陈立新, 黄建军, 何志强, 罗永福, 高德明 in 东港村党支部
    applicant = new_applicant(road.branch, applied_on=APPLIED)
    actions.record_first_talk(SYSTEM, applicant, on=APPLIED + dt.timedelta(days=10))
    actions.start_notice(SYSTEM, applicant, starts_on=ACTIVIST - dt.timedelta(days=14))
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, world.secretary_a.username, PASSWORD)
        page.goto(f"/development/{applicant.pk}/activist/")
        assert page.locator("select[name=contacts]").count() == 0
        box = page.locator("input[name=contacts_query]")
        listbox = page.locator("#id_contacts-results")
        chips = page.locator(".org-picker-chip")
        for pinyin, label in (("hjj", "黄建军（东港村党支部）"), ("clx", "陈立新（东港村党支部）")):
            box.press_sequentially(pinyin, delay=50)
            listbox.get_by_role("option", name=label, exact=True).click()
            expect(box).to_have_value("")
            expect(box).to_be_focused()
        expect(chips).to_have_count(2)
        page.screenshot(path=artifacts / "member-chips-zh.png")
        page.get_by_role("button", name="移除 黄建军（东港村党支部）").click()
        expect(chips).to_have_count(1)
        expect(chips.first).to_contain_text("陈立新")
        page.locator("input[name=on]").fill(ACTIVIST.isoformat())
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        from cunju.development.models import DevelopmentStep

        contacts = DevelopmentStep.objects.filter(
            applicant=applicant, kind=DevelopmentStep.Kind.CONTACT
        )
        assert [step.member for step in contacts] == [road.members[0]]
    finally:
        context.close()
