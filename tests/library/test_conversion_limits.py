"""The limits around conversion: the page work child's memory limit, password-protected
files that only LibreOffice can tell are protected, and the one converter child per process
(made afresh after a fork, stopped at exit by its own process only)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from cunju.library.conversion import errors
from cunju.library.conversion.errors import ContentRefused, ConversionFailed
from cunju.library.conversion.office import office
from cunju.library.conversion.pages import page_worker
from cunju.library.conversion.sniff import sniff_path
from cunju.library.models import Processing
from cunju.library.samples import (
    make_compound_file,
    make_corrupt_docx,
    make_encrypted_ppt,
    make_txt,
    make_with_office,
)
from tests.library.test_ingest import make_town, upload


@pytest.fixture
def town(db, monkeypatch):
    return make_town(monkeypatch)


@pytest.fixture
def warm():
    service = office()
    assert service.start()
    return service


def proc_status(pid: int, field: str) -> int:
    """A "kB" figure of /proc/<pid>/status, in megabytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) >> 10
    raise LookupError(field)


def address_space_limit(pid: int) -> int:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max address space"):
            return int(line.split()[3])
    raise LookupError("Max address space")


# --- The page work child's memory limit ------------------------------------------------------


@pytest.fixture
def fresh_page_worker(monkeypatch):
    """The page work child is started afresh for the test, and again after it (the
    environment, with its limit, is restored only after this fixture's teardown)."""
    page_worker().stop()
    yield page_worker()
    page_worker().stop()


def test_a_file_needing_more_memory_than_the_limit_fails_alone(
    town, tmp_path, monkeypatch, settings, fresh_page_worker
):
    # Only memory may stop the large file: it has fewer pages than the library shows.
    settings.CUNJU_LIBRARY_MAX_PAGES = 1_000_000
    small, _ = upload(town.member_a, make_txt(tmp_path / "小文件.txt", "小文件", 2))
    assert small.stored_file.status == Processing.READY
    # A limit a little above what a fresh child needed for that small file.
    limit_mb = proc_status(fresh_page_worker.pid, "VmPeak") + 64
    monkeypatch.setenv("CUNJU_PAGEWORK_MEMORY_MB", str(limit_mb))
    fresh_page_worker.stop()

    large = tmp_path / "很长的文本.txt"
    line = "农村社区党建工作要从农村实际出发，在发展经济、富裕农民上狠下功夫。" * 4 + "\n"
    large.write_text(line * (40_000_000 // len(line.encode())), "utf-8")
    document, _ = upload(town.member_a, large)
    stored = document.stored_file
    assert (stored.status, stored.failure_reason) == (
        Processing.FAILED,
        errors.TEXT_TOO_LARGE,
    )
    assert stored.page_count is None and not stored.pages.exists()

    # The next file is read by a fresh child under the same limit.
    after, _ = upload(town.member_a, make_txt(tmp_path / "之后.txt", "之后的文件", 3))
    assert (after.stored_file.status, after.stored_file.page_count) == (Processing.READY, 3)
    assert address_space_limit(fresh_page_worker.pid) == limit_mb << 20


def test_a_limit_too_small_for_the_readers_is_a_server_error_not_the_files(
    town, tmp_path, monkeypatch, fresh_page_worker
):
    monkeypatch.setenv("CUNJU_PAGEWORK_MEMORY_MB", "8")
    fresh_page_worker.stop()
    document, _ = upload(town.member_a, make_txt(tmp_path / "计划.txt", "学习计划", 1))
    assert document.stored_file.failure_reason == errors.UNEXPECTED
    assert fresh_page_worker.pid is None


# --- Password-protected files --------------------------------------------------------------


def test_a_powerpoint_97_file_that_says_it_is_encrypted_is_refused(town, tmp_path):
    protected = make_encrypted_ppt(tmp_path / "加密的幻灯片.ppt")
    with pytest.raises(ContentRefused) as refused:
        sniff_path(protected)
    assert refused.value.reason == errors.PASSWORD
    with pytest.raises(ValidationError) as at_upload:
        upload(town.member_a, protected)
    assert at_upload.value.messages == [errors.PASSWORD]
    # The same container with the token of an unencrypted file is a PPT.
    user = protected.read_bytes()
    assert b"\xdf\xc4\xd1\xf3" in user
    plain = tmp_path / "幻灯片.ppt"
    plain.write_bytes(user.replace(b"\xdf\xc4\xd1\xf3", b"\x5f\xc0\x91\xe3"))
    assert sniff_path(plain).format == "ppt"
    bare = make_compound_file(tmp_path / "无用户.ppt", {"PowerPoint Document": bytes(64)})
    assert sniff_path(bare).format == "ppt"


@pytest.mark.parametrize("fmt", ["doc", "xls", "odt", "ods", "odp"])
def test_files_libreoffice_saved_with_a_password(warm, tmp_path, fmt):
    """Refused at upload by what they say of themselves; and when a protected file gets
    past that, LibreOffice's asking for a password is what the failure says."""
    protected = make_with_office(tmp_path / f"加密.{fmt}", "加密的学习材料", 1, fmt, "secret")
    with pytest.raises(ContentRefused) as refused:
        sniff_path(protected)
    assert refused.value.reason == errors.PASSWORD
    with pytest.raises(ConversionFailed) as failed:
        warm.convert(protected, tmp_path / "out.pdf", fmt, protected.stat().st_size)
    assert failed.value.reason == errors.PASSWORD
    assert not (tmp_path / "out.pdf").exists()


def test_a_file_libreoffice_cannot_read_is_not_called_protected(warm, tmp_path):
    damaged = make_corrupt_docx(tmp_path / "损坏.docx")
    with pytest.raises(ConversionFailed) as failed:
        warm.convert(damaged, tmp_path / "out.pdf", "docx", damaged.stat().st_size)
    assert failed.value.reason == errors.NOT_OPENED
    readable = make_with_office(tmp_path / "正常.doc", "正常的学习材料", 1, "doc")
    assert warm.convert(readable, tmp_path / "ok.pdf", "doc", readable.stat().st_size) == "warm"


# --- One converter child per process -----------------------------------------------------------

FORKING = """
import json, os, sys, threading
import django
django.setup()
from pathlib import Path
from cunju.library.conversion import office as office_module, pages
from cunju.library.samples import make_pdf

work = Path(sys.argv[1])
def read(name):
    folder = work / name
    folder.mkdir()
    source = make_pdf(folder / "a.pdf", "分叉", 1)
    found = pages.read_pages(source, mode="pdf", out=folder / "out", work=folder, size_bytes=1000)
    return len(found)

parent_worker = pages.page_worker()
read("parent")
parent_child = parent_worker.pid
parent_office = office_module.office()
# Another thread holds the holder's lock at the moment of the fork.
held = threading.Event()
release = threading.Event()
def hold():
    with pages._worker.lock:
        held.set()
        release.wait()
threading.Thread(target=hold, daemon=True).start()
held.wait()
pid = os.fork()
if pid == 0:
    worker = pages.page_worker()
    report = {
        "same_worker": worker is parent_worker,
        "same_office": office_module.office() is parent_office,
        "pages": read("child"),
        "child_pid": worker.pid,
    }
    (work / "child.json").write_text(json.dumps(report))
    sys.exit(0)  # a normal exit: the child's own services are stopped at exit
_, status = os.waitpid(pid, 0)
report = json.loads((work / "child.json").read_text())
report["status"] = status
# Looked at at once: the child stopped its page work process on its way out.
report["child_worker_gone"] = not os.path.exists(f"/proc/{report['child_pid']}")
release.set()
report["parent_child_alive"] = parent_worker.pid == parent_child and os.path.exists(
    f"/proc/{parent_child}"
)
report["parent_pages_after"] = read("parent-after")
report["parent_child_after"] = parent_worker.pid == parent_child
print(json.dumps(report))
"""


def test_a_forked_process_gets_its_own_children_and_leaves_its_parents_alone(tmp_path):
    script = subprocess.Popen(
        [sys.executable, "-c", FORKING, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cunju.settings_test"},
    )
    try:
        # A deadlock after the fork would otherwise hang the suite.
        out, err = script.communicate(timeout=300)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(script.pid, signal.SIGKILL)  # the forked child too, if it hangs
    assert script.returncode == 0, err[-2000:]
    report = json.loads(out.strip().splitlines()[-1])
    assert report["status"] == 0
    assert not report["same_worker"] and not report["same_office"]
    assert report["pages"] == 1
    # The child's page work process ended with it; the parent's kept serving.
    assert report["child_pid"] != report.get("parent_child") and report["child_worker_gone"]
    assert report["parent_child_alive"]
    assert report["parent_pages_after"] == 1 and report["parent_child_after"]
