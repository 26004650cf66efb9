"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against a live server.

Playwright's own browser download needs the internet, so the tests use the system Chromium
(``scripts/setup.sh`` installs it) and are skipped, with the reason, when it is absent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps trying to reach Google's servers and logs every failure.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots for people to look at; the folder is ignored by git.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

DEMO_PASSWORD = "Demo@2026cunju"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 375, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One Chromium for all the browser tests, closed when they are done."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while it is alive, and
    # Django refuses database work from a thread with a running loop unless told otherwise.
    # The database work here is the ordinary synchronous kind (fixtures and flushes).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


@pytest.fixture
def demo(transactional_db) -> None:
    """The demo town, communities, organizations and accounts, in the live server's database."""
    from cunju.core.demo import load_demo

    load_demo()


def _context(browser, live_server, locale: str, device: dict) -> Iterator:
    context = browser.new_context(
        base_url=live_server.url,
        locale=locale,
        timezone_id="Asia/Shanghai",
        **device,
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(browser, live_server, demo) -> Iterator:
    """A desktop browser tab whose preferred language is Simplified Chinese."""
    for context in _context(browser, live_server, "zh-CN", DESKTOP):
        yield context.new_page()


@pytest.fixture
def phone_page(browser, live_server, demo) -> Iterator:
    """A phone-sized tab (375 × 740 CSS pixels at twice the density), preferring Chinese."""
    for context in _context(browser, live_server, "zh-CN", PHONE):
        yield context.new_page()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login page the way a person does."""
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
