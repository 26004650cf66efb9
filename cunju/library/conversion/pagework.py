"""Page work: the pages of a PDF or a text file, in a child process with limits.

A hostile PDF can make a renderer spin or swallow memory, so this runs as a script of its
own (``python pagework.py MEMORY_BYTES``) under an address-space limit, answering jobs given
as JSON lines on stdin, one at a time; the parent (``pages.py``) keeps it warm, gives each
job a wall-clock limit and kills it when a job runs over. It imports nothing of Django:
only pypdfium2 and Pillow.

It writes, into the job's ``out`` folder, the preview images of the first N pages at each
preview width (``page-0001.webp``, ``page-0001-240.webp``), and into ``pages.json`` the
text of every page. Text files are paged (``TEXT_LINES`` lines of at most ``LINE_UNITS``
columns, a Chinese character counting two) and their previews drawn with a CJK font.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from pathlib import Path

# One page of a text file: lines of at most LINE_UNITS columns (CJK characters are two).
TEXT_LINES = 40
LINE_UNITS = 80
# A page rendered taller than this many times its width is cut (a poster or a strip).
MAX_ASPECT = 3


# --- The child --------------------------------------------------------------------------


def _limit(memory: int) -> None:
    import resource

    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # No output file may grow past this: previews and page text are small.
    resource.setrlimit(resource.RLIMIT_FSIZE, (512 << 20, 512 << 20))


# Characters that end a Chinese sentence or clause heading: a line ending in one is a break.
SENTENCE_ENDS = set("。！？；：…」』”）】")


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch >= " " or ch in "\n\t").strip()
    return reflow(text)


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF" and ch not in SENTENCE_ENDS


def reflow(text: str) -> str:
    """Join the lines a PDF wrapped in the middle of Chinese text, so a word is never cut in
    two ("…联系户制" + "度…"); a short line (a heading) or a finished sentence keeps its
    break. PDFs hold lines, not paragraphs: this is a guess, made only between two Chinese
    characters on a line as long as the page's full lines."""
    lines = text.split("\n")
    lengths = sorted(len(line) for line in lines if line.strip())
    if len(lengths) < 2:
        return text
    full = lengths[(len(lengths) * 3) // 4]
    out = [lines[0]]
    for line in lines[1:]:
        previous = out[-1]
        if (
            previous
            and line
            and len(previous) >= full * 0.85
            and _is_cjk(previous[-1])
            and _is_cjk(line[0])
        ):
            out[-1] = previous + line
        else:
            out.append(line)
    return "\n".join(out)


def _encode(image, path: Path, kind: str) -> None:
    if kind == "jpeg":
        image.convert("RGB").save(path, "JPEG", quality=82)
    else:
        # method 1: close to the smallest files at a fraction of the time of the default.
        image.save(path, "WEBP", quality=80, method=1)


def _save(large, small, out: Path, number: int, widths: list[int], kind: str) -> dict:
    """Write the page's preview (first width) and thumbnail (second width, when given)."""
    suffix = "jpg" if kind == "jpeg" else "webp"
    names = {"preview": f"page-{number:04d}.{suffix}"}
    _encode(large, out / names["preview"], kind)
    if small is not None:
        names["preview_small"] = f"page-{number:04d}-{widths[1]}.{suffix}"
        _encode(small, out / names["preview_small"], kind)
    names["width"], names["height"] = large.width, large.height
    return names


def _shrink(image, width: int):
    from PIL import Image

    height = max(1, round(image.height * width / image.width))
    factor = max(1, image.width // width)
    # A box reduction first: most of the way for little cost, then a smooth finish.
    return image.reduce(factor).resize((width, height), Image.Resampling.BILINEAR)


def pdf_pages(job: dict) -> dict:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(job["source"])
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        return {"ok": False, "error": "password" if "password" in message else "damaged"}
    count = len(pdf)
    if count == 0:
        return {"ok": False, "error": "no_pages"}
    if count > int(job["max_pages"]):
        return {"ok": False, "error": "too_many_pages", "count": count}
    out = Path(job["out"])
    widths = [int(w) for w in job["widths"]]
    pages = []
    for index in range(count):
        page = pdf[index]
        textpage = page.get_textpage()
        entry = {"number": index + 1, "text": _clean(textpage.get_text_range())}
        textpage.close()
        if index < int(job["preview_pages"]):
            previews = render_previews(page, index + 1, out, widths, job["image_format"])
            if previews is None:
                return {"ok": False, "error": "damaged"}
            entry.update(previews)
        page.close()
        pages.append(entry)
    pdf.close()
    return {"ok": True, "pages": pages}


def rasterise(page, width: int):
    """The page as an image ``width`` pixels wide (a very tall page: its top only)."""
    page_width, page_height = page.get_size()
    crop = max(0.0, page_height - MAX_ASPECT * page_width)
    bitmap = page.render(scale=width / page_width, crop=(0, crop, 0, 0))
    image = bitmap.to_pil()
    bitmap.close()
    return image


def render_previews(page, number: int, out: Path, widths: list[int], kind: str) -> dict | None:
    """Render and write the page's preview and thumbnail; None for a page with no size."""
    width, height = page.get_size()
    if width <= 0 or height <= 0:
        return None
    # Each width rendered by PDFium itself: sharper than scaling, and cheaper.
    large = rasterise(page, widths[0])
    small = rasterise(page, widths[1]) if len(widths) > 1 else None
    return _save(large, small, out, number, widths, kind)


def _units(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def paginate(text: str) -> list[list[tuple[str, bool]]]:
    """Pages of (line, continues the line before): lines wrapped at LINE_UNITS columns,
    TEXT_LINES to a page; a form feed starts a new page."""
    pages: list[list[tuple[str, bool]]] = []
    page: list[tuple[str, bool]] = []

    def put(line: str, continued: bool) -> None:
        nonlocal page
        if len(page) == TEXT_LINES:
            pages.append(page)
            page = []
        page.append((line, continued))

    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    for block_index, block in enumerate(text.split("\f")):
        if block_index and page:
            pages.append(page)
            page = []
        lines = block.split("\n")
        if block.endswith("\n"):
            lines.pop()
        for raw in lines:
            line = "".join(ch for ch in raw if ch >= " ")
            if not line:
                put("", False)
                continue
            start, used, continued = 0, 0, False
            for position, ch in enumerate(line):
                width = _units(ch)
                if used + width > LINE_UNITS:
                    put(line[start:position], continued)
                    start, used, continued = position, 0, True
                used += width
            put(line[start:], continued)
    if page:
        pages.append(page)
    # Blank pages at the end say nothing.
    while pages and not any(line.strip() for line, _ in pages[-1]):
        pages.pop()
    return pages or [[("", False)]]


def page_text(lines: list[tuple[str, bool]]) -> str:
    out = ""
    for index, (line, continued) in enumerate(lines):
        out += line if continued or index == 0 else "\n" + line
    return out.rstrip()


class _Glyphs:
    """Glyph masks drawn once and pasted many times (FreeType per character is slow)."""

    def __init__(self, path: str, index: int, cell: float) -> None:
        from PIL import ImageFont

        self.cell = cell
        self.font = ImageFont.truetype(path, size=max(6, int(cell * 2)), index=index)
        ascent, descent = self.font.getmetrics()
        self.height = ascent + descent
        self.cache: dict[str, object] = {}

    def mask(self, ch: str):
        found = self.cache.get(ch)
        if found is None:
            from PIL import Image, ImageDraw

            width = max(1, round(self.cell * _units(ch)))
            found = Image.new("L", (width, self.height), 0)
            ImageDraw.Draw(found).text((0, 0), ch, font=self.font, fill=255)
            self.cache[ch] = found
        return found


_glyphs: dict[tuple, _Glyphs] = {}


def text_pages(job: dict) -> dict:
    from PIL import Image

    raw = Path(job["source"]).read_bytes()
    text = raw.decode(job["encoding"] or "utf-8", errors="replace").lstrip("\ufeff")
    paged = paginate(text)
    if len(paged) > int(job["max_pages"]):
        return {"ok": False, "error": "too_many_pages", "count": len(paged)}
    out = Path(job["out"])
    widths = [int(w) for w in job["widths"]]
    width = widths[0]
    height = round(width * 297 / 210)  # A4
    margin = round(width * 0.06)
    cell = (width - 2 * margin) / LINE_UNITS
    step = (height - 2 * margin) / TEXT_LINES
    key = (job["font"], int(job.get("font_index") or 0), cell)
    glyphs = _glyphs.get(key) or _glyphs.setdefault(key, _Glyphs(key[0], key[1], cell))
    pages = []
    for index, lines in enumerate(paged):
        entry = {"number": index + 1, "text": page_text(lines)}
        if index < int(job["preview_pages"]):
            image = Image.new("RGB", (width, height), "white")
            for row, (line, _continued) in enumerate(lines):
                x = float(margin)
                y = round(margin + row * step)
                # Column by column, so CJK and Latin keep the grid the pager counted.
                for ch in line:
                    if ch != " ":
                        image.paste((34, 34, 34), (round(x), y), glyphs.mask(ch))
                    x += cell * _units(ch)
            small = _shrink(image, widths[1]) if len(widths) > 1 else None
            entry.update(_save(image, small, out, index + 1, widths, job["image_format"]))
        pages.append(entry)
    return {"ok": True, "pages": pages}


def run_job(job: dict) -> dict:
    result = text_pages(job) if job["mode"] == "text" else pdf_pages(job)
    if result.get("ok"):
        pages = result.pop("pages")
        Path(job["pages_json"]).write_text(json.dumps(pages, ensure_ascii=False), "utf-8")
        result["page_count"] = len(pages)
    return result


def _watch_parent() -> None:
    """Stop mid-job when the worker that started us is gone (killed, say)."""
    import time

    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(1)


def main() -> int:
    import threading

    _limit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    threading.Thread(target=_watch_parent, daemon=True).start()
    # Keep the answer channel clean: anything a library prints goes to stderr.
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    try:
        # Loaded under the limit before the first job: a limit too small for the libraries
        # is the server's problem, not a file's.
        import pypdfium2  # noqa: F401
        from PIL import Image  # noqa: F401
    except (ImportError, MemoryError, OSError) as exc:
        channel.write(json.dumps({"ready": False, "detail": repr(exc)[:300]}) + "\n")
        return 2
    channel.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        try:
            answer = run_job(json.loads(line))
        except MemoryError:
            answer = {"ok": False, "error": "too_complex", "detail": "out of memory"}
            channel.write(json.dumps(answer) + "\n")
            return 3  # memory may be in pieces: a fresh process takes the next job
        except Exception as exc:
            answer = {"ok": False, "error": "failed", "detail": f"{type(exc).__name__}: {exc}"}
        channel.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    os.nice(5)
    sys.exit(main())
