"""The document page as a reader sees it: what the source page shows, in the HTML itself."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cunju.library.models import Moderation, Page, Reading
from cunju.library.templatetags.library import download_label, filesize, reflow
from tests.world import client_for


def sections(body: str) -> dict[int, str]:
    """The page texts of a document page: {number: text without tags or white space}."""
    found = re.findall(
        r'<section class="page-text" id="page-(\d+)"[^>]*>\s*<h3>[^<]*</h3>(.*?)</section>',
        body,
        re.S,
    )
    return {int(n): re.sub(r"<[^>]+>|\s+", "", text) for n, text in found}


def test_sizes_read_like_the_source_page():
    assert filesize(51 * 1024) == "51.00 KB"
    assert filesize(812) == "812 B"
    assert filesize(1023) == "1023 B"
    assert filesize(1024) == "1.00 KB"
    assert filesize(int(3.2 * 1024 * 1024)) == "3.20 MB"
    assert filesize(None) == "—"
    assert download_label(0) == "Free download"
    assert download_label(1) == "Download (1 point)"
    assert download_label(5) == "Download (5 points)"


def test_page_text_flows_as_paragraphs_as_on_the_source_page():
    pdf_lines = (
        "第8页 八、加强社区干部队伍建设\n"
        "发挥党员的先锋模范作用，设立党员示范岗和党员责任区。统一规划，分步\n"
        "实施，因地制宜，稳步推进，决不违背农民意愿盲目攀比。切实提高农民的\n"
        "经营性、资产性收入。\n"
        "\n"
        "Rural communities <merge> villages and residential areas, so the Party\n"
        "organization serves both."
    )
    assert reflow(pdf_lines) == (
        "<p>第8页 八、加强社区干部队伍建设</p>"
        "<p>发挥党员的先锋模范作用，设立党员示范岗和党员责任区。统一规划，分步实施，"
        "因地制宜，稳步推进，决不违背农民意愿盲目攀比。切实提高农民的经营性、资产性收入。</p>"
        "<p>Rural communities &lt;merge&gt; villages and residential areas, so the Party "
        "organization serves both.</p>"
    )
    # A sheet's rows are kept one to a line.
    assert reflow("序号\t姓名\n1\t张三", True) == "序号\t姓名<br>1\t张三"


def test_the_document_page_shows_what_the_source_page_shows(world):
    doc = world.doc_a
    stored = doc.stored_file
    response = client_for(world.member_a).get(reverse("library:detail", args=[doc.pk]))
    assert response.status_code == 200
    body = response.content.decode()

    assert f"<h1>{doc.title}</h1>" in body
    assert f"<dt>Document ID</dt><dd>{doc.pk}</dd>" in body
    assert f"<dd>{filesize(stored.size_bytes)}</dd>" in body
    assert stored.page_count == 3
    assert "<dd>3 pages</dd>" in body
    assert f"<dd>{timezone.localtime(doc.created_at):%Y-%m-%d}</dd>" in body
    assert world.category_study.name in body
    assert world.clerk_a.full_name in body  # the uploader
    assert "学习" in body and "党建" in body  # tags

    # One preview image per page (three pages, under the limit of five), labelled by page.
    for number in (1, 2, 3):
        assert reverse("library:preview", args=[doc.pk, number, "large"]) in body
        assert f"<figcaption>Page {number}</figcaption>" in body
    assert reverse("library:preview", args=[doc.pk, 4, "large"]) not in body

    # The text of every page, numbered, readable without JavaScript.
    texts = dict(Page.objects.filter(stored_file=stored).values_list("number", "text"))
    shown = sections(body)
    assert sorted(shown) == [1, 2, 3]
    for number, text in texts.items():
        assert text.strip(), f"page {number} has text"
        assert shown[number] == re.sub(r"\s+", "", text)
    assert "<h3>Page 2</h3>" in body

    # The download button with its price, the report link and the four notices.
    assert f'href="{reverse("library:download", args=[doc.pk])}"' in body
    assert "Download (3 points)" in body
    assert reverse("library:report", args=[doc.pk]) in body
    for notice in (
        "mathematical formulas or slide animations may look wrong",
        "who keeps its copyright",
        "Report a copyright problem",
        "Read the document before downloading",
        "content does not match its title",
        "within 7 days costs no more points",
    ):
        assert notice in body, notice
    # Everything fits in the preview, so no "at most N pages" note.
    assert "are previewed" not in body
    # Published documents carry no status banner.
    assert "status-banner" not in body


def test_a_free_document_says_free_download_and_the_related_shelf(world):
    body = (
        client_for(world.member_a)
        .get(reverse("library:detail", args=[world.doc_a_txt.pk]))
        .content.decode()
    )
    assert "Free download" in body
    assert "Download (" not in body
    # Another document of the same category is suggested.
    assert "More in 理论学习" in body
    assert world.doc_a.get_absolute_url() in body


def test_at_most_n_pages_are_previewed_and_the_rest_is_text(world, settings):
    settings.CUNJU_LIBRARY_PREVIEW_PAGES = 2
    doc = world.doc_a
    body = client_for(world.member_a).get(doc.get_absolute_url()).content.decode()
    assert "At most 2 pages are previewed; download the document to see all of it." in body
    assert reverse("library:preview", args=[doc.pk, 2, "large"]) in body
    assert reverse("library:preview", args=[doc.pk, 3, "large"]) not in body
    assert sorted(sections(body)) == [1, 2, 3]
    # The third page's image is not served either.
    preview = client_for(world.member_a).get(reverse("library:preview", args=[doc.pk, 3, "large"]))
    assert preview.status_code == 404


def test_previews_are_images_served_with_caching_headers(world):
    client = client_for(world.member_a)
    url = reverse("library:preview", args=[world.doc_a.pk, 1, "large"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert "private" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    image = b"".join(response.streaming_content)
    assert len(image) > 100
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == response["ETag"]

    small = client.get(reverse("library:preview", args=[world.doc_a.pk, 1, "small"]))
    assert small.status_code == 200
    assert small["ETag"] != response["ETag"]
    assert len(b"".join(small.streaming_content)) < len(image)

    for args in ([world.doc_a.pk, 1, "huge"], [world.doc_a.pk, 4, "large"], [999999, 1, "large"]):
        assert client.get(reverse("library:preview", args=args)).status_code == 404


def test_media_files_are_not_served_directly(world):
    page = Page.objects.filter(stored_file=world.doc_b.stored_file, number=1).get()
    assert page.preview.name
    response = client_for(world.secretary_a).get("/media/" + page.preview.name)
    assert response.status_code == 404


def test_community_b_document_is_not_found_from_community_a(world):
    doc = world.doc_b
    for user in (world.secretary_a, world.member_a, world.clerk_a):
        client = client_for(user)
        assert client.get(doc.get_absolute_url()).status_code == 404
        for size in ("large", "small"):
            url = reverse("library:preview", args=[doc.pk, 1, size])
            assert client.get(url).status_code == 404
    town = client_for(world.town_admin).get(doc.get_absolute_url())
    assert town.status_code == 200
    assert doc.title in town.content.decode()


def test_a_document_shared_with_the_town_is_read_in_community_b(world):
    response = client_for(world.secretary_b).get(world.doc_a_txt.get_absolute_url())
    assert response.status_code == 200
    # Shared with committee A only: B does not see it.
    assert client_for(world.secretary_b).get(world.doc_a.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("moderation", "banner"),
    [
        (Moderation.PENDING_REVIEW, "waits for a moderator"),
        (Moderation.REJECTED, "did not publish"),
        (Moderation.TAKEN_DOWN, "was taken down"),
    ],
)
def test_unpublished_documents_show_their_status_to_uploader_and_moderators_only(
    world, moderation, banner
):
    doc = world.doc_a_txt  # uploaded by member A
    type(doc).objects.filter(pk=doc.pk).update(moderation=moderation, moderation_note="备注说明")
    for user in (world.member_a, world.secretary_a):
        response = client_for(user).get(doc.get_absolute_url())
        assert response.status_code == 200
        body = response.content.decode()
        assert banner in body
        assert "status-banner" in body
        # No download button, no report link and no reading for what is not published.
        assert reverse("library:download", args=[doc.pk]) not in body
        assert "data-reading" not in body
    # The moderator's note says why it was not published or taken down.
    assert ("备注说明" in body) == (moderation != Moderation.PENDING_REVIEW)
    assert not Reading.objects.filter(document=doc).exists()
    # Readers who are neither the uploader nor moderators do not find it.
    assert client_for(world.clerk_a).get(doc.get_absolute_url()).status_code == 404
    assert client_for(world.secretary_b).get(doc.get_absolute_url()).status_code == 404


def test_a_failed_conversion_shows_its_reason_and_a_retry_to_the_uploader(
    world, tmp_path, django_capture_on_commit_callbacks
):
    from cunju.library.samples import make_pdf
    from tests.library.world import upload

    whole = make_pdf(tmp_path / "whole.pdf", "残缺的文件", 3).read_bytes()
    broken = tmp_path / "残缺的文件.pdf"
    broken.write_bytes(whole[: len(whole) // 2])
    doc = upload(world.member_a, broken, title="残缺的文件")
    assert doc.status == "failed"

    client = client_for(world.member_a)
    body = client.get(doc.get_absolute_url()).content.decode()
    assert "status-banner status-failed" in body
    assert "could not be converted" in body
    doc.stored_file.refresh_from_db()
    assert doc.stored_file.failure_reason
    assert doc.stored_file.failure_reason in body
    # In Chinese, the reason too.
    with translation.override("zh-hans"):
        chinese = doc.stored_file.get_failure_reason_display()
    assert chinese != doc.stored_file.failure_reason
    zh = client_for(world.member_a, language="zh-hans").get(doc.get_absolute_url()).content
    assert chinese in zh.decode() and doc.stored_file.failure_reason not in zh.decode()
    retry_url = reverse("library:retry", args=[doc.pk])
    assert f'action="{retry_url}"' in body
    assert "data-reading" not in body
    # Other members do not see a document that never got published.
    assert client_for(world.clerk_a).get(doc.get_absolute_url()).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url, follow=True)
    assert response.redirect_chain[-1][0] == doc.get_absolute_url()
    assert "being converted again" in response.content.decode()
    doc.refresh_from_db()
    assert doc.status == "failed"  # the same broken bytes fail again, with the reason

    # Retrying what did not fail is refused with a message, nothing else happens.
    ok = client_for(world.member_a).post(
        reverse("library:retry", args=[world.doc_a_txt.pk]), follow=True
    )
    assert "Only a document whose conversion failed can be tried again." in ok.content.decode()
