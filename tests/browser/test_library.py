"""The study library in a real browser: the shelf, a document page, uploading several files
with progress, and the reading beacon, on a desktop and on a phone.

The demo library is loaded (its PDFs and text files are converted during the demo step).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_shell import assert_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser

# A PDF of nine pages: five preview images and the text of all nine.
LONG_PDF = "新时代农村基层党建党课讲稿"


def document_path(title: str) -> str:
    from cunju.library.models import Document

    return Document.objects.get(title=title).get_absolute_url()


def images_loaded(page: Page, selector: str) -> list[int]:
    """The natural widths of the images matched, 0 for one that did not load."""
    return page.eval_on_selector_all(
        selector, "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)"
    )


def test_the_shelf_shows_cards_with_covers(page: Page, artifacts):
    log_in(page, "demo-member")
    page.goto("/library/")
    cards = page.locator(".doc-card")
    expect(cards.first).to_be_visible()
    expect(page.locator(".doc-cards")).to_contain_text(LONG_PDF)
    expect(page.locator(".shelves")).to_contain_text("党章党规")
    # Covers are the first pages' small previews, served through the scope check.
    covers = page.locator(".doc-card .cover img")
    assert covers.count() >= 6
    page.wait_for_load_state("networkidle")
    assert all(width > 0 for width in images_loaded(page, ".doc-card .cover img"))
    assert_no_horizontal_scroll(page, 1280)
    page.screenshot(path=artifacts / "library-list-desktop.png", full_page=True)

    # Picking a category narrows the shelf.
    page.locator(".shelf-list").get_by_role("link", name=re.compile("合作社")).click()
    expect(page).to_have_url(re.compile(r"category=\d+"))
    expect(page.locator(".doc-cards")).to_contain_text("社区股份经济合作社章程")
    expect(page.locator(".doc-cards")).not_to_contain_text(LONG_PDF)


def test_the_document_page_shows_previews_text_and_notices(page: Page, artifacts):
    log_in(page, "demo-community-a")
    page.goto(document_path(LONG_PDF))
    expect(page.locator("h1")).to_have_text(LONG_PDF)
    expect(page.locator(".doc-facts")).to_contain_text("9")
    previews = page.locator(".preview img")
    expect(previews).to_have_count(5)
    for image in previews.all():
        image.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    assert all(width > 0 for width in images_loaded(page, ".preview img"))
    expect(page.locator(".page-text")).to_have_count(9)
    expect(page.locator("#page-9")).to_contain_text("党")
    expect(page.locator(".notices li")).to_have_count(4)
    expect(page.locator("a.download").first).to_be_visible()
    assert_no_horizontal_scroll(page, 1280)
    page.screenshot(path=artifacts / "library-detail-desktop.png", full_page=True)


def test_the_document_page_fits_a_phone(phone_page: Page, artifacts):
    page = phone_page
    log_in(page, "demo-member")
    page.goto(document_path("积极探索农村社区党建工作新模式"))
    expect(page.locator("h1")).to_be_visible()
    assert_no_horizontal_scroll(page, 375)
    page.screenshot(path=artifacts / "library-detail-phone.png", full_page=False)
    page.goto("/library/")
    expect(page.locator(".doc-card").first).to_be_visible()
    assert_no_horizontal_scroll(page, 375)
    page.screenshot(path=artifacts / "library-list-phone.png", full_page=False)


def test_uploading_several_files_shows_each_files_progress_and_outcome(
    page: Page, artifacts, tmp_path
):
    from cunju.library.models import Document
    from cunju.library.samples import make_pdf, make_txt

    good = make_txt(tmp_path / "社区议事规则.txt", "社区议事规则", 2)
    pdf = make_pdf(tmp_path / "网格化服务手册.pdf", "网格化服务手册", 2)
    empty = tmp_path / "空白.txt"
    empty.write_bytes(b"")

    log_in(page, "demo-member")
    page.goto("/library/upload/")
    # With the script, the single title field gives way to a title per file.
    expect(page.locator(".no-js-only")).to_be_hidden()
    page.locator("#id_files").set_input_files([str(good), str(empty), str(pdf)])
    rows = page.locator("#upload-queue .upload-item")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("input[name=title]")).to_have_value("社区议事规则")
    expect(rows.nth(1)).to_have_class(re.compile("is-error"))  # empty: refused before sending
    rows.nth(2).locator("input[name=title]").fill("网格化服务手册（2026版）")
    page.locator("#id_category").select_option(label="民生服务")
    page.locator("#id_tags").fill("网格, 服务")

    page.locator("#upload-button").click()

    expect(rows.nth(0)).to_have_class(re.compile("is-done"), timeout=30_000)
    expect(rows.nth(2)).to_have_class(re.compile("is-done"), timeout=30_000)
    expect(rows.nth(2).locator("a")).to_have_text("网格化服务手册（2026版）")
    expect(rows.nth(1)).to_have_class(re.compile("is-error"))
    page.screenshot(path=artifacts / "library-upload-desktop.png", full_page=True)
    stored = Document.objects.filter(uploader__username="demo-member", category__name="民生服务")
    assert sorted(stored.values_list("title", flat=True)) == [
        "社区议事规则",
        "网格化服务手册（2026版）",
    ]

    # Uploading the same content again says so.
    page.goto("/library/upload/")
    page.locator("#id_files").set_input_files([str(good)])
    page.locator("#upload-button").click()
    row = page.locator("#upload-queue .upload-item").first
    expect(row).to_have_class(re.compile("is-done"), timeout=30_000)
    expect(row.locator(".existed")).to_contain_text("社区议事规则")


def test_the_reading_beacon_records_how_far_the_reader_got(page: Page):
    from cunju.library.models import Reading

    log_in(page, "demo-clerk-a")
    page.goto(document_path(LONG_PDF))
    expect(page.locator("#page-9")).to_be_attached()
    reading_id = int(page.locator("[data-reading]").get_attribute("data-reading"))
    page.locator("#page-9").scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # let the observer see the last page
    page.goto("/library/")  # leaving the page (pagehide) sends the beacon
    for _attempt in range(100):
        reading = Reading.objects.get(pk=reading_id)
        if reading.last_page == 9:
            break
        page.wait_for_timeout(100)
    assert reading.last_page == 9
    assert reading.user.username == "demo-clerk-a"


@pytest.mark.parametrize("path", ["/library/mine/", "/library/categories/", "/library/upload/"])
def test_the_library_work_pages_fit_a_phone(phone_page: Page, path: str, artifacts):
    page = phone_page
    log_in(page, "demo-town")
    page.goto(path)
    expect(page.locator("h1")).to_be_visible()
    assert_no_horizontal_scroll(page, 375)
    if path == "/library/categories/":
        rows = page.locator("table.categories tbody tr")
        expect(rows).to_have_count(7)
        # Moving a category down changes the order on the page.
        first = rows.first.locator("input[name=name]").input_value()
        rows.first.locator("button[value=down]").click()
        expect(
            page.locator("table.categories tbody tr").nth(1).locator("input[name=name]")
        ).to_have_value(first)
        page.screenshot(path=artifacts / "library-categories-phone.png", full_page=True)
