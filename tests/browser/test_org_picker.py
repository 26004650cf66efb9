"""The organization picker of the member list as a person uses it in Chromium: type pinyin,
move through the matches with the keyboard, choose one, and the list shows its members."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP
from tests.browser.test_shell import assert_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser

NANWAN = "湖桥镇党委 › 湖滨社区党委 › 南湾村党支部"


def nanwan():
    from cunju.organizations.models import Organization

    return Organization.objects.get(name="南湾村党支部")


def organization_column(page: Page) -> list[str]:
    """The Party organization of every row the member table shows."""
    return page.locator("#list-table table").evaluate(
        """t => {
          const column = [...t.querySelectorAll("thead th")].findIndex(
            th => th.textContent.trim() === "党组织");
          return [...t.querySelectorAll("tbody tr")].map(
            tr => tr.children[column].textContent.trim());
        }"""
    )


def shows_only(page: Page, names: set[str]) -> list[str]:
    """Wait until the member table shows rows of these organizations only, then return the
    column. The response arrives before htmx swaps the table in, so reading at once races."""
    page.wait_for_function(
        """names => {
          const t = document.querySelector("#list-table table");
          if (!t) return false;
          const column = [...t.querySelectorAll("thead th")].findIndex(
            th => th.textContent.trim() === "党组织");
          const rows = [...t.querySelectorAll("tbody tr")];
          return rows.length > 0 && rows.every(
            tr => names.includes(tr.children[column].textContent.trim()));
        }""",
        arg=sorted(names),
    )
    return organization_column(page)


def test_typing_pinyin_and_choosing_with_the_keyboard_filters_the_member_list(
    page: Page, artifacts
):
    log_in(page)
    page.goto("/members/")
    branch = nanwan()
    box = page.locator("input[name=organization_query]")
    listbox = page.locator("#id_organization-results")
    # Chinese by default, and nothing listed before typing.
    expect(box).to_have_attribute("placeholder", re.compile("输入名称或拼音"))
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    expect(page.locator("select[name=organization]")).to_have_count(0)
    expect(listbox.get_by_role("option")).to_have_count(0)
    page.evaluate("window.__samePage = true")

    box.press_sequentially("nanwan", delay=60)
    option = listbox.get_by_role("option", name=NANWAN, exact=True)
    expect(option).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")

    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    page.screenshot(path=artifacts / "org-picker-zh.png")
    option_id = option.get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", option_id)

    with page.expect_response(
        lambda r: (
            "/members/" in r.url
            and f"organization={branch.pk}" in r.url
            and r.request.headers.get("hx-request")
        )
    ):
        box.press("Enter")

    expect(box).to_have_value(NANWAN)
    expect(page.locator("input[name=organization]")).to_have_value(str(branch.pk))
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    expect(page).to_have_url(re.compile(rf"[?&]organization={branch.pk}(&|$)"))
    shown = shows_only(page, {"南湾村党支部"})
    assert shown and set(shown) == {"南湾村党支部"}, shown
    assert page.evaluate("window.__samePage") is True, "the table was refreshed in place"

    # Opened again from the address bar, the box shows the choice without any list.
    page.reload()
    expect(page.locator("input[name=organization_query]")).to_have_value(NANWAN)
    assert set(organization_column(page)) == {"南湾村党支部"}


def test_escape_closes_the_list_and_a_click_chooses(page: Page):
    log_in(page)
    page.goto("/members/")
    box = page.locator("input[name=organization_query]")
    listbox = page.locator("#id_organization-results")
    box.press_sequentially("hb", delay=60)
    expect(listbox.get_by_role("option").first).to_be_visible()
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("hb")
    expect(box).to_be_focused()

    # Down opens the list again; typing more narrows it; a click chooses.
    box.press("ArrowDown")
    expect(listbox).to_be_visible()
    box.fill("")
    box.press_sequentially("nanwan", delay=60)
    option = listbox.get_by_role("option", name=NANWAN, exact=True)
    with page.expect_response(lambda r: "/members/" in r.url and "organization=" in r.url):
        option.click()
    expect(box).to_have_value(NANWAN)
    assert set(shows_only(page, {"南湾村党支部"})) == {"南湾村党支部"}


def test_a_name_outside_the_scope_finds_nothing(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, "demo-community-a")
        page.goto("/members/")
        box = page.locator("input[name=organization_query]")
        with page.expect_response(lambda r: "/organizations/picker/" in r.url):
            box.press_sequentially("shishe", delay=60)  # 石舍 is community B
        note = page.locator("[data-org-picker-note]")
        expect(note).to_contain_text("shishe")
        expect(page.locator("#id_organization-results [role=option]")).to_have_count(0)
        assert "石舍" not in page.content()
    finally:
        context.close()


def test_without_javascript_a_typed_name_is_resolved_by_the_server(browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", java_script_enabled=False, **DESKTOP
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page)
        page.goto("/members/")
        page.locator("input[name=organization_query]").fill("南湾村党支部")
        with page.expect_navigation():
            page.locator("form.filters button[type=submit]").click()
        assert set(organization_column(page)) == {"南湾村党支部"}
        expect(page.locator("input[name=organization_query]")).to_have_value(NANWAN)
        expect(page.locator("input[name=organization]")).to_have_value(str(nanwan().pk))

        # A name that several organizations share is explained, not guessed.
        page.locator("input[name=organization_query]").fill("村党支部")
        with page.expect_navigation():
            page.locator("form.filters button[type=submit]").click()
        expect(page.locator(".error-box")).to_contain_text("村党支部")
        expect(page.locator(".error-box")).to_contain_text(NANWAN)
    finally:
        context.close()


def test_the_open_list_fits_a_phone(phone_page: Page, artifacts):
    page = phone_page
    log_in(page)
    page.goto("/members/")
    box = page.locator("input[name=organization_query]")
    box.press_sequentially("dzb", delay=60)
    listbox = page.locator("#id_organization-results")
    expect(listbox.get_by_role("option").first).to_be_visible()
    assert_no_horizontal_scroll(page, 375)
    page.screenshot(path=artifacts / "org-picker-zh-phone.png")
