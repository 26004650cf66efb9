"""The member picker as a person uses it in Chromium: register a member going away by typing
the name's pinyin and choosing from the list, instead of scrolling a drop-down of the whole
register."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP
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
        page.goto("/accounts/login/")
        page.locator("input[name=username]").fill(world.secretary_a.username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
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
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert MobileRecord.objects.get(member=wang).place == "苏州市吴中区"
    finally:
        context.close()
