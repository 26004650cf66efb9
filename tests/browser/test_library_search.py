"""The search page in a real browser: typing words, the results replacing themselves in place,
the link to the page where the words occur; on a desktop and on a phone.

The demo library is loaded; its PDFs and text files are converted (and indexed) on the way.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_shell import assert_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser


def test_searching_shows_marked_snippets_and_pages(page: Page, artifacts):
    log_in(page, "demo-member")
    page.goto("/library/search/")
    expect(page.locator(".search-hit")).to_have_count(0)
    page.locator("input[name=q]").fill("积分")
    page.locator("form.search-form button[type=submit]").click()
    hit = page.locator(".search-hit").filter(has_text="党员积分制管理实施细则")
    expect(hit).to_be_visible()
    expect(hit.locator("mark").first).to_have_text("积分")
    expect(page).to_have_url(re.compile(r"q=%E7%A7%AF%E5%88%86"))
    assert_no_horizontal_scroll(page, 1280)
    page.screenshot(path=artifacts / "library-search-desktop.png", full_page=True)

    # A page number leads to that page of the document.
    hit.locator(".pages a").first.click()
    expect(page).to_have_url(re.compile(r"/library/\d+/#page-\d+$"))

    # Words nobody wrote: said so.
    page.goto("/library/search/?q=宇宙飞船发射")
    expect(page.locator("#search-results")).to_contain_text("宇宙飞船发射")
    expect(page.locator(".search-hit")).to_have_count(0)


def test_the_search_page_fits_a_phone(phone_page: Page, artifacts):
    log_in(phone_page, "demo-member")
    phone_page.goto("/library/search/?q=党建")
    expect(phone_page.locator(".search-hit").first).to_be_visible()
    assert_no_horizontal_scroll(phone_page, 375)
    phone_page.screenshot(path=artifacts / "library-search-phone.png", full_page=True)
