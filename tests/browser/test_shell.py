"""The page shell as a person sees it in a real browser: sign-in, language, phone layout, search.

Chromium is driven through Playwright against the live test server with the demo data loaded.
The browser asks for Chinese (zh-CN) unless a test says otherwise, like a township office PC.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cunju.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# The zh-Hans catalog's words for what these tests read on the page.
ZH = {
    "Home": "首页",
    "Party organizations": "党组织",
    "Places": "地区与社区",
    "Menu": "菜单",
    "Sign in": "登录",
    "Wrong user name or password.": "用户名或密码错误。",
}

# Measures what sticks out to the right of the window, ignoring anything inside its own
# scrolling box (a table wrapper scrolls sideways by design).
MEASURE_OVERFLOW = """() => {
  const width = window.innerWidth;
  const scrollsSideways = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const sticking = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5 && !scrollsSideways(el)) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.classList.length ? "." + [...el.classList].join(".") : "");
      sticking.push(name + " right=" + Math.round(box.right));
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    sticking: sticking.slice(0, 8),
  };
}"""


def log_in(page: Page, username: str = "demo-town", password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login page: type the user name and password, press the button."""
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    # Until the answer to the form has loaded: a page asked for meanwhile would race the
    # sign-in (which replaces the session) and could find its session gone.
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def assert_no_horizontal_scroll(page: Page, width: int) -> None:
    measured = page.evaluate(MEASURE_OVERFLOW)
    assert measured["innerWidth"] == width, measured
    assert measured["scrollWidth"] <= measured["innerWidth"], (
        f"{page.url} scrolls sideways: {measured}"
    )
    assert not measured["sticking"], f"{page.url} has content off the right edge: {measured}"


def nav_link(page: Page, label: str):
    return page.locator("#main-nav").get_by_role("link", name=label, exact=True)


# --- Signing in ------------------------------------------------------------------------------


def test_sign_in_shows_the_chinese_home_page(page: Page, artifacts):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    log_in(page)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(nav_link(page, ZH["Home"])).to_be_visible()
    expect(nav_link(page, ZH["Home"])).to_have_attribute("aria-current", "page")
    expect(nav_link(page, ZH["Party organizations"])).to_be_visible()
    expect(page.locator("h1")).to_have_text(ZH["Home"])
    expect(page.get_by_text("您的管辖范围：中共湖桥镇委员会。")).to_be_visible()
    # The town admin's name is in the top bar and the town's communities are on the page.
    expect(page.locator(".topbar .who")).to_have_text("李秀英")
    cards = page.locator(".cards")
    for community in ("湖滨社区", "石舍社区", "采莲社区"):
        expect(cards.get_by_role("link", name=community)).to_be_visible()
    page.screenshot(path=artifacts / "home-zh-desktop.png", full_page=True)


def test_wrong_password_shows_an_error(english_page: Page):
    page = english_page
    log_in(page, password="not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text("Wrong user name or password.")
    expect(page.locator("input[name=username]")).to_have_value("demo-town")
    expect(page.locator("input[name=password]")).to_have_value("")
    expect(page.locator("#main-nav")).to_have_count(0)


def test_wrong_password_error_is_in_chinese_for_a_chinese_browser(page: Page):
    log_in(page, password="not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("h1")).to_have_text(ZH["Sign in"])
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(ZH["Wrong user name or password."])


# --- Language --------------------------------------------------------------------------------


def test_language_buttons_switch_to_english_and_it_sticks(page: Page, artifacts):
    log_in(page)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.locator(".topbar form.lang").get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(nav_link(page, "Home")).to_be_visible()
    expect(nav_link(page, "Party organizations")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Home")
    expect(page.locator(".topbar form.lang [aria-current=true]")).to_have_text("English")
    page.screenshot(path=artifacts / "home-en-desktop.png", full_page=True)

    # The choice is remembered: the next page is English too, although the browser asks for
    # Chinese.
    nav_link(page, "Places").click()
    expect(page).to_have_url(re.compile(r"/places/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Places")
    expect(nav_link(page, "Party organizations")).to_be_visible()

    # And back to Chinese, staying on the same page.
    page.locator(".topbar form.lang").get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(re.compile(r"/places/$"))
    expect(nav_link(page, ZH["Party organizations"])).to_be_visible()
    expect(page.locator("h1")).to_have_text(ZH["Places"])


# --- Phone and desktop layout -----------------------------------------------------------------


def user_detail_path() -> str:
    from cunju.accounts.models import User

    return User.objects.get(username="demo-community-a").get_absolute_url()


@pytest.mark.parametrize(
    "path",
    ["/", "/organizations/", "/places/", "/accounts/users/", "user-detail"],
    ids=["home", "organizations", "places", "users", "user-detail"],
)
def test_phone_pages_do_not_scroll_sideways(phone_page: Page, path: str, artifacts):
    page = phone_page
    log_in(page)
    page.goto(user_detail_path() if path == "user-detail" else path)
    expect(page.locator("h1")).to_be_visible()

    assert_no_horizontal_scroll(page, 375)
    # The navigation is folded away behind the menu button.
    expect(page.locator(".menu-toggle")).to_be_visible()
    expect(page.locator("#main-nav")).to_be_hidden()
    if path == "/":
        page.screenshot(path=artifacts / "home-zh-phone.png", full_page=True)


def test_phone_login_page_does_not_scroll_sideways(phone_page: Page):
    page = phone_page
    page.goto("/accounts/login/")
    expect(page.locator("input[name=username]")).to_be_visible()
    assert_no_horizontal_scroll(page, 375)
    # Signed out there is no navigation and so no menu button.
    expect(page.locator(".menu-toggle")).to_have_count(0)
    submit = page.locator("main form button[type=submit]").bounding_box()
    assert submit and submit["x"] + submit["width"] <= 375


def test_phone_menu_button_opens_the_navigation(phone_page: Page):
    page = phone_page
    log_in(page)
    toggle = page.locator(".menu-toggle")
    nav = page.locator("#main-nav")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_contain_text(ZH["Menu"])
    expect(nav).to_be_hidden()

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    expect(nav_link(page, ZH["Party organizations"])).to_be_visible()
    assert_no_horizontal_scroll(page, 375)
    # Each item is a comfortable finger-sized target across the screen.
    box = nav_link(page, ZH["Party organizations"]).bounding_box()
    assert box and box["height"] >= 40 and box["width"] > 300, box

    nav_link(page, ZH["Party organizations"]).click()
    expect(page).to_have_url(re.compile(r"/organizations/$"))
    expect(nav).to_be_hidden()

    # Pressing the button again folds the menu away.
    toggle.click()
    expect(nav).to_be_visible()
    toggle.click()
    expect(nav).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")


def test_phone_tables_scroll_inside_their_wrapper(phone_page: Page):
    page = phone_page
    log_in(page)
    page.goto("/accounts/users/")
    wrap = page.locator(".table-wrap")
    expect(wrap.locator("table")).to_be_visible()

    sizes = wrap.evaluate(
        """w => ({
          scroll: w.scrollWidth,
          client: w.clientWidth,
          overflow: getComputedStyle(w).overflowX,
          right: w.getBoundingClientRect().right,
        })"""
    )
    assert sizes["overflow"] in ("auto", "scroll"), sizes
    assert sizes["scroll"] > sizes["client"], (
        f"the users table should be wider than a phone: {sizes}"
    )
    assert sizes["right"] <= 375, sizes

    # Scrolling the table moves the table, not the page.
    scrolled = wrap.evaluate("w => { w.scrollLeft = 200; return [w.scrollLeft, window.scrollX]; }")
    assert scrolled[0] > 0 and scrolled[1] == 0, scrolled
    assert_no_horizontal_scroll(page, 375)


def test_desktop_navigation_is_shown_without_a_menu_button(page: Page):
    log_in(page)
    expect(page.locator(".menu-toggle")).to_be_hidden()
    expect(page.locator("#main-nav")).to_be_visible()
    for label in ("Home", "Party organizations"):
        expect(nav_link(page, ZH[label])).to_be_visible()
    assert_no_horizontal_scroll(page, 1280)
    # The bar is one row: brand, navigation and tools side by side.
    brand = page.locator(".brand").bounding_box()
    nav = page.locator("#main-nav").bounding_box()
    assert brand and nav and abs(brand["y"] - nav["y"]) < brand["height"]


# --- Search as you type ----------------------------------------------------------------------


def test_list_search_filters_with_htmx_while_typing(page: Page):
    log_in(page)
    page.goto("/places/")
    table = page.locator("#list-table")
    expect(table).to_contain_text("南湾村")
    # A full page load would wipe this marker; an HTMX swap keeps it.
    page.evaluate("window.__samePage = true")

    with page.expect_response(
        lambda r: "/places/" in r.url and "q=xq" in r.url and r.request.headers.get("hx-request")
    ):
        page.locator("input[type=search][name=q]").press_sequentially("xq", delay=80)

    expect(table.get_by_role("link", name="新桥村", exact=True)).to_be_visible()
    expect(table).not_to_contain_text("南湾村")
    assert page.evaluate("window.__samePage") is True
    expect(page).to_have_url(re.compile(r"[?&]q=xq"))
    expect(page.locator("input[type=search][name=q]")).to_be_focused()


def test_a_list_of_choices_puts_each_box_beside_its_words(page: Page):
    """Check boxes of a multiple choice sit at the start of their own line, not centred on a
    line of their own above the next choice's words."""
    log_in(page)
    page.goto("/places/merge/")
    first = page.locator("#id_places label").first
    expect(first).to_be_visible()
    box = first.locator("input[type=checkbox]").bounding_box()
    words = first.bounding_box()
    assert box and words
    assert abs((box["y"] + box["height"] / 2) - (words["y"] + words["height"] / 2)) < 4
    assert box["x"] - words["x"] < 4  # at the start of the line
