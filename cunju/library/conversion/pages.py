"""Read a PDF or a text file into pages: ``pagework.py`` in a child process kept warm, with
a memory limit for its life (``CUNJU_PAGEWORK_MEMORY_MB``) and a time limit per job (scaled
to the file's size, as for office conversion). A job that runs over, runs out of memory or
kills the child fails that file only: the child is killed and a fresh one takes the next
job. What the child reports becomes ``PageResult`` rows or a ``ConversionFailed`` with a
reason in plain words."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from . import errors
from .errors import ConversionFailed
from .office import timeout_for
from .perprocess import PerProcess

log = logging.getLogger(__name__)

SCRIPT = Path(__file__).with_name("pagework.py")
# Address space of the page work child, in megabytes: a file that needs more is refused as
# too complex. Read each time a child starts.
MEMORY_MB = 2048


def memory_limit() -> int:
    """The page work child's address-space limit in bytes (``CUNJU_PAGEWORK_MEMORY_MB``)."""
    return int(os.environ.get("CUNJU_PAGEWORK_MEMORY_MB", MEMORY_MB)) << 20


# Fonts tried for drawing text pages when fontconfig does not answer (file, face index).
FALLBACK_FONTS = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 7),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 1),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 1),
]


@dataclass
class PageResult:
    number: int
    text: str
    preview: str = ""
    preview_small: str = ""
    width: int | None = None
    height: int | None = None


def max_pages() -> int:
    return int(getattr(settings, "CUNJU_LIBRARY_MAX_PAGES", 5000))


def preview_format() -> str:
    kind = str(getattr(settings, "CUNJU_LIBRARY_PREVIEW_FORMAT", "webp")).lower()
    return "jpeg" if kind in ("jpeg", "jpg") else "webp"


@cache
def cjk_font() -> tuple[str, int]:
    """A font with Chinese glyphs for drawing text pages: fontconfig's choice for
    monospaced Simplified Chinese (Latin half as wide as Chinese), else a known file."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}", "monospace:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        path, index = (found.stdout.splitlines() + ["", ""])[:2]
        if found.returncode == 0 and path and _has_chinese(path, int(index or 0)):
            return path, int(index or 0)
    except (OSError, subprocess.TimeoutExpired, ValueError):
        pass
    for path, index in FALLBACK_FONTS:
        if os.path.exists(path) and _has_chinese(path, index):
            return path, index
    raise ConversionFailed(errors.UNEXPECTED, "no font with Chinese glyphs is installed")


def _has_chinese(path: str, index: int) -> bool:
    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.truetype(path, size=24, index=index)
    except OSError:
        return False

    def drawn(ch: str) -> bytes:
        image = Image.new("L", (32, 32), 0)
        ImageDraw.Draw(image).text((2, 0), ch, font=font, fill=255)
        return image.tobytes()

    # A font without the glyph draws its "missing" box the same for every character.
    return drawn("党") != drawn("\uffff")


class PageWorker:
    """The page work child of this process: started on first use, replaced after a
    failure or ``RESTART_AFTER`` jobs."""

    RESTART_AFTER = 500

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.answers: queue.Queue[dict | None] = queue.Queue()
        self.jobs = 0
        # The address-space limit the running child was started with.
        self.limit = 0

    def _start(self) -> subprocess.Popen:
        limit = memory_limit()
        process = subprocess.Popen(
            [sys.executable, "-I", str(SCRIPT), str(limit)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
            start_new_session=True,
        )
        answers: queue.Queue[dict | None] = queue.Queue()

        def read() -> None:
            for line in process.stdout:
                try:
                    answers.put(json.loads(line))
                except ValueError:
                    log.warning("page work said: %s", line.strip()[:200])
            answers.put(None)

        threading.Thread(target=read, daemon=True, name="page-work").start()
        self.answers = answers
        try:
            hello = answers.get(timeout=60)
        except queue.Empty:
            hello = None
        if not hello or not hello.get("ready"):
            _kill(process)
            detail = (hello or {}).get("detail", "")
            raise ConversionFailed(
                errors.UNEXPECTED, f"the page work process did not start {detail}".strip()
            )
        self.process, self.jobs, self.limit = process, 0, limit
        return process

    def run(self, job: dict, timeout: float) -> dict:
        """The child's answer to ``job``; a job that runs over ``timeout`` seconds, runs
        out of memory or kills the child answers ``too_complex`` (and the child is
        replaced)."""
        with self.lock:
            if (
                self.process is None
                or self.process.poll() is not None
                or self.jobs >= self.RESTART_AFTER
            ):
                self.stop()
                self._start()
            process = self.process
            self.jobs += 1
            try:
                process.stdin.write(json.dumps(job) + "\n")
                process.stdin.flush()
                answer = self.answers.get(timeout=timeout)
            except queue.Empty:
                self.stop()
                return {"ok": False, "error": "too_complex", "detail": f"over {timeout:.0f} s"}
            except (BrokenPipeError, OSError):
                answer = None
            if answer is None:  # the child died under this file (a crash, or out of memory)
                self.stop()
                answer = {"ok": False, "error": "too_complex", "detail": "the process died"}
            if answer.get("error") == "too_complex":
                self.stop()
                answer.setdefault("memory_limit_mb", self.limit >> 20)
            return answer

    def stop(self) -> None:
        if self.process is not None:
            _kill(self.process)
            self.process = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None


def _kill(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)
    for stream in (process.stdin, process.stdout):
        with contextlib.suppress(OSError, ValueError):
            stream.close()


_worker = PerProcess(PageWorker)


def page_worker() -> PageWorker:
    """This process's page work child (a forked child makes its own)."""
    return _worker()


def read_pages(
    source: Path,
    *,
    mode: str,
    out: Path,
    work: Path,
    size_bytes: int,
    encoding: str = "",
) -> list[PageResult]:
    """Pages of ``source`` ("pdf" or "text" mode), their images written into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    timeout = timeout_for(size_bytes)
    job = {
        "mode": mode,
        "source": str(source),
        "out": str(out),
        "pages_json": str(work / "pages.json"),
        "preview_pages": settings.CUNJU_LIBRARY_PREVIEW_PAGES,
        "widths": list(settings.CUNJU_LIBRARY_PREVIEW_WIDTHS),
        "image_format": preview_format(),
        "max_pages": max_pages(),
        "encoding": encoding,
    }
    if mode == "text":
        job["font"], job["font_index"] = cjk_font()
    answer = page_worker().run(job, timeout)
    if not answer.get("ok"):
        reason = {
            "password": errors.PASSWORD,
            "damaged": errors.DAMAGED,
            "failed": errors.DAMAGED,
            "no_pages": errors.NO_PAGES,
            "too_many_pages": errors.TOO_MANY_PAGES,
            "too_complex": errors.PDF_TOO_COMPLEX if mode == "pdf" else errors.TEXT_TOO_LARGE,
        }.get(answer.get("error"), errors.UNEXPECTED)
        raise ConversionFailed(reason, json.dumps(answer))
    pages = json.loads((work / "pages.json").read_text("utf-8"))
    return [
        PageResult(
            number=page["number"],
            text=page["text"],
            preview=page.get("preview", ""),
            preview_small=page.get("preview_small", ""),
            width=page.get("width"),
            height=page.get("height"),
        )
        for page in pages
    ]
