"""The receiver search as a person uses it in Chromium: type pinyin, pick from the list, send."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP
from tests.world import PASSWORD, build_world

pytestmark = pytest.mark.browser


def test_typing_pinyin_lists_receivers_and_picking_one_sends_the_letter(
    browser, live_server, transactional_db
):
    from cunju.mobility.models import Transfer

    world = build_world()
    context = browser.new_context(base_url=live_server.url, locale="en-US", **DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.locator("input[name=username]").fill(world.secretary_a.username)
        page.locator("input[name=password]").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        page.goto(f"/mobility/members/{world.away_a.pk}/transfer/")

        box = page.locator("input[name=to_organization_query]")
        box.press_sequentially("ssc", delay=50)  # 石舍村
        choice = page.get_by_role("option", name="湖桥镇党委 › 石舍社区党委 › 石舍村党支部")
        choice.wait_for()
        assert "湖桥镇党委 › 石舍社区党委 › 石舍村党支部" in choice.inner_text()
        choice.click()
        assert page.locator("input[name=to_organization]").input_value() == str(world.branch_b1.pk)
        assert box.input_value() == "湖桥镇党委 › 石舍社区党委 › 石舍村党支部"

        page.locator("input[name=letter_number]").fill("HB-B-1")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert Transfer.objects.get(letter_number="HB-B-1").to_organization == world.branch_b1
    finally:
        context.close()
