"""Bad and hostile input: each ends as a clear failure of that document only, the worker and
the next jobs carry on, and nothing is left half-made.

Empty files, content that does not match its name, damaged and password-protected files and
zip bombs are refused at upload, before anything opens them; what only shows in processing
(a damaged document part, an encrypted PDF, a ZIP whose entries lie about their size,
LibreOffice hanging or dying mid-job, a PDF too slow to read) fails that document with a
reason in plain words.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import struct
import threading
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from cunju.library.conversion import errors
from cunju.library.conversion.errors import ContentRefused
from cunju.library.conversion.office import office
from cunju.library.conversion.sniff import sniff_path
from cunju.library.models import Document, Moderation, Processing, StoredFile
from cunju.library.samples import (
    _deflated,
    _zip_by_hand,
    make_compound_file,
    make_corrupt_docx,
    make_docx,
    make_encrypted_doc,
    make_encrypted_docx,
    make_encrypted_odt,
    make_encrypted_pdf,
    make_pdf,
    make_truncated_docx,
    make_zip_bomb_docx,
)
from tests.library.test_ingest import make_town, upload


@pytest.fixture
def town(db, monkeypatch):
    return make_town(monkeypatch)


def refusal(path: Path) -> str:
    with pytest.raises(ContentRefused) as refused:
        sniff_path(path)
    return refused.value.message()


def derived(stored: StoredFile) -> list[Path]:
    root = Path(default_storage.location) / "library" / "derived" / stored.sha256
    return list(root.rglob("*")) if root.exists() else []


# --- Refused at the door (no database needed) ----------------------------------------------


def test_an_empty_file_is_refused(tmp_path):
    empty = tmp_path / "空白.docx"
    empty.write_bytes(b"")
    assert refusal(empty) == errors.EMPTY


def test_a_zip_bomb_dressed_as_docx_is_refused_before_it_is_opened(tmp_path):
    bomb = make_zip_bomb_docx(tmp_path / "炸弹.docx", expanded_mb=256)
    assert bomb.stat().st_size < 1 << 20
    started = time.monotonic()
    assert refusal(bomb) == errors.BOMB
    # Judged from the sizes the archive declares: nothing was inflated.
    assert time.monotonic() - started < 5


def test_too_many_zip_entries_is_a_bomb_too(tmp_path):
    entries = [_deflated("[Content_Types].xml", b"<Types/>")]
    entries += [_deflated(f"word/part{i}.xml", b"<x/>") for i in range(10_001)]
    many = tmp_path / "many.docx"
    many.write_bytes(_zip_by_hand(entries))
    assert refusal(many) == errors.BOMB


def test_password_protected_office_files_are_refused(tmp_path):
    for path in (
        make_encrypted_docx(tmp_path / "加密.docx"),
        make_encrypted_doc(tmp_path / "加密.doc"),
        make_encrypted_odt(tmp_path / "加密.odt"),
    ):
        assert refusal(path) == errors.PASSWORD, path.name


def test_an_excel_97_workbook_with_a_password_is_refused(tmp_path):
    records = struct.pack("<HH", 0x0809, 16) + bytes(16)  # BOF
    records += struct.pack("<HH", 0x002F, 6) + bytes(6)  # FILEPASS
    workbook = make_compound_file(tmp_path / "加密.xls", {"Workbook": records})
    assert refusal(workbook) == errors.PASSWORD
    plain = make_compound_file(
        tmp_path / "表.xls", {"Workbook": struct.pack("<HH", 0x0809, 16) + bytes(16)}
    )
    assert sniff_path(plain).format == "xls"


def test_damaged_containers_are_refused_as_damaged(tmp_path):
    assert refusal(make_truncated_docx(tmp_path / "截断.docx")) == errors.DAMAGED
    broken = tmp_path / "坏的.doc"
    broken.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + os.urandom(3000))
    assert refusal(broken) == errors.DAMAGED


def test_content_unlike_its_name_is_refused_by_what_it_is(tmp_path):
    archive = tmp_path / "资料.docx"
    archive.write_bytes(_zip_by_hand([_deflated("readme.txt", "说明".encode())]))
    assert "a ZIP archive" in refusal(archive)
    photo = tmp_path / "照片.pdf"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + bytes(500))
    assert "a JPEG image" in refusal(photo)
    assert errors.SUPPORTED in refusal(photo)


def test_text_in_the_encodings_chinese_editors_save_is_text(tmp_path):
    text = "支部学习计划\n第一条 每月开展主题党日活动。\n"
    for encoding, expected in [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),  # Notepad's "Unicode", with its byte order mark
        ("gb18030", "gb18030"),
    ]:
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        sniffed = sniff_path(path)
        assert (sniffed.format, sniffed.encoding) == ("txt", expected), encoding
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(1, 32)) * 40)
    assert "unknown kind" in refusal(binary)


def test_a_wps_file_is_the_word_binary_told_apart_by_its_name(tmp_path):
    word = make_compound_file(tmp_path / "文件.wps", {"WordDocument": bytes(4096)})
    assert sniff_path(word).format == "wps"
    copy = tmp_path / "文件.doc"
    copy.write_bytes(word.read_bytes())
    assert sniff_path(copy).format == "doc"


# --- Failing in processing ----------------------------------------------------------------


def test_a_docx_with_a_garbage_document_part_fails_and_the_next_one_works(town, tmp_path):
    bad, _ = upload(town.member_a, make_corrupt_docx(tmp_path / "损坏.docx"))
    stored = bad.stored_file
    assert stored.status == Processing.FAILED
    assert stored.failure_reason == errors.NOT_OPENED
    assert not stored.pages.exists() and derived(stored) == []
    assert bad.moderation == Moderation.PROCESSING  # never published
    good, _ = upload(town.member_a, make_docx(tmp_path / "正常.docx", "正常的文件", 1))
    assert good.stored_file.status == Processing.READY


def test_a_zip_whose_entries_lie_about_their_size_fails_in_processing(town, tmp_path):
    # The central directory says 2 kB; the entry inflates to 32 MB. Only inflating shows it.
    big = b" " * (32 << 20)
    name, crc, packed, _size = _deflated("word/document.xml", big)
    liar = tmp_path / "说谎.docx"
    liar.write_bytes(
        _zip_by_hand(
            [
                _deflated("[Content_Types].xml", b"<Types/>"),
                (name, crc, packed, 2048),
            ]
        )
    )
    assert sniff_path(liar).format == "docx"  # what the upload sees
    document, _ = upload(town.member_a, liar)
    stored = document.stored_file
    assert stored.status == Processing.FAILED
    assert stored.failure_reason in (errors.BOMB, errors.DAMAGED)
    assert derived(stored) == []


def test_an_encrypted_pdf_fails_saying_it_needs_a_password(town, tmp_path):
    document, _ = upload(town.member_a, make_encrypted_pdf(tmp_path / "加密.pdf"))
    stored = document.stored_file
    assert (stored.status, stored.failure_reason) == ("failed", errors.PASSWORD)
    assert stored.page_count is None and derived(stored) == []
    assert not Document.objects.published().filter(pk=document.pk).exists()


def test_a_500_page_pdf_is_read_in_full_and_previewed_in_part(town, tmp_path):
    texts = [f"第{n}页 社区党建" for n in range(1, 501)]  # short pages: the count is the point
    document, _ = upload(town.member_a, make_pdf(tmp_path / "五百页.pdf", "五百页的文件", texts))
    stored = document.stored_file
    assert (stored.status, stored.page_count) == ("ready", 500)
    pages = list(stored.pages.order_by("number"))
    assert len(pages) == 500
    assert pages[499].text == "第500页 社区党建"
    assert [p.number for p in pages if p.preview] == [1, 2, 3, 4, 5]
    assert len([p for p in derived(stored) if p.suffix == ".webp"]) == 10


def test_more_pages_than_the_library_shows_is_a_clear_failure(town, tmp_path, settings):
    settings.CUNJU_LIBRARY_MAX_PAGES = 10
    document, _ = upload(town.member_a, make_pdf(tmp_path / "太长.pdf", "太长的文件", 11))
    stored = document.stored_file
    assert (stored.status, stored.failure_reason) == ("failed", errors.TOO_MANY_PAGES)


def test_a_pdf_too_slow_to_read_is_stopped_and_the_next_one_works(town, tmp_path, settings):
    slow = make_pdf(tmp_path / "慢.pdf", "读得很慢", 300)
    settings.CUNJU_OFFICE_TIMEOUT_BASE = 0.3
    settings.CUNJU_OFFICE_TIMEOUT_PER_MB = 0
    document, _ = upload(town.member_a, slow)
    stored = document.stored_file
    assert (stored.status, stored.failure_reason) == ("failed", errors.PDF_TOO_COMPLEX)
    assert derived(stored) == []
    settings.CUNJU_OFFICE_TIMEOUT_BASE = 60
    quick, _ = upload(town.member_a, make_pdf(tmp_path / "快.pdf", "读得很快", 1))
    assert quick.stored_file.status == Processing.READY


# --- LibreOffice hanging or dying mid-job ---------------------------------------------------


def office_processes(listener_child: int) -> list[int]:
    """The soffice.bin process(es) under the process the listener started."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        name = stat[stat.index(b"(") + 1 : stat.rindex(b")")]
        parent = int(stat[stat.rindex(b")") + 2 :].split()[1])
        if name.startswith(b"soffice") and parent == listener_child:
            found.append(int(entry))
    return found


def gone(pid: int) -> bool:
    """The process has exited (a zombie waiting for its parent counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except FileNotFoundError:
        return True


class Crasher(threading.Thread):
    """Kills LibreOffice as soon as it is working on a job, ``times`` times."""

    def __init__(self, service, times: int) -> None:
        super().__init__(daemon=True)
        self.service, self.times, self.kills = service, times, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while self.kills < self.times and not self.stopped.is_set():
            pid = self.service.soffice_pid
            if self.service.in_flight and pid:
                victims = office_processes(pid) or [pid]
                for victim in victims:
                    try:
                        os.kill(victim, signal.SIGKILL)
                    except ProcessLookupError:
                        continue
                self.kills += 1
                while self.service.soffice_pid == pid and not self.stopped.is_set():
                    time.sleep(0.01)
            time.sleep(0.005)


@pytest.fixture
def warm():
    service = office()
    assert service.start()
    return service


def test_libreoffice_dying_once_mid_job_is_retried_on_a_fresh_one(town, warm, tmp_path):
    source = make_docx(tmp_path / "崩溃一次.docx", "崩溃一次", 20)
    crasher = Crasher(warm, times=1)
    crasher.start()
    try:
        document, _ = upload(town.member_a, source)
    finally:
        crasher.stopped.set()
        crasher.join(5)
    assert crasher.kills == 1
    assert document.stored_file.status == Processing.READY
    assert document.stored_file.page_count == 20


def test_libreoffice_dying_under_a_file_every_time_fails_that_file_only(town, warm, tmp_path):
    source = make_docx(tmp_path / "总是崩溃.docx", "总是崩溃", 20)
    crasher = Crasher(warm, times=2)
    crasher.start()
    try:
        document, _ = upload(town.member_a, source)
    finally:
        crasher.stopped.set()
        crasher.join(5)
    stored = document.stored_file
    assert crasher.kills == 2
    assert (stored.status, stored.failure_reason) == ("failed", errors.OFFICE_CRASHED)
    assert derived(stored) == []
    after, _ = upload(town.member_a, make_docx(tmp_path / "之后.docx", "之后的文件", 1))
    assert after.stored_file.status == Processing.READY


class Staller(Crasher):
    """Stops LibreOffice (SIGSTOP: it hangs) as soon as it is working on a job, once."""

    def run(self) -> None:
        while not self.kills and not self.stopped.is_set():
            pid = self.service.soffice_pid
            if self.service.in_flight and pid:
                for victim in office_processes(pid) or [pid]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(victim, signal.SIGSTOP)
                self.kills += 1
            time.sleep(0.005)


def test_libreoffice_hanging_by_itself_is_replaced_and_the_file_converted(
    town, warm, tmp_path, settings
):
    # A hang that is not the file's fault (LibreOffice stops answering): the job runs over,
    # and a fresh LibreOffice converts the file on the second try.
    settings.CUNJU_OFFICE_TIMEOUT_BASE = 10
    settings.CUNJU_OFFICE_TIMEOUT_PER_MB = 0
    staller = Staller(warm, times=1)
    staller.start()
    try:
        document, _ = upload(town.member_a, make_docx(tmp_path / "卡住.docx", "卡住一次", 1))
    finally:
        staller.stopped.set()
        staller.join(5)
    assert staller.kills == 1
    assert document.stored_file.status == Processing.READY


def test_libreoffice_hanging_is_killed_at_the_time_limit(town, warm, tmp_path, settings):
    source = make_docx(tmp_path / "超时.docx", "超时的文件", 30)
    # Far below what any conversion takes, even of a small file on an idle machine: the
    # job always runs over (at 0.2 s a fast machine sometimes finished it in time).
    settings.CUNJU_OFFICE_TIMEOUT_BASE = 0.02
    settings.CUNJU_OFFICE_TIMEOUT_PER_MB = 0
    before = warm.soffice_pid
    document, _ = upload(town.member_a, source)
    stored = document.stored_file
    assert (stored.status, stored.failure_reason) == ("failed", errors.TOO_SLOW)
    assert derived(stored) == []
    # The LibreOffice that ran over is gone, and a new one takes the next job.
    assert warm.soffice_pid is None and gone(before)
    settings.CUNJU_OFFICE_TIMEOUT_BASE = 60
    after, _ = upload(town.member_a, make_docx(tmp_path / "之后.docx", "超时之后", 1))
    assert after.stored_file.status == Processing.READY


def test_a_refused_upload_is_refused_whole(town, tmp_path):
    bomb = make_zip_bomb_docx(tmp_path / "炸弹.docx", expanded_mb=256)
    digest = hashlib.sha256(bomb.read_bytes()).hexdigest()
    with pytest.raises(ValidationError) as refused:
        upload(town.member_a, bomb)
    assert errors.BOMB in refused.value.messages
    assert not StoredFile.objects.exists()
    assert not default_storage.exists(f"library/files/{digest[:2]}/{digest}.docx")
    work = Path(default_storage.location) / "library" / "work"
    assert not work.exists() or not any(work.iterdir())  # no scratch folder left behind


def test_a_worker_killed_mid_job_takes_its_libreoffice_with_it(tmp_path):
    """No orphaned LibreOffice keeps running (and holding memory) after its worker died."""
    import subprocess
    import sys

    script = (
        "import django, sys, time; django.setup()\n"
        "from cunju.library.conversion.office import office\n"
        "service = office(); service.start()\n"
        "print(service.soffice_pid, flush=True); time.sleep(120)\n"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cunju.settings_test"},
    )
    try:
        launched = int(worker.stdout.readline())
        office_pids = [launched, *office_processes(launched)]
        assert len(office_pids) >= 2 and not any(gone(pid) for pid in office_pids)
        worker.kill()
        worker.wait()
        deadline = time.monotonic() + 15
        while not all(gone(pid) for pid in office_pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(gone(pid) for pid in office_pids)
    finally:
        worker.kill()
