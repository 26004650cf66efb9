"""Uploading to the library: content stored once by SHA-256, processed in the background,
documents published when their file is ready, failures retried, stalled work picked up."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import TestCase
from django.utils import timezone
from PIL import Image

import tests.world
from cunju.core.models import AuditEvent
from cunju.core.system import SYSTEM
from cunju.library import pipeline
from cunju.library.categories import add_category
from cunju.library.conversion import errors
from cunju.library.ingest import add_document, retry_document, update_document
from cunju.library.models import Document, Moderation, Page, Processing, StoredFile
from cunju.library.samples import make_pdf, make_txt
from cunju.library.search import search


def make_town(monkeypatch):
    """The test world's town, communities, organizations and people, and two shelves, but
    not the records other modules add (uploads here start from an empty library)."""
    monkeypatch.setattr(tests.world, "WORLD_EXTENSIONS", [])
    w = tests.world.build_world()
    w.category_study = add_category(SYSTEM, name="理论学习")
    w.category_party = add_category(SYSTEM, name="党建工作")
    return w


@pytest.fixture
def town(db, monkeypatch):
    return make_town(monkeypatch)


def upload(user, path: Path | SimpleUploadedFile, **fields):
    """Upload as ``user``; what waits for the commit (the processing) runs at once."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        document, existed = add_document(user, upload=path, **fields)
    document.refresh_from_db()
    document.stored_file.refresh_from_db()
    return document, existed


def media_files(prefix: str = "library") -> set[str]:
    root = Path(default_storage.location) / prefix
    return (
        {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
        if root.exists()
        else set()
    )


def test_a_pdf_becomes_a_published_document_with_text_and_previews(town, tmp_path):
    path = make_pdf(tmp_path / "学习材料.pdf", "农村社区党建学习材料", 3)
    document, existed = upload(town.member_a, path, price=2)
    stored = document.stored_file
    assert not existed
    assert (stored.status, stored.format, stored.page_count) == ("ready", "pdf", 3)
    assert stored.size_bytes == path.stat().st_size
    assert document.title == "学习材料"  # from the file name when none is given
    assert document.moderation == Moderation.PUBLISHED and document.published_at
    assert document.organization == town.branch_a1
    assert document.shared_with == town.town_committee  # the top of the uploader's tree
    # The PDF itself is what previews and text come from.
    assert stored.pdf.name == stored.file.name
    assert stored.file.name == f"library/files/{stored.sha256[:2]}/{stored.sha256}.pdf"
    pages = list(stored.pages.all())
    assert [p.number for p in pages] == [1, 2, 3]
    assert pages[0].text.startswith("农村社区党建学习材料\n第1页")
    assert "把发展经济致富农民作为中心任务" in pages[1].text
    for page in pages:
        with default_storage.open(page.preview.name) as handle:
            image = Image.open(handle)
            assert (image.format, image.width) == ("WEBP", 1000)
            assert (page.width, page.height) == image.size
        with default_storage.open(page.preview_small.name) as handle:
            assert Image.open(handle).width == 240
        assert page.preview.name.startswith(f"library/derived/{stored.sha256}/")
    # Indexed for search as soon as it is published.
    hits = search(town.member_a, "发展经济").hits
    assert document in [hit.document for hit in hits]
    events = AuditEvent.objects.filter(action="library.finish_processing")
    assert events.filter(object_id=str(stored.pk)).count() == 1


def test_previews_are_made_for_the_first_pages_only_and_text_for_all(town, tmp_path, settings):
    settings.CUNJU_LIBRARY_PREVIEW_PAGES = 2
    settings.CUNJU_LIBRARY_PREVIEW_WIDTHS = (600, 120)
    document, _ = upload(town.member_a, make_pdf(tmp_path / "p.pdf", "预览页数", 4))
    pages = list(document.stored_file.pages.all())
    assert [bool(p.preview) for p in pages] == [True, True, False, False]
    assert all(p.text for p in pages)
    assert pages[0].width == 600
    with default_storage.open(pages[0].preview_small.name) as handle:
        assert Image.open(handle).width == 120


def test_jpeg_previews_when_the_setting_asks_for_them(town, tmp_path, settings):
    settings.CUNJU_LIBRARY_PREVIEW_FORMAT = "jpeg"
    document, _ = upload(town.member_a, make_pdf(tmp_path / "j.pdf", "JPEG预览", 1))
    page = document.stored_file.pages.get()
    assert page.preview.name.endswith(".jpg")
    with default_storage.open(page.preview.name) as handle:
        assert Image.open(handle).format == "JPEG"


def test_a_text_file_is_paged_and_drawn_in_chinese(town, tmp_path):
    path = make_txt(tmp_path / "计划.txt", "支部年度学习计划", 3)
    document, _ = upload(town.secretary_a, path)
    stored = document.stored_file
    assert (stored.status, stored.format, stored.page_count) == ("ready", "txt", 3)
    assert stored.pdf.name == ""  # pages are drawn directly; the download is the text itself
    first, second, _third = stored.pages.all()
    assert first.text.startswith("支部年度学习计划\n第1页")
    assert second.text.startswith("（续）支部年度学习计划")
    with default_storage.open(first.preview.name) as handle:
        image = Image.open(handle).convert("L")
    # Real glyphs, not empty boxes: the drawn title has many dark pixels of many shades.
    title_band = image.crop((0, 40, 1000, 110))
    shades = [level for level, count in enumerate(title_band.histogram()) if count and level < 200]
    assert len(shades) > 20


def test_gb18030_text_is_read_as_chinese(town, tmp_path):
    path = make_txt(tmp_path / "gbk.txt", "国标编码的文件", 1, encoding="gb18030")
    document, _ = upload(town.member_a, path)
    assert document.stored_file.format == "txt"
    assert document.stored_file.pages.get().text.startswith("国标编码的文件")


def test_an_uploaded_file_object_works_like_a_path(town, tmp_path):
    path = make_pdf(tmp_path / "x.pdf", "网页上传", 1)
    upload_file = SimpleUploadedFile("网页上传.pdf", path.read_bytes())
    document, _ = upload(town.member_a, upload_file, original_name="网页上传.pdf")
    assert document.original_name == "网页上传.pdf"
    assert document.stored_file.status == Processing.READY


def test_the_same_content_again_reuses_the_stored_file_and_is_published_at_once(town, tmp_path):
    path = make_pdf(tmp_path / "a.pdf", "重复上传", 2)
    first, _ = upload(town.member_a, path)
    copy = tmp_path / "另一个名字.pdf"
    copy.write_bytes(path.read_bytes())
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        second, existed = add_document(town.secretary_b, upload=copy, title="再次上传")
    second.refresh_from_db()
    assert existed
    assert second.stored_file_id == first.stored_file_id
    assert StoredFile.objects.filter(sha256=first.stored_file.sha256).count() == 1
    assert second.moderation == Moderation.PUBLISHED
    # Nothing converted again: the only thing run after the commit is indexing.
    assert first.stored_file.attempts == 1
    assert all("process_file" not in repr(c) for c in callbacks)
    assert search(town.secretary_b, "再次上传").total == 1
    event = AuditEvent.objects.filter(action="library.add_document").latest("pk")
    assert event.changes["already_stored"] is True


def test_the_same_content_while_converting_is_published_with_the_first(town, tmp_path):
    path = make_pdf(tmp_path / "a.pdf", "同时上传", 1)
    # The first upload's processing has not run yet (no commit), the second comes meanwhile.
    first, _ = add_document(town.member_a, upload=path)
    second, existed = add_document(town.secretary_a, upload=path)
    assert existed and second.status == Processing.UPLOADED
    assert pipeline.process_stored_file(first.stored_file_id) == "ready"
    for document in (first, second):
        document.refresh_from_db()
        assert document.moderation == Moderation.PUBLISHED


def test_when_uploads_are_reviewed_a_ready_document_waits_for_a_moderator(town, tmp_path, settings):
    settings.CUNJU_LIBRARY_REVIEW_UPLOADS = True
    path = make_pdf(tmp_path / "a.pdf", "待审文件", 1)
    document, _ = upload(town.member_a, path)
    assert document.stored_file.status == Processing.READY
    assert document.moderation == Moderation.PENDING_REVIEW
    assert document.published_at is None
    again, existed = upload(town.clerk_a, path)
    assert existed and again.moderation == Moderation.PENDING_REVIEW
    assert search(town.member_a, "待审文件").total == 0


def test_content_taken_down_before_goes_to_review_when_uploaded_again(town, tmp_path):
    path = make_pdf(tmp_path / "a.pdf", "侵权文件", 1)
    first, _ = upload(town.member_a, path)
    Document.objects.filter(pk=first.pk).update(moderation=Moderation.TAKEN_DOWN)
    again, existed = upload(town.clerk_a, path)
    assert existed and again.moderation == Moderation.PENDING_REVIEW


@pytest.mark.parametrize(
    ("content", "name", "says"),
    [
        (b"", "empty.pdf", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "photo.docx", "looks like a PNG image"),
        (b"MZ\x90\x00" + bytes(300), "setup.pdf", "looks like a Windows program"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "page.doc", "looks like a web page"),
        (b"{\\rtf1\\ansi " + bytes(10), "letter.doc", "looks like an RTF document"),
    ],
)
def test_refused_uploads_say_why_and_leave_nothing(town, tmp_path, content, name, says):
    path = tmp_path / name
    path.write_bytes(content)
    before = media_files()
    documents = Document.objects.count()
    with pytest.raises(ValidationError) as refused:
        upload(town.member_a, path)
    message = " ".join(refused.value.messages)
    assert says in message
    if "looks like" in says:
        assert "Word, Excel, PowerPoint, WPS and OpenDocument files, PDF and plain text" in message
    assert Document.objects.count() == documents
    assert media_files() - before == set()
    event = AuditEvent.objects.filter(action="library.add_document").latest("pk")
    assert event.outcome == AuditEvent.Outcome.FAILURE


def test_refusals_are_in_chinese_for_chinese_users(town, tmp_path):
    from django.utils import translation

    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        upload(town.member_a, path)
    assert refused.value.messages  # the catalogue is filled later; the message is there


def test_a_file_over_the_size_limit_is_refused_without_reading_all_of_it(town, tmp_path, settings):
    settings.CUNJU_LIBRARY_MAX_BYTES = 2000
    path = make_pdf(tmp_path / "big.pdf", "太大的文件", 3)
    assert path.stat().st_size > 2000
    with pytest.raises(ValidationError, match=r"larger than 1\.95 KB,"):
        upload(town.member_a, path)
    assert not StoredFile.objects.filter(size_bytes=path.stat().st_size).exists()


def test_the_content_decides_the_format_not_the_name(town, tmp_path):
    pdf = make_pdf(tmp_path / "source.pdf", "其实是PDF", 1)
    disguised = tmp_path / "汇报.docx"
    disguised.write_bytes(pdf.read_bytes())
    document, _ = upload(town.member_a, disguised)
    assert document.stored_file.format == "pdf"
    assert document.stored_file.status == Processing.READY
    text = make_txt(tmp_path / "source.txt", "其实是文本", 1)
    named_pdf = tmp_path / "报告.pdf"
    named_pdf.write_bytes(text.read_bytes())
    document, _ = upload(town.member_a, named_pdf)
    assert document.stored_file.format == "txt"


def test_a_failed_document_can_be_retried_and_starts_clean(town, tmp_path):
    path = make_pdf(tmp_path / "a.pdf", "重试文件", 2)
    document, _ = add_document(town.member_a, upload=path)  # not processed yet
    stored = document.stored_file
    # The stored copy vanishes before the worker gets to it (a disk restored from an old
    # backup, say): processing fails, saying so, and leaves nothing behind.
    default_storage.delete(stored.file.name)
    assert pipeline.process_stored_file(stored.pk) == "failed"
    stored.refresh_from_db()
    assert stored.status == Processing.FAILED
    assert stored.failure_reason == errors.FILE_MISSING
    assert stored.get_failure_reason_display() == errors.FILE_MISSING
    assert stored.page_count is None and not stored.pages.exists()
    assert media_files(f"library/derived/{stored.sha256}") == set()
    document.refresh_from_db()
    assert document.status == Processing.FAILED
    assert document.moderation == Moderation.PROCESSING
    # The file is put back and the uploader tries again: processed from the start.
    with default_storage.open(stored.file.name, "wb") as handle:
        handle.write(path.read_bytes())
    with TestCase.captureOnCommitCallbacks(execute=True):
        retry_document(town.member_a, document)
    stored.refresh_from_db()
    assert (stored.status, stored.page_count, stored.attempts) == ("ready", 2, 1)
    assert stored.failure_reason == ""
    document.refresh_from_db()
    assert document.moderation == Moderation.PUBLISHED
    assert {name.split("/")[0] for name in media_files(f"library/derived/{stored.sha256}")} == {"1"}


def test_uploading_a_lost_file_again_brings_it_back(town, tmp_path):
    path = make_pdf(tmp_path / "a.pdf", "丢失的文件", 1)
    document, _ = upload(town.member_a, path)
    stored = document.stored_file
    default_storage.delete(stored.file.name)
    StoredFile.objects.filter(pk=stored.pk).update(status=Processing.UPLOADED)
    pipeline.process_stored_file(stored.pk)
    again, existed = upload(town.clerk_a, path)
    stored.refresh_from_db()
    assert existed and default_storage.exists(stored.file.name)
    assert stored.status == Processing.READY
    assert again.moderation == Moderation.PUBLISHED


def test_only_failed_documents_are_retried_and_only_by_their_people(town, tmp_path):
    document, _ = upload(town.member_a, make_pdf(tmp_path / "a.pdf", "不能重试", 1))
    with pytest.raises(ValidationError, match="Only a document whose conversion failed"):
        retry_document(town.member_a, document)
    StoredFile.objects.filter(pk=document.stored_file_id).update(
        status=Processing.FAILED, failure_reason=errors.UNEXPECTED
    )
    # B's secretary reads it (shared with the whole town) but moderates only B's uploads.
    with pytest.raises(PermissionDenied):
        retry_document(town.secretary_b, document)
    with pytest.raises(PermissionDenied):
        retry_document(town.clerk_a, document)  # not the uploader, not a moderator
    private, _ = upload(
        town.clerk_a, make_pdf(tmp_path / "b.pdf", "社区内部", 1), shared_with=town.committee_a
    )
    with pytest.raises(Http404):  # shared with community A only: B cannot even see it
        retry_document(town.secretary_b, private)
    with TestCase.captureOnCommitCallbacks(execute=True):
        retry_document(town.secretary_a, document)  # a moderator of community A
    document.stored_file.refresh_from_db()
    assert document.stored_file.status == Processing.READY


def test_prices_sharing_and_fields_are_checked(town, tmp_path):
    path = make_pdf(tmp_path / "a.pdf", "检查字段", 1)
    with pytest.raises(ValidationError) as refused:
        upload(town.member_a, path, price=21)
    assert "price" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        upload(town.member_a, path, shared_with=town.committee_b)
    assert "shared_with" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        upload(town.member_a, path, title="长" * 201)
    assert "title" in refused.value.error_dict
    assert not StoredFile.objects.filter(size_bytes=path.stat().st_size).exists()
    document, _ = upload(
        town.member_a,
        path,
        title="  检查   字段 ",
        category=town.category_study,
        tags=["学习", "学习", "党课"],
        price=5,
        shared_with=town.committee_a,
    )
    assert document.title == "检查 字段"
    assert sorted(t.name for t in document.tags.all()) == ["党课", "学习"]
    assert (document.price, document.shared_path) == (5, town.committee_a.path)


def test_update_document_changes_fields_and_reindexes(town, tmp_path):
    path = make_pdf(tmp_path / "a.pdf", "旧的标题", 1)
    document, _ = upload(town.member_a, path, title="旧的标题")
    with TestCase.captureOnCommitCallbacks(execute=True):
        update_document(
            town.member_a,
            document,
            title="新的标题",
            price=1,
            tags=["理论"],
            category=town.category_party,
        )
    document.refresh_from_db()
    assert (document.title, document.price, document.category) == (
        "新的标题",
        1,
        town.category_party,
    )
    assert search(town.member_a, "新的标题").total == 1
    event = AuditEvent.objects.filter(action="library.update_document").latest("pk")
    assert event.changes["title"] == ["旧的标题", "新的标题"]
    assert event.changes["tags"] == [[], ["理论"]]
    with pytest.raises(PermissionDenied):
        update_document(town.clerk_a, document, title="别人改")
    Document.objects.filter(pk=document.pk).update(
        shared_with=town.committee_a, shared_path=town.committee_a.path
    )
    with pytest.raises(Http404):
        update_document(town.secretary_b, document, title="外人改")
    with pytest.raises(ValidationError):
        update_document(town.member_a, document, price=-1)


def test_a_system_administrator_files_uploads_under_the_top_of_the_tree(town, tmp_path):
    document, _ = upload(town.admin, make_pdf(tmp_path / "a.pdf", "管理员上传", 1))
    assert document.organization == town.town_committee
    shared, _ = upload(
        town.admin,
        make_pdf(tmp_path / "b.pdf", "管理员上传给社区", 1),
        shared_with=town.committee_b,
    )
    assert shared.organization == town.committee_b


# --- Crashed workers ---------------------------------------------------------------------


def dead_worker_identity() -> str:
    """The identity a worker process had: one that ran on this machine and has exited."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    import socket

    return f"{socket.gethostname()}:{int(child.stdout)}:1"


def test_a_file_left_converting_by_a_dead_worker_is_converted_again(town, tmp_path):
    document, _ = add_document(town.member_a, upload=make_pdf(tmp_path / "a.pdf", "中断", 2))
    stored = document.stored_file
    # A worker claimed it and died (the kill -9 of a worker mid-job looks just like this).
    StoredFile.objects.filter(pk=stored.pk).update(
        status=Processing.CONVERTING,
        claimed_by=dead_worker_identity(),
        started_at=timezone.now(),
        attempts=1,
    )
    queued = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        counts = pipeline.recover_stalled_files(enqueue=queued.append)
    assert counts["requeued"] == 1 and queued == [stored.pk]
    assert pipeline.process_stored_file(stored.pk) == "ready"
    stored.refresh_from_db()
    assert (stored.status, stored.attempts, stored.claimed_by) == ("ready", 2, "")
    document.refresh_from_db()
    assert document.moderation == Moderation.PUBLISHED


def test_a_file_being_converted_by_a_live_worker_is_left_alone(town, tmp_path):
    document, _ = add_document(town.member_a, upload=make_pdf(tmp_path / "a.pdf", "进行中", 1))
    parent = f"{pipeline.worker_identity().split(':')[0]}:{__import__('os').getppid()}:"
    StoredFile.objects.filter(pk=document.stored_file_id).update(
        status=Processing.CONVERTING, claimed_by=parent, started_at=timezone.now()
    )
    queued = []
    counts = pipeline.recover_stalled_files(enqueue=queued.append)
    assert counts["requeued"] == 0 and queued == []
    # On another machine: only once it has run far past any time limit.
    StoredFile.objects.filter(pk=document.stored_file_id).update(
        claimed_by="elsewhere:1:1", started_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert pipeline.recover_stalled_files(enqueue=queued.append)["requeued"] == 0
    StoredFile.objects.filter(pk=document.stored_file_id).update(
        started_at=timezone.now() - dt.timedelta(hours=2)
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert pipeline.recover_stalled_files(enqueue=queued.append)["requeued"] == 1


def test_a_file_that_keeps_killing_workers_is_given_up(town, tmp_path):
    document, _ = add_document(town.member_a, upload=make_pdf(tmp_path / "a.pdf", "反复中断", 1))
    StoredFile.objects.filter(pk=document.stored_file_id).update(
        status=Processing.CONVERTING,
        claimed_by=dead_worker_identity(),
        started_at=timezone.now(),
        attempts=pipeline.MAX_INTERRUPTIONS,
    )
    counts = pipeline.recover_stalled_files(enqueue=lambda pk: None)
    assert counts["given_up"] == 1
    stored = StoredFile.objects.get(pk=document.stored_file_id)
    assert (stored.status, stored.failure_reason) == ("failed", errors.INTERRUPTED)


def test_an_uploaded_file_whose_task_was_lost_is_queued_again(town, tmp_path):
    document, _ = add_document(town.member_a, upload=make_pdf(tmp_path / "a.pdf", "丢了任务", 1))
    queued = []
    assert pipeline.recover_stalled_files(enqueue=queued.append)["queued"] == 0  # too new
    StoredFile.objects.filter(pk=document.stored_file_id).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert pipeline.recover_stalled_files(enqueue=queued.append)["queued"] == 1
    assert queued == [document.stored_file_id]


def test_processing_twice_does_nothing_the_second_time(town, tmp_path):
    document, _ = upload(town.member_a, make_pdf(tmp_path / "a.pdf", "只处理一次", 1))
    assert pipeline.process_stored_file(document.stored_file_id) == "skipped"
    assert Page.objects.filter(stored_file_id=document.stored_file_id).count() == 1


def test_a_worker_starting_up_converts_what_a_dead_worker_left(town, tmp_path):
    from cunju.library.tasks import recover_at_start

    document, _ = add_document(town.member_a, upload=make_pdf(tmp_path / "a.pdf", "重启", 1))
    StoredFile.objects.filter(pk=document.stored_file_id).update(
        status=Processing.CONVERTING,
        claimed_by=dead_worker_identity(),
        started_at=timezone.now(),
        attempts=1,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        counts = recover_at_start()
    assert counts["requeued"] == 1
    document.refresh_from_db()
    assert document.stored_file.status == Processing.READY
    assert document.moderation == Moderation.PUBLISHED
