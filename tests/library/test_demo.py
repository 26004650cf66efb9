"""The demo library: shelves, a dozen generated Chinese documents, downloads and a report."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.urls import reverse

from cunju.library.demo import CATEGORIES, DOWNLOADS, SAMPLES
from cunju.library.models import Category, Document, Download, Format, Report, ReportStatus
from cunju.points import ledger
from tests.world import client_for


def test_the_demo_library(db, django_capture_on_commit_callbacks):
    # One test, because loading the demo takes most of a minute (it converts real files).
    # As `cunju demo` does, in one transaction; its office files convert once it commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=io.StringIO())
    shelves_hold_a_dozen_study_documents()
    downloads_points_and_a_report_are_waiting()
    a_demo_document_reads_like_the_source_page()


def shelves_hold_a_dozen_study_documents():
    assert list(Category.objects.values_list("name", flat=True)) == CATEGORIES
    documents = Document.objects.select_related("stored_file", "uploader")
    assert documents.count() == len(SAMPLES) >= 12
    formats = set(documents.values_list("stored_file__format", flat=True))
    assert {Format.DOCX, Format.XLSX, Format.PPTX, Format.PDF, Format.TXT} <= formats
    assert len({d.uploader_id for d in documents}) >= 5
    assert documents.filter(price__gt=0).count() >= 4
    assert documents.filter(price=0).count() >= 4
    # All converted (the office files after the demo's transaction committed).
    assert [d.title for d in documents if d.status != "published"] == []
    long = [d for d in documents if d.stored_file.page_count > 5]
    assert len(long) >= 4, [(d.title, d.stored_file.page_count) for d in documents]
    for document in documents:
        assert document.stored_file.pages.exclude(text="").exists(), document.title


def downloads_points_and_a_report_are_waiting():
    assert Download.objects.count() == len(DOWNLOADS)
    paid = Download.objects.filter(price__gt=0)
    assert paid.count() >= 2
    for download in paid:
        assert ledger.verify(download.user)
        assert ledger.balance(download.document.uploader) >= download.price
    report = Report.objects.get()
    assert report.status == ReportStatus.OPEN
    town = client_for(
        Document.objects.get(title="中国共产党章程学习要点").uploader, language="zh-hans"
    )
    queue = town.get(reverse("library:moderation"))
    assert report.document.title in queue.content.decode()


def a_demo_document_reads_like_the_source_page():
    document = Document.objects.get(title="积极探索农村社区党建工作新模式")
    member = Document.objects.get(title="新时代农村基层党建党课讲稿").uploader
    body = client_for(member).get(document.get_absolute_url()).content.decode()
    assert document.stored_file.page_count == 8
    assert "8 pages" in body
    assert "At most 5 pages are previewed" in body
    assert body.count('<figure class="preview"') == 5
    assert body.count('<section class="page-text"') == 8
    assert "Download (5 points)" in body
