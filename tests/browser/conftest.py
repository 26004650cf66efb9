"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against a live server.

Playwright's own browser download needs the internet, so the tests drive the system Chromium
(``scripts/setup.sh`` installs it) and are skipped, with the reason, when it is absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for all the browser tests, closed when they are done."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test thread while it is alive,
    # and Django refuses database work in a thread with a running loop unless this is set.
    # The database work done here (loading fixtures, flushing) is ordinary synchronous code.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


# Demo steps only the tests of their own module need: the library's converts a dozen
# office files, which the other browser tests do without.
HEAVY_DEMO_STEPS = {"cunju.library.demo.load": "library"}


def skipped_demo_steps(module: str) -> tuple[str, ...]:
    """The demo steps the browser tests of ``module`` (a dotted name) do without."""
    return tuple(step for step, name in HEAVY_DEMO_STEPS.items() if name not in module)


@pytest.fixture
def demo(request, browser, committed_demo) -> None:
    """The demo town, its communities, organizations and accounts.

    Committed (``committed_demo``) because the live server answers from another thread,
    which only sees committed rows; the database is emptied again after each test.
    """
    committed_demo(skip=skipped_demo_steps(request.module.__name__))


@contextmanager
def _tab(browser, live_server, device: dict[str, Any], locale: str) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, locale=locale, timezone_id="Asia/Shanghai", **device
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser, live_server, demo) -> Iterator[Any]:
    """A desktop browser tab whose preferred language is Simplified Chinese (zh-CN)."""
    with _tab(browser, live_server, DESKTOP, "zh-CN") as tab:
        yield tab


@pytest.fixture
def phone_page(browser, live_server, demo) -> Iterator[Any]:
    """A phone-sized tab: 375 × 740 CSS pixels at twice the density, preferring Chinese."""
    with _tab(browser, live_server, PHONE, "zh-CN") as tab:
        yield tab


@pytest.fixture
def english_page(browser, live_server, demo) -> Iterator[Any]:
    """A desktop tab whose browser asks for English (en-US)."""
    with _tab(browser, live_server, DESKTOP, "en-US") as tab:
        yield tab


@pytest.fixture
def artifacts() -> Path:
    """The folder screenshots are saved to."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
